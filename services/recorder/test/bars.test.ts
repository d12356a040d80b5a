// The recorder as a running service against real NATS JetStream, PostgreSQL and a gRPC socket:
// bars published on the bus end up in PostgreSQL (batched, highest revision kept) and come back
// through GetBars.
import { credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { Decimal } from '@meridian/domain';
import { BarStore } from '@meridian/history';
import type { StoredBar } from '@meridian/history';
import { ApprovedOrder, Bar, GetBarsRequest, OrderType, RecorderServiceClient, Side } from '@meridian/proto';
import type { GetBarsResponse, GetRecorderStatusResponse } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { Database } from '@meridian/store';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { recorderService } from '../src/service';

const MIN = 60_000_000_000n;
const T0 = 1_763_000_040n * 1_000_000_000n - ((1_763_000_040n * 1_000_000_000n) % MIN);

let env: TestEnvironment;
let bus: Bus;
let recorder: StartedService<unknown>;
let client: RecorderServiceClient;
let db: Database;

beforeAll(async () => {
  env = await createTestEnvironment('recbars');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'recorder-bars-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
  recorder = (await startService(recorderService, {
    ...env.env,
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'fatal',
    SYMBOLS: 'BTC-USDT',
    SHUTDOWN_TIMEOUT_MS: '5000',
    BARS_BATCH_WAIT_MS: '20',
  })) as unknown as StartedService<unknown>;
  client = new RecorderServiceClient(`127.0.0.1:${recorder.grpcPort}`, credentials.createInsecure());
  db = await Database.open({ url: env.databaseUrl, schema: env.schema });
});

afterAll(async () => {
  client?.close();
  await recorder?.shutdown();
  await db?.close();
  await bus?.close();
  await env?.cleanup();
});

function bar(symbol: string, minute: number, revision = 0, overrides: Partial<Bar> = {}): Bar {
  const close = (100 + minute + revision).toString();
  return {
    venue: 'sim',
    symbol,
    interval: '1m',
    startTsNs: T0 + BigInt(minute) * MIN,
    endTsNs: T0 + BigInt(minute + 1) * MIN,
    open: '100',
    high: '9999',
    low: '50.5',
    close,
    volume: '1.25',
    notional: '150.000000001',
    tradeCount: BigInt(1 + revision),
    revision,
    ...overrides,
  };
}

async function publish(b: Bar, msgId = `test-${b.symbol}-${b.interval}-${b.startTsNs}-r${b.revision}`) {
  return bus.publish(bus.subjects.bars(b.venue, b.symbol, b.interval), Bar, b, { msgId });
}

/** Waits until the recorder has acked everything published so far. */
async function drained(): Promise<void> {
  const [, , , decl] = bus.topology.durables('recorder', { symbols: ['BTC-USDT'], venues: [] });
  await waitFor(
    'the recorder-bars consumer to ack everything',
    async () => {
      const info = await bus.jsm.consumers.info(decl!.stream, decl!.config.durable_name);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    20_000,
  );
}

function getBars(req: Partial<GetBarsRequest>): Promise<GetBarsResponse> {
  return new Promise((resolve, reject) =>
    client.getBars(GetBarsRequest.fromPartial({ venue: 'sim', interval: '1m', ...req }), (err, res) => (err ? reject(err) : resolve(res))),
  );
}

async function metric(name: string): Promise<string> {
  return (await fetch(`http://127.0.0.1:${recorder.httpPort}/metrics`)).text().then((text) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name))
      .join('\n'),
  );
}

