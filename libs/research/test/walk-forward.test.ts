import { join } from 'node:path';
import { Decimal } from '@meridian/domain';
import { InvalidOptionError, MemoryStudyStore, walkForward, walkForwardWindows } from '../src';
import type { Params, TrialContext, WalkForwardData, WindowSpec } from '../src';
import { seededRandom } from '@meridian/testkit';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fixtures = require('./fixtures/objectives.js') as { walkObjective: (p: Params, ctx: TrialContext) => never; DAY: number };
const DAY = fixtures.DAY;
const FIXTURE = join(__dirname, 'fixtures', 'objectives.js');
const T0 = Date.UTC(2024, 0, 1);

describe('walkForwardWindows', () => {
  it('never lets a test window overlap its train window or another test window (random specs)', () => {
    const rnd = seededRandom(2024);
    for (let i = 0; i < 500; i++) {
      const trainMs = 1 + Math.floor(rnd() * 100);
      const testMs = 1 + Math.floor(rnd() * 50);
      const spec: WindowSpec = {
        fromMs: Math.floor(rnd() * 1000) - 500,
        toMs: 0,
        trainMs,
        testMs,
        stepMs: testMs + Math.floor(rnd() * 20),
        gapMs: Math.floor(rnd() * 5),
        mode: rnd() < 0.5 ? 'rolling' : 'anchored',
      };
      spec.toMs = spec.fromMs + trainMs + spec.gapMs! + testMs + Math.floor(rnd() * 400);
      const ws = walkForwardWindows(spec);
      ws.forEach((w, k) => {
        expect(w.train.fromMs).toBeGreaterThanOrEqual(spec.fromMs);
        expect(w.train.toMs).toBeGreaterThan(w.train.fromMs);
        expect(w.test.fromMs).toBe(w.train.toMs + spec.gapMs!);
        expect(w.test.toMs).toBeLessThanOrEqual(spec.toMs);
        if (spec.mode === 'anchored') expect(w.train.fromMs).toBe(spec.fromMs);
        else expect(w.train.toMs - w.train.fromMs).toBe(trainMs);
        if (k > 0) expect(w.test.fromMs).toBeGreaterThanOrEqual(ws[k - 1]!.test.toMs);
      });
      // The next window would not fit.
      const last = ws[ws.length - 1]!;
      expect(last.test.toMs + spec.stepMs!).toBeGreaterThan(spec.toMs);
    }
  });

  it('lays rolling and anchored windows as expected', () => {
    expect(walkForwardWindows({ fromMs: 0, toMs: 100, trainMs: 40, testMs: 20 })).toEqual([
      { index: 0, train: { fromMs: 0, toMs: 40 }, test: { fromMs: 40, toMs: 60 } },
      { index: 1, train: { fromMs: 20, toMs: 60 }, test: { fromMs: 60, toMs: 80 } },
      { index: 2, train: { fromMs: 40, toMs: 80 }, test: { fromMs: 80, toMs: 100 } },
    ]);
    expect(walkForwardWindows({ fromMs: 0, toMs: 100, trainMs: 40, testMs: 20, mode: 'anchored', gapMs: 5 }).map((w) => [w.train.toMs, w.test.fromMs])).toEqual([
      [40, 45],
      [60, 65],
    ]);
  });

  it('rejects windows that would overlap or not fit', () => {
    expect(() => walkForwardWindows({ fromMs: 0, toMs: 100, trainMs: 40, testMs: 20, stepMs: 10 })).toThrow('windows.stepMs must be ≥ testMs (20)');
    expect(() => walkForwardWindows({ fromMs: 0, toMs: 50, trainMs: 40, testMs: 20 })).toThrow(InvalidOptionError);
    expect(() => walkForwardWindows({ fromMs: 0, toMs: 50, trainMs: 0, testMs: 20 })).toThrow('windows.trainMs must be an integer ≥ 1');
  });
});

