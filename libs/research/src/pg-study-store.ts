import type { Database } from '@meridian/store';
import { ResearchError, StudyBusyError } from './errors';
import type { SamplerSpec } from './samplers/sampler';
import type { SpaceSpec } from './space';
import type { StoredStudy, StudyDefinition, StudyStore } from './study-store';
import { checkSameStudy } from './study-store';
import type { Direction, TrialRecord } from './trial';

interface StudyRow {
  name: string;
  direction: Direction;
  space: SpaceSpec;
  sampler: SamplerSpec;
  objective: string;
  seed: string;
  n_trials: number;
}

interface TrialRow {
  number: number;
  state: 'complete' | 'failed';
  params: TrialRecord['params'];
  score: number | null;
  metrics: Record<string, number>;
  error: string | null;
  started_at: Date;
  duration_ms: number;
}

function toDefinition(row: StudyRow): StudyDefinition {
  return { name: row.name, direction: row.direction, space: row.space, sampler: row.sampler, objective: row.objective, seed: Number(row.seed), nTrials: row.n_trials };
}

function toTrial(row: TrialRow): TrialRecord {
  const t: TrialRecord = { number: row.number, state: row.state, params: row.params, metrics: row.metrics, startedAtMs: row.started_at.getTime(), durationMs: row.duration_ms };
  if (row.score !== null) t.score = row.score;
  if (row.error !== null) t.error = row.error;
  return t;
}

const TRIAL_COLUMNS = 'number, state, params, score, metrics, error, started_at, duration_ms';

/**
 * Studies in PostgreSQL (tables research_studies and research_trials, migration 006). Needs
 * `migrate(db)` to have run. Each finished trial is one insert, so a study stopped at any point
 * loses only the trials that were running.
 */
export class PgStudyStore implements StudyStore {
  constructor(private readonly db: Database) {}

  async openStudy(definition: StudyDefinition): Promise<TrialRecord[]> {
    return this.db.transaction(async (client) => {
      await client.query(
        `INSERT INTO research_studies (name, direction, space, sampler, objective, seed, n_trials)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
        [definition.name, definition.direction, JSON.stringify(definition.space), JSON.stringify(definition.sampler), definition.objective, definition.seed, definition.nTrials],
      );
      const { rows } = await client.query<StudyRow>('SELECT * FROM research_studies WHERE name = $1 FOR UPDATE', [definition.name]);
      checkSameStudy(toDefinition(rows[0]!), definition);
      await client.query('UPDATE research_studies SET n_trials = $2, updated_at = now() WHERE name = $1', [definition.name, definition.nTrials]);
      const trials = await client.query<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM research_trials WHERE study = $1 ORDER BY number`, [definition.name]);
      return trials.rows.map(toTrial);
    });
  }

  async recordTrial(study: string, trial: TrialRecord): Promise<void> {
    await this.db.transaction(async (client) => {
      // Not waiting for the WAL flush (a third of the cost here): a trial lost to a crash in that
      // instant is missing below the budget and simply re-run on resume, like one in flight.
      await client.query('SET LOCAL synchronous_commit TO OFF');
      // DO NOTHING: a trial is written once; a second writer of the same number is a resumed run
      // that raced this one, and the first result stands.
      await client.query(
        `INSERT INTO research_trials (study, number, state, params, score, metrics, error, started_at, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8::double precision / 1000), $9) ON CONFLICT (study, number) DO NOTHING`,
        [study, trial.number, trial.state, JSON.stringify(trial.params), trial.score ?? null, JSON.stringify(trial.metrics), trial.error ?? null, trial.startedAtMs, trial.durationMs],
      );
    });
  }

  async acquire(study: string): Promise<() => Promise<void>> {
    // A session-level advisory lock lives as long as this connection, so a crashed run frees it.
    const client = await this.db.pool.connect();
    const key = `meridian-research:${this.db.schema}:${study}`;
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
      if (!rows[0]?.ok) throw new StudyBusyError(study);
    } catch (err) {
      client.release();
      throw err;
    }
    return async () => {
      try {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
        client.release();
      } catch (err) {
        // Dropping the connection frees the lock too.
        client.release(err as Error);
        throw new ResearchError('RESEARCH_UNLOCK_FAILED', `could not release the lock of study ${JSON.stringify(study)}: ${(err as Error).message}`, { cause: err });
      }
    };
  }

  async loadStudy(name: string): Promise<StoredStudy | undefined> {
    const { rows } = await this.db.pool.query<StudyRow>('SELECT * FROM research_studies WHERE name = $1', [name]);
    if (rows.length === 0) return undefined;
    const trials = await this.db.pool.query<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM research_trials WHERE study = $1 ORDER BY number`, [name]);
    return { definition: toDefinition(rows[0]!), trials: trials.rows.map(toTrial) };
  }

  /** Names of the stored studies, newest first. */
  async listStudies(): Promise<string[]> {
    const { rows } = await this.db.pool.query<{ name: string }>('SELECT name FROM research_studies ORDER BY created_at DESC, name');
    return rows.map((r) => r.name);
  }
}
