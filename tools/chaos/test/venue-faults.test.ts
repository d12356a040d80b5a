import { formatReport, runScenario } from '../src';
import { venueFaults } from '../src/scenarios/venue-faults';

// The CI subset of `npm run chaos -- venue-faults`: execution on VENUE=okx against a local OKX v5
// server the runner hosts (its market mirrored from the platform's own data), each fault phase
// once (slow answers and slow requests past VENUE_TIMEOUT_MS, 5xx on places and lookups, two 50011
// bursts, drops after apply, delayed WebSocket acks after a cut), then cleared. Every order must
// be at the venue exactly once, every venue fill on the bus and in PostgreSQL once, nothing left
// in doubt, and risk's positions the venue's.
jest.setTimeout(300_000);

test('a venue that times out, fails, rate-limits and acks late: nothing doubled, nothing guessed', async () => {
  const lines: string[] = [];
  const report = await runScenario(venueFaults, { durationSeconds: 0, seed: 3, symbols: ['BTC-USDT', 'ETH-USDT'] }, (l) => void lines.push(l));
  process.stdout.write(`${lines.join('\n')}\n${formatReport(report)}\n`);
  expect(report.invariants.filter((i) => !i.holds)).toEqual([]);
  const fired = /delay (\d+), 5xx (\d+), 50011 (\d+), drop (\d+)/.exec(String(report.figures['faults fired']));
  expect(fired).not.toBeNull();
  // Every kind of REST fault reached the venue at least once; the WebSocket phase is time-boxed.
  for (const n of fired!.slice(1)) expect(Number(n)).toBeGreaterThan(0);
  // Answers past the timeout put orders in doubt, and they were reconciled (the invariants say how).
  expect(Number(report.figures['in-doubt orders seen'])).toBeGreaterThan(0);
  expect(Number(report.figures['settled after clear ms'])).toBeGreaterThanOrEqual(0);
  expect(Number(report.figures['venue fills'])).toBeGreaterThan(0);
});
