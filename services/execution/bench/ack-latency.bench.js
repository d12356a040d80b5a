// Approved order → ACK latency of the execution service, end to end on real NATS JetStream
// (NATS_URL): this process publishes an ApprovedOrder on ord.approved.<venue>.<symbol> as risk
// does (a JetStream publish with a Nats-Msg-Id) and times it until the service's ACK report on
// exec.<venue>.<symbol>.ack arrives on a plain NATS subscription here. The service runs as built
// (node dist/main.js) in its own process; for VENUE=okx the local OKX v5 server
// (@meridian/venue-sim's CLI) runs in a third process (BENCH_OKX_SERVER=in-process: in this one),
// so each order also makes a signed REST round trip to it. Orders are resting limit buys (the ack is the only report), one at a time, paced at
// BENCH_RATE a second over BENCH_SYMBOLS symbols so the OKX adapter's pacing to OKX's place limit
// (60 per 2 s per instrument) never holds an order back.
//
// The peer, measured in the same run and interleaved sample by sample: the same ApprovedOrder
// bytes published the same way on a subject nothing consumes, received on the same kind of
// subscription: one pass through the NATS server, the floor under any service on this bus. The
// service's path crosses the server twice (approval in, ack out), so twice the peer is the least
// it could take. For OKX the same orders are then also sent straight through the OKX adapter in
// this process (no service, no NATS): what the venue call alone costs, so the rest is the service's.
// Run: npm run bench -w services/execution (after the build). BENCH_ORDERS, BENCH_WARMUP,
// BENCH_SYMBOLS, BENCH_RATE, BENCH_ADAPTER_ORDERS and BENCH_VENUES (paper,okx) vary it.
'use strict';

