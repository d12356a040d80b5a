#!/usr/bin/env node
import { parseSymbol, parseVenue } from '@meridian/domain';
import { ConfigError, field, loadConfig, natsConnectOptions, natsSchema } from '@meridian/runtime';
import { bootstrap } from './bootstrap';

const schema = {
  ...natsSchema(),
  BUS_NAMESPACE: field.string('Subject/stream namespace', ''),
  JS_REPLICAS: field.int('Stream replicas', 1, { min: 1, max: 5 }),
  SYMBOLS: field.list('Symbols to declare consumers for', ['BTC-USDT', 'ETH-USDT'], parseSymbol),
  VENUES: field.list('Execution venues to declare consumers for', ['paper'], parseVenue),
};

async function main(): Promise<void> {
  const c = loadConfig(schema);
  const report = await bootstrap({
    nats: natsConnectOptions(c),
    namespace: c.BUS_NAMESPACE, replicas: c.JS_REPLICAS,
    shards: [{ symbols: c.SYMBOLS, venues: c.VENUES }],
  });
  for (const s of report.streams) process.stdout.write(`stream   ${s.action.padEnd(8)} ${s.name}\n`);
  for (const s of report.consumers) process.stdout.write(`consumer ${s.action.padEnd(8)} ${s.stream}/${s.name}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bootstrap: ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
