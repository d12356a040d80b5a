import { EventOrderError, arraySource, mergeSources } from '../src';
import type { EventSource, MarketEvent } from '../src';
import { T0, trade } from './helpers';

async function all(sources: EventSource[], chunk?: number): Promise<MarketEvent[]> {
  const out: MarketEvent[] = [];
  for await (const c of mergeSources(sources, chunk)) out.push(...c);
  return out;
}

function asyncSource(name: string, events: MarketEvent[], chunk: number): EventSource {
  return {
    name,
    async *chunks() {
      for (let i = 0; i < events.length; i += chunk) {
        await new Promise((r) => setImmediate(r));
        yield events.slice(i, i + chunk);
      }
    },
  };
}

const t = (s: string, at: number, tag: string) => trade(s, T0 + BigInt(at), '1', tag);

describe('mergeSources', () => {
  test('merges by time; equal times keep the order of the source list, then the order within each source', async () => {
    const a = [t('A', 1, '1'), t('A', 3, '2'), t('A', 3, '3'), t('A', 7, '4')];
    const b = [t('B', 0, '5'), t('B', 3, '6'), t('B', 9, '7')];
    const c = [t('C', 3, '8'), t('C', 3, '9')];
    const merged = await all([arraySource('a', a, 2), asyncSource('b', b, 1), arraySource('c', c, 5)], 3);
    expect(merged.map((e) => (e.kind === 'trade' ? e.size.toString() : '?'))).toEqual(['5', '1', '2', '3', '6', '8', '9', '4', '7']);
  });

  test('gives the same stream whatever the chunk sizes', async () => {
    const make = (sym: string, n: number, step: number) => Array.from({ length: n }, (_, i) => t(sym, i * step, `${sym}${i}`.length.toString()));
    const sources = (k: number) => [arraySource('a', make('A', 50, 3), k), asyncSource('b', make('B', 40, 4), k + 1), arraySource('c', make('C', 30, 5), 2 * k)];
    const one = await all(sources(1), 1);
    const other = await all(sources(7), 1000);
    expect(other).toEqual(one);
    expect(one).toHaveLength(120);
    for (let i = 1; i < one.length; i++) expect(one[i]!.tsNs >= one[i - 1]!.tsNs).toBe(true);
  });

  test('refuses a source that goes back in time, naming it and the event', async () => {
    const bad = [t('A', 5, '1'), t('A', 4, '2')];
    await expect(all([arraySource('late.csv', bad)])).rejects.toThrow(EventOrderError);
    await expect(all([arraySource('x', [t('B', 0, '1')]), arraySource('late.csv', bad, 1)])).rejects.toThrow(/late.csv: event 1 at .* comes after one at/);
  });

  test('an empty source or empty chunks are fine', async () => {
    const empty: EventSource = { name: 'empty', *chunks() { yield []; } };
    expect(await all([empty, arraySource('a', [t('A', 1, '1')])])).toHaveLength(1);
    expect(await all([])).toHaveLength(0);
  });
});
