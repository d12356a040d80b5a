#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { formatReport, runScenario } from './runner';
import { SCENARIOS } from './scenarios';

const usage = `npm run chaos -- <scenario> [--duration <s>] [--seed <n>] [--symbols A,B] [--outage <s>]

scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(22)} ${s.summary}`).join('\n')}

Needs NATS JetStream at NATS_URL and PostgreSQL at DATABASE_URL (as the tests do) and a built
tree (npm run build). --outage sets the length of a scenario's outage (postgres-outage: default a
third of --duration, at least 5 s; slow-consumer: the recorder's stall, default a third of
--duration, at least 10 s). venue-faults runs its fault phases once, and again while --duration
lasts. Exit code 0 when every invariant held, 1 when one broke, 2 on bad usage.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { duration: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' }, symbols: { type: 'string', default: 'BTC-USDT,ETH-USDT' }, outage: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  const scenario = SCENARIOS.find((s) => s.name === positionals[0]);
  const duration = Number(values.duration);
  const seed = Number(values.seed);
  const outage = values.outage === undefined ? undefined : Number(values.outage);
  if (values.help || !scenario || !Number.isInteger(duration) || duration < 0 || !Number.isInteger(seed) || (outage !== undefined && !(outage > 0))) {
    process.stderr.write(`${positionals[0] && !scenario ? `unknown scenario ${JSON.stringify(positionals[0])}\n\n` : ''}${usage}\n`);
    return values.help ? 0 : 2;
  }
  const report = await runScenario(scenario, { durationSeconds: duration, seed, symbols: values.symbols!.split(','), ...(outage !== undefined ? { outageSeconds: outage } : {}) }, (line) => process.stdout.write(`[chaos] ${line}\n`));
  process.stdout.write(`${formatReport(report)}\n`);
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
