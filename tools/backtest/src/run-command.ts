import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { BacktestResult } from '@meridian/backtest';
import { renderReport } from '@meridian/research';
import { databaseSettings, jobFromArgs, JOB_HELP } from './cli-request';
import type { JobValues } from './cli-request';
import { executeJob, jobTitle, openJobDatabase } from './job';
import type { Job } from './job';
import { openReport } from './open-report';
import { formatRate, progressLine, StatusLine } from './progress';
import { backtestReportInput, metricsTable } from './report-input';

export const RUN_OPTIONS = { open: { type: 'boolean' } } as const;

export const RUN_HELP = `run: one backtest; prints its figures, writes result.json and report.html
  meridian-backtest run --config <file.json> [--data <files…> | --pg-symbols A,B --from … --to …]
                        [--strategy momentum|model] [--param name=value…] [--seed n] [--out dir] [--open]
${JOB_HELP}  --out <dir>                where to write (default <tmp>/meridian-backtest/run-<time>)
  --open                     open the report in a browser ($BROWSER or xdg-open; the path otherwise)
  --quiet                    no progress bar
`;

export function stamp(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export function outDir(given: string | undefined, prefix: string): string {
  if (given !== undefined) return isAbsolute(given) ? given : resolve(given);
  return join(tmpdir(), 'meridian-backtest', `${prefix}-${stamp()}`);
}

export interface RunOutcome {
  readonly result: BacktestResult;
  readonly outDir: string;
  readonly wallMs: number;
}

/** Runs one job with a progress line; writes result.json and report.html into `dir`. */
export async function runJobToDir(job: Job, dir: string, status: StatusLine): Promise<RunOutcome> {
  const db = await openJobDatabase(job, databaseSettings());
  const t0 = performance.now();
  let result: BacktestResult;
  try {
    result = await executeJob(job, {
      ...(db ? { db } : {}),
      onProgress: (events, total) => status.update(progressLine({ events, total, elapsedMs: performance.now() - t0 })),
    });
  } finally {
    status.clear();
    await db?.close();
  }
  const wallMs = performance.now() - t0;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(dir, 'report.html'), renderReport(backtestReportInput(result, jobTitle(job))));
  return { result, outDir: dir, wallMs };
}

export function speedLine(events: number, wallMs: number): string {
  return `${events.toLocaleString('en-US')} events in ${(wallMs / 1000).toFixed(2)} s wall time: ${formatRate((events / wallMs) * 1000)} events/s`;
}

export async function runCommand(v: JobValues & { out?: string; open?: boolean; quiet?: boolean }, positionals: readonly string[], out: (s: string) => void, status: StatusLine): Promise<RunOutcome> {
  const job = await jobFromArgs(v, positionals);
  const outcome = await runJobToDir(job, outDir(v.out, 'run'), status);
  const r = outcome.result;
  out(`${jobTitle(job)}\n\n${metricsTable(r)}\n\n${speedLine(r.counts.events, outcome.wallMs)}\nresult  ${join(outcome.outDir, 'result.json')}\nreport  ${join(outcome.outDir, 'report.html')}\n`);
  if (v.open) openReport(join(outcome.outDir, 'report.html'), (line) => out(`${line}\n`));
  return outcome;
}
