// Throughput and memory of the backtester (npm run bench -w libs/backtest, after the build).
//
// 1. Throughput, one core, events already in memory (generation is not timed): synthetic minute
//    bars of several symbols through
//    - the rule-based strategy (the live momentum signal and the coordinator's sizing), the whole
//      engine: risk on every intent, the slippage guard, the simulated venue, the books, the curve;
//    - the model-driven strategy (the 12 features of libs/signals' bench spec through
//      FeaturePipeline, a fitted ridge model, the same sizing);
//    beside their peers on the same events in the same run: a bare loop doing only the momentum
//    indicator, and a bare loop doing only the 12 features. Each run is one backtest over all the
//    bars in a fresh process (see `throughput`); the fastest of several runs (the machine is
//    shared), the slowest beside it, and the ratio to the peer. Events/s by wall clock and by the process's CPU
//    time (on a loaded machine the CPU time is what one core spent; GC helper threads count too).
//    The event rate of a backtest depends on how often its strategy orders (each order is sized,
//    checked by risk, guarded, refreshed into the synthetic book, matched, booked and reported), so
//    every backtest row states its order rate (orders per market event), and the rule-based strategy
//    runs at several: signals only (the throttle lets almost nothing through), at most one intent a
//    day per symbol, one an hour (an order on ~1.6 % of the bars).
// 2. Memory: a year of minute bars × 100 symbols (52.6 M bars), generated as they are read
//    (never held), through the rule-based backtest; RSS and heap sampled as it goes.
// 3. Real bars (../shared/data, skipped when absent): Binance.US BTCUSDT and BTCUSDC minute bars.
//
// Env: BENCH_SYMBOLS (10), BENCH_BARS (200,000 per symbol), BENCH_RUNS (3), BENCH_YEAR_SYMBOLS
// (100), BENCH_YEAR_BARS (525,600), BENCH_SKIP_YEAR=1, BENCH_PHASES=1 (time the order path's parts,
// see `timePhases`; the wrappers add their own cost, so the rows' rates are not comparable then),
// BENCH_GC=1 (the collections V8 made during each row's run: count and pause time by kind).
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync } = require('node:fs');
const { PerformanceObserver, constants: perfConstants } = require('node:perf_hooks');
const { Decimal } = require('@meridian/domain');
const { FeaturePipeline, MomentumModel, fitNormalisation } = require('@meridian/signals');
const { sharedDataPath } = require('@meridian/testkit');
const b = require('../dist');
const FEATURES_12 = require('../../signals/bench/features-12.json');

const d = Decimal.parse;
const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 10);
const BARS = Number(process.env.BENCH_BARS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const YEAR_SYMBOLS = Number(process.env.BENCH_YEAR_SYMBOLS ?? 100);
const YEAR_BARS = Number(process.env.BENCH_YEAR_BARS ?? 525_600);

const rate = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(0)} k/s`);
const mb = (x) => `${(x / 1048576).toFixed(0)} MB`;
const gc = () => global.gc?.();

function config(symbols, extra = {}) {
  return {
    instruments: symbols.map((s) => ({ symbol: s, baseCurrency: s.split('-')[0], quoteCurrency: 'USDT', tickSize: d('0.01'), lotSize: d('0.001') })),
    seed: 1,
    venue: { fees: { maker: d('0.0002'), taker: d('0.0005'), scale: 8 }, account: { mode: 'margin', balances: { USDT: d('100000000') } } },
    risk: { limits: { global: { maxOrderQuantity: d('100'), maxOrderNotional: d('10000000'), maxPosition: d('100') } } },
    equityIntervalMs: 86_400_000,
    ...extra,
  };
}

/** The coordinator's decision with a minute-bar cadence: whole 0.1 lots, at most one intent an hour per symbol. */
const SIZING = { orderLot: d('0.1'), positionNotional: d('10000'), maxOrderNotional: d('10000'), intentIntervalMs: 3_600_000, entryThreshold: 0.3 };

function floatBar(e) {
  return { startMs: Number(e.startNs / 1_000_000n), endMs: Number(e.tsNs / 1_000_000n), open: e.open.toNumber(), high: e.high.toNumber(), low: e.low.toNumber(), close: e.close.toNumber(), volume: e.volume.toNumber(), trades: e.trades };
}

/** The throughput data, the same in every row's process: synthetic minute bars, and the ridge model fitted on them. */
function throughputData() {
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${i}-USDT`);
  const chunks = [...b.syntheticBars({ symbols, bars: BARS, seed: 3, volatility: 0.0015 }).chunks()];
  const events = chunks.reduce((n, c) => n + c.length, 0);
  const source = { name: 'memory', chunks: () => chunks };
  // The model: the 12 features fitted on the first fifth of one symbol's bars, a ridge fit of the next bar's return.
  const train = [];
  for (const c of chunks) for (const e of c) if (e.symbol === symbols[0] && train.length < BARS / 5) train.push(floatBar(e));
  const spec = fitNormalisation(FEATURES_12, train);
  const model = b.fitLinearScoreModel({ name: 'ridge-12', featureSpec: spec, bars: train, horizon: 5, ridge: 10, gain: 3 });
  return { symbols, chunks, events, source, spec, model };
}

