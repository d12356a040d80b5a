// Throughput and memory of the backtester (npm run bench -w libs/backtest, after the build).
//
// 1. Throughput, one core, events already in memory (generation is not timed): synthetic minute
//    bars of several symbols through
//    - the rule-based strategy (the live momentum signal and the coordinator's sizing), the whole
//      engine: risk on every intent, the slippage guard, the simulated venue, the books, the curve;
//    - the model-driven strategy (the 12 features of libs/signals' bench spec through
//      FeaturePipeline, a fitted ridge model, the same sizing);
//    beside their peers on the same events in the same run: a bare loop doing only the momentum
//    indicator, and a bare loop doing only the 12 features. Best of several passes each (the
//    machine is shared), and the ratio to the peer. Events/s by wall clock and by the process's CPU
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
// Env: BENCH_SYMBOLS (10), BENCH_BARS (60,000 per symbol), BENCH_PASSES (5), BENCH_YEAR_SYMBOLS
// (100), BENCH_YEAR_BARS (525,600), BENCH_SKIP_YEAR=1.
'use strict';
const { existsSync } = require('node:fs');
const { Decimal } = require('@meridian/domain');
const { FeaturePipeline, MomentumModel, fitNormalisation } = require('@meridian/signals');
const { sharedDataPath } = require('@meridian/testkit');
const b = require('../dist');
const FEATURES_12 = require('../../signals/bench/features-12.json');

const d = Decimal.parse;
const SYMBOLS = Number(process.env.BENCH_SYMBOLS ?? 10);
const BARS = Number(process.env.BENCH_BARS ?? 60_000);
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
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
const momentum = () => new b.MomentumStrategy({ interval: '1m', strategy: SIZING });

function floatBar(e) {
  return { startMs: Number(e.startNs / 1_000_000n), endMs: Number(e.tsNs / 1_000_000n), open: e.open.toNumber(), high: e.high.toNumber(), low: e.low.toNumber(), close: e.close.toNumber(), volume: e.volume.toNumber(), trades: e.trades };
}

async function best(label, fn) {
  let fastest = Infinity;
  let fastestCpu = Infinity;
  let out;
  for (let p = 0; p < PASSES; p++) {
    gc();
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    out = await fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - t) / 1e9);
    const used = process.cpuUsage(cpu);
    fastestCpu = Math.min(fastestCpu, (used.user + used.system) / 1e6);
  }
  return { label, seconds: fastest, cpuSeconds: fastestCpu, out };
}

