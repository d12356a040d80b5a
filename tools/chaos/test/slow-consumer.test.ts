import { formatReport, runScenario } from '../src';
import { slowConsumer } from '../src/scenarios/slow-consumer';

// The CI subset of `npm run chaos -- slow-consumer`: the recorder stopped (SIGSTOP) for 10 s under
// load and continued. Every service's memory must stay bounded, the recorder's consumer lag must
// show in its metrics and return to about 0, and nothing may be lost on the streams or in PostgreSQL.
jest.setTimeout(300_000);

test('a stalled consumer: bounded memory elsewhere, lag visible and caught up, nothing lost', async () => {
  const lines: string[] = [];
  const report = await runScenario(slowConsumer, { durationSeconds: 0, outageSeconds: 10, seed: 5, symbols: ['BTC-USDT', 'ETH-USDT'] }, (l) => void lines.push(l));
  process.stdout.write(`${lines.join('\n')}\n${formatReport(report)}\n`);
  expect(report.invariants.filter((i) => !i.holds)).toEqual([]);
  expect(Number(report.figures['stall ms'])).toBeGreaterThanOrEqual(10_000);
  expect(Number(report.figures['peak lag (recorder metrics)'])).toBeGreaterThan(Number(report.figures['steady lag before the stall (median)']));
  expect(Number(report.figures['catch-up ms'])).toBeGreaterThanOrEqual(0);
  expect(Number(report.figures['fills during the stall'])).toBeGreaterThan(0);
});
