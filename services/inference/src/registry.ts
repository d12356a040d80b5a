import type { PoolClient } from 'pg';
import type { Database } from '@meridian/store';
import { InferenceError, ModelAlreadyRegisteredError, ModelNotRegisteredError, RegistryUnavailableError } from './errors';
import type { ExpectedModel, ModelDescriptor, TensorSpec } from './model-file';

/** One row of model_versions, with whether it is the active version of its name. */
export interface RegisteredModel extends ExpectedModel {
  readonly name: string;
  readonly version: string;
  readonly sizeBytes: number;
  readonly lookback: number;
  readonly horizon: number;
  readonly quantiles: readonly number[];
  readonly featureSpec: unknown;
  readonly targetScaling: unknown;
  readonly registeredBy: string;
  readonly registeredAt: Date;
  readonly activatedBy: string | undefined;
  readonly activatedAt: Date | undefined;
  readonly active: boolean;
}

export interface ActiveModel {
  readonly model: RegisteredModel;
  readonly revision: number;
}

/** Who did something to the registry: an admin principal, or a replica loading what is active. */
export interface Actor {
  readonly name: string;
  /** token, client-certificate, none (admin operations); '' for a replica's own loads. */
  readonly via: string;
}

export type AuditEvent = 'registered' | 'register_refused' | 'activated' | 'activate_refused' | 'loaded' | 'load_refused';

export interface AuditEntry {
  readonly event: AuditEvent;
  readonly name: string;
  readonly version: string;
  readonly previousVersion?: string | undefined;
  readonly actor: Actor;
  readonly errorCode?: string | undefined;
  readonly detail?: string;
}

interface Row {
  name: string;
  version: string;
  sha256: string;
  size_bytes: string;
  architecture: string;
  feature_spec_hash: string;
  feature_spec: unknown;
  target_scaling: unknown;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  lookback: number;
  horizon: number;
  quantiles: number[];
  registered_by: string;
  registered_at: Date;
  activated_by: string | null;
  activated_at: Date | null;
  active: boolean;
}

const SELECT = `SELECT v.*, (a.version IS NOT NULL) AS active FROM model_versions v LEFT JOIN model_active a ON a.name = v.name AND a.version = v.version`;

function fromRow(r: Row): RegisteredModel {
  return {
    name: r.name,
    version: r.version,
    sha256: r.sha256,
    sizeBytes: Number(r.size_bytes),
    kind: r.architecture,
    featureSpecHash: r.feature_spec_hash,
    featureSpec: r.feature_spec,
    targetScaling: r.target_scaling,
    inputs: r.inputs,
    outputs: r.outputs,
    lookback: r.lookback,
    horizon: r.horizon,
    quantiles: r.quantiles.map(Number),
    registeredBy: r.registered_by,
    registeredAt: r.registered_at,
    activatedBy: r.activated_by ?? undefined,
    activatedAt: r.activated_at ?? undefined,
    active: r.active,
  };
}

/**
 * The model registry in PostgreSQL (migration 005): versions as checked when registered, the
 * active version per name, and the audit of every registration, activation and load. Files are
 * not here: they stay in MODEL_DIR, and each load checks them against their row.
 */
export class ModelRegistry {
  constructor(
    private readonly db: Database,
    /** This replica in the audit. */
    readonly replica: string,
  ) {}

