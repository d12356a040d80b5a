import { GridSampler, ParamSpace, RandomSampler, TpeSampler, paramsKey } from '../src';
import type { Direction, Params, TrialRecord } from '../src';

const space2 = ParamSpace.from({ a: { type: 'int', low: 1, high: 4 }, b: { type: 'choice', values: ['x', 'y', 'z'] } });

describe('GridSampler', () => {
  it('visits every point exactly once, in order or shuffled', () => {
    const inOrder = new GridSampler(space2, 1);
    expect(inOrder.size).toBe(12);
    const seq = Array.from({ length: 12 }, (_, trial) => inOrder.sample({ trial, history: [], pending: [] }));
    expect(seq.slice(0, 4)).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' }, { a: 2, b: 'x' }]);
    expect(new Set(seq.map(paramsKey)).size).toBe(12);
    const shuffled = new GridSampler(space2, 1, true);
    const seq2 = Array.from({ length: 12 }, (_, trial) => shuffled.sample({ trial, history: [], pending: [] }));
    expect(new Set(seq2.map(paramsKey))).toEqual(new Set(seq.map(paramsKey)));
    expect(seq2).not.toEqual(seq);
    expect(() => inOrder.sample({ trial: 12, history: [], pending: [] })).toThrow('trial is outside the grid of 12 points');
  });
});

describe('RandomSampler', () => {
  it("draws trial n's parameters from (seed, n) alone", () => {
    const s = new RandomSampler(space2, 42);
    const a = Array.from({ length: 20 }, (_, trial) => s.sample({ trial, history: [], pending: [] }));
    const b = [19, 3, 7].map((trial) => new RandomSampler(space2, 42).sample({ trial, history: [], pending: [] }));
    expect(b).toEqual([a[19], a[3], a[7]]);
    expect(new RandomSampler(space2, 43).sample({ trial: 0, history: [], pending: [] })).toBeDefined();
    expect(Array.from({ length: 20 }, (_, trial) => new RandomSampler(space2, 43).sample({ trial, history: [], pending: [] }))).not.toEqual(a);
  });
});

// A shifted, tilted bowl with a choice that matters: the known optimum is 0 at
// x = 1.3, y = -2.1, z = 0.7, w = 37, kind = 'b'.
const bowlSpace = ParamSpace.from({
  x: { type: 'float', low: -5, high: 5 },
  y: { type: 'float', low: -5, high: 5 },
  z: { type: 'logfloat', low: 0.01, high: 100 },
  w: { type: 'int', low: 0, high: 100 },
  kind: { type: 'choice', values: ['a', 'b', 'c', 'd'] },
});
function bowl(p: Params): number {
  const x = p.x as number;
  const y = p.y as number;
  return (
    (x - 1.3) ** 2 + 2 * (y + 2.1) ** 2 + 0.5 * (x - 1.3) * (y + 2.1) + Math.log10((p.z as number) / 0.7) ** 2 + (((p.w as number) - 37) / 20) ** 2 + (p.kind === 'b' ? 0 : 3)
  );
}

function search(sampler: { sample: TpeSampler['sample'] }, budget: number, direction: Direction, f: (p: Params) => number): number {
  const history: TrialRecord[] = [];
  let best = Infinity;
  for (let trial = 0; trial < budget; trial++) {
    const params = bowlSpace.validate(sampler.sample({ trial, history, pending: [] }));
    const v = f(params);
    const score = direction === 'minimize' ? v : -v;
    history.push({ number: trial, state: 'complete', params, score, metrics: {}, startedAtMs: 0, durationMs: 0 });
    best = Math.min(best, v);
  }
  return best;
}