async function momentumRun(data, intentIntervalMs) {
  const s = new b.MomentumStrategy({ interval: '1m', strategy: { ...SIZING, intentIntervalMs } });
  const r = await b.runBacktest({ config: config(data.symbols), sources: [data.source], strategies: [s] });
  return { orders: r.counts.orders, fills: r.counts.fills, result: r };
}

/** The rows, in the order printed; each runs in a process of its own. */
const ROWS = {
  bareMomentum: {
    label: 'peer: momentum indicator only',
    run: ({ symbols, chunks }) => {
      const models = new Map(symbols.map((s) => [s, new MomentumModel({ fastPeriod: 8, slowPeriod: 32, volPeriod: 32 })]));
      let sink = 0;
      // `advance`, as the momentum strategy calls it (`onBar` would add its signal object per bar).
      for (const c of chunks) for (const e of c) {
        const m = models.get(e.symbol);
        if (m.advance(e.close.toNumber())) sink += m.last.score;
      }
      return { sink };
    },
  },
  // What the order path costs: the same run with the strategy's orders removed (signals made, nothing sent).
  silent: { label: 'rule-based backtest, signals only (the throttle lets 10 intents through)', peer: 'bareMomentum', run: (data) => momentumRun(data, 1e15) },
  daily: { label: 'rule-based backtest, at most one intent a day per symbol', peer: 'bareMomentum', run: (data) => momentumRun(data, 86_400_000) },
  hourly: { label: 'rule-based backtest, at most one intent an hour per symbol', peer: 'bareMomentum', run: (data) => momentumRun(data, SIZING.intentIntervalMs) },
  bareFeatures: {
    label: 'peer: 12 features only (FeaturePipeline.updateInto)',
    run: ({ symbols, chunks, spec }) => {
      const pipes = new Map(symbols.map((s) => [s, new FeaturePipeline(spec)]));
      const out = new Float32Array(12);
      let warm = 0;
      for (const c of chunks) for (const e of c) if (pipes.get(e.symbol).updateInto(floatBar(e), undefined, out, 0)) warm++;
      return { warm };
    },
  },
  modelDriven: {
    label: 'model-driven backtest (12 features → ridge model → coordinator sizing → risk → venue)',
    peer: 'bareFeatures',
    run: async ({ symbols, source, model }) => {
      const s = new b.ModelStrategy({ model, interval: '1m', strategy: SIZING });
      const r = await b.runBacktest({ config: config(symbols), sources: [source], strategies: [s] });
      return { orders: r.counts.orders, fills: r.counts.fills, predictions: s.decisions.predictions, result: r };
    },
  },
};

