// Optimisation throughput: trials (one-year, one-symbol minute-bar EMA-crossover backtests) per
// hour through the worker pool with 1 worker vs N workers, in the same run; the samplers'
// overhead per trial against the backtest's own cost; and the PostgreSQL store's cost per trial
// (skipped when the database is unreachable).
// Run: npm run bench -w libs/research (after `npm run build`).
// BENCH_TRIALS trials per pool size (default 300), BENCH_WORKERS the N (default availableParallelism()).
'use strict';
const { availableParallelism, loadavg } = require('node:os');
const { join } = require('node:path');
const { ParamSpace, RandomSampler, GridSampler, TpeSampler, runStudy, PgStudyStore, MemoryStudyStore, defaultWorkerCount } = require('../dist');

const OBJECTIVE = { module: join(__dirname, 'ema-objective.js'), export: 'objective' };
const TRIALS = Number(process.env.BENCH_TRIALS ?? 300);
const N = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const SPACE = ParamSpace.from({
  fast: { type: 'int', low: 5, high: 120, step: 5 },
  slow: { type: 'int', low: 100, high: 1500, step: 50 },
  stopBps: { type: 'logfloat', low: 10, high: 500 },
});

const fmt = (x, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function poolRun(workers, label, prefetch = 0) {
  // Warm-up study: starts the threads and builds each worker's bars, outside the timing.
  let t0;
  const result = await runStudy({
    name: `bench-${label}`,
    space: SPACE,
    objective: OBJECTIVE,
    sampler: { kind: 'random' },
    seed: 1,
    nTrials: TRIALS + workers,
    workers,
    prefetch,
    onProgress: (p) => {
      if (p.done === workers) t0 = performance.now();
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const timed = TRIALS;
  const failed = result.failed;
  const perTrialMs = result.trials.slice(workers).reduce((s, t) => s + t.durationMs, 0) / timed;
  return { workers, prefetch, trials: timed, seconds, perHour: (timed / seconds) * 3600, perTrialMs, failed };
}

function samplerOverhead() {
  const rows = [];
  const history = (n) => {
    const rnd = new RandomSampler(SPACE, 5);
    return Array.from({ length: n }, (_, i) => {
      const params = rnd.sample({ trial: i, history: [], pending: [] });
      return { number: i, state: 'complete', params, score: Math.sin(params.fast) + params.slow / 1000, metrics: {}, startedAtMs: 0, durationMs: 0 };
    });
  };
  const time = (label, sampler, h, reps) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) sampler.sample({ trial: (h.length + i) % (sampler.size ?? Infinity), history: h, pending: [] });
    const us = Number(process.hrtime.bigint() - t0) / 1000 / reps;
    rows.push({ label, history: h.length, us });
  };
  time('random', new RandomSampler(SPACE, 1), [], 20_000);
  time('grid', new GridSampler(SPACE, 1, true), [], 20_000);
  for (const n of [20, 100, 300, 1000]) time('tpe', new TpeSampler(SPACE, 1, 'maximize'), history(n), n >= 300 ? 50 : 300);
  return rows;
}

async function storeOverhead() {
  let Database, migrate, createSchema, uniqueNamespace;
  try {
    ({ Database, migrate } = require('@meridian/store'));
    ({ createSchema, uniqueNamespace } = require('@meridian/testkit'));
  } catch (err) {
    return { skipped: `store packages unavailable: ${err.message}` };
  }
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let created;
  let db;
  try {
    created = await createSchema(url, uniqueNamespace('rbench'));
    db = await Database.open({ url, schema: created.schema });
    await migrate(db);
  } catch (err) {
    await created?.drop().catch(() => undefined);
    return { skipped: `PostgreSQL unreachable at ${url}: ${err.message}` };
  }
  try {
    const n = 400;
    const objective = (p) => ({ score: p.fast - p.slow / 100, metrics: { a: 1, b: 2 } });
    const run = async (store, name) => {
      const t0 = performance.now();
      await runStudy({ name, space: SPACE, objective, sampler: { kind: 'random' }, nTrials: n, store });
      return (performance.now() - t0) / n;
    };
    const memMs = await run(new MemoryStudyStore(), 'mem');
    const pgMs = await run(new PgStudyStore(db), 'pg');
    const t0 = performance.now();
    await runStudy({ name: 'pg', space: SPACE, objective, sampler: { kind: 'random' }, nTrials: n, store: new PgStudyStore(db) });
    const resumeMs = performance.now() - t0;
    return { n, memMs, pgMs, resumeMs };
  } finally {
    await db.close();
    await created.drop();
  }
}

async function main() {
  const { backtest, bars, BARS } = require('./ema-objective.js');
  const g0 = performance.now();
  bars();
  const genMs = performance.now() - g0;
  const b0 = performance.now();
  const reps = 5;
  for (let i = 0; i < reps; i++) backtest({ fast: 20 + i, slow: 400, stopBps: 100 });
  const mainMs = (performance.now() - b0) / reps;
  console.log(`objective: EMA crossover, 1 symbol, ${BARS.toLocaleString('en-US')} minute bars (one year); bars generated once per worker in ${fmt(genMs, 0)} ms`);
  console.log(`machine: availableParallelism ${availableParallelism()}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}, pool default ${defaultWorkerCount()} worker(s); one backtest in the main thread: ${fmt(mainMs, 2)} ms`);
  console.log('');

  const one = await poolRun(1, 'w1');
  const many = N > 1 ? await poolRun(N, `w${N}`) : undefined;
  const onePf = await poolRun(1, 'w1-prefetch', 1);
  console.log('pool throughput (random sampler, in-memory store, warm workers):');
  for (const r of [one, many, onePf].filter(Boolean)) {
    console.log(
      `  ${String(r.workers).padStart(2)} worker(s)${r.prefetch ? `, prefetch ${r.prefetch}` : ''}: ${r.trials} trials in ${fmt(r.seconds, 2)} s = ${fmt(r.perHour, 0).padStart(9)} backtests/hour  (${fmt(r.perTrialMs, 2)} ms per backtest inside the worker, ${r.failed} failed)`,
    );
  }
  if (many) console.log(`  ratio ${N} workers / 1 worker: ${fmt(many.perHour / one.perHour, 2)}x  (ideal ${N}x on ${availableParallelism()} cores shared with the main thread)`);
  console.log(`  ratio 1 worker with prefetch 1 / without: ${fmt(onePf.perHour / one.perHour, 2)}x  (main-thread time per trial the worker no longer waits for)`);
  const idle = one.seconds * 1000 / one.trials - one.perTrialMs;
  console.log(`  1 worker: ${fmt(idle, 2)} ms per trial outside the objective (message round trip, sampling, bookkeeping)`);
  console.log('');

  console.log('sampler overhead per trial (main thread):');
  for (const r of samplerOverhead()) {
    const share = (r.us / 1000 / one.perTrialMs) * 100;
    console.log(`  ${r.label.padEnd(6)} history ${String(r.history).padStart(4)}: ${fmt(r.us, 1).padStart(8)} µs  = ${fmt(share, 2)}% of one backtest`);
  }
  console.log('');

  const s = await storeOverhead();
  if (s.skipped) console.log(`store overhead: skipped (${s.skipped})`);
  else {
    console.log(`study bookkeeping per trial (trivial objective, ${s.n} trials, 1 lane):`);
    console.log(`  in-memory store ${fmt(s.memMs, 3)} ms, PostgreSQL store ${fmt(s.pgMs, 3)} ms (+${fmt(s.pgMs - s.memMs, 3)} ms per trial persisted)`);
    console.log(`  resuming the finished ${s.n}-trial study from PostgreSQL: ${fmt(s.resumeMs, 1)} ms`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