test('bars published on NATS are stored with their highest revision and served by GetBars', async () => {
  expect((await publish(bar('BTC-USDT', 0))).duplicate).toBe(false);
  await publish(bar('BTC-USDT', 1));
  await publish(bar('BTC-USDT', 2));
  // The same message again: JetStream drops it (same Nats-Msg-Id).
  expect((await publish(bar('BTC-USDT', 0))).duplicate).toBe(true);
  // The same bar revision under another id reaches the recorder, which changes nothing.
  await publish(bar('BTC-USDT', 0), 'another-id');
  // A correction, then the older revision arriving late: the correction stays.
  await publish(bar('BTC-USDT', 1, 1, { high: '10000' }));
  await publish(bar('BTC-USDT', 1, 0), 'late-old-revision');
  await publish(bar('BTC-USDT', 0, 0, { interval: 'v10', endTsNs: T0 + 5n }));
  await drained();

  const res = await getBars({ symbol: 'BTC-USDT' });
  expect(res.bars.map((b) => [b.startTsNs - T0, b.revision, b.close, b.high, b.tradeCount])).toEqual([
    [0n, 0, '100', '9999', 1n],
    [MIN, 1, '102', '10000', 2n],
    [2n * MIN, 0, '102', '9999', 1n],
  ]);
  expect(res.bars[0]).toEqual(bar('BTC-USDT', 0));
  expect((await getBars({ symbol: 'BTC-USDT', interval: 'v10' })).bars).toEqual([bar('BTC-USDT', 0, 0, { interval: 'v10', endTsNs: T0 + 5n })]);

  // In PostgreSQL: one row per bar, exact numerics.
  const { rows } = await db.pool.query(`SELECT interval, start_ts_ns, revision, notional::text FROM bars WHERE symbol = 'BTC-USDT' ORDER BY interval, start_ts_ns`);
  expect(rows).toEqual([
    { interval: '1m', start_ts_ns: T0.toString(), revision: '0', notional: '150.000000001' },
    { interval: '1m', start_ts_ns: (T0 + MIN).toString(), revision: '1', notional: '150.000000001' },
    { interval: '1m', start_ts_ns: (T0 + 2n * MIN).toString(), revision: '0', notional: '150.000000001' },
    { interval: 'v10', start_ts_ns: T0.toString(), revision: '0', notional: '150.000000001' },
  ]);
  // 7 bars reached the database: 5 rows changed, 2 were ignored (the same revision again, an older
  // one) — or 4 and 3 when a bar's two revisions shared a batch and only the higher was written.
  const value = async (name: string) => Number((await metric(name)).split(' ').pop());
  const written = await value('meridian_recorder_rows_total{table="bars"');
  expect(written === 5 || written === 4).toBe(true);
  expect(await value('meridian_recorder_bars_received_total{outcome="ignored"')).toBe(7 - written);

  // Ranges: [from, to), and 0 leaves an end open.
  expect((await getBars({ symbol: 'BTC-USDT', fromTsNs: T0 + 1n })).bars.map((b) => b.startTsNs - T0)).toEqual([MIN, 2n * MIN]);
  expect((await getBars({ symbol: 'BTC-USDT', toTsNs: T0 + 2n * MIN })).bars.map((b) => b.startTsNs - T0)).toEqual([0n, MIN]);
  expect((await getBars({ symbol: 'BTC-USDT', limit: 1, fromTsNs: T0 + MIN })).bars.map((b) => b.startTsNs - T0)).toEqual([MIN]);
  expect((await getBars({ symbol: 'ETH-USDT' })).bars).toEqual([]);
});

test('invalid bars are refused as poison and counted by the bus; the valid ones beside them are stored', async () => {
  await publish(bar('ETH-USDT', 0, 0, { open: 'abc' }));
  await publish(bar('ETH-USDT', 1, 0, { low: '300', high: '200' })); // low above high
  await publish(bar('ETH-USDT', 2, 0, { endTsNs: T0 })); // ends before it starts
  // Published on another series' subject.
  await bus.publish(bus.subjects.bars('sim', 'SOL-USDT', '1m'), Bar, bar('ETH-USDT', 3), { msgId: 'wrong-subject' });
  await publish(bar('ETH-USDT', 4, 0, { interval: '60s' }), 'non-canonical'); // subject token 60s
  await bus.nc.publish(bus.subjects.bars('sim', 'ETH-USDT', '1m'), new Uint8Array([0xff, 0xff, 0xff])); // not a Bar
  await publish(bar('ETH-USDT', 5));
  await drained();
  expect((await getBars({ symbol: 'ETH-USDT' })).bars.map((b) => (b.startTsNs - T0) / MIN)).toEqual([5n]);
  expect(await metric('meridian_bus_rejected_messages_total{subject="md.{venue}.{symbol}.bars.1m",reason="invalid_bar"')).toMatch(/ 4$/);
  expect(await metric('meridian_bus_rejected_messages_total{subject="md.{venue}.{symbol}.bars.60s",reason="invalid_bar"')).toMatch(/ 1$/);
});

