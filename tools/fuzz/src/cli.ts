#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runIsolated } from './isolated';
import { formatFailures, formatTable, planRuns } from './report';
import type { TargetReport } from './runner';
import { TARGETS, selectTargets } from './targets';

/** The on-demand total: every target together. */
export const DEFAULT_TOTAL_RUNS = 1_000_000;

const usage = `npm run fuzz -- [--runs N] [--target NAME[,NAME…]] [--seed S] [--path P] [--budget-ms MS] [--jobs J] [--list]

Runs N generated inputs in all (default ${DEFAULT_TOTAL_RUNS.toLocaleString('en-US')}), shared among the selected targets by
weight; --target selects targets by name or prefix (okx, proto.bus-messages). Each target runs in
a worker thread: a call over --budget-ms (default 2000) is a hang, so is a worker whose calls stop
for --hang-ms (default 30000). --seed makes a run repeatable; --seed with --path (and one target)
replays the input a failure report names. Targets that need NATS (NATS_URL) or PostgreSQL
(DATABASE_URL) are skipped when those are not reachable.

Exit code 0 when no input crashed or hung, 1 otherwise, 2 on bad usage.`;

function parseIntOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} ${JSON.stringify(value)}: expected an integer >= ${min}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      target: { type: 'string', multiple: true },
      seed: { type: 'string' },
      path: { type: 'string' },
      'budget-ms': { type: 'string' },
      'hang-ms': { type: 'string' },
      'heap-mb': { type: 'string' },
      jobs: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (values.list) {
    for (const t of TARGETS) process.stdout.write(`${t.name.padEnd(32)} ${String(t.weight).padStart(3)}  ${t.calls}${t.requires ? ` (needs ${t.requires.join(', ')})` : ''}\n`);
    return 0;
  }
  let total: number;
  let seed: number | undefined;
  let budgetMs: number;
  let hangMs: number;
  let heapMb: number;
  let jobs: number;
  try {
    total = parseIntOption('runs', values.runs, 1) ?? DEFAULT_TOTAL_RUNS;
    seed = parseIntOption('seed', values.seed, -(2 ** 31));
    budgetMs = parseIntOption('budget-ms', values['budget-ms'], 1) ?? 2_000;
    hangMs = parseIntOption('hang-ms', values['hang-ms'], 1_000) ?? 30_000;
    heapMb = parseIntOption('heap-mb', values['heap-mb'], 64) ?? 1_024;
    jobs = parseIntOption('jobs', values.jobs, 1) ?? 1;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  const selection = (values.target ?? []).flatMap((t) => t.split(',')).filter((t) => t !== '');
  const targets = selectTargets(selection);
  if (targets.length === 0) {
    process.stderr.write(`no target matches ${selection.join(', ')} (--list shows them)\n`);
    return 2;
  }
  if (values.path !== undefined && (targets.length !== 1 || seed === undefined)) {
    process.stderr.write('--path replays one input: give it with --seed and exactly one --target\n');
    return 2;
  }
  const plan = planRuns(targets, total);
  const planned = [...plan.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(
    values.path !== undefined
      ? `replaying ${targets[0]!.name} seed ${seed} path ${values.path}\n`
      : `fuzzing ${targets.length} targets, ${planned.toLocaleString('en-US')} inputs (budget ${budgetMs} ms a call, ${jobs} at a time)\n`,
  );

  const started = Date.now();
  const reports = new Map<string, TargetReport>();
  const queue = [...targets];
  const worker = async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
      // A fresh seed per target unless one is given, always printed so that any run can be repeated.
      const targetSeed = seed ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
      const report = await runIsolated(t, { runs: plan.get(t.name)!, seed: targetSeed, ...(values.path !== undefined ? { path: values.path } : {}), budgetMs, hangMs, heapMb });
      reports.set(t.name, report);
      const outcome = report.skipped ? `skipped: ${report.skipped}` : report.failure ? `${report.failure.kind.toUpperCase()}` : 'ok';
      process.stdout.write(`  ${t.name.padEnd(32)} ${report.runs.toLocaleString('en-US').padStart(9)} inputs  ${(report.durationMs / 1000).toFixed(1).padStart(6)} s  ${outcome}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, targets.length) }, worker));
  const ordered = targets.map((t) => reports.get(t.name)!);
  process.stdout.write(`\n${formatTable(ordered)}\n\nwall time ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const failures = formatFailures(ordered);
  if (failures !== '') {
    process.stdout.write(`\n${failures}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
