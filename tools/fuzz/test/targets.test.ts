// The CI subset: every target with its `ciRuns` inputs (a few thousand in all). A crash or hang
// fails its test with the minimal input and the command that replays it. The seed is fixed so a
// failure is a regression of the code, not a new draw; FUZZ_SEED explores others, and
// `npm run fuzz` (a million inputs) explores far more.
import { formatFailures, formatTable, runTarget, TARGETS } from '../src';

const seed = Number(process.env.FUZZ_SEED ?? 20_260);

jest.setTimeout(120_000);

test('every target has CI runs, a weight and a unique name', () => {
  expect(new Set(TARGETS.map((t) => t.name)).size).toBe(TARGETS.length);
  for (const t of TARGETS) {
    expect(t.ciRuns).toBeGreaterThan(0);
    expect(t.weight).toBeGreaterThan(0);
  }
  expect(TARGETS.reduce((n, t) => n + t.ciRuns, 0)).toBeGreaterThanOrEqual(2_000);
});

test.each(TARGETS.map((t) => [t.name, t] as const))('%s: no crash or hang', async (_name, t) => {
  const report = await runTarget(t, { runs: t.ciRuns, seed, budgetMs: 5_000 });
  // Servers are part of the test environment (NATS_URL, DATABASE_URL), as for every other test.
  if (report.skipped !== undefined) throw new Error(`${t.name} skipped: ${report.skipped}`);
  if (report.failure !== undefined) throw new Error(`${formatTable([report])}\n\n${formatFailures([report])}`);
  expect(report.runs).toBe(t.ciRuns);
  // A target whose every input is refused (or accepted) exercises half of its decoder only.
  if (t.name !== 'okx.checksum' && t.name !== 'okx.book-sync' && t.name !== 'binance.depth-sync' && t.name !== 'order-book.book-keeper' && t.name !== 'binance.retry-after') {
    expect(report.counts.accepted).toBeGreaterThan(0);
    expect(report.counts.rejected).toBeGreaterThan(0);
  }
});