  /** Records a checked file; registering the same bytes again changes nothing (created: false). */
  async register(d: ModelDescriptor, actor: Actor): Promise<{ model: RegisteredModel; created: boolean }> {
    return guard('register', () => this.db.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`meridian-model:${d.name}`]);
      const existing = await this.row(c, d.name, d.version);
      if (existing) {
        if (existing.sha256 !== d.sha256) throw new ModelAlreadyRegisteredError(d.name, d.version, existing.sha256, d.sha256);
        return { model: existing, created: false };
      }
      await c.query(
        `INSERT INTO model_versions (name, version, sha256, size_bytes, architecture, feature_spec_hash, feature_spec, target_scaling, config, inputs, outputs, lookback, horizon, quantiles, registered_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          d.name,
          d.version,
          d.sha256,
          d.sizeBytes,
          d.kind,
          d.featureSpecHash,
          JSON.stringify(d.featureSpec),
          JSON.stringify(d.targetScaling),
          JSON.stringify(d.config),
          JSON.stringify(d.inputTensors),
          JSON.stringify(d.outputTensors),
          d.lookback,
          d.horizon,
          d.quantiles,
          actor.name,
        ],
      );
      await this.insertAudit(c, { event: 'registered', name: d.name, version: d.version, actor, detail: `sha256 ${d.sha256}, ${d.kind}, ${d.sizeBytes} bytes` });
      return { model: (await this.row(c, d.name, d.version))!, created: true };
    }));
  }

  async get(name: string, version: string): Promise<RegisteredModel> {
    return guard('read', async () => {
      const c = await this.db.pool.connect();
      try {
        const row = await this.row(c, name, version);
        if (!row) throw new ModelNotRegisteredError(name, version);
        return row;
      } finally {
        c.release();
      }
    });
  }

  async list(name?: string): Promise<RegisteredModel[]> {
    const r = await guard('list', () => this.db.pool.query<Row>(`${SELECT} ${name ? 'WHERE v.name = $1' : ''} ORDER BY v.name, v.registered_at, v.version`, name ? [name] : []));
    return r.rows.map(fromRow);
  }

  /** The active version of every name. */
  async activeSet(): Promise<ActiveModel[]> {
    const r = await guard('read of the active versions', () =>
      this.db.pool.query<Row & { revision: string }>(`SELECT v.*, true AS active, a.revision FROM model_active a JOIN model_versions v ON v.name = a.name AND v.version = a.version ORDER BY a.name`),
    );
    return r.rows.map((row) => ({ model: fromRow(row), revision: Number(row.revision) }));
  }

  /**
   * Makes `version` the active one of `name` and audits it, in one transaction. The caller has
   * loaded and checked the file first: this only records the decision.
   */
  async activate(name: string, version: string, actor: Actor, reason: string): Promise<{ model: RegisteredModel; previousVersion: string | undefined; revision: number }> {
    return guard('activation', () => this.db.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`meridian-model:${name}`]);
      if (!(await this.row(c, name, version))) throw new ModelNotRegisteredError(name, version);
      const prior = await c.query<{ version: string; revision: string }>('SELECT version, revision FROM model_active WHERE name = $1', [name]);
      const previousVersion = prior.rows[0]?.version;
      const revision = Number(prior.rows[0]?.revision ?? 0) + 1;
      await c.query(
        `INSERT INTO model_active (name, version, revision, activated_by, activated_at, reason) VALUES ($1, $2, $3, $4, now(), $5)
         ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, revision = EXCLUDED.revision, activated_by = EXCLUDED.activated_by, activated_at = EXCLUDED.activated_at, reason = EXCLUDED.reason`,
        [name, version, revision, actor.name, reason],
      );
      await c.query('UPDATE model_versions SET activated_by = $3, activated_at = now() WHERE name = $1 AND version = $2', [name, version, actor.name]);
      await this.insertAudit(c, { event: 'activated', name, version, previousVersion, actor, detail: reason });
      return { model: (await this.row(c, name, version))!, previousVersion, revision };
    }));
  }

  async audit(entry: AuditEntry): Promise<void> {
    await guard('audit', async () => {
      const c = await this.db.pool.connect();
      try {
        await this.insertAudit(c, entry);
      } finally {
        c.release();
      }
    });
  }

  private async insertAudit(c: PoolClient, e: AuditEntry): Promise<void> {
    await c.query(
      'INSERT INTO model_audit (event, name, version, previous_version, actor, via, replica, error_code, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [e.event, e.name, e.version, e.previousVersion ?? null, e.actor.name, e.actor.via, this.replica, e.errorCode ?? null, e.detail ?? ''],
    );
  }

  private async row(c: PoolClient, name: string, version: string): Promise<RegisteredModel | undefined> {
    const r = await c.query<Row>(`${SELECT} WHERE v.name = $1 AND v.version = $2`, [name, version]);
    return r.rows[0] ? fromRow(r.rows[0]) : undefined;
  }
}

/** Runs a registry statement; a database failure becomes RegistryUnavailableError, the registry's own errors pass. */
async function guard<T>(operation: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof InferenceError) throw err;
    throw new RegistryUnavailableError(operation, err);
  }
}
