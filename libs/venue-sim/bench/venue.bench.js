// The simulated exchange's cost in process: SimulatedVenue on a mixed stream with the market mirror
// active (mirrored book deltas and snapshots, external trades, and two accounts' limit, post-only,
// IOC, FOK and market orders, cancels and amends), beside the bare MatchingEngine doing exactly the
// engine calls the venue made for that stream (recorded from the venue's engine, then replayed
// into a fresh engine and checked event for event). The ratio of the two is the venue's overhead:
// accounts, holds, fees, queue-model bookkeeping, order records, updates.
//
// Also place→ack latency: the time of one placeOrder call, from the request to the SimOrder it
// returns (the venue is synchronous: the ack is the return), and the same for cancelOrder.
//
// Run: npm run bench (in libs/venue-sim, after the build). --expose-gc is passed by the script.
// Env: BENCH_N (stream events, default 100,000), BENCH_SEED.
'use strict';
const { Decimal } = require('@meridian/domain');
const { MatchingEngine } = require('@meridian/book');
const { collectGarbage: collect, machineFloor, seededRandom, summarise, timerOverheadNs } = require('@meridian/testkit');
const { PerformanceObserver } = require('node:perf_hooks');
const { SimulatedVenue } = require('../dist');

const gcPauses = [];
// Scavenges (kind 1) and full mark-compacts (kind 2) only: incremental marking steps run beside the program.
const GC_PAUSE_KINDS = new Set([1, 2]);
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (GC_PAUSE_KINDS.has(e.detail?.kind)) gcPauses.push(e.duration);
}).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
/** GC pauses while `fn` runs: count, total and longest (ms). GC entries arrive a tick late, hence the waits. */
async function withGc(fn) {
  await settle();
  gcPauses.length = 0;
  const out = fn();
  await settle();
  return { out, gc: { n: gcPauses.length, ms: gcPauses.reduce((a, b) => a + b, 0), max: Math.max(0, ...gcPauses) } };
}
const gcText = (g) => `${g.n} GC pauses, ${g.ms.toFixed(0)} ms in all, longest ${g.max.toFixed(1)} ms`;

const N = Number(process.env.BENCH_N ?? 100_000);
const SEED = Number(process.env.BENCH_SEED ?? 20240611);
const PASSES = 3;
const SYMBOL = 'BENCH';
const TICK = Decimal.parse('0.01');
const INSTRUMENT = { symbol: SYMBOL, baseCurrency: 'XYZ', quoteCurrency: 'USD', tickSize: TICK, lotSize: Decimal.ONE };
const FEES = { maker: Decimal.parse('-0.0001'), taker: Decimal.parse('0.0005'), scale: 6 };
const ACCOUNTS = ['cash', 'margin'];

const rate = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(1)} k/s`);
const ns = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} µs` : `${Math.round(x)} ns`);
const count = (x) => Math.round(x).toLocaleString('en-US');

function newVenue() {
  let t = 0n;
  const v = new SimulatedVenue({ instruments: [INSTRUMENT], fees: FEES, clock: () => ++t, seed: SEED, queueModel: 'pro_rata' });
  v.openAccount({ id: 'cash', mode: 'cash', balances: { USD: Decimal.parse('1000000000'), XYZ: Decimal.parse('10000000') } });
  v.openAccount({ id: 'margin', mode: 'margin', balances: { USD: Decimal.parse('1000000000') }, leverage: Decimal.parse('4') });
  return v;
}

/**
 * The stream: N events drawn by driving a venue (so cancels and amends name orders that are really
 * open), as ready-made request objects with Decimals built once per value, replayed identically
 * into every venue afterwards (the venue is deterministic for a seed and clock).
 */
