// Pre-trade decision latency through gRPC CheckOrder, against the real risk service (its own
// process, as deployed, on real NATS JetStream at NATS_URL) holding 1,000 symbols and 10,000 open orders, side
// by side with two peers measured in the same run: the same server's GetPositions for one symbol (a
// map lookup), whose difference from CheckOrder is what a decision costs on top of a gRPC round trip
// to this service, and a bare grpc-js server in its own process that does nothing (the transport
// floor: no risk service can answer faster through grpc-js on this machine). Run: npm run bench -w services/risk
// (after npm run build); BENCH_SYMBOLS, BENCH_OPEN_ORDERS, BENCH_CALLS and NATS_PULL_EXPIRES_MS
// (passed to the service) vary it.
'use strict';

const { credentials, Metadata } = require('@grpc/grpc-js');
const { Bus, provisionTopology } = require('@meridian/bus');
const { nowNanos } = require('@meridian/domain');
const { ApprovedOrder, Bbo, OrderIntent, RiskServiceClient, Side, OrderType } = require('@meridian/proto');
const { fork } = require('node:child_process');
const { join } = require('node:path');
const { ServiceProcess, createTestEnvironment, seededRandom, summarise } = require('@meridian/testkit');

const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 1000);
const OPEN_ORDERS = Number(process.env.BENCH_OPEN_ORDERS ?? 10_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);

const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${String(i).padStart(4, '0')}-USDT`);
const priceOf = (i) => 10 + (i % 97);

/** Microsecond figures of a set of round trips (nothing subtracted: the timer is noise at this scale). */
function summary(ns) {
  const s = summarise(ns);
  const us = (x) => (x / 1000).toFixed(1);
  return { p50: us(s.p50), p99: us(s.p99), p999: us(s.p999), perSecond: Math.round(1e9 / s.mean) };
}

async function timed(n, call) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call(i);
    out[i] = Number(process.hrtime.bigint() - t0);
  }
  return out;
}

/** Starts the bare grpc-js server (grpc-floor-server.js) and resolves its process and port. */
function startFloorServer() {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'grpc-floor-server.js'));
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code}) before it listened`)));
  });
}

