// Optimisation throughput: backtests per hour when a study's objective is a real backtest
// (libs/backtest's engine running the momentum strategy over one year of one-symbol minute bars),
// run the way `meridian-backtest optimise` runs it: tools/backtest's runBacktestStudy (this
// library's worker pool loading tools/backtest's dist/objective.js, trials stored in PostgreSQL).
// Lines, in one run: the peer (the same trials one after another in the main thread, no pool: the
// ratio to it is the pool's cost or gain), the pool with 1 worker and with BENCH_WORKERS; then the
// old synthetic EMA-crossover objective through the pool, the samplers' overhead per trial and the
// PostgreSQL store's cost per trial.
// Run: npm run bench -w libs/research (after `npx nx run @meridian/backtest-cli:build`, which
// builds this library and the engine too). A real trial takes seconds, so each line runs a fixed
// small number of trials (BENCH_TRIALS, default 8) and backtests/hour is extrapolated from them.
// BENCH_WORKERS (default availableParallelism()), BENCH_BARS (default 525,600), BENCH_SYNTH_TRIALS
// (default 200).
'use strict';
const { statSync } = require('node:fs');
const { availableParallelism, loadavg } = require('node:os');
const { dirname, join } = require('node:path');
const { ParamSpace, RandomSampler, GridSampler, TpeSampler, runStudy, PgStudyStore, MemoryStudyStore, defaultWorkerCount } = require('../dist');