const { spawn } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const { Bus, provisionTopology } = require('@meridian/bus');
const { Decimal, newId, nowNanos } = require('@meridian/domain');
const { ApprovedOrder, BookUpdateBatch, ExecutionKind, ExecutionReport, OrderIntent, OrderType, Side, TimeInForce } = require('@meridian/proto');
const { ServiceProcess, assertBuilt, createTestEnvironment, machineFloor, summarise, timerOverheadNs, waitFor } = require('@meridian/testkit');
const { OkxServer, SimulatedVenue } = require('@meridian/venue-sim');
const { OkxTradingVenue } = require('@meridian/venue-trading');

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const SYMBOL_COUNT = Number(process.env.BENCH_SYMBOLS ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const VENUES = (process.env.BENCH_VENUES ?? 'paper,okx').split(',').filter((v) => v !== '');
const ADAPTER_ORDERS = Number(process.env.BENCH_ADAPTER_ORDERS ?? 500);
const ACK_TIMEOUT_MS = 10_000;
const OKX_SERVER = process.env.BENCH_OKX_SERVER ?? 'child';
const PACKAGE_DIR = join(__dirname, '..');
const OKX_CLI = join(require.resolve('@meridian/venue-sim'), '..', 'okx', 'cli.js');

const BASES = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOT', 'LTC', 'TRX'];
if (!(SYMBOL_COUNT >= 1 && SYMBOL_COUNT <= BASES.length)) throw new Error(`BENCH_SYMBOLS ${SYMBOL_COUNT} must be 1 to ${BASES.length}`);
for (const v of VENUES) if (v !== 'paper' && v !== 'okx') throw new Error(`BENCH_VENUES: ${v} is not paper or okx`);
if (OKX_SERVER !== 'child' && OKX_SERVER !== 'in-process') throw new Error(`BENCH_OKX_SERVER: ${OKX_SERVER} is not child or in-process`);
const SYMBOLS = BASES.slice(0, SYMBOL_COUNT).map((b) => `${b}-USDT`);
// The book the slippage guard prices against (and the paper venue mirrors); the orders rest far below it.
const BOOK = { bids: [{ price: '99.99', size: '10' }], asks: [{ price: '100.01', size: '10' }] };
const ORDER = { price: '1', quantity: '0.001' };
const d = Decimal.parse;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const us = (ns) => (ns / 1000).toFixed(0).padStart(6);

/**
 * The OKX venue: a simulated exchange with the symbols and one cash account, and the OKX v5 server
 * over it, in a child process of its own (the CLI of @meridian/venue-sim, as a remote venue is
 * another machine) or, with BENCH_OKX_SERVER=in-process, in this one.
 */
async function startOkx() {
  const key = { apiKey: randomUUID(), secretKey: randomBytes(16).toString('hex'), passphrase: `P${randomBytes(6).toString('hex')}`, account: 'bench', demo: true };
  const dir = mkdtempSync(join(tmpdir(), 'execution-bench-'));
  const file = (name, value) => {
    const path = join(dir, name);
    writeFileSync(path, value, { mode: 0o600 });
    return path;
  };
  const levels = (l) => l.map((x) => [x.price, x.size]);
  const venueFile = {
    instruments: SYMBOLS.map((symbol) => ({ symbol, baseCurrency: symbol.split('-')[0], quoteCurrency: 'USDT', tickSize: '0.01', lotSize: '0.0001' })),
    fees: { maker: '0.0008', taker: '0.001', scale: 8 },
    accounts: [{ id: 'bench', mode: 'cash', balances: { USDT: '1000000' } }],
    books: Object.fromEntries(SYMBOLS.map((s) => [s, { bids: levels(BOOK.bids), asks: levels(BOOK.asks) }])),
  };
  let urls;
  let stopServer;
  if (OKX_SERVER === 'child') {
    const child = spawn(process.execPath, [OKX_CLI, '--keys', file('keys.json', JSON.stringify([key])), '--venue', file('venue.json', JSON.stringify(venueFile))], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for await (const l of createInterface({ input: child.stdout })) {
      const m = JSON.parse(l);
      if (m.event === 'listening') {
        urls = { rest: m.rest, ws: m.ws };
        break;
      }
    }
    if (!urls) throw new Error('the OKX server exited before it listened');
    stopServer = async () => {
      child.kill('SIGTERM');
      await exited;
    };
  } else {
    const sim = new SimulatedVenue({
      instruments: venueFile.instruments.map((i) => ({ ...i, tickSize: d(i.tickSize), lotSize: d(i.lotSize) })),
      fees: { maker: d('0.0008'), taker: d('0.001'), scale: 8 },
    });
    sim.openAccount({ id: 'bench', mode: 'cash', balances: { USDT: d('1000000') } });
    const lv = (l) => l.map((x) => ({ price: d(x.price), size: d(x.size) }));
    for (const s of SYMBOLS) sim.applyMarketBook(s, { snapshot: true, bids: lv(BOOK.bids), asks: lv(BOOK.asks) });
    const server = await OkxServer.start({ exchange: sim, keys: [key] });
    urls = { rest: server.restUrl, ws: server.privateWsUrl };
    stopServer = () => server.close();
  }
  return {
    env: {
      MARKET_VENUE: 'okx',
      OKX_ENV: 'demo',
      OKX_REST_URL: urls.rest,
      OKX_WS_URL: urls.ws,
      OKX_API_KEY_FILE: file('key', key.apiKey),
      OKX_API_SECRET_FILE: file('secret', key.secretKey),
      OKX_API_PASSPHRASE_FILE: file('passphrase', key.passphrase),
    },
    /** The OKX adapter in this process against the same server and account: a venue call without the service or NATS. */
    adapter: () => new OkxTradingVenue({ credentials: key, environment: 'demo', restUrl: urls.rest, privateWsUrl: urls.ws }),
    close: async () => {
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Times `count` approvals → acks on `venue`, each followed by one peer round trip; returns both sets of samples (ns). */
async function measure(bus, venue, count, acks, state) {
  const orderNs = new Float64Array(count);
  const peerNs = new Float64Array(count);
  const intervalNs = BigInt(Math.round(1e9 / RATE));
  let next = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const wait = next - process.hrtime.bigint();
    if (wait > 0n) await sleep(Number(wait / 1_000_000n));
    next = process.hrtime.bigint() + intervalNs;
    const symbol = SYMBOLS[i % SYMBOLS.length];
    const intent = OrderIntent.fromPartial({
      clientOrderId: newId(),
      strategy: 'bench',
      venue,
      symbol,
      side: Side.SIDE_BUY,
      type: OrderType.ORDER_TYPE_LIMIT,
      timeInForce: TimeInForce.TIME_IN_FORCE_GTC,
      quantity: ORDER.quantity,
      limitPrice: ORDER.price,
      referencePrice: ORDER.price,
      tsNs: nowNanos(),
    });
    const approved = ApprovedOrder.fromPartial({ intent, notional: '0.001', approvedTsNs: nowNanos() });
    state.approvedBytes = ApprovedOrder.encode(approved).finish().length;

    orderNs[i] = await roundTrip(acks, intent.clientOrderId, () => bus.publish(bus.subjects.approved(venue, symbol), ApprovedOrder, approved, { msgId: `approved-${intent.clientOrderId}` }));
    // The peer: the same message, the same publish, one hop.
    const peerId = `peer-${intent.clientOrderId}`;
    peerNs[i] = await roundTrip(acks, peerId, () => bus.publish(bus.subjects.approved('peer', symbol), ApprovedOrder, { ...approved, intent: { ...intent, clientOrderId: peerId } }, { msgId: peerId }));
  }
  return { orderNs, peerNs };
}

/** Publishes and waits for the message that answers `id` (its ack, or the peer message itself); resolves with the ns between. */
function roundTrip(waiting, id, publish) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`no answer for ${id} within ${ACK_TIMEOUT_MS} ms`));
    }, ACK_TIMEOUT_MS);
    const t0 = process.hrtime.bigint();
    waiting.set(id, {
      done: (t1, err) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (err) reject(err);
        else resolve(Number(t1 - t0));
      },
    });
    publish().catch((err) => waiting.get(id)?.done(0n, err));
  });
}

