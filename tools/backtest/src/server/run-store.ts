// The server's runs in PostgreSQL (table backtest_runs, migration 007): a queue shared by every
// server on the database. A server claims the oldest queued run with FOR UPDATE SKIP LOCKED,
// beats while it runs it, and only the owner may write its progress and outcome: a run taken over
// after its server went quiet cannot be finished twice.
import type { Database } from '@meridian/store';
import { RunNotFoundError } from '../errors';

export type RunKind = 'backtest' | 'study';
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'done', 'failed', 'cancelled'];

export interface RunProgress {
  readonly events?: number;
  readonly eventsTotal?: number;
  readonly trials?: number;
  readonly trialsTotal?: number;
  /** 0 to 1, when known. */
  readonly fraction?: number;
  readonly elapsedMs?: number;
  readonly best?: unknown;
}

/** A run as listed: everything but the request and the (large) result. */
export interface RunInfo {
  readonly id: string;
  readonly kind: RunKind;
  readonly status: RunStatus;
  readonly title: string;
  readonly progress: RunProgress;
  readonly summary: unknown;
  readonly error: string | null;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface ClaimedRun {
  readonly id: string;
  readonly kind: RunKind;
  readonly title: string;
  readonly request: unknown;
  readonly attempts: number;
}

interface Row {
  id: string;
  kind: RunKind;
  status: RunStatus;
  title: string;
  progress: RunProgress;
  summary: unknown;
  error: string | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const INFO = 'id, kind, status, title, progress, summary, error, attempts, created_at, started_at, finished_at';

function info(r: Row): RunInfo {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    title: r.title,
    progress: r.progress,
    summary: r.summary,
    error: r.error,
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export class PgRunStore {
  constructor(
    private readonly db: Database,
    /** A run whose owner has not beaten for this long is claimed again. */
    private readonly leaseMs = 30_000,
    /** Claims of one run before it is failed as abandoned. */
    private readonly maxAttempts = 3,
  ) {}

  async create(run: { id: string; kind: RunKind; title: string; request: unknown }): Promise<RunInfo> {
    const { rows } = await this.db.pool.query<Row>(
      `INSERT INTO backtest_runs (id, kind, status, title, request) VALUES ($1, $2, 'queued', $3, $4) RETURNING ${INFO}`,
      [run.id, run.kind, run.title, JSON.stringify(run.request)],
    );
    return info(rows[0]!);
  }

  /**
   * The oldest run of one of `kinds` that is queued, or running under an owner that stopped
   * beating, now owned by `owner`. Runs abandoned `maxAttempts` times are failed instead.
   */
  async claim(owner: string, kinds: readonly RunKind[]): Promise<ClaimedRun | undefined> {
    if (kinds.length === 0) return undefined;
    return this.db.transaction(async (c) => {
      await c.query(
        `UPDATE backtest_runs SET status = 'failed', finished_at = now(),
           error = 'abandoned: its server stopped ' || attempts || ' times while running it'
         WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1::double precision / 1000) AND attempts >= $2`,
        [this.leaseMs, this.maxAttempts],
      );
      const { rows } = await c.query<ClaimedRun & { request: unknown }>(
        `UPDATE backtest_runs SET status = 'running', owner = $1, heartbeat_at = now(), started_at = coalesce(started_at, now()), attempts = attempts + 1
         WHERE id = (
           SELECT id FROM backtest_runs
           WHERE kind = ANY($2::text[]) AND (status = 'queued' OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $3::double precision / 1000)))
           ORDER BY created_at, id
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, title, request, attempts`,
        [owner, [...kinds], this.leaseMs],
      );
      return rows[0];
    });
  }

  /** Progress and a heartbeat; false when the run is no longer this owner's (cancelled, taken over). */
  async progress(id: string, owner: string, progress: RunProgress): Promise<boolean> {
    const r = await this.db.pool.query(`UPDATE backtest_runs SET progress = $3, heartbeat_at = now() WHERE id = $1 AND owner = $2 AND status = 'running'`, [id, owner, JSON.stringify(progress)]);
    return r.rowCount === 1;
  }

  /** Beats for every run of `ids` this owner still runs; returns those it no longer does. */
  async heartbeat(owner: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.pool.query<{ id: string }>(
      `UPDATE backtest_runs SET heartbeat_at = now() WHERE owner = $1 AND status = 'running' AND id = ANY($2::text[]) RETURNING id`,
      [owner, [...ids]],
    );
    const alive = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !alive.has(id));
  }

  async finish(id: string, owner: string, result: string, summary: unknown, progress: RunProgress): Promise<boolean> {
    const r = await this.db.pool.query(
      `UPDATE backtest_runs SET status = 'done', result = $3, summary = $4, progress = $5, finished_at = now(), heartbeat_at = now() WHERE id = $1 AND owner = $2 AND status = 'running'`,
      [id, owner, result, JSON.stringify(summary), JSON.stringify(progress)],
    );
    return r.rowCount === 1;
  }

  async fail(id: string, owner: string, error: string): Promise<boolean> {
    const r = await this.db.pool.query(`UPDATE backtest_runs SET status = 'failed', error = $3, finished_at = now() WHERE id = $1 AND owner = $2 AND status = 'running'`, [id, owner, error]);
    return r.rowCount === 1;
  }

  /** Hands a run back to the queue (its server is stopping): another server, or this one restarted, runs it. */
  async release(id: string, owner: string): Promise<boolean> {
    const r = await this.db.pool.query(`UPDATE backtest_runs SET status = 'queued', heartbeat_at = NULL, attempts = greatest(attempts - 1, 0) WHERE id = $1 AND owner = $2 AND status = 'running'`, [id, owner]);
    return r.rowCount === 1;
  }

  /** Cancels a queued or running run; returns its state after (unchanged when it had ended). */
  async cancel(id: string): Promise<RunInfo> {
    const { rows } = await this.db.pool.query<Row>(
      `UPDATE backtest_runs SET status = CASE WHEN status IN ('queued', 'running') THEN 'cancelled' ELSE status END,
         finished_at = CASE WHEN status IN ('queued', 'running') THEN now() ELSE finished_at END
       WHERE id = $1 RETURNING ${INFO}`,
      [id],
    );
    if (rows.length === 0) throw new RunNotFoundError(id);
    return info(rows[0]!);
  }

  async get(id: string): Promise<RunInfo> {
    const { rows } = await this.db.pool.query<Row>(`SELECT ${INFO} FROM backtest_runs WHERE id = $1`, [id]);
    if (rows.length === 0) throw new RunNotFoundError(id);
    return info(rows[0]!);
  }

  /** The run's request and result text (null until done). */
  async payload(id: string): Promise<{ request: unknown; result: string | null }> {
    const { rows } = await this.db.pool.query<{ request: unknown; result: string | null }>('SELECT request, result FROM backtest_runs WHERE id = $1', [id]);
    if (rows.length === 0) throw new RunNotFoundError(id);
    return rows[0]!;
  }

  async list(q: { limit: number; status?: RunStatus; kind?: RunKind }): Promise<RunInfo[]> {
    const { rows } = await this.db.pool.query<Row>(
      `SELECT ${INFO} FROM backtest_runs WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2) ORDER BY created_at DESC, id DESC LIMIT $3`,
      [q.status ?? null, q.kind ?? null, q.limit],
    );
    return rows.map(info);
  }

  /** Queued runs, by kind (a gauge read at scrape time). */
  async queued(): Promise<Record<RunKind, number>> {
    const { rows } = await this.db.pool.query<{ kind: RunKind; n: number }>(`SELECT kind, count(*)::int AS n FROM backtest_runs WHERE status = 'queued' GROUP BY kind`);
    const out: Record<RunKind, number> = { backtest: 0, study: 0 };
    for (const r of rows) out[r.kind] = r.n;
    return out;
  }
}