async function main() {
  const env = await createTestEnvironment('riskbench');
  const bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-bench', namespace: env.namespace });
  let risk;
  try {
    let t = Date.now();
    await provisionTopology(bus.jsm, bus.topology, [{ symbols, venues: ['paper'] }]);
    process.stdout.write(`provisioned streams and consumers for ${SYMBOLS} symbols in ${Date.now() - t} ms\n`);
    t = Date.now();
    const random = seededRandom(1);
    const pubs = [];
    for (let i = 0; i < SYMBOLS; i++) {
      const p = priceOf(i);
      pubs.push(bus.publish(bus.subjects.marketData('sim', symbols[i], 'bbo'), Bbo, Bbo.fromPartial({ venue: 'sim', symbol: symbols[i], seq: 1n, bid: { price: String(p - 0.01), size: '100' }, ask: { price: String(p + 0.01), size: '100' }, tsNs: nowNanos() })));
    }
    // Open orders: approved and never filled, so risk rebuilds them as working orders.
    for (let k = 0; k < OPEN_ORDERS; k++) {
      const i = k % SYMBOLS;
      const intent = OrderIntent.fromPartial({ clientOrderId: `open-${k}`, strategy: `s${k % 10}`, venue: 'paper', symbol: symbols[i], side: random() < 0.5 ? Side.SIDE_BUY : Side.SIDE_SELL, orderType: OrderType.ORDER_TYPE_LIMIT, quantity: '0.01', limitPrice: String(priceOf(i)), referencePrice: String(priceOf(i)), tsNs: nowNanos() });
      pubs.push(bus.publish(bus.subjects.approved('paper', symbols[i]), ApprovedOrder, ApprovedOrder.fromPartial({ intent, approvedTsNs: nowNanos() }), { msgId: `open-${k}` }));
      if (pubs.length >= 2000) await Promise.all(pubs.splice(0));
    }
    await Promise.all(pubs);
    process.stdout.write(`published ${SYMBOLS} BBOs and ${OPEN_ORDERS} open orders in ${Date.now() - t} ms\n`);

    t = Date.now();
    risk = await ServiceProcess.start(join(__dirname, '..'), {
      ...env.env,
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      LOG_LEVEL: 'info', // ServiceProcess waits for the "service started" line
      SYMBOLS: symbols.join(','),
      RISK_MAX_ORDER_QUANTITY: '1000',
      RISK_MAX_ORDER_NOTIONAL: '1000000',
      RISK_MAX_POSITION: '1000',
      ...(process.env.NATS_PULL_EXPIRES_MS ? { NATS_PULL_EXPIRES_MS: process.env.NATS_PULL_EXPIRES_MS } : {}),
    }, { name: 'risk', timeoutMs: 120_000 });
    process.stdout.write(`risk rebuilt its state and started in ${Date.now() - t} ms\n`);
    const target = `127.0.0.1:${risk.ports.grpc}`;
    const client = new RiskServiceClient(target, credentials.createInsecure());
    const deadline = () => ({ deadline: Date.now() + 5_000 });
    const check = (i) =>
      new Promise((resolve, reject) => {
        const s = i % SYMBOLS;
        const intent = OrderIntent.fromPartial({ clientOrderId: `probe-${i}`, strategy: `s${i % 10}`, venue: 'paper', symbol: symbols[s], side: i % 2 ? Side.SIDE_BUY : Side.SIDE_SELL, orderType: OrderType.ORDER_TYPE_LIMIT, quantity: '0.01', limitPrice: String(priceOf(s)), referencePrice: String(priceOf(s)), tsNs: nowNanos() });
        client.checkOrder({ intent }, new Metadata(), deadline(), (err, res) => (err ? reject(err) : resolve(res)));
      });
    const ping = (i) => new Promise((resolve, reject) => client.getPositions({ symbol: symbols[i % SYMBOLS] }, new Metadata(), deadline(), (err, res) => (err ? reject(err) : resolve(res))));

    let approvals = 0;
    await timed(2_000, check); // warm-up
    await timed(2_000, ping);
    const peerNs = await timed(CALLS, ping);
    const checkNs = await timed(CALLS, async (i) => {
      if ((await check(i)).approved) approvals += 1;
    });
    client.close();

    const floor = await startFloorServer();
    const floorClient = new RiskServiceClient(`127.0.0.1:${floor.port}`, credentials.createInsecure());
    const bare = () => new Promise((resolve, reject) => floorClient.getPositions({ symbol: 'X' }, new Metadata(), deadline(), (err, res) => (err ? reject(err) : resolve(res))));
    await timed(2_000, bare);
    const floorNs = await timed(CALLS, bare);
    floorClient.close();
    floor.child.removeAllListeners('exit');
    floor.child.kill();

    const f = summary(floorNs);
    const h = summary(peerNs);
    const c = summary(checkNs);
    process.stdout.write(
      [
        `gRPC CheckOrder on the risk service: ${SYMBOLS} symbols, ${OPEN_ORDERS} open orders, ${CALLS} sequential calls (${approvals} approved)`,
        `  CheckOrder            p50 ${c.p50} us  p99 ${c.p99} us  p99.9 ${c.p999} us  ${c.perSecond} calls/s`,
        `  GetPositions (peer)   p50 ${h.p50} us  p99 ${h.p99} us  p99.9 ${h.p999} us  ${h.perSecond} calls/s`,
        `  bare grpc-js (floor)  p50 ${f.p50} us  p99 ${f.p99} us  p99.9 ${f.p999} us  ${f.perSecond} calls/s`,
        `  ratio CheckOrder/GetPositions p50 ${(Number(c.p50) / Number(h.p50)).toFixed(2)}x  p99 ${(Number(c.p99) / Number(h.p99)).toFixed(2)}x`,
        `  ratio CheckOrder/floor        p50 ${(Number(c.p50) / Number(f.p50)).toFixed(2)}x  p99 ${(Number(c.p99) / Number(f.p99)).toFixed(2)}x`,
        `  target p99 < 1000 us: ${Number(c.p99) < 1000 ? 'met' : 'NOT met'}${Number(f.p99) >= 1000 ? ' (the bare grpc-js floor itself is over it on this machine now)' : ''}`,
      ].join('\n') + '\n',
    );
  } finally {
    await risk?.stop('SIGTERM');
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