/** Times `count` submits of the same orders straight through the OKX adapter, at the same pace. */
async function measureAdapter(adapter, count) {
  const out = new Float64Array(count);
  const intervalNs = BigInt(Math.round(1e9 / RATE));
  let next = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const wait = next - process.hrtime.bigint();
    if (wait > 0n) await sleep(Number(wait / 1_000_000n));
    next = process.hrtime.bigint() + intervalNs;
    const order = { clientOrderId: newId(), symbol: SYMBOLS[i % SYMBOLS.length], side: 'BUY', type: 'limit', quantity: d(ORDER.quantity), limitPrice: d(ORDER.price), timeInForce: 'GTC' };
    const t0 = process.hrtime.bigint();
    const outcome = await adapter.submit(order);
    out[i] = Number(process.hrtime.bigint() - t0);
    if (outcome.kind !== 'accepted') throw new Error(`adapter submit ${order.clientOrderId}: ${JSON.stringify(outcome)}`);
  }
  return out;
}

async function startService(env, venue, extra) {
  const proc = await ServiceProcess.start(
    PACKAGE_DIR,
    {
      ...env.env,
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      LOG_LEVEL: 'info', // ServiceProcess reads the "service started" line
      SYMBOLS: SYMBOLS.join(','),
      VENUE: venue,
      PAPER_INSTRUMENTS: SYMBOLS.map((s) => `${s}=0.01/0.0001`).join(','),
      ...extra,
    },
    { name: `execution-${venue}`, timeoutMs: 60_000, waitReady: false },
  );
  return proc;
}

async function publishBooks(bus, marketVenue, seq) {
  for (const symbol of SYMBOLS) {
    await bus.publish(
      bus.subjects.marketData(marketVenue, symbol, 'book'),
      BookUpdateBatch,
      BookUpdateBatch.fromPartial({ updates: [{ venue: marketVenue, symbol, seq, snapshot: true, bids: BOOK.bids, asks: BOOK.asks, tsNs: nowNanos() }] }),
    );
  }
}

function line(label, s) {
  return `  ${label.padEnd(34)} p50 ${us(s.p50)} us   p99 ${us(s.p99)} us   p99.9 ${us(s.p999)} us   max ${us(s.max)} us   mean ${us(s.mean)} us`;
}