describe('walkForward', () => {
  const windows: WindowSpec = { fromMs: T0, toMs: T0 + 60 * DAY, trainMs: 10 * DAY, testMs: 5 * DAY };
  const space = { k: { type: 'int', low: 0, high: 2 } } as const;

  it('optimises on train windows only, evaluates on test windows only, and reports only out-of-sample', async () => {
    const calls: WalkForwardData[] = [];
    const store = new MemoryStudyStore();
    const result = await walkForward({
      name: 'wf',
      windows,
      space,
      sampler: { kind: 'grid' },
      store,
      initialEquity: '5000.00',
      objective: (p, ctx) => {
        calls.push(ctx.data as WalkForwardData);
        return fixtures.walkObjective(p, ctx);
      },
    });
    const ws = walkForwardWindows(windows);
    expect(result.windows).toHaveLength(ws.length);
    // Three grid trials per train window, one test run per window, each on its own range.
    for (const w of ws) {
      const mine = calls.filter((c) => c.window === w.index);
      expect(mine.filter((c) => c.phase === 'train')).toEqual(Array(3).fill({ phase: 'train', window: w.index, fromMs: w.train.fromMs, toMs: w.train.toMs }));
      expect(mine.filter((c) => c.phase === 'test')).toEqual([{ phase: 'test', window: w.index, fromMs: w.test.fromMs, toMs: w.test.toMs }]);
      expect((await store.loadStudy(`wf/w${w.index}`))!.trials).toHaveLength(3);
    }
    // Every reported point and trade lies in a test window; nothing from the first train window.
    const inTest = (ts: number) => ws.some((w) => ts >= w.test.fromMs && ts < w.test.toMs);
    expect(result.equity.length).toBe(ws.length * 5 * 24);
    expect(result.equity.every((p) => inTest(p.tsMs))).toBe(true);
    expect(result.equity[0]!.tsMs).toBeGreaterThanOrEqual(ws[0]!.test.fromMs);
    expect(result.trades.every((t) => inTest(t.entryTsMs))).toBe(true);
    expect(result.trades).toHaveLength(ws.length * 5);
    expect(result.windows.every((w) => w.droppedPoints === 48 && w.testPoints === 120)).toBe(true);
    // Stitched by P&L, exactly: the curve ends at the start plus every window's P&L.
    const total = result.windows.reduce((s, w) => s.add(w.testPnl), Decimal.parse('5000.00'));
    expect(result.equity[result.equity.length - 1]!.equity).toBe(total.toString());
    expect(result.summary).toMatchObject({ startEquity: '5000', endEquity: total.toString(), pnl: total.sub('5000').toString(), windows: ws.length, trades: ws.length * 5 });
    // Each window keeps the train-best k (earliest on ties) and its test score is that k's run on the test range.
    const run = (k: number, range: { fromMs: number; toMs: number }) =>
      (fixtures.walkObjective({ k }, { study: 'x', trial: 0, seed: 0, data: { phase: 'test', window: 0, ...range } }) as { score: number }).score;
    for (const w of result.windows) {
      const trainScores = [0, 1, 2].map((k) => run(k, w.train));
      const bestK = trainScores.indexOf(Math.max(...trainScores));
      expect(w.bestParams).toEqual({ k: bestK });
      expect(w.trainScore).toBe(trainScores[bestK]);
      expect(w.testScore).toBe(run(bestK, w.test));
    }
    expect(result.summary.meanTestScore).toBeCloseTo(result.windows.reduce((s, w) => s + w.testScore, 0) / ws.length, 9);
  });

  it('runs on worker threads with the objective as a module, and resumes each window study from the store', async () => {
    const store = new MemoryStudyStore();
    const progress: string[] = [];
    const opts = { name: 'wf-pool', windows: { ...windows, toMs: T0 + 30 * DAY }, space, sampler: { kind: 'grid' } as const, store, workers: 2, objective: { module: FIXTURE, export: 'walkObjective' } };
    const a = await walkForward({ ...opts, onProgress: (p) => progress.push(`${p.window}:${p.phase}`) });
    expect(a.windows).toHaveLength(4);
    expect(progress.filter((p) => p.endsWith('test'))).toEqual(['0:test', '1:test', '2:test', '3:test']);
    expect(progress.filter((p) => p.endsWith('train'))).toHaveLength(12);
    const b = await walkForward({ ...opts, onProgress: (p) => progress.push(`again ${p.window}:${p.phase}`) });
    // Train studies were all stored: the second run only re-evaluates the test windows.
    expect(progress.filter((p) => p.startsWith('again') && p.endsWith('train'))).toHaveLength(0);
    expect(b.equity).toEqual(a.equity);
  });

  it('fails with the window named when the test run fails', async () => {
    await expect(
      walkForward({
        name: 'wf-fail',
        windows,
        space,
        sampler: { kind: 'grid' },
        objective: (p, ctx) => {
          if ((ctx.data as WalkForwardData).phase === 'test') throw new Error('no data for the test period');
          return fixtures.walkObjective(p, ctx);
        },
      }),
    ).rejects.toThrow('walk-forward window 0: the test run of {"k":');
  });
});