function makeStream(n, seed) {
  const rand = seededRandom(seed);
  const int = (k) => Math.floor(rand() * k);
  const price = [];
  const px = (ticks) => price[ticks] ?? (price[ticks] = Decimal.fromUnits(BigInt(ticks), 2));
  const qty = [];
  const q = (lots) => qty[lots] ?? (qty[lots] = Decimal.fromUnits(BigInt(lots), 0));
  const v = newVenue();
  const events = [];
  const open = [[], []];
  let mid = 10_000;
  const kinds = {};
  const push = (kind, event) => {
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    events.push(event);
    apply(v, event);
  };
  const book = (snapshot) => {
    const levels = (dir) => Array.from({ length: 10 }, (_, k) => ({ price: px(mid + dir * (1 + k)), size: q(1 + int(60)) }));
    return { op: 'book', change: { snapshot, bids: levels(-1), asks: levels(1) } };
  };
  push('book snapshot', book(true));
  for (let i = 1; i < n; i++) {
    if (rand() < 0.03) mid += rand() < 0.5 ? -1 : 1;
    const roll = rand();
    if (roll < 0.002) {
      push('book snapshot', book(true));
    } else if (roll < 0.4) {
      const bid = rand() < 0.5;
      const level = [{ price: px(bid ? mid - 1 - int(10) : mid + 1 + int(10)), size: q(rand() < 0.1 ? 0 : 1 + int(60)) }];
      push('book delta', { op: 'book', change: { snapshot: false, bids: bid ? level : [], asks: bid ? [] : level } });
    } else if (roll < 0.5) {
      const buy = rand() < 0.5;
      push('external trade', { op: 'trade', trade: { price: px(buy ? mid + 1 : mid - 1), quantity: q(1 + int(20)), aggressor: buy ? 'BUY' : 'SELL' } });
    } else if (roll < 0.8) {
      const a = int(2);
      const side = rand() < 0.5 ? 'BUY' : 'SELL';
      const dir = side === 'BUY' ? -1 : 1;
      const sub = rand();
      const base = { account: ACCOUNTS[a], clientOrderId: `c${i}`, symbol: SYMBOL, side, quantity: q(1 + int(10)) };
      let request;
      let kind;
      if (sub < 0.6) [kind, request] = ['limit (passive)', { ...base, type: 'limit', price: px(mid + dir * (1 + int(5))), timeInForce: rand() < 0.5 ? 'GTC' : 'DAY' }];
      else if (sub < 0.7) [kind, request] = ['limit (marketable)', { ...base, type: 'limit', price: px(mid - dir * (1 + int(2))) }];
      else if (sub < 0.8) [kind, request] = ['market', { ...base, type: 'market' }];
      else if (sub < 0.9) [kind, request] = ['post-only', { ...base, type: 'limit', price: px(mid + dir * int(3)), postOnly: true }];
      else if (sub < 0.95) [kind, request] = ['IOC', { ...base, type: 'limit', price: px(mid - dir), timeInForce: 'IOC' }];
      else [kind, request] = ['FOK', { ...base, type: 'limit', price: px(mid - dir * 2), timeInForce: 'FOK' }];
      push(kind, { op: 'place', request });
      const r = v.order(base.account, { clientOrderId: base.clientOrderId });
      if (r !== undefined && (r.status === 'new' || r.status === 'partially_filled')) open[a].push(base.clientOrderId);
    } else {
      const a = int(2);
      const list = open[a];
      let target;
      while (list.length > 0 && target === undefined) {
        const k = int(list.length);
        const o = v.order(ACCOUNTS[a], { clientOrderId: list[k] });
        if (o.status === 'new' || o.status === 'partially_filled') target = o;
        else {
          list[k] = list[list.length - 1];
          list.pop();
        }
      }
      if (target === undefined) {
        push('external trade', { op: 'trade', trade: { price: px(mid - 1), quantity: q(1), aggressor: 'SELL' } });
      } else if (roll < 0.95) {
        push('cancel', { op: 'cancel', request: { account: ACCOUNTS[a], clientOrderId: target.clientOrderId } });
      } else {
        const dir = target.side === 'BUY' ? -1 : 1;
        const change = rand() < 0.5 ? { price: px(mid + dir * (1 + int(6))) } : { quantity: q(Number(target.filledQuantity.coef) + 1 + int(10)) };
        push('amend', { op: 'amend', request: { account: ACCOUNTS[a], clientOrderId: target.clientOrderId, ...change } });
      }
    }
  }
  return { events, kinds, venue: v };
}

