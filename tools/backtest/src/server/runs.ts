// The server's run loop: takes runs from the shared queue while it has free slots, runs
// backtests on worker threads of their own and studies through the research pool, writes their
// progress (which is also their heartbeat) and outcome, and follows cancels.
import { randomUUID } from 'node:crypto';
import { PgStudyStore, renderReport } from '@meridian/research';
import type { BacktestResult } from '@meridian/backtest';
import type { Database } from '@meridian/store';
import { withDeadline } from '@meridian/runtime';
import type { Logger } from '@meridian/runtime';
import { RunCancelledError } from '../errors';
import { jobTitle } from '../job';
import type { DatabaseSettings } from '../job';
import { backtestReportInput, studyReportInput } from '../report-input';
import { paramsText, runBacktestStudy } from '../study';
import { startJob } from './executor';
import type { RunningJob } from './executor';
import type { BacktestRequest, StudyRequest } from './requests';
import type { ClaimedRun, PgRunStore, RunInfo, RunKind, RunProgress } from './run-store';
import type { ServerMetrics } from './server-metrics';

export interface RunServiceOptions {
  /** Backtests run at once (one worker thread each). */
  readonly backtestSlots: number;
  /** Studies run at once (each with its own pool of `workers` threads). */
  readonly studySlots: number;
  /** Worker threads of a study that asks for none. */
  readonly studyWorkers: number;
  /** How often to look for runs queued by other servers and beat for ours. */
  readonly pollMs: number;
  /** Least time between two progress writes of one run. */
  readonly progressEveryMs: number;
}

interface Local {
  readonly id: string;
  readonly kind: RunKind;
  readonly startedAt: number;
  /** Stops it here (a cancel, a shutdown). */
  stop(): Promise<void>;
  stopped: boolean;
}

/** Longest a stopping server waits for its runs to wind down (a study finishes the trials it runs, and stores them). */
const WIND_DOWN_MS = 10_000;

export class RunService {
  readonly owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly local = new Map<string, Local>();
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private again = false;
  private closing = false;
  private readonly reports = new Map<string, string>();
  /** Each launched run's whole course, settled once its outcome is recorded. */
  private readonly courses = new Map<string, Promise<void>>();