/** One run of one row, in this process (a child of `throughput`): its result as the last line of stdout. */
async function throughputRow(name) {
  const g = process.hrtime.bigint();
  const data = throughputData();
  const dataSeconds = Number(process.hrtime.bigint() - g) / 1e9;
  const drains = timeDrains();
  const phases = process.env.BENCH_PHASES === '1' ? timePhases() : undefined;
  gc();
  const collections = process.env.BENCH_GC === '1' ? watchCollections() : undefined;
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  const out = await ROWS[name].run(data);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const used = process.cpuUsage(cpu);
  const gcDuringRun = await collections?.();
  // A backtest's whole result (orders, fills, curve, metrics) as a digest, taken after the clock
  // stops: two builds of the engine that should decide and fill alike can be compared row by row.
  if (out.result !== undefined) out.result = digest(out.result);
  process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, out, events: data.events, dataSeconds, drains: drainSummary(drains), phases, gc: gcDuringRun })}\n`);
}

/**
 * With BENCH_GC=1: V8's collections from now until the returned function is called, by kind (count
 * and summed pause, ms). Entries reach an observer asynchronously (not within one turn of the event
 * loop), so the stop waits a few milliseconds first.
 */
function watchCollections() {
  const kinds = { [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact', [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks' };
  const totals = {};
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[e.detail?.kind] ?? String(e.detail?.kind);
      const k = (totals[kind] ??= { count: 0, ms: 0 });
      k.count++;
      k.ms += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    observer.disconnect();
    return totals;
  };
}

function digest(result) {
  return createHash('sha256').update(JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).digest('hex').slice(0, 16);
}

/**
 * Times each call of the engine's `drain` (risk, the guard, the venue and the booking of what an
 * intent set off): with one intent per call, the cost of an order as it happens in the run. Two
 * clock reads per call against tens of microseconds per order.
 */
function timeDrains() {
  const times = [];
  const drain = b.BacktestEngine.prototype.drain;
  b.BacktestEngine.prototype.drain = function timedDrain() {
    const t = process.hrtime.bigint();
    drain.call(this);
    times.push(Number(process.hrtime.bigint() - t) / 1e3);
  };
  return times;
}

/**
 * With BENCH_PHASES=1: the time spent in each part of the order path, summed over the run (ms, with
 * the calls counted), beside the drains' total. Inclusive: `venue: place the order` contains the
 * updates it sets off, which `engine: order updates and booking` also counts.
 */
function timePhases() {
  const { SimulatedVenue } = require('@meridian/venue-sim');
  const { SlippageGuard } = require('@meridian/venue-trading');
  const { VenueSide } = require('../dist/venue-side.js');
  const { RiskGate } = require('../dist/risk-gate.js');
  const totals = {};
  const wrap = (proto, method, label) => {
    const f = proto[method];
    const t = (totals[label] = { calls: 0, ms: 0 });
    proto[method] = function timed(...args) {
      const start = process.hrtime.bigint();
      try {
        return f.apply(this, args);
      } finally {
        t.calls++;
        t.ms += Number(process.hrtime.bigint() - start) / 1e6;
      }
    };
  };
  wrap(RiskGate.prototype, 'decide', 'risk: decide');
  wrap(VenueSide.prototype, 'guardBook', 'guard: its book');
  wrap(SlippageGuard.prototype, 'check', 'guard: check');
  wrap(VenueSide.prototype, 'prepare', 'synthetic book: refresh before the order');
  wrap(SimulatedVenue.prototype, 'placeOrder', 'venue: place the order');
  wrap(b.BacktestEngine.prototype, 'onVenueUpdate', 'engine: order updates and booking');
  return totals;
}

function drainSummary(times) {
  if (times.length < 3) return undefined;
  const sorted = [...times].sort((x, y) => x - y);
  const third = Math.floor(times.length / 3);
  const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
  return { count: times.length, totalMs: times.reduce((x, y) => x + y, 0) / 1e3, p50: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)], firstThird: mean(times.slice(0, third)), lastThird: mean(times.slice(times.length - third)) };
}

/**
 * Each run is one backtest over all the bars, in a fresh process, as a backtest, a CLI run or an
 * optimisation worker runs. Not passes repeated in one process: V8 specialises optimised code to
 * the objects of the run it saw (the engine, its venue, its maps), so once a pass's objects are
 * collected that code is thrown away (`--trace-deopt`: "weak objects") and the next pass measures
 * the warm-up again; and rows sharing a process share type feedback, which slows each.
 */
async function throughput() {
  console.log(`throughput: ${(SYMBOLS * BARS).toLocaleString('en-US')} minute bars (${SYMBOLS} symbols × ${BARS.toLocaleString('en-US')}), in memory; each row one run per fresh process, the fastest of ${RUNS} (and the slowest), one core`);
  const results = {};
  for (const name of Object.keys(ROWS)) {
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const stdout = execFileSync(process.execPath, [...process.execArgv, __filename], { env: { ...process.env, BENCH_ROW: name }, encoding: 'utf8', maxBuffer: 1 << 24 });
      runs.push(JSON.parse(stdout.trim().split('\n').pop()));
    }
    const byWall = [...runs].sort((a, b) => a.seconds - b.seconds);
    results[name] = { label: ROWS[name].label, peer: ROWS[name].peer, ...byWall[0], cpuSeconds: Math.min(...runs.map((x) => x.cpuSeconds)), slowest: byWall[byWall.length - 1].seconds };
  }
  const all = Object.values(results);
  const generation = Math.min(...all.map((x) => x.dataSeconds));
  console.log(`  the bars were generated (and the model fitted) in ${generation.toFixed(2)}–${Math.max(...all.map((x) => x.dataSeconds)).toFixed(2)} s per process, before the clock starts`);
  const orderRate = (x) => `${((100 * x.out.orders) / x.events).toFixed(3)} %`;
  const row = (x) => {
    const peer = x.peer && results[x.peer];
    return (
      `  ${x.label.padEnd(78)} ${rate(x.events / x.seconds).padStart(10)} ${rate(x.events / x.cpuSeconds).padStart(10)} ${rate(x.events / x.slowest).padStart(11)}` +
      `${peer ? `   ${(x.seconds / peer.seconds).toFixed(2)}×`.padEnd(10) : ''.padEnd(10)}${x.out.orders !== undefined ? `   ${orderRate(x)} (${x.out.orders} orders, ${x.out.fills} fills)` : ''}` +
      `${x.out.predictions !== undefined ? `   predictions ${x.out.predictions}` : ''}${x.out.result !== undefined ? `   result ${x.out.result}` : ''}`
    );
  };
  console.log(`  ${''.padEnd(78)} ${'wall'.padStart(10)} ${'CPU time'.padStart(10)} ${'slowest'.padStart(11)}   peer's×   order rate`);
  for (const x of Object.values(results)) console.log(row(x));
  console.log('  an order as the run meets it (each call of the engine\'s drain: risk, the guard, the venue, the booking), µs:');
  for (const x of Object.values(results)) {
    const t = x.drains;
    if (t !== undefined && x.out.orders > 100) console.log(`    ${x.label.padEnd(76)} p50 ${t.p50.toFixed(0).padStart(4)}, p90 ${t.p90.toFixed(0).padStart(4)}; mean in the first third of the run ${t.firstThird.toFixed(0).padStart(4)}, in the last ${t.lastThird.toFixed(0).padStart(4)} (${t.count} calls)`);
  }
  for (const x of Object.values(results)) {
    if (x.gc === undefined) continue;
    const kinds = Object.entries(x.gc).map(([kind, k]) => `${k.count} ${kind} ${k.ms.toFixed(0)} ms`);
    console.log(`  collections during the run (BENCH_GC=1, the fastest process) in ${x.label}: ${kinds.join(', ') || 'none'}`);
  }
  for (const x of Object.values(results)) {
    if (x.phases === undefined || !(x.out.orders > 100)) continue;
    console.log(`  the order path's parts (BENCH_PHASES=1, inclusive, ms in the fastest process) in ${x.label}: drains ${x.drains.totalMs.toFixed(0)} ms in all`);
    for (const [label, t] of Object.entries(x.phases)) console.log(`    ${label.padEnd(44)} ${t.ms.toFixed(0).padStart(7)} ms in ${t.calls} calls`);
  }
  const { hourly, silent } = results;
  const perOrder = (key) => ((hourly[key] - silent[key]) / Math.max(1, hourly.out.orders - silent.out.orders)) * 1e6;
  console.log(`  one order through risk, the guard, the venue and the books: ≈ ${perOrder('seconds').toFixed(1)} µs wall, ${perOrder('cpuSeconds').toFixed(1)} µs CPU (the difference of the hourly and signals-only runs per order)`);
  // A run of n events and k orders takes n × (a bar's cost) + k × (an order's): 1 M events/s holds
  // while the order rate k / n stays at or below (1 µs − a bar's cost) / an order's cost.
  const breakEven = (key) => {
    const bar = (silent[key] / silent.events) * 1e6;
    if (bar >= 1) return `not even without orders (a bar costs ${bar.toFixed(2)} µs)`;
    const order = perOrder(key);
    if (!(order > 0)) return `not measurable here (the hourly row was not slower than the signals-only row)`;
    const share = (1 - bar) / order;
    return `up to an order rate of ${(100 * share).toFixed(2)} % (an order every ${Math.ceil(1 / share)} bars; a bar costs ${bar.toFixed(2)} µs)`;
  };
  console.log(`  1 M events/s on one core, by these rows' costs: ${breakEven('seconds')} by the wall clock; ${breakEven('cpuSeconds')} by CPU time`);
}