function summarised({ events, kinds, venue }) {
  const fills = ACCOUNTS.reduce((sum, a) => sum + venue.fills(a).length, 0);
  const orders = ACCOUNTS.reduce((sum, a) => sum + venue.orders(a).length, 0);
  const summary =
    `the venue accepted ${count(orders)} orders and made ${count(fills)} fills for the two accounts; ` +
    `mirrored book at the end: ${venue.depth(SYMBOL, 'bid', 100).length}/${venue.depth(SYMBOL, 'ask', 100).length} bid/ask levels.`;
  return { events, kinds, summary };
}

function apply(v, e) {
  switch (e.op) {
    case 'book':
      return v.applyMarketBook(SYMBOL, e.change);
    case 'trade':
      return v.applyMarketTrade(SYMBOL, e.trade);
    case 'place':
      return v.placeOrder(e.request);
    case 'cancel':
      return v.cancelOrder(e.request);
    default:
      return v.amendOrder(e.request);
  }
}

/** Every engine call a venue makes on the stream, with the events each returned. */
function recordEngineCalls(events) {
  const v = newVenue();
  const engine = v.engine(SYMBOL);
  const calls = [];
  for (const method of ['submit', 'cancel', 'amend']) {
    const original = engine[method].bind(engine);
    engine[method] = (...args) => {
      const out = original(...args);
      calls.push({ method, args, events: out });
      return out;
    };
  }
  for (const e of events) apply(v, e);
  return { calls, venue: v };
}

function newEngine() {
  return new MatchingEngine(SYMBOL, { tickSize: INSTRUMENT.tickSize, lotSize: INSTRUMENT.lotSize });
}

function replayCalls(engine, calls, from, to) {
  for (let i = from; i < to; i++) {
    const c = calls[i];
    if (c.method === 'submit') engine.submit(c.args[0]);
    else if (c.method === 'cancel') engine.cancel(c.args[0]);
    else engine.amend(c.args[0], c.args[1]);
  }
}

