#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { parseSymbol } from '@meridian/domain';
import { resolve } from 'node:path';
import { describeReplay, parseSourceSpec, venueOfSource } from '@meridian/venues';
import { bootstrap } from './bootstrap';
import { checkPostgres, ensureNats } from './local-servers';
import { formatLogLine } from './log-format';
import { SERVICES } from './services';
import { StatusMonitor } from './status';
import { Supervisor } from './supervisor';

const USAGE = `npm start [-- options]

Runs the whole platform locally: NATS (NATS_URL, or a nats-server it starts), PostgreSQL
(DATABASE_URL), streams and consumers, and every service as a child process.

Options:
  --source SPEC        market data: simulator (default), okx:BTC-USDT,ETH-USDT, binance:BTC-USDT,
                       alpaca:AAPL,MSFT, alpaca-crypto:BTC/USD (live public feeds, need internet;
                       alpaca needs ALPACA_API_KEY_ID/ALPACA_API_SECRET_KEY), or replay:<file>
  --symbols A,B        symbols to trade with the simulator (default BTC-USDT,ETH-USDT)
  --status-every SEC   seconds between status lines (default 5)
  --quiet              only warnings and errors from the services
  --help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: process.env.MARKET_SOURCE ?? 'simulator' },
      symbols: { type: 'string', default: process.env.SYMBOLS ?? 'BTC-USDT,ETH-USDT' },
      'status-every': { type: 'string', default: '5' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const source = parseSourceSpec(values.source);
  // A live source or a replay names its own symbols and venue; every service then reads that venue's data.
  let symbols = (source.kind === 'simulator' || source.kind === 'replay' ? values.symbols.split(',') : source.symbols).map((s) => parseSymbol(s));
  let marketVenue = venueOfSource(source) ?? 'sim';
  let marketSource = values.source;
  if (source.kind === 'replay') {
    const path = resolve(source.path);
    const replay = await describeReplay(path);
    symbols = replay.symbols.map((s) => parseSymbol(s));
    marketVenue = replay.venue;
    marketSource = `replay:${path}`;
  }
  const statusEvery = Number(values['status-every']);
  if (!(statusEvery > 0)) throw new Error(`--status-every must be a positive number of seconds, got ${values['status-every']}`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const namespace = process.env.BUS_NAMESPACE ?? '';

  const nats = await ensureNats(natsUrl, (l) => out(`[nats-server] ${l}`));
  await checkPostgres(databaseUrl);
  const report = await bootstrap({ nats: { servers: natsUrl }, namespace, replicas: 1, shards: [{ symbols, venues: ['paper'] }] });
  out(`[platform] streams ${report.streams.map((s) => s.name).join(', ')}; ${report.consumers.length} durable consumers`);

  const width = Math.max(...SERVICES.map((s) => s.length));
  const supervisor = new Supervisor({
    env: {
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      BUS_NAMESPACE: namespace,
      SYMBOLS: symbols.join(','),
      MARKET_SOURCE: marketSource,
      MARKET_VENUE: marketVenue,
      MARKET_VENUES: marketVenue,
      LOG_LEVEL: values.quiet ? 'warn' : (process.env.LOG_LEVEL ?? 'info'),
    },
    onLine: (service, line) => out(`[${service.padEnd(width)}] ${formatLogLine(line)}`),
    onUnexpectedExit: (service, code) => {
      out(`[platform] ${service} exited unexpectedly with code ${code}; stopping the platform`);
      void shutdown(1);
    },
  });

  let monitor: StatusMonitor | undefined;
  const status: { timer?: NodeJS.Timeout } = {};
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      out('[platform] stopping: SIGTERM to every service');
      clearInterval(status.timer);
      const codes = await supervisor.stop();
      await monitor?.stop();
      await nats.stop();
      out(`[platform] stopped (${[...codes].map(([s, c]) => `${s}=${c}`).join(' ')})`);
      process.exit(code);
    })());
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    await supervisor.start();
    monitor = await StatusMonitor.start(natsUrl, namespace);
    monitor.connectRisk((await supervisor.processes.get('risk')!.ports).grpc);
  } catch (err) {
    out(`[platform] start failed: ${(err as Error).message}`);
    await shutdown(1);
  }
  out(`[platform] all ${SERVICES.length} services running; Ctrl-C stops everything`);
  status.timer = setInterval(() => {
    void monitor?.line().then((l) => out(`[status] ${l}`));
  }, statusEvery * 1000);
}

main().catch((err: unknown) => {
  process.stderr.write(`platform: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