const TRIALS = Number(process.env.BENCH_TRIALS ?? 8);
const N = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const BARS = Number(process.env.BENCH_BARS ?? 525_600);
const SYNTH_TRIALS = Number(process.env.BENCH_SYNTH_TRIALS ?? 200);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const fmt = (x, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const load = () => loadavg().map((l) => fmt(l, 2)).join(' ');

// ---------------------------------------------------------------------------------------------
// The real objective: tools/backtest's job, space and study runner.

/** The same request `meridian-backtest optimise` builds from its README's configuration. */
const REQUEST = {
  config: {
    instruments: [{ symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: '0.01', lotSize: '0.00001' }],
    seed: 1,
    venue: { fees: { maker: '0.0002', taker: '0.0005', scale: 8 }, account: { mode: 'margin', balances: { USDT: '100000' } } },
    risk: { limits: { global: { maxOrderQuantity: '5', maxOrderNotional: '100000', maxPosition: '10' } } },
    equityIntervalMs: 3_600_000,
  },
  // The engine's deterministic random walk, generated while it is read (a year of minute bars).
  data: [{ kind: 'synthetic', bars: BARS, seed: 7 }],
  strategy: { kind: 'momentum', params: { intentIntervalMs: 900_000 } },
};
/** tools/backtest/README.md's example space. */
const REAL_SPACE = {
  fastPeriod: { type: 'int', low: 4, high: 24, step: 4 },
  slowPeriod: { type: 'int', low: 30, high: 120, step: 10 },
  entryThreshold: { type: 'float', low: 0.05, high: 0.6 },
};
const METRIC = 'sharpe';

/** The backtest CLI's library, or why it cannot be used. */
function loadBacktestCli() {
  let cli;
  try {
    // The CLI depends on this library, so the bench reaches it at run time only (no build edge).
    cli = require('@meridian/backtest-cli');
  } catch (err) {
    return { skipped: `@meridian/backtest-cli is not built (npx nx run @meridian/backtest-cli:build): ${err.message.split('\n')[0]}` };
  }
  return { cli };
}

/** When the engine in use was built: it may change between runs of this bench. */
function engineBuild() {
  const dir = dirname(require.resolve('@meridian/backtest/package.json'));
  const built = statSync(join(dir, 'dist', '.tsbuildinfo')).mtime;
  return `libs/backtest dist built ${built.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

async function openDatabase() {
  let Database, migrate, createSchema, uniqueNamespace;
  try {
    ({ Database, migrate } = require('@meridian/store'));
    ({ createSchema, uniqueNamespace } = require('@meridian/testkit'));
  } catch (err) {
    return { skipped: `store packages unavailable: ${err.message}` };
  }
  let created;
  try {
    created = await createSchema(DATABASE_URL, uniqueNamespace('rbench'));
    const db = await Database.open({ url: DATABASE_URL, schema: created.schema });
    await migrate(db);
    return { db, settings: { url: DATABASE_URL, schema: created.schema }, drop: created.drop };
  } catch (err) {
    await created?.drop().catch(() => undefined);
    return { skipped: `PostgreSQL unreachable at ${DATABASE_URL}: ${err.message}` };
  }
}

/** The same trials, one after another in this thread: the objective function itself, no pool. */
async function peerRun(cli, job, search, db) {
  const result = await runStudy({
    name: 'bench-real-peer',
    space: search.space,
    objective: (params, ctx) => cli.objective(params, ctx),
    sampler: search.sampler,
    seed: search.seed,
    nTrials: search.nTrials,
    direction: search.direction,
    store: new PgStudyStore(db),
    data: { job, metric: search.metric },
  });
  return { result };
}

/** The CLI's own study runner: starts the pool, runs (or resumes) the study, closes the pool. */
async function poolRun(cli, job, search, db, settings, workers) {
  const t0 = performance.now();
  const result = await cli.runBacktestStudy({ name: `bench-real-w${workers}`, job, search, workers, db, dbSettings: settings });
  // What runBacktestStudy spends outside the study: starting the threads (each loads the engine) and stopping them.
  return { result, poolMs: performance.now() - t0 - result.elapsedMs };
}

async function realEngine(database) {
  const { cli, skipped } = loadBacktestCli();
  if (skipped) {
    console.log(`real engine: skipped (${skipped})`);
    return undefined;
  }
  if (database.skipped) {
    console.log(`real engine: skipped (tools/backtest's study runner stores trials in PostgreSQL: ${database.skipped})`);
    return undefined;
  }
  const job = await cli.resolveJob(REQUEST, { baseDir: process.cwd() });
  const space = cli.readSpace(REAL_SPACE, job);
  const search = (nTrials) => ({ space, sampler: { kind: 'random' }, metric: METRIC, direction: 'maximize', nTrials, seed: 1 });
  console.log(`objective: tools/backtest's dist/objective.js = one libs/backtest run per trial: the momentum strategy (inference's model + the coordinator's decision, intentIntervalMs 15 min),`);
  console.log(`  risk, execution and the simulated venue over ${BARS.toLocaleString('en-US')} generated minute bars of BTC-USDT (${BARS === 525_600 ? 'one year' : `${fmt(BARS / 1440, 1)} days`}, synthetic source, seed 7), scored by ${METRIC}`);
  console.log(`  space ${JSON.stringify(REAL_SPACE)}; random sampler seed 1: every line runs the same ${TRIALS} parameter sets`);
  console.log(`  ${engineBuild()}`);
  console.log('');

  const lines = [{ label: 'peer: main thread, no pool', run: (n) => peerRun(cli, job, search(n), database.db) }];
  lines.push({ label: 'pool: 1 worker', workers: 1, run: (n) => poolRun(cli, job, search(n), database.db, database.settings, 1) });
  if (N > 1) lines.push({ label: `pool: ${N} workers`, workers: N, run: (n) => poolRun(cli, job, search(n), database.db, database.settings, N) });
  for (const l of lines) Object.assign(l, { wallMs: 0, ran: 0, poolMs: 0, loads: [] });
  // The machine's load drifts over minutes: each line runs half its trials in the order A B C and
  // the other half (its study resumed) in C B A, so a steady drift weighs on every line alike.
  const half = Math.ceil(TRIALS / 2);
  for (const [l, nTrials] of [...lines.map((l) => [l, half]), ...[...lines].reverse().map((l) => [l, TRIALS])]) {
    const t0 = performance.now();
    const { result, poolMs } = await l.run(nTrials);
    l.wallMs += performance.now() - t0;
    l.ran += result.ran;
    l.poolMs += poolMs ?? 0;
    l.loads.push(loadavg()[0]);
    l.result = result;
  }
  const scores = (l) => new Map(l.result.trials.filter((t) => t.state === 'complete').map((t) => [t.number, t.score]));
  const peer = lines[0];
  const peerScores = scores(peer);
  for (const l of lines) {
    l.perHour = (l.ran / l.wallMs) * 3_600_000;
    l.inObjectiveMs = l.result.trials.reduce((s, t) => s + t.durationMs, 0) / l.result.trials.length;
  }
  console.log(`real-engine throughput (${TRIALS} trials per line in two halves, ordered A B C C B A; wall time incl. pool start and stop, extrapolated to an hour; trials stored in PostgreSQL):`);
  for (const l of lines) {
    const mine = scores(l);
    const same = l === peer ? '' : `, scores ${mine.size === peerScores.size && [...peerScores].every(([n, s]) => mine.get(n) === s) ? 'identical to' : 'DIFFER from'} the peer's`;
    console.log(
      `  ${l.label.padEnd(27)} ${l.ran} in ${fmt(l.wallMs / 1000, 1).padStart(6)} s = ${fmt(l.perHour, 0).padStart(5)} backtests/hour  (${fmt(l.inObjectiveMs / 1000, 2)} s per backtest inside the objective, ${l.result.failed} failed${same}${l.workers ? `; pool start + stop ${fmt(l.poolMs / 1000, 2)} s` : ''}; load ${l.loads.map((x) => fmt(x, 2)).join(', ')} after each half)`,
    );
  }
  const one = lines[1];
  const many = lines[2];
  console.log(`  ratio 1 worker / peer: ${fmt(one.perHour / peer.perHour, 2)}x  (1 worker's wall time per trial minus the peer's: ${fmt((one.wallMs / one.ran - peer.wallMs / peer.ran), 0)} ms)`);
  if (many) console.log(`  ratio ${N} workers / 1 worker: ${fmt(many.perHour / one.perHour, 2)}x, / peer: ${fmt(many.perHour / peer.perHour, 2)}x  (ideal ${N}x on ${availableParallelism()} idle cores; compare the load averages: other jobs share them)`);
  const trips = peer.result.trials.filter((t) => t.state === 'complete').map((t) => t.metrics.trades);
  console.log(`  round trips per backtest: ${Math.min(...trips)}–${Math.max(...trips)} (orders cost most of a trial: see libs/backtest/README.md)`);
  console.log('');
  return { perTrialMs: peer.inObjectiveMs };
}

// ---------------------------------------------------------------------------------------------
// The synthetic objective (bench/ema-objective.js): a few milliseconds per trial, so it shows the
// pool's own per-trial cost, which a real backtest hides.

const SYNTH_OBJECTIVE = { module: join(__dirname, 'ema-objective.js'), export: 'objective' };
const SYNTH_SPACE = ParamSpace.from({
  fast: { type: 'int', low: 5, high: 120, step: 5 },
  slow: { type: 'int', low: 100, high: 1500, step: 50 },
  stopBps: { type: 'logfloat', low: 10, high: 500 },
});

async function synthRun(workers) {
  // The first trial of each worker starts the thread and builds its bars, outside the timing.
  let t0;
  const result = await runStudy({
    name: `bench-synth-w${workers}`,
    space: SYNTH_SPACE,
    objective: SYNTH_OBJECTIVE,
    sampler: { kind: 'random' },
    seed: 1,
    nTrials: SYNTH_TRIALS + workers,
    workers,
    onProgress: (p) => {
      if (p.done === workers) t0 = performance.now();
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const perTrialMs = result.trials.slice(workers).reduce((s, t) => s + t.durationMs, 0) / SYNTH_TRIALS;
  return { workers, seconds, perHour: (SYNTH_TRIALS / seconds) * 3600, perTrialMs, failed: result.failed };
}

async function synthetic() {
  const rows = [await synthRun(1)];
  if (N > 1) rows.push(await synthRun(N));
  console.log(`synthetic objective (bench/ema-objective.js: EMA crossover in integer ticks over the same number of bars, no engine; ${SYNTH_TRIALS} trials, warm workers):`);
  for (const r of rows) {
    console.log(`  ${r.workers} worker(s): ${fmt(r.perHour, 0).padStart(9)} backtests/hour  (${fmt(r.perTrialMs, 2)} ms inside the worker, ${fmt((r.seconds * 1000) / SYNTH_TRIALS - r.perTrialMs / r.workers, 2)} ms per trial outside it, ${r.failed} failed)`);
  }
  console.log('');
  return rows[0];
}

// ---------------------------------------------------------------------------------------------

function samplerOverhead() {
  const rows = [];
  const history = (n) => {
    const rnd = new RandomSampler(SYNTH_SPACE, 5);
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
  time('random', new RandomSampler(SYNTH_SPACE, 1), [], 20_000);
  time('grid', new GridSampler(SYNTH_SPACE, 1, true), [], 20_000);
  for (const n of [20, 100, 300, 1000]) time('tpe', new TpeSampler(SYNTH_SPACE, 1, 'maximize'), history(n), n >= 300 ? 50 : 300);
  return rows;
}

async function storeOverhead(db) {
  const n = 400;
  const objective = (p) => ({ score: p.fast - p.slow / 100, metrics: { a: 1, b: 2 } });
  const run = async (store, name) => {
    const t0 = performance.now();
    await runStudy({ name, space: SYNTH_SPACE, objective, sampler: { kind: 'random' }, nTrials: n, store });
    return (performance.now() - t0) / n;
  };
  const memMs = await run(new MemoryStudyStore(), 'mem');
  const pgMs = await run(new PgStudyStore(db), 'pg');
  const t0 = performance.now();
  await runStudy({ name: 'pg', space: SYNTH_SPACE, objective, sampler: { kind: 'random' }, nTrials: n, store: new PgStudyStore(db) });
  const resumeMs = performance.now() - t0;
  return { n, memMs, pgMs, resumeMs };
}

async function main() {
  const started = new Date();
  console.log(`machine: availableParallelism ${availableParallelism()}, load average ${load()} at start (${started.toISOString().slice(0, 16)} UTC), pool default ${defaultWorkerCount()} worker(s)`);
  console.log('');
  const database = await openDatabase();
  try {
    const real = await realEngine(database);
    const synth = await synthetic();
    const reference = real ? { ms: real.perTrialMs, label: 'one real backtest' } : { ms: synth.perTrialMs, label: 'one synthetic backtest' };
    console.log('sampler overhead per trial (main thread):');
    for (const r of samplerOverhead()) {
      console.log(`  ${r.label.padEnd(6)} history ${String(r.history).padStart(4)}: ${fmt(r.us, 1).padStart(8)} µs  = ${fmt((r.us / 1000 / reference.ms) * 100, 4)}% of ${reference.label}`);
    }
    console.log('');
    if (database.skipped) console.log(`store overhead: skipped (${database.skipped})`);
    else {
      const s = await storeOverhead(database.db);
      console.log(`study bookkeeping per trial (trivial objective, ${s.n} trials, 1 lane):`);
      console.log(`  in-memory store ${fmt(s.memMs, 3)} ms, PostgreSQL store ${fmt(s.pgMs, 3)} ms (+${fmt(s.pgMs - s.memMs, 3)} ms per trial persisted)`);
      console.log(`  resuming the finished ${s.n}-trial study from PostgreSQL: ${fmt(s.resumeMs, 1)} ms`);
    }
  } finally {
    if (!database.skipped) {
      await database.db.close();
      await database.drop();
    }
  }
  console.log('');
  console.log(`load average ${load()} at the end; ${fmt((Date.now() - started.getTime()) / 1000, 0)} s in all`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