/** The bare engine fed the recorded calls must answer each with the same events, or the comparison is void. */
function verifyReplay(calls) {
  const engine = newEngine();
  const json = (x) => JSON.stringify(x);
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    const out = c.method === 'submit' ? engine.submit(c.args[0]) : c.method === 'cancel' ? engine.cancel(c.args[0]) : engine.amend(c.args[0], c.args[1]);
    if (json(out) !== json(c.events)) throw new Error(`engine call ${i} (${c.method}) answered differently on replay:\n  venue ${json(c.events)}\n  bare  ${json(out)}`);
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function main() {
  if (typeof global.gc !== 'function') console.log('(run with --expose-gc for steadier numbers: npm run bench does)');
  const overheadNs = timerOverheadNs();
  console.log(`node ${process.version}; hrtime.bigint() pair overhead ${overheadNs} ns (median), subtracted from every sample.`);
  const t0 = Date.now();
  // The generating venue is not kept: a smaller heap for the timed passes.
  const { events, kinds, summary } = summarised(makeStream(N, SEED));
  console.log(`stream: ${count(events.length)} events, seed ${SEED} (generated in ${((Date.now() - t0) / 1000).toFixed(1)} s): ${Object.entries(kinds).map(([k, c]) => `${count(c)} ${k}`).join(', ')}`);
  console.log(`  ${summary}`);

  const { calls } = recordEngineCalls(events);
  verifyReplay(calls);
  for (const c of calls) c.events = undefined; // checked; not kept alive through the timed passes
  const byMethod = calls.reduce((m, c) => ({ ...m, [c.method]: (m[c.method] ?? 0) + 1 }), {});
  console.log(`  the venue made ${count(calls.length)} engine calls (${Object.entries(byMethod).map(([k, c]) => `${count(c)} ${k}`).join(', ')}); replayed into a fresh MatchingEngine they gave the same events, call for call.`);

  // Throughput: warm-up, then the median of PASSES untimed passes on fresh instances. The last
  // instance of each stays referenced until the end, so V8 keeps the code optimised for it.
  const alive = {};
  const venuePass = () => {
    const v = newVenue();
    alive.venue = v;
    collect();
    const s = process.hrtime.bigint();
    for (let i = 0; i < events.length; i++) apply(v, events[i]);
    return Number(process.hrtime.bigint() - s) / 1e9;
  };
  const enginePass = () => {
    const e = newEngine();
    alive.engine = e;
    collect();
    const s = process.hrtime.bigint();
    replayCalls(e, calls, 0, calls.length);
    return Number(process.hrtime.bigint() - s) / 1e9;
  };
  venuePass();
  enginePass();
  const venueSeconds = [];
  const engineSeconds = [];
  for (let p = 0; p < PASSES; p++) {
    venueSeconds.push(venuePass());
    engineSeconds.push(enginePass());
  }
  const vs = median(venueSeconds);
  const es = median(engineSeconds);

  // Latency: one pass timing every event; place→ack and cancel→ack are the place and cancel events' samples.
  alive.venue = undefined; // its history is garbage now: the latency pass should not carry it
  const all = new Float64Array(events.length);
  const place = [];
  const cancel = [];
  const v = newVenue();
  collect();
  const venueGc = (
    await withGc(() => {
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        const s = process.hrtime.bigint();
        apply(v, e);
        const took = Number(process.hrtime.bigint() - s);
        all[i] = took;
        if (e.op === 'place') place.push(took);
        else if (e.op === 'cancel') cancel.push(took);
      }
    })
  ).gc;
  const e = newEngine();
  collect();
  const engineLat = new Float64Array(calls.length);
  const engineGc = (
    await withGc(() => {
      for (let i = 0; i < calls.length; i++) {
        const s = process.hrtime.bigint();
        replayCalls(e, calls, i, i + 1);
        engineLat[i] = Number(process.hrtime.bigint() - s);
      }
    })
  ).gc;
  const floor = machineFloor(200_000, overheadNs);

  const row = (name, perSec, vsEngine, lat) =>
    console.log(`    ${name.padEnd(46)}${perSec.padStart(12)}${vsEngine.padStart(10)}${ns(lat.p50).padStart(10)}${ns(lat.p99).padStart(10)}${ns(lat.p999).padStart(10)}`);
  console.log(`\n  throughput: median of ${PASSES} passes; latency: one pass timing every call`);
  console.log(`    ${''.padEnd(46)}${'events/s'.padStart(12)}${'time'.padStart(10)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'p99.9'.padStart(10)}`);
  row('SimulatedVenue, per stream event', rate(events.length / vs), `${(vs / es).toFixed(2)}x`, summarise(all, overheadNs));
  row('MatchingEngine, the same engine calls (per call)', rate(events.length / es), '1.00x', summarise(engineLat, overheadNs));
  console.log(`    (the engine made ${rate(calls.length / es)} calls; the venue's overhead over its engine is ${(vs / es).toFixed(2)}x the engine's time on this stream)`);
  console.log(`    during the latency passes: venue ${gcText(venueGc)}; engine ${gcText(engineGc)}`);
  const p = summarise(place, overheadNs);
  const c = summarise(cancel, overheadNs);
  console.log(`\n  place→ack in process (placeOrder until it returns the order, fills and updates included), ${count(p.n)} orders: p50 ${ns(p.p50)}, p99 ${ns(p.p99)}, p99.9 ${ns(p.p999)}, max ${ns(p.max)}`);
  console.log(`  cancel→ack in process, ${count(c.n)} cancels: p50 ${ns(c.p50)}, p99 ${ns(c.p99)}, p99.9 ${ns(c.p999)}`);
  console.log(`  machine floor (~100 ns of arithmetic timed the same way): p50 ${ns(floor.p50)}, p99 ${ns(floor.p99)}, p99.9 ${ns(floor.p999)}`);
  if (alive.engine === undefined) console.log(floor.sink);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
