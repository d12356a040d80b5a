import { PoisonMessageError } from '@meridian/bus';
import type { Bus, DurableDeclaration } from '@meridian/bus';
import { Decimal } from '@meridian/domain';
import { RiskEquitySnapshot, RiskEvent, RiskPnl, riskEventTypeToJSON } from '@meridian/proto';
import type { RiskVarEstimate } from '@meridian/proto';
import type { Database } from '@meridian/store';

const nsToDate = (ns: bigint) => new Date(Number(ns / 1_000_000n));

/** A decimal string of a risk message, refused as poison when it is not one (it could never be stored). */
function money(what: string, field: string, value: string | undefined): string {
  try {
    return Decimal.parse(value ?? '').toString();
  } catch {
    throw new PoisonMessageError('invalid_message', `${what}: ${field} ${JSON.stringify(value ?? '')} is not a decimal`);
  }
}

/** Inserts one point of an equity curve; a point already recorded (same account and time) changes nothing. True if a row was written. */
export async function recordEquitySnapshot(db: Database, s: RiskEquitySnapshot, streamSeq: number): Promise<boolean> {
  const what = `equity snapshot ${s.account}@${s.tsNs}`;
  if (s.account === '' || s.tsNs <= 0n) throw new PoisonMessageError('invalid_message', `${what}: no account or time (stream sequence ${streamSeq})`);
  const pnl = s.pnl ?? RiskPnl.fromPartial({});
  const d = s.drawdown;
  const res = await db.pool.query(
    `INSERT INTO risk_equity_snapshots (account, ts_ns, ts, equity, realized_pnl, unrealized_pnl, fees, gross_exposure, net_exposure,
       peak_equity, drawdown, drawdown_fraction, max_drawdown, max_drawdown_duration_ms, limit_peak_equity, daily_pnl, mark_source,
       strategies, value_at_risk, stream_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::jsonb, $19::jsonb, $20)
     ON CONFLICT (account, ts_ns) DO NOTHING`,
    [
      s.account,
      s.tsNs.toString(),
      nsToDate(s.tsNs),
      money(what, 'equity', pnl.equity),
      money(what, 'realized_pnl', pnl.realizedPnl),
      money(what, 'unrealized_pnl', pnl.unrealizedPnl),
      money(what, 'fees', pnl.fees),
      money(what, 'gross_exposure', pnl.grossExposure),
      money(what, 'net_exposure', pnl.netExposure),
      money(what, 'peak_equity', d?.peakEquity),
      money(what, 'drawdown', d?.drawdown),
      money(what, 'drawdown_fraction', d?.drawdownFraction),
      money(what, 'max_drawdown', d?.maxDrawdown),
      (d?.maxDurationMs ?? 0n).toString(),
      money(what, 'limit_peak_equity', s.limitPeakEquity),
      money(what, 'daily_pnl', s.dailyPnl),
      s.markSource,
      // Every field spelled out (the wire's JSON form leaves zero values out).
      JSON.stringify(s.strategies.map((t) => ({ strategy: t.strategy, ...(t.pnl ?? RiskPnl.fromPartial({})) }))),
      JSON.stringify(s.valueAtRisk.map((v: RiskVarEstimate) => ({ ...v }))),
      streamSeq,
    ],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Inserts one risk event; an event id already recorded changes nothing. True if a row was written. */
export async function recordRiskEvent(db: Database, e: RiskEvent, kind: string, streamSeq: number): Promise<boolean> {
  if (e.eventId === '' || e.tsNs <= 0n) throw new PoisonMessageError('invalid_message', `risk event without an id or a time (stream sequence ${streamSeq})`);
  const res = await db.pool.query(
    `INSERT INTO risk_events (event_id, kind, type, account, symbol, cause, detail, actor, "values", ts, stream_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
     ON CONFLICT (event_id) DO NOTHING`,
    [e.eventId, kind, riskEventTypeToJSON(e.type).replace(/^RISK_EVENT_TYPE_/, ''), e.account, e.symbol, e.cause, e.detail, e.actor, JSON.stringify(e.values), nsToDate(e.tsNs), streamSeq],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Records risk's equity curve (`recorder-risk-equity`, risk.equity.*) and events
 * (`recorder-risk-events`, risk.event.*) from the RISK stream, each acked once its row is
 * committed. A message that can never be stored is terminated as poison (counted by the bus); a
 * database failure naks it for redelivery.
 */
export async function recordRiskHistory(
  bus: Bus,
  decls: { equity: DurableDeclaration; events: DurableDeclaration },
  db: Database,
  written: (table: 'risk_equity_snapshots' | 'risk_events', inserted: boolean) => void,
): Promise<void> {
  await bus.consume(decls.equity, RiskEquitySnapshot, async (s, delivery) => {
    written('risk_equity_snapshots', await recordEquitySnapshot(db, s, delivery.streamSequence));
  });
  await bus.consume(decls.events, RiskEvent, async (e, delivery) => {
    // The kind is the subject's last token: risk.event.<kind>.
    const kind = delivery.subject.slice(delivery.subject.lastIndexOf('.') + 1);
    written('risk_events', await recordRiskEvent(db, e, kind, delivery.streamSequence));
  });
}
