import { InvalidReportInputError, buildReportData, monthlyReturns, paramHeatmap, parseEquity, renderReport, thin } from '../src';
import type { Series } from '../src';
import { reportInput } from './report-fixture';

describe('report data', () => {
  it('computes monthly returns from month-end equity, exactly', () => {
    const pts = parseEquity([
      { tsMs: Date.UTC(2024, 0, 5), equity: '100' },
      { tsMs: Date.UTC(2024, 0, 31, 23), equity: '110' },
      { tsMs: Date.UTC(2024, 1, 10), equity: '99' },
      { tsMs: Date.UTC(2024, 3, 1), equity: '99' },
      { tsMs: Date.UTC(2025, 0, 2), equity: '118.8' },
    ]);
    const m = monthlyReturns(pts, parseEquity([{ tsMs: 0, equity: '80' }])[0]!.equity);
    expect(m.years).toEqual([2024, 2025]);
    expect(m.cells[0]!.slice(0, 5)).toEqual([0.375, -0.1, null, 0, null]);
    expect(m.cells[1]![0]).toBeCloseTo(0.2, 12);
    expect(m.yearTotals[0]).toBeCloseTo(99 / 80 - 1, 12);
    expect(m.yearTotals[1]).toBeCloseTo(0.2, 12);
  });

  it('thins a curve but keeps each slot’s extremes', () => {
    const series: Series = Array.from({ length: 100_000 }, (_, i) => [i, Math.sin(i / 1000)]);
    series[54_321] = [54_321, -50];
    series[77_777] = [77_777, 60];
    const out = thin(series, 2000);
    expect(out.length).toBeLessThanOrEqual(2000);
    expect(out.length).toBeGreaterThan(1000);
    expect(out).toContainEqual([54_321, -50]);
    expect(out).toContainEqual([77_777, 60]);
    expect(out[0]).toEqual(series[0]);
    expect(out[out.length - 1]).toEqual(series[series.length - 1]);
    expect(out.every((p, i) => i === 0 || p[0] > out[i - 1]![0])).toBe(true);
  });

  it('puts the best score of each parameter pair in its cell', () => {
    const trial = (number: number, a: number, b: string, c: number, score: number) => ({ number, state: 'complete' as const, params: { a, b, c }, score, metrics: {}, startedAtMs: 0, durationMs: 0 });
    const hm = paramHeatmap({
      direction: 'minimize',
      trials: [trial(0, 1, 'x', 0, 5), trial(1, 1, 'x', 1, 3), trial(2, 2, 'x', 0, 7), trial(3, 1, 'y', 0, 1), { ...trial(4, 2, 'y', 0, 0), state: 'failed', score: undefined }],
    })!;
    expect(hm).toMatchObject({ x: 'a', y: 'b', xLabels: ['1', '2'], yLabels: ['x', 'y'] });
    expect(hm.cells).toEqual([
      [3, 7],
      [1, null],
    ]);
    expect(hm.counts).toEqual([
      [2, 1],
      [1, 0],
    ]);
    expect(() => paramHeatmap({ direction: 'minimize', x: 'zz', trials: [trial(0, 1, 'x', 0, 1), trial(1, 2, 'y', 1, 2)] })).toThrow('study.x');
  });

  it('bins a continuous parameter into at most 12 cells', () => {
    const trials = Array.from({ length: 200 }, (_, i) => ({ number: i, state: 'complete' as const, params: { a: i / 7, b: i % 3 }, score: i, metrics: {}, startedAtMs: 0, durationMs: 0 }));
    const hm = paramHeatmap({ direction: 'maximize', trials })!;
    expect(hm.xLabels).toHaveLength(12);
    expect(hm.counts.flat().reduce((a, b) => a + b, 0)).toBe(200);
  });

  it('summarises the curve exactly and keeps every trade up to the cap', () => {
    const data = buildReportData(reportInput({ maxTrades: 10 }));
    expect(data.summary.startEquity).toBe('100000');
    expect(data.trades).toHaveLength(10);
    expect(data.tradesTotal).toBe(57);
    expect(data.equity.length).toBeLessThanOrEqual(2000);
    expect(data.summary.maxDrawdownFraction).toBeGreaterThan(0.2);
    expect(data.metrics).toContainEqual(['sharpe', '1.23457']);
  });

  it('rejects equity it cannot read, naming the point', () => {
    expect(() => buildReportData(reportInput({ equity: [{ tsMs: 1, equity: '1' }, { tsMs: 2, equity: '1e5' }] }))).toThrow(InvalidReportInputError);
    expect(() => buildReportData(reportInput({ equity: [{ tsMs: 2, equity: '1' }, { tsMs: 1, equity: '2' }] }))).toThrow('equity[1].tsMs must not be before the previous point');
  });

  it('renders one self-contained page: no external reference, markup in data cannot escape its script', () => {
    const html = renderReport(reportInput({ title: 'a </script><script>alert(1)</script>', trades: [{ ...reportInput().trades![0]!, symbol: '</script><b>x' }] }));
    expect(html).not.toMatch(/<script[^>]+src=|<link|<img|@import|url\(/);
    // The one URL is the SVG namespace name, which is never fetched.
    expect(new Set(html.match(/https?:\/\/[^'"\s]+/g))).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain('<title>a &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(html).toContain('\\u003c/script>\\u003cb>x');
  });
});