test('bars arriving together are written in batches, not one by one', async () => {
  const before = await batchCount();
  const n = 2_000;
  const started = Date.now();
  const acks = [];
  for (let i = 0; i < n; i++) acks.push(publish(bar('XRP-USDT', i)));
  await Promise.all(acks);
  await drained();
  const seconds = (Date.now() - started) / 1000;
  const batches = (await batchCount()) - before;
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM bars WHERE symbol = 'XRP-USDT'`);
  expect(rows[0].n).toBe(n);
  console.log(`recorded ${n} bars in ${batches} batches (${(n / batches).toFixed(0)} per batch), ${(n / seconds).toFixed(0)} bars/s end to end`);
  expect(batches).toBeLessThan(n / 10);
});

async function batchCount(): Promise<number> {
  const line = await metric('meridian_recorder_bar_batch_size_count');
  return Number(line.split(' ').pop() ?? 0);
}

test('a bar is acked only after its write succeeded: while the table is away the bars are redelivered, then stored', async () => {
  // Were a bar acked before (or without) a successful write, it would be lost for good here.
  await db.pool.query('ALTER TABLE bars RENAME TO bars_away');
  let restored = false;
  try {
    await publish(bar('ADA-USDT', 0));
    await publish(bar('ADA-USDT', 1));
    const [, , , decl] = bus.topology.durables('recorder', { symbols: ['BTC-USDT'], venues: [] });
    await waitFor('a redelivery of a bar whose write failed', async () => {
      const info = await bus.jsm.consumers.info(decl!.stream, decl!.config.durable_name);
      return info.num_redelivered > 0;
    });
    await db.pool.query('ALTER TABLE bars_away RENAME TO bars');
    restored = true;
    await drained();
    expect((await getBars({ symbol: 'ADA-USDT' })).bars.map((b) => (b.startTsNs - T0) / MIN)).toEqual([0n, 1n]);
  } finally {
    if (!restored) await db.pool.query('ALTER TABLE bars_away RENAME TO bars');
  }
});

test('GetBars validates its request and names the field', async () => {
  const refused = async (req: Partial<GetBarsRequest>) => {
    const err = (await getBars(req).catch((e: unknown) => e)) as { code: number; details: string };
    expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    return err.details;
  };
  expect(await refused({ symbol: '' })).toBe('symbol must not be empty');
  expect(await refused({ symbol: 'BTC-USDT', interval: '' })).toMatch(/^interval must not be empty/);
  expect(await refused({ symbol: 'BTC-USDT', venue: '' })).toBe('venue must not be empty');
  expect(await refused({ symbol: 'BTC-USDT', interval: '60s' })).toBe('invalid bar interval "60s": write it as "1m"');
  expect(await refused({ symbol: 'BTC-USDT', fromTsNs: 10n, toTsNs: 5n })).toBe('to_ts_ns 5 is before from_ts_ns 10');
  expect(await refused({ symbol: 'BTC-USDT', fromTsNs: -1n })).toBe('from_ts_ns -1 is negative');
  // Found by fuzzing: a NUL reached PostgreSQL, whose refusal was answered as UNAVAILABLE.
  expect(await refused({ symbol: 'BTC-USDT', venue: 'sim\u0000' })).toBe('venue "sim\\u0000" contains a NUL character');
  expect(await refused({ symbol: '\u0000' })).toBe('symbol "\\u0000" contains a NUL character');
});

test('GetBars: limit 0 means 10,000; larger limits are capped at 20,000; paging by from_ts_ns walks the series', async () => {
  const store = new BarStore(db);
  const many: StoredBar[] = Array.from({ length: 25_000 }, (_, i) => ({
    venue: 'sim',
    symbol: 'DOGE-USDT',
    interval: '1s',
    startTsNs: T0 + BigInt(i) * 1_000_000_000n,
    endTsNs: T0 + BigInt(i + 1) * 1_000_000_000n,
    open: Decimal.parse('0.1'),
    high: Decimal.parse('0.1'),
    low: Decimal.parse('0.1'),
    close: Decimal.parse('0.1'),
    volume: Decimal.ZERO,
    notional: Decimal.ZERO,
    tradeCount: 0,
    revision: 0,
  }));
  await store.write(many);
  const all = await getBars({ symbol: 'DOGE-USDT', interval: '1s' });
  expect(all.bars).toHaveLength(10_000);
  expect(all.bars[0]!.startTsNs).toBe(T0);
  expect(all.bars[9_999]!.startTsNs).toBe(T0 + 9_999n * 1_000_000_000n);
  expect((await getBars({ symbol: 'DOGE-USDT', interval: '1s', limit: 1_000_000 })).bars).toHaveLength(20_000);
  const next = await getBars({ symbol: 'DOGE-USDT', interval: '1s', fromTsNs: all.bars[9_999]!.startTsNs + 1n, limit: 20_000 });
  expect(next.bars).toHaveLength(15_000);
  expect(next.bars[0]!.startTsNs).toBe(T0 + 10_000n * 1_000_000_000n);
});

test('the recorder still records approved orders and answers GetRecorderStatus', async () => {
  const approved = ApprovedOrder.fromPartial({
    intent: {
      clientOrderId: 'bars-test-order',
      strategy: 's',
      venue: 'paper',
      symbol: 'BTC-USDT',
      side: Side.SIDE_BUY,
      type: OrderType.ORDER_TYPE_MARKET,
      quantity: '0.5',
      referencePrice: '100',
      tsNs: 1_000n,
    },
    notional: '50',
    approvedTsNs: 2_000n,
  });
  await bus.publish(bus.subjects.approved('paper', 'BTC-USDT'), ApprovedOrder, approved, { msgId: 'bars-test-order' });
  const status = await waitFor('the approved order in the orders table', async () => {
    const s = await new Promise<GetRecorderStatusResponse>((resolve, reject) =>
      client.getRecorderStatus({}, (err, res) => (err ? reject(err) : resolve(res))),
    );
    return s.orders === 1n ? s : undefined;
  });
  expect(status.orders).toBe(1n);
});
