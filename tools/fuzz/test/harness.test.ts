// The harness itself: each outcome is classified as documented, a failure is shrunk and can be
// replayed from its seed and path, and a call that never returns is stopped and named.
import { join } from 'node:path';
import fc from 'fast-check';
import { InvalidDecimalError, PlatformError } from '@meridian/domain';
import { Broken, Refused, formatFailures, formatTable, planRuns, runTarget, target } from '../src';
import type { FuzzTarget } from '../src';

const seed = 42;

/** Refuses odd numbers with a typed error, throws a TypeError from 1000 up (typed, so the variants below can spread it). */
const crashingSpec: FuzzTarget<number, undefined> = {
  name: 'fixture.crash',
  calls: 'a decoder that crashes on large inputs',
  weight: 1,
  ciRuns: 500,
  codes: ['INVALID_DECIMAL'],
  arbitrary: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 999 }) }, { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }) }),
  run(n) {
    if (n >= 1_000) throw new TypeError(`cannot read ${n}`);
    if (n % 2 === 1) throw new InvalidDecimalError(n, 'odd');
    return undefined;
  },
};
const crashing = target(crashingSpec);

test('a crash stops the run, is shrunk to the smallest input, and replays from its seed and path', async () => {
  const report = await runTarget(crashing, { runs: 10_000, seed, budgetMs: 1_000 });
  expect(report.failure).toMatchObject({ kind: 'crash', key: 'untyped TypeError', counterexample: '1000', seed });
  expect(report.counts.crash).toBe(1);
  expect(report.runs).toBe(report.counts.accepted + report.counts.rejected + 1);
  expect(report.counts.rejected).toBeGreaterThan(0);
  expect(report.keys['rejected INVALID_DECIMAL']).toBe(report.counts.rejected);
  const replay = await runTarget(crashing, { runs: 1, seed, path: report.failure!.path, budgetMs: 1_000 });
  expect(replay.failure?.counterexample).toBe('1000');
  expect(formatFailures([report])).toContain(`npm run fuzz -- --target fixture.crash --seed ${seed} --path ${report.failure!.path}`);
});

test.each<[string, (n: number) => unknown, string]>([
  ['an undocumented error code', () => { throw new PlatformError('SOMETHING_ELSE', 'no'); }, 'undocumented SOMETHING_ELSE'],
  ['a broken invariant, returned', () => 'accepted a wrong value', 'invariant broken'],
  ['a broken invariant, thrown', () => { throw new Broken('wrong answer'); }, 'invariant broken'],
  ['a thrown string', () => { throw 'nope'; }, 'non-error thrown'],
])('%s is a crash', async (_what, run, key) => {
  const t = target<number>({ ...crashingSpec, name: 'fixture.kind', arbitrary: fc.integer({ min: 0, max: 10 }), run: (n) => run(n) as string | undefined });
  expect((await runTarget(t, { runs: 50, seed, budgetMs: 1_000 })).failure?.key).toBe(key);
});

test('documented refusals are tallied by code and reason, and the table shows them', async () => {
  const t = target<number>({ ...crashingSpec, name: 'fixture.refusals', run: (n) => { if (n % 3 === 0) throw new Refused('grpc:INVALID_ARGUMENT'); return undefined; } });
  const report = await runTarget(t, { runs: 300, seed, budgetMs: 1_000 });
  expect(report.failure).toBeUndefined();
  expect(report.counts.rejected + report.counts.accepted).toBe(300);
  expect(report.keys['rejected grpc:INVALID_ARGUMENT']).toBe(report.counts.rejected);
  const table = formatTable([report]);
  expect(table).toMatch(/fixture\.refusals\s+300\s/);
  expect(table).toContain('rejected grpc:INVALID_ARGUMENT');
});

test('a call over the time budget is a hang, synchronous or not', async () => {
  const slow = target<number>({ ...crashingSpec, name: 'fixture.slow', run: (n) => { const until = Date.now() + (n > 1_000 ? 30 : 0); while (Date.now() < until); return undefined; } });
  expect((await runTarget(slow, { runs: 200, seed, budgetMs: 20 })).failure).toMatchObject({ kind: 'hang', key: 'over budget' });
  const never = target<number>({ ...crashingSpec, name: 'fixture.never', async: true, run: (n) => (n > 1_000 ? new Promise<undefined>(() => undefined) : Promise.resolve(undefined)) });
  expect((await runTarget(never, { runs: 200, seed, budgetMs: 50 })).failure).toMatchObject({ kind: 'hang', key: 'no answer' });
});

test('a worker stuck in an endless loop is stopped by the watchdog and its input named', async () => {
  // The worker runs the built harness (dist), as `npm run fuzz` does.
  const { runIsolated } = require('../dist/isolated') as typeof import('../src/isolated');
  const fixture = join(__dirname, 'fixtures', 'stuck-target.js');
  const { stuck } = require(fixture) as { stuck: FuzzTarget };
  const report = await runIsolated(stuck, { runs: 20, seed, budgetMs: 100, hangMs: 1_000, heapMb: 256, module: fixture });
  expect(report.failure).toMatchObject({ kind: 'hang', key: 'stuck', path: '4', seed });
  const expected = fc.sample(stuck.arbitrary, { seed, numRuns: 5 })[4];
  expect(report.failure!.counterexample).toBe(String(expected));
});

test('the on-demand runs are shared by weight and add up to at least the total', () => {
  const a = { ...crashing, name: 'a', weight: 3 };
  const b = { ...crashing, name: 'b', weight: 1 };
  const plan = planRuns([a, b], 1_000_000);
  expect(plan.get('a')).toBe(750_000);
  expect(plan.get('b')).toBe(250_000);
});
