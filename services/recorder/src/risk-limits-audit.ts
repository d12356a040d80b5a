import { PoisonMessageError } from '@meridian/bus';
import type { Bus, DurableDeclaration } from '@meridian/bus';
import { RiskLimitsChange } from '@meridian/proto';
import type { Database } from '@meridian/store';

/** One row of `risk_limit_changes`. */
export interface RiskLimitChangeRow {
  revision: bigint;
  previousRevision: bigint;
  actor: string;
  reason: string;
  /** JSON text of the limits document now in force, and of the one it replaced. */
  limits: string;
  previous: string;
  changedAt: Date;
  streamSeq: number;
}

/** Inserts one change; a revision already recorded (a redelivery) changes nothing. True if a row was written. */
export async function recordRiskLimitChange(db: Database, row: RiskLimitChangeRow): Promise<boolean> {
  const res = await db.pool.query(
    `INSERT INTO risk_limit_changes (revision, previous_revision, actor, reason, limits, previous, changed_at, stream_seq)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)
     ON CONFLICT (revision) DO NOTHING`,
    [row.revision.toString(), row.previousRevision.toString(), row.actor, row.reason, row.limits, row.previous, row.changedAt, row.streamSeq],
  );
  return (res.rowCount ?? 0) > 0;
}

const isJsonObject = (text: string): boolean => {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};

/**
 * Records every limits change of `ctl.config.risk` (the `recorder-risk-limits` durable on CONTROL,
 * explicit acks) into `risk_limit_changes`, acked once the row is committed. A change without a
 * revision, or whose documents are not JSON objects, can never be stored: it is terminated as
 * poison (counted by the bus). A database failure naks it for redelivery.
 */
export async function recordRiskLimitChanges(
  bus: Bus,
  decl: DurableDeclaration,
  db: Database,
  written: (inserted: boolean) => void,
): Promise<void> {
  await bus.consume(decl, RiskLimitsChange, async (c, delivery) => {
    if (c.revision <= 0n) throw new PoisonMessageError('invalid_message', `risk limits change without a revision (stream sequence ${delivery.streamSequence})`);
    for (const [name, text] of [['limits_json', c.limitsJson], ['previous_json', c.previousJson]] as const) {
      if (!isJsonObject(text)) throw new PoisonMessageError('invalid_message', `risk limits change ${c.revision}: ${name} is not a JSON object`);
    }
    const inserted = await recordRiskLimitChange(db, {
      revision: c.revision,
      previousRevision: c.previousRevision,
      actor: c.actor,
      reason: c.reason,
      limits: c.limitsJson,
      previous: c.previousJson,
      changedAt: new Date(Number(c.tsNs / 1_000_000n)),
      streamSeq: delivery.streamSequence,
    });
    written(inserted);
  });
}