describe('TpeSampler', () => {
  it('finds a better optimum than random search with the same budget, over several seeds', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const budget = 80;
    const tpe = seeds.map((seed) => search(new TpeSampler(bowlSpace, seed, 'minimize'), budget, 'minimize', bowl));
    const rnd = seeds.map((seed) => search(new RandomSampler(bowlSpace, seed), budget, 'minimize', bowl));
    const wins = seeds.filter((_, i) => tpe[i]! < rnd[i]!).length;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(wins).toBeGreaterThanOrEqual(8);
    expect(median(tpe)).toBeLessThan(median(rnd) / 2);
  });

  it('maximises as well: the same problem with the score negated', () => {
    const seeds = [11, 12, 13, 14, 15, 16];
    const tpe = seeds.map((seed) => search(new TpeSampler(bowlSpace, seed, 'maximize'), 60, 'maximize', bowl));
    const rnd = seeds.map((seed) => search(new RandomSampler(bowlSpace, seed), 60, 'maximize', bowl));
    expect(seeds.filter((_, i) => tpe[i]! < rnd[i]!).length).toBeGreaterThanOrEqual(5);
  });

  it('starts with the random sampler’s draws, then proposes from the fitted model', () => {
    const tpe = new TpeSampler(bowlSpace, 5, 'minimize', { startupTrials: 4 });
    const random = new RandomSampler(bowlSpace, 5);
    const history: TrialRecord[] = [];
    for (let trial = 0; trial < 4; trial++) {
      const p = tpe.sample({ trial, history, pending: [] });
      expect(p).toEqual(random.sample({ trial, history: [], pending: [] }));
      history.push({ number: trial, state: 'complete', params: p, score: bowl(p), metrics: {}, startedAtMs: 0, durationMs: 0 });
    }
    expect(tpe.sample({ trial: 4, history, pending: [] })).not.toEqual(random.sample({ trial: 4, history: [], pending: [] }));
  });

  it('is a function of its history: the same history gives the same proposal', () => {
    const history: TrialRecord[] = Array.from({ length: 15 }, (_, n) => {
      const params = new RandomSampler(bowlSpace, 9).sample({ trial: n, history: [], pending: [] });
      return { number: n, state: n === 3 ? 'failed' : 'complete', params, score: n === 3 ? undefined : bowl(params), metrics: {}, startedAtMs: 0, durationMs: 0, error: n === 3 ? 'Error: x' : undefined };
    });
    const a = new TpeSampler(bowlSpace, 9, 'minimize').sample({ trial: 15, history, pending: [] });
    const b = new TpeSampler(bowlSpace, 9, 'minimize').sample({ trial: 15, history: [...history].reverse(), pending: [] });
    expect(a).toEqual(b);
    expect(bowlSpace.validate(a)).toEqual(a);
  });

  it('moves away from points other workers are already running', () => {
    const tiny = ParamSpace.from({ k: { type: 'int', low: 0, high: 3 } });
    const history: TrialRecord[] = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3].map((k, n) => ({ number: n, state: 'complete', params: { k }, score: k === 2 ? 10 : 0, metrics: {}, startedAtMs: 0, durationMs: 0 }));
    const tpe = new TpeSampler(tiny, 3, 'maximize', { gamma: 0.25 });
    const free = Array.from({ length: 20 }, (_, i) => tpe.sample({ trial: 100 + i, history, pending: [] }).k);
    expect(free.filter((k) => k === 2).length).toBeGreaterThanOrEqual(15);
    const busy = Array.from({ length: 20 }, (_, i) => tpe.sample({ trial: 100 + i, history, pending: Array.from({ length: 12 }, () => ({ k: 2 })) }).k);
    expect(busy.filter((k) => k === 2).length).toBeLessThan(free.filter((k) => k === 2).length);
  });

  it('validates its options by name', () => {
    expect(() => new TpeSampler(bowlSpace, 1, 'minimize', { gamma: 1 })).toThrow('sampler.gamma must be in (0, 1), got 1');
    expect(() => new TpeSampler(bowlSpace, 1, 'minimize', { candidates: 0 })).toThrow('sampler.candidates must be a positive integer');
  });
});
