import { formatReport, runScenario } from '../src';
import { killServices } from '../src/scenarios/kill-services';

// The CI subset of `npm run chaos -- kill-services`: every service killed with SIGKILL once, at
// seeded random moments under load, restarted; then every invariant must hold.
jest.setTimeout(300_000);

test('kill -9 of each service in turn loses, doubles and lets in nothing', async () => {
  const lines: string[] = [];
  const report = await runScenario(killServices, { durationSeconds: 0, seed: 7, symbols: ['BTC-USDT', 'ETH-USDT'] }, (l) => void lines.push(l));
  process.stdout.write(`${lines.join('\n')}\n${formatReport(report)}\n`);
  expect(report.invariants.filter((i) => !i.holds)).toEqual([]);
  expect(report.figures.kills).toBe(7);
  expect(Number(report.figures.fills)).toBeGreaterThan(0);
});