async function main() {
  assertBuilt(PACKAGE_DIR, '@meridian/execution');
  const env = await createTestEnvironment('execbench');
  const bus = await Bus.connect({ servers: env.natsUrl, name: 'execution-bench', namespace: env.namespace });
  const out = [];
  let proc;
  let okx;
  try {
    await provisionTopology(bus.jsm, bus.topology, [{ symbols: SYMBOLS, venues: VENUES }]);
    // Acks (and rejects, which end the run) of every venue, and the peer's own messages, on plain subscriptions.
    const waiting = new Map();
    const state = { approvedBytes: 0, ackBytes: 0 };
    bus.nc.subscribe(bus.subjects.executionsAll(), {
      callback: (err, msg) => {
        const t1 = process.hrtime.bigint();
        if (err) return;
        const r = ExecutionReport.decode(msg.data);
        const w = waiting.get(r.clientOrderId);
        if (!w) return;
        if (r.kind === ExecutionKind.EXECUTION_KIND_ACK) {
          state.ackBytes = msg.data.length;
          w.done(t1);
        } else if (r.kind === ExecutionKind.EXECUTION_KIND_REJECT) w.done(t1, new Error(`order ${r.clientOrderId} rejected: ${r.reason}`));
      },
    });
    for (const symbol of SYMBOLS) {
      bus.nc.subscribe(bus.subjects.approved('peer', symbol), {
        callback: (err, msg) => {
          const t1 = process.hrtime.bigint();
          if (err) return;
          const a = ApprovedOrder.decode(msg.data);
          waiting.get(a.intent?.clientOrderId ?? '')?.done(t1);
        },
      });
    }
    await bus.nc.flush();

    const floor = machineFloor(200_000, timerOverheadNs());
    const results = {};
    let seq = 1n;
    for (const venue of VENUES) {
      let extra = { MARKET_VENUE: 'sim' };
      if (venue === 'okx') {
        okx = await startOkx();
        extra = okx.env;
      }
      const t = Date.now();
      proc = await startService(env, venue, extra);
      await publishBooks(bus, extra.MARKET_VENUE, seq++);
      await waitFor(`execution (${venue}) ready`, async () => (await fetch(`${proc.httpUrl}/readyz`)).ok, 30_000, 50);
      process.stdout.write(`execution with VENUE=${venue} started and ready in ${Date.now() - t} ms\n`);

      await measure(bus, venue, WARMUP, waiting, state);
      const started = Date.now();
      const { orderNs, peerNs } = await measure(bus, venue, ORDERS, waiting, state);
      const seconds = (Date.now() - started) / 1000;
      const sum = await proc.metric('meridian_execution_ack_latency_seconds_sum');
      const n = await proc.metric('meridian_execution_ack_latency_seconds_count');
      const approvedTemplate = { subject: 'ord.approved.{venue}.{symbol}' };
      const handlerSum = await proc.metric('meridian_bus_handle_seconds_sum', approvedTemplate);
      const handled = await proc.metric('meridian_bus_handle_seconds_count', approvedTemplate);
      results[venue] = { order: summarise(orderNs), peer: summarise(peerNs), seconds, inService: sum / n, handler: handlerSum / handled, acks: n };
      await proc.stop('SIGTERM');
      proc = undefined;
      if (okx) {
        const adapter = okx.adapter();
        await adapter.start();
        try {
          // Each acked order once at the venue, read back through its own API.
          results[venue].resting = (await adapter.openOrders()).length;
          await measureAdapter(adapter, Math.min(WARMUP, 100));
          results[venue].adapter = summarise(await measureAdapter(adapter, ADAPTER_ORDERS));
        } finally {
          await adapter.close();
        }
        await okx.close();
        okx = undefined;
      }
    }

    out.push(
      `approved → ACK: ${ORDERS} orders per venue after ${WARMUP} warm-up, ${SYMBOLS.length} symbols, one at a time, paced at ${RATE}/s; each followed by one peer round trip`,
      `  the service in its own process (node dist/main.js); the OKX v5 server ${OKX_SERVER === 'child' ? 'in a process of its own' : 'in this process'}; NATS at ${env.natsUrl}`,
      `  message: ApprovedOrder ${state.approvedBytes} B (the peer sends the same bytes), ack ExecutionReport ${state.ackBytes} B`,
    );
    for (const venue of VENUES) {
      const r = results[venue];
      out.push(
        `VENUE=${venue} (${r.seconds.toFixed(1)} s, ${(ORDERS / r.seconds).toFixed(0)} orders/s achieved${r.resting !== undefined ? `, ${r.resting} orders resting at the OKX server` : ''})`,
        line('approved → ACK', r.order),
        line('NATS publish → receive (peer)', r.peer),
        `  ratio ACK/peer                     p50 ${(r.order.p50 / r.peer.p50).toFixed(2)}x   p99 ${(r.order.p99 / r.peer.p99).toFixed(2)}x`,
        ...(r.adapter
          ? [
              line(`OKX adapter submit alone (${r.adapter.n})`, r.adapter),
              `  approved → ACK minus the adapter's submit, p50: ${us(r.order.p50 - r.adapter.p50).trim()} us (= ${((r.order.p50 - r.adapter.p50) / r.peer.p50).toFixed(2)}x the peer)`,
            ]
          : []),
        `  service's own histograms (means over ${r.acks} orders, warm-up included): approval timestamp → ack transition ${us(r.inService * 1e9).trim()} us, of which the approved-order handler (venue call included) ${us(r.handler * 1e9).trim()} us`,
      );
    }
    if (results.paper && results.okx) {
      out.push(`okx/paper                            p50 ${(results.okx.order.p50 / results.paper.order.p50).toFixed(2)}x   p99 ${(results.okx.order.p99 / results.paper.order.p99).toFixed(2)}x   (p50 difference ${us(results.okx.order.p50 - results.paper.order.p50).trim()} us)`);
    }
    out.push(`machine floor (~100 ns of arithmetic, timed alike): p50 ${floor.p50} ns  p99 ${floor.p99} ns  p99.9 ${floor.p999} ns  max ${(floor.max / 1e6).toFixed(2)} ms`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await proc?.stop('SIGTERM');
    await okx?.close();
    await bus.close();
    await env.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  },
);