  constructor(
    private readonly store: PgRunStore,
    private readonly db: Database,
    private readonly dbSettings: DatabaseSettings,
    private readonly metrics: ServerMetrics,
    private readonly logger: Logger,
    private readonly options: RunServiceOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.kick();
      void this.beat();
    }, this.options.pollMs);
    this.kick();
  }

  async submit(kind: RunKind, title: string, request: BacktestRequest | StudyRequest): Promise<RunInfo> {
    const run = await this.store.create({ id: randomUUID(), kind, title, request });
    this.logger.info({ id: run.id, kind, title }, 'run queued');
    this.kick();
    return run;
  }

  async cancel(id: string): Promise<RunInfo> {
    const info = await this.store.cancel(id);
    const local = this.local.get(id);
    if (local !== undefined && info.status === 'cancelled') await this.stopLocal(local, 'cancelled');
    return info;
  }

  /** Takes queued runs while slots are free; one pump at a time, re-run if kicked meanwhile. */
  kick(): void {
    if (this.closing) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err: unknown) => this.logger.error({ err }, 'cannot take runs from the queue'))
      .finally(() => {
        this.pumping = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private count(kind: RunKind): number {
    let n = 0;
    for (const l of this.local.values()) if (l.kind === kind) n++;
    return n;
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (this.closing) return;
      const kinds: RunKind[] = [];
      if (this.count('backtest') < this.options.backtestSlots) kinds.push('backtest');
      if (this.count('study') < this.options.studySlots) kinds.push('study');
      const claimed = await this.store.claim(this.owner, kinds);
      if (claimed === undefined) return;
      this.launch(claimed);
    }
  }

  private launch(run: ClaimedRun): void {
    this.logger.info({ id: run.id, kind: run.kind, attempt: run.attempts }, 'run started');
    this.metrics.running.inc({ kind: run.kind });
    const outcome = run.kind === 'backtest' ? this.runBacktest(run) : this.runStudy(run);
    const course = outcome
      .catch(async (err: unknown) => {
        const local = this.local.get(run.id);
        if (this.closing && local?.stopped) return 'released' as const;
        if (err instanceof RunCancelledError || local?.stopped) return 'cancelled' as const;
        const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        this.logger.warn({ id: run.id, err: message }, 'run failed');
        await this.store.fail(run.id, this.owner, message).catch((e: unknown) => this.logger.error({ err: e, id: run.id }, 'cannot record the failure'));
        return 'failed' as const;
      })
      .then((o) => {
        const local = this.local.get(run.id);
        this.local.delete(run.id);
        this.courses.delete(run.id);
        this.metrics.running.dec({ kind: run.kind });
        this.metrics.runsFinished.inc({ kind: run.kind, outcome: o });
        if (local && o !== 'released') this.metrics.runSeconds.observe({ kind: run.kind }, (performance.now() - local.startedAt) / 1000);
        this.kick();
      });
    this.courses.set(run.id, course);
  }

  /** A progress write no more often than progressEveryMs, one at a time (the outcome's write carries the final figures). */
  private progressWriter(id: string): (p: RunProgress) => void {
    let last = 0;
    let writing = false;
    return (p) => {
      const now = performance.now();
      if (writing || now - last < this.options.progressEveryMs) return;
      last = now;
      writing = true;
      this.store
        .progress(id, this.owner, p)
        .then((mine) => {
          const local = this.local.get(id);
          // Cancelled (here or through another server) or taken over: stop working on it.
          if (!mine && local !== undefined && !local.stopped) void this.stopLocal(local, 'no longer ours');
        })
        .catch((err: unknown) => this.logger.warn({ err, id }, 'cannot write progress'))
        .finally(() => {
          writing = false;
        });
    };
  }

  private async runBacktest(run: ClaimedRun): Promise<'done' | 'cancelled'> {
    const { job } = run.request as BacktestRequest;
    const t0 = performance.now();
    const write = this.progressWriter(run.id);
    let seen = 0;
    const running: RunningJob = startJob(run.id, job, {
      db: this.dbSettings,
      progressEveryMs: Math.min(250, this.options.progressEveryMs),
      onProgress: (events, total) => {
        this.metrics.events.inc(events - seen);
        seen = events;
        write({ events, ...(total !== undefined ? { eventsTotal: total, fraction: total > 0 ? events / total : 1 } : {}), elapsedMs: performance.now() - t0 });
      },
    });
    const local: Local = { id: run.id, kind: 'backtest', startedAt: t0, stopped: false, stop: () => running.cancel() };
    this.local.set(run.id, local);
    const { text, summary } = await running.result;
    const events = (summary.counts as { events: number }).events;
    const finished = await this.store.finish(run.id, this.owner, text, summary, { events, eventsTotal: events, fraction: 1, elapsedMs: performance.now() - t0 });
    this.logger.info({ id: run.id, events, seconds: (performance.now() - t0) / 1000, recorded: finished }, 'backtest done');
    return finished ? 'done' : 'cancelled';
  }

  private async runStudy(run: ClaimedRun): Promise<'done' | 'cancelled'> {
    const req = run.request as StudyRequest;
    const t0 = performance.now();
    const write = this.progressWriter(run.id);
    const controller = new AbortController();
    const rerun: { job?: RunningJob } = {};
    const local: Local = {
      id: run.id,
      kind: 'study',
      startedAt: t0,
      stopped: false,
      stop: async () => {
        controller.abort();
        await rerun.job?.cancel();
      },
    };
    this.local.set(run.id, local);
    const study = await runBacktestStudy({
      name: req.name,
      job: req.job,
      search: req.search,
      workers: req.workers ?? this.options.studyWorkers,
      db: this.db,
      dbSettings: this.dbSettings,
      signal: controller.signal,
      onProgress: (p) =>
        write({ trials: p.done, trialsTotal: p.total, fraction: p.total > 0 ? p.done / p.total : 0, elapsedMs: performance.now() - t0, best: p.best ? { number: p.best.number, score: p.best.score, params: p.best.params } : null }),
    });
    if (local.stopped || study.stopped) throw new RunCancelledError(run.id);
    if (study.best === undefined) throw new Error(`no trial of study ${req.name} completed (${study.failed} failed${study.trials[0]?.error ? `, e.g. ${study.trials[0].error}` : ''})`);
    // The best trial once more, on a thread, for the curve and trades of the report (the same figures: deterministic).
    rerun.job = startJob(run.id, req.job, { db: this.dbSettings, params: study.best.params });
    const { text } = await rerun.job.result;
    const summary = {
      study: req.name,
      metric: req.search.metric,
      direction: study.direction,
      trials: study.trials.length,
      resumed: study.resumed,
      ran: study.ran,
      completed: study.completed,
      failed: study.failed,
      best: { number: study.best.number, score: study.best.score, params: study.best.params, metrics: study.best.metrics },
    };
    const finished = await this.store.finish(run.id, this.owner, text, summary, { trials: study.trials.length, trialsTotal: study.trials.length, fraction: 1, elapsedMs: performance.now() - t0 });
    this.logger.info({ id: run.id, study: req.name, best: paramsText(study.best.params), score: study.best.score }, 'study done');
    return finished ? 'done' : 'cancelled';
  }

  private async stopLocal(local: Local, why: string): Promise<void> {
    if (local.stopped) return;
    local.stopped = true;
    this.logger.info({ id: local.id, why }, 'run stopped');
    await local.stop();
  }

  /** Keeps our runs' leases; stops those that are ours no more. */
  private async beat(): Promise<void> {
    const ids = [...this.local.keys()];
    try {
      const lost = await this.store.heartbeat(this.owner, ids);
      for (const id of lost) {
        const local = this.local.get(id);
        if (local) await this.stopLocal(local, 'cancelled or taken over');
      }
    } catch (err) {
      this.logger.warn({ err }, 'heartbeat failed');
    }
  }

  /** The run's report (rendered once per run and kept for the next request). */
  async report(info: RunInfo): Promise<string> {
    const cached = this.reports.get(info.id);
    if (cached !== undefined) return cached;
    const { request, result } = await this.store.payload(info.id);
    const parsed = JSON.parse(result!) as BacktestResult;
    let html: string;
    if (info.kind === 'backtest') {
      html = renderReport(backtestReportInput(parsed, info.title));
    } else {
      const req = request as StudyRequest;
      const stored = await new PgStudyStore(this.db).loadStudy(req.name);
      html = renderReport(studyReportInput(parsed, req.name, req.search.direction, stored?.trials ?? [], req.search.metric));
    }
    if (this.reports.size >= 16) this.reports.delete(this.reports.keys().next().value!);
    this.reports.set(info.id, html);
    return html;
  }

  /**
   * Stops taking runs; stops the ones running (a study finishes and stores the trials in flight)
   * and hands them back to the queue, where another server, or this one restarted, picks them up.
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await this.pumping;
    const running = [...this.local.values()];
    const courses = [...this.courses.values()];
    await Promise.all(running.map((l) => this.stopLocal(l, 'server stopping')));
    await withDeadline(Promise.all(courses), WIND_DOWN_MS, () => undefined);
    for (const l of running) {
      const released = await this.store.release(l.id, this.owner).catch(() => false);
      this.logger.info({ id: l.id, released }, 'run handed back to the queue');
    }
  }
}

export function titleOf(req: BacktestRequest | StudyRequest, kind: RunKind): string {
  if (kind === 'study') return `study ${(req as StudyRequest).name}: ${jobTitle(req.job)}`;
  return jobTitle(req.job);
}