async function throughput() {
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${i}-USDT`);
  const chunks = [...b.syntheticBars({ symbols, bars: BARS, seed: 3, volatility: 0.0015 }).chunks()];
  const events = chunks.reduce((n, c) => n + c.length, 0);
  const source = { name: 'memory', chunks: () => chunks };
  // The model: the 12 features fitted on the first fifth of one symbol's bars, a ridge fit of the next bar's return.
  const train = [];
  for (const c of chunks) for (const e of c) if (e.symbol === symbols[0] && train.length < BARS / 5) train.push(floatBar(e));
  const spec = fitNormalisation(FEATURES_12, train);
  const model = b.fitLinearScoreModel({ name: 'ridge-12', featureSpec: spec, bars: train, horizon: 5, ridge: 10, gain: 3 });
  console.log(`throughput: ${events.toLocaleString('en-US')} minute bars (${SYMBOLS} symbols × ${BARS.toLocaleString('en-US')}), in memory; best of ${PASSES} passes, one core`);

  const bareMomentum = await best('peer: momentum indicator only', () => {
    const models = new Map(symbols.map((s) => [s, new MomentumModel({ fastPeriod: 8, slowPeriod: 32, volPeriod: 32 })]));
    let sink = 0;
    for (const c of chunks) for (const e of c) {
      const r = models.get(e.symbol).onBar({ close: e.close.toNumber() });
      if (r !== undefined) sink += r.score;
    }
    return sink;
  });
  const ruleBased = await best('rule-based backtest, at most one intent an hour per symbol', async () => {
    const s = momentum();
    const r = await b.runBacktest({ config: config(symbols), sources: [source], strategies: [s] });
    return { orders: r.counts.orders, fills: r.counts.fills, sharpe: r.metrics.sharpe };
  });
  const bareFeatures = await best('peer: 12 features only (FeaturePipeline.updateInto)', () => {
    const pipes = new Map(symbols.map((s) => [s, new FeaturePipeline(spec)]));
    const out = new Float32Array(12);
    let warm = 0;
    for (const c of chunks) for (const e of c) if (pipes.get(e.symbol).updateInto(floatBar(e), undefined, out, 0)) warm++;
    return warm;
  });
  const modelDriven = await best('model-driven backtest (12 features → ridge model → coordinator sizing → risk → venue)', async () => {
    const s = new b.ModelStrategy({ model, interval: '1m', strategy: SIZING });
    const r = await b.runBacktest({ config: config(symbols), sources: [source], strategies: [s] });
    return { orders: r.counts.orders, fills: r.counts.fills, predictions: s.decisions.predictions };
  });
  // What the order path costs: the same run with the strategy's orders removed (signals made, nothing sent).
  const silent = await best('rule-based backtest, signals only (the throttle lets 10 intents through)', async () => {
    const s = new b.MomentumStrategy({ interval: '1m', strategy: { ...SIZING, intentIntervalMs: 1e15 } });
    const r = await b.runBacktest({ config: config(symbols), sources: [source], strategies: [s] });
    return { orders: r.counts.orders, fills: r.counts.fills };
  });
  // A daily rebalance: at most one intent a day per symbol.
  const daily = await best('rule-based backtest, at most one intent a day per symbol', async () => {
    const s = new b.MomentumStrategy({ interval: '1m', strategy: { ...SIZING, intentIntervalMs: 86_400_000 } });
    const r = await b.runBacktest({ config: config(symbols), sources: [source], strategies: [s] });
    return { orders: r.counts.orders, fills: r.counts.fills };
  });
  const orderRate = (x) => `${((100 * x.out.orders) / events).toFixed(3)} %`;
  const row = (x, peer) =>
    `  ${x.label.padEnd(78)} ${rate(events / x.seconds).padStart(10)} ${rate(events / x.cpuSeconds).padStart(10)}` +
    `${peer ? `   ${(x.seconds / peer.seconds).toFixed(2)}×`.padEnd(10) : ''.padEnd(10)}${x.out.orders !== undefined ? `   ${orderRate(x)} (${x.out.orders} orders, ${x.out.fills} fills)` : ''}`;
  console.log(`  ${''.padEnd(78)} ${'wall'.padStart(10)} ${'CPU time'.padStart(10)}   peer's×   order rate`);
  console.log(row(bareMomentum));
  console.log(row(silent, bareMomentum));
  console.log(row(daily, bareMomentum));
  console.log(row(ruleBased, bareMomentum));
  console.log(row(bareFeatures));
  console.log(row(modelDriven, bareFeatures), `   predictions ${modelDriven.out.predictions}`);
  const perOrderUs = ((ruleBased.seconds - silent.seconds) / Math.max(1, ruleBased.out.orders - silent.out.orders)) * 1e6;
  const perOrderCpuUs = ((ruleBased.cpuSeconds - silent.cpuSeconds) / Math.max(1, ruleBased.out.orders - silent.out.orders)) * 1e6;
  console.log(`  one order through risk, the guard, the venue and the books: ≈ ${perOrderUs.toFixed(1)} µs wall, ${perOrderCpuUs.toFixed(1)} µs CPU (the difference of the hourly and signals-only runs per order)`);
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
  const source = {
    name: inner.name,
    *chunks() {
      for (const c of inner.chunks()) {
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
  console.log(`  ${r.counts.events.toLocaleString('en-US')} events in ${seconds.toFixed(0)} s (${rate(r.counts.events / seconds)} with generation), orders ${r.counts.orders.toLocaleString('en-US')}, fills ${r.counts.fills.toLocaleString('en-US')}, round trips ${r.metrics.trades.count.toLocaleString('en-US')}, curve points ${r.equity.length}`);
  console.log(`  before: RSS ${mb(base.rss)}, heap ${mb(base.heapUsed)}; peak during the run: RSS ${mb(peak.rss)}, heap ${mb(peak.heapUsed)}; after (GC): RSS ${mb(after.rss)}, heap ${mb(after.heapUsed)}`);
  console.log(`  heap along the run: ${samples.map((s) => `${(s.events / 1e6).toFixed(0)}M → ${mb(s.heapUsed)}`).join(', ')}`);
  console.log(`  heap kept after the run per order (risk's and the strategy's order entries, which those libraries never prune, and the round trips): ≈ ${(((after.heapUsed - base.heapUsed) / Math.max(1, r.counts.orders))).toFixed(0)} bytes`);
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
  console.log(`node ${process.version}, ${require('node:os').cpus().length} cores, load average ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  await throughput();
  await realData();
  if (process.env.BENCH_SKIP_YEAR !== '1') await year();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