async function year() {
  const symbols = Array.from({ length: YEAR_SYMBOLS }, (_, i) => `S${i}-USDT`);
  const events = YEAR_SYMBOLS * YEAR_BARS;
  console.log(`\nmemory: ${events.toLocaleString('en-US')} minute bars (${YEAR_SYMBOLS} symbols × ${YEAR_BARS.toLocaleString('en-US')}), generated while read, rule-based backtest, daily equity`);
  gc();
  const base = process.memoryUsage();
  const peak = { rss: base.rss, heapUsed: base.heapUsed };
  const samples = [];
  const inner = b.syntheticBars({ symbols, bars: YEAR_BARS, seed: 9, volatility: 0.0005 });
  let chunksRead = 0;
  // The generator runs inside the backtest's clock here (the bars are never held): each chunk's
  // generation is timed, so the engine's own events/s is the run's time without it.
  let generationNs = 0n;
  const source = {
    name: inner.name,
    *chunks() {
      const chunks = inner.chunks()[Symbol.iterator]();
      for (;;) {
        const t0 = process.hrtime.bigint();
        const next = chunks.next();
        generationNs += process.hrtime.bigint() - t0;
        if (next.done === true) return;
        const c = next.value;
        if (++chunksRead % 256 === 0) {
          const m = process.memoryUsage();
          peak.rss = Math.max(peak.rss, m.rss);
          peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
          if (chunksRead % 4096 === 0) samples.push({ events: chunksRead * 4096, rss: m.rss, heapUsed: m.heapUsed });
        }
        yield c;
      }
    },
  };
  // At most one intent a day per symbol: the memory of the run is the stream's, not that of a million orders (see the per-order figure below).
  const strategy = new b.MomentumStrategy({ interval: '1m', strategy: { ...SIZING, intentIntervalMs: 86_400_000 } });
  const t = process.hrtime.bigint();
  const r = await b.runBacktest({ config: config(symbols, { recordOrders: false, recordFills: false }), sources: [source], strategies: [strategy] });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  gc();
  const after = process.memoryUsage();
  const engineSeconds = seconds - Number(generationNs) / 1e9;
  console.log(`  ${r.counts.events.toLocaleString('en-US')} events in ${seconds.toFixed(0)} s (${rate(r.counts.events / seconds)} with generation; generation ${(seconds - engineSeconds).toFixed(0)} s, the engine ${engineSeconds.toFixed(0)} s: ${rate(r.counts.events / engineSeconds)}), orders ${r.counts.orders.toLocaleString('en-US')}, fills ${r.counts.fills.toLocaleString('en-US')}, round trips ${r.metrics.trades.count.toLocaleString('en-US')}, curve points ${r.equity.length}`);
  console.log(`  before: RSS ${mb(base.rss)}, heap ${mb(base.heapUsed)}; peak during the run: RSS ${mb(peak.rss)}, heap ${mb(peak.heapUsed)}; after (GC): RSS ${mb(after.rss)}, heap ${mb(after.heapUsed)}`);
  console.log(`  heap along the run: ${samples.map((s) => `${(s.events / 1e6).toFixed(0)}M → ${mb(s.heapUsed)}`).join(', ')}`);
  console.log(`  heap kept after the run per order (risk's and the strategy's order entries, which a backtest never sweeps, and the round trips): ≈ ${(((after.heapUsed - base.heapUsed) / Math.max(1, r.counts.orders))).toFixed(0)} bytes`);
  console.log(`  decisions: ${JSON.stringify(strategy.decisions)}`);
}

