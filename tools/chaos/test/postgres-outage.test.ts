import { formatReport, runScenario } from '../src';
import { postgresOutage } from '../src/scenarios/postgres-outage';

// The CI subset of `npm run chaos -- postgres-outage`: the recorder's path to PostgreSQL (a
// TcpProxy; the shared server is never touched) cut for 5 s under load, reset then held, and
// restored. Readiness must report the outage and its end, the recorder must not crash, catch up,
// and every invariant must hold.
jest.setTimeout(120_000);

test('PostgreSQL unreachable for the recorder: readiness reports it, nothing is lost or doubled', async () => {
  const lines: string[] = [];
  const report = await runScenario(postgresOutage, { durationSeconds: 0, outageSeconds: 5, seed: 5, symbols: ['BTC-USDT', 'ETH-USDT'] }, (l) => void lines.push(l));
  process.stdout.write(`${lines.join('\n')}\n${formatReport(report)}\n`);
  expect(report.invariants.filter((i) => !i.holds)).toEqual([]);
  expect(Number(report.figures['outage ms'])).toBeGreaterThanOrEqual(5_000);
  expect(Number(report.figures['not ready after cut ms'])).toBeLessThan(5_000);
  expect(Number(report.figures['ready after restore ms'])).toBeGreaterThanOrEqual(0);
  expect(Number(report.figures['caught up after restore ms'])).toBeGreaterThanOrEqual(0);
  expect(Number(report.figures['connections refused/held'])).toBeGreaterThan(0);
});