async function realData() {
  const files = ['BTCUSDT', 'BTCUSDC'].map((s) => [s, sharedDataPath('crypto_bars', `binanceus_${s}_1m_20230301_20230321.csv`)]);
  const missing = files.filter(([, f]) => !existsSync(f));
  if (missing.length > 0) {
    console.log(`\nreal bars: skipped, missing ${missing.map(([, f]) => f).join(', ')} (see ../shared/data/MANIFEST.md)`);
    return;
  }
  const symbols = ['BTC-USDT', 'BTC-USDC'];
  const cfg = {
    ...config(symbols),
    instruments: [
      { symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USD', tickSize: d('0.01'), lotSize: d('0.000001') },
      { symbol: 'BTC-USDC', baseCurrency: 'XBT', quoteCurrency: 'USD', tickSize: d('0.01'), lotSize: d('0.000001') },
    ],
    venue: { fees: { maker: d('0.0002'), taker: d('0.0005'), scale: 8 }, account: { mode: 'margin', balances: { USD: d('1000000') } } },
    equityIntervalMs: 3_600_000,
  };
  const sources = () => files.map(([s, f]) => b.csvSource({ kind: 'bars', path: f, symbol: `BTC-${s.slice(3)}`, interval: '1m', time: { column: 'open_time', unit: 'iso' } }));
  const strategy = new b.MomentumStrategy({ interval: '1m', strategy: { orderLot: d('0.01'), positionNotional: d('20000'), maxOrderNotional: d('20000'), intentIntervalMs: 900_000, entryThreshold: 0.3 } });
  gc();
  const t = process.hrtime.bigint();
  const r = await b.runBacktest({ config: cfg, sources: sources(), strategies: [strategy] });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const m = r.metrics;
  console.log(`\nreal bars: Binance.US BTCUSDT and BTCUSDC, 1m, 2023-03-01 → 21 (the USDC depeg inside): ${r.counts.events.toLocaleString('en-US')} bars from CSV in ${seconds.toFixed(2)} s (${rate(r.counts.events / seconds)} with parsing)`);
  console.log(`  orders ${r.counts.orders}, fills ${r.counts.fills}, round trips ${m.trades.count} (win rate ${m.trades.winRate?.toFixed(2)}), net ${m.netPnl} USD after ${m.fees} fees, Sharpe ${m.sharpe?.toFixed(2)}, max drawdown ${(m.maxDrawdownFraction * 100).toFixed(2)} %, exposure ${((m.exposure ?? 0) * 100).toFixed(0)} %`);
}

(async () => {
  if (process.env.BENCH_ROW !== undefined) return throughputRow(process.env.BENCH_ROW);
  console.log(`node ${process.version}, ${require('node:os').cpus().length} cores, load average ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  await throughput();
  await realData();
  if (process.env.BENCH_SKIP_YEAR !== '1') await year();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
