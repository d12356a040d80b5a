import { Client } from 'pg';
import { Decimal } from '@meridian/domain';
import { ExecutionKind } from '@meridian/proto';
import type { Position } from '@meridian/proto';
import { waitFor } from '@meridian/testkit';
import { invariant, riskPositions } from './invariants';
import type { Invariant } from './invariants';
import type { PlatformRun, StreamHistory } from './platform-run';

/** An order as the venue itself keeps it (the venue server's exchange, not the platform's bus). */
export interface VenueOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly filledQuantity: Decimal;
  readonly status: string;
}

/** A fill as the venue made it. */
export interface VenueFill {
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee: Decimal;
}

/** The venue's truth, read once after the platform came to rest. */
export interface VenueTruth {
  readonly orders: readonly VenueOrder[];
  readonly fills: readonly VenueFill[];
}

/** A fill row of the recorder's `executions` table. */
export interface RecordedFillRow {
  readonly executionId: string;
  readonly clientOrderId: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
}

/** Signed quantity, fees and fill count per symbol. */
export type PositionTotals = Map<string, { quantity: Decimal; fees: Decimal; count: number }>;

export function venuePositions(fills: readonly VenueFill[]): PositionTotals {
  const out: PositionTotals = new Map();
  for (const f of fills) {
    const acc = out.get(f.symbol) ?? { quantity: Decimal.ZERO, fees: Decimal.ZERO, count: 0 };
    out.set(f.symbol, { quantity: f.side === 'BUY' ? acc.quantity.add(f.quantity) : acc.quantity.sub(f.quantity), fees: acc.fees.add(f.fee), count: acc.count + 1 });
  }
  return out;
}

/** Differences between risk's positions and the venue's fills, as sentences. */
export function positionDifferences(venue: PositionTotals, positions: readonly Position[]): string[] {
  const problems: string[] = [];
  for (const symbol of new Set([...venue.keys(), ...positions.map((p) => p.symbol)])) {
    const v = venue.get(symbol) ?? { quantity: Decimal.ZERO, fees: Decimal.ZERO, count: 0 };
    const p = positions.find((x) => x.symbol === symbol);
    const q = p ? Decimal.parse(p.quantity) : Decimal.ZERO;
    const fees = p ? Decimal.parse(p.fees) : Decimal.ZERO;
    if (!q.eq(v.quantity) || !fees.eq(v.fees) || (p?.fillCount ?? 0) !== v.count) {
      problems.push(`${symbol}: risk ${q} (fees ${fees}, ${p?.fillCount ?? 0} fills) vs the venue's ${v.quantity} (fees ${v.fees}, ${v.count} fills)`);
    }
  }
  return problems;
}

/**
 * The platform against the venue's own records: what the bus says happened must be what the venue
 * did, order by order and fill by fill, and PostgreSQL must hold the same. `inDoubt` is execution's
 * `meridian_execution_orders_in_doubt` read after the platform came to rest (undefined: unreadable).
 */
export function venueInvariants(h: StreamHistory, venue: VenueTruth, recorded: readonly RecordedFillRow[], inDoubt: number | undefined): Invariant[] {
  const out: Invariant[] = [];
  const reportsOf = new Map<string, { acks: number; rejects: number; filled: Decimal }>();
  for (const r of h.reports) {
    const acc = reportsOf.get(r.clientOrderId) ?? { acks: 0, rejects: 0, filled: Decimal.ZERO };
    if (r.kind === ExecutionKind.EXECUTION_KIND_ACK) acc.acks += 1;
    if (r.kind === ExecutionKind.EXECUTION_KIND_REJECT) acc.rejects += 1;
    if (r.kind === ExecutionKind.EXECUTION_KIND_FILL) acc.filled = acc.filled.add(r.fillQuantity);
    reportsOf.set(r.clientOrderId, acc);
  }
  // Exactly once at the venue, by client order id: an acknowledged order once, a refused one never
  // (a refusal the venue did place is an outcome guessed instead of reconciled), nothing unapproved.
  {
    const problems: string[] = [];
    const atVenue = new Map<string, VenueOrder[]>();
    for (const o of venue.orders) atVenue.set(o.clientOrderId, [...(atVenue.get(o.clientOrderId) ?? []), o]);
    for (const [id, orders] of atVenue) {
      if (!h.approved.has(id)) problems.push(`${id} at the venue without an approval`);
      if (orders.length > 1) problems.push(`${id} placed ${orders.length} times at the venue`);
    }
    let acked = 0;
    let refused = 0;
    for (const id of h.approved.keys()) {
      const r = reportsOf.get(id) ?? { acks: 0, rejects: 0, filled: Decimal.ZERO };
      const n = atVenue.get(id)?.length ?? 0;
      if (r.acks > 0) {
        acked += 1;
        if (n !== 1) problems.push(`${id} acknowledged on the bus, ${n} orders at the venue`);
      } else if (r.rejects > 0) {
        refused += 1;
        if (n !== 0) problems.push(`${id} reported refused, but the venue has it (${atVenue.get(id)![0]!.status}, ${atVenue.get(id)![0]!.filledQuantity} filled)`);
      } else problems.push(`${id} approved and never answered (${n} at the venue)`);
      const order = atVenue.get(id)?.[0];
      if (order && !order.filledQuantity.eq(r.filled)) problems.push(`${id} filled ${order.filledQuantity} at the venue, ${r.filled} on the bus`);
    }
    out.push(invariant('every approved order at the venue exactly once (its own order list)', problems, `${venue.orders.length} orders at the venue: ${acked} acknowledged once each, ${refused} refused and absent`));
  }
  // Every venue fill on the bus once, as the venue made it, and nothing else.
  const busFills = h.reports.filter((r) => r.kind === ExecutionKind.EXECUTION_KIND_FILL);
  const key = (cid: string, tradeId: string) => `${cid}/${tradeId}`;
  {
    const problems: string[] = [];
    const onBus = new Map<string, typeof busFills>();
    for (const r of busFills) onBus.set(key(r.clientOrderId, r.tradeId), [...(onBus.get(key(r.clientOrderId, r.tradeId)) ?? []), r]);
    const venueKeys = new Set<string>();
    for (const f of venue.fills) {
      const k = key(f.clientOrderId, f.tradeId);
      venueKeys.add(k);
      const reports = onBus.get(k) ?? [];
      if (reports.length !== 1) {
        problems.push(`venue trade ${f.tradeId} of ${f.clientOrderId} on the bus ${reports.length} times`);
        continue;
      }
      const r = reports[0]!;
      if (!f.quantity.eq(r.fillQuantity) || !f.price.eq(r.fillPrice) || !f.fee.eq(r.fee)) {
        problems.push(`venue trade ${f.tradeId}: ${f.quantity} @ ${f.price} fee ${f.fee} at the venue, ${r.fillQuantity} @ ${r.fillPrice} fee ${r.fee} on the bus`);
      }
    }
    for (const k of onBus.keys()) if (!venueKeys.has(k)) problems.push(`fill ${k} on the bus, never made by the venue`);
    out.push(invariant('every venue fill on the bus exactly once', problems, `${venue.fills.length} venue fills, ${busFills.length} fill reports`));
  }
  // And in PostgreSQL: the recorder's rows are the bus's reports (its key is the report's execution id).
  {
    const problems: string[] = [];
    const rows = new Map(recorded.map((r) => [r.executionId, r]));
    const busByKey = new Map(busFills.map((r) => [key(r.clientOrderId, r.tradeId), r]));
    for (const f of venue.fills) {
      const report = busByKey.get(key(f.clientOrderId, f.tradeId));
      const row = report ? rows.get(report.executionId) : undefined;
      if (!row) {
        problems.push(`venue trade ${f.tradeId} of ${f.clientOrderId} not in PostgreSQL`);
        continue;
      }
      if (!f.quantity.eq(row.quantity) || !f.price.eq(row.price) || !f.fee.eq(row.fee)) {
        problems.push(`venue trade ${f.tradeId}: ${f.quantity} @ ${f.price} fee ${f.fee} at the venue, ${row.quantity} @ ${row.price} fee ${row.fee} in PostgreSQL`);
      }
    }
    if (recorded.length !== venue.fills.length) problems.push(`${recorded.length} fill rows in PostgreSQL for ${venue.fills.length} venue fills`);
    out.push(invariant('every venue fill in PostgreSQL exactly once', problems, `${recorded.length} fill rows`));
  }
  out.push(
    invariant(
      'no order left in doubt',
      inDoubt === 0 ? [] : [inDoubt === undefined ? "execution's meridian_execution_orders_in_doubt could not be read" : `execution still has ${inDoubt} orders in doubt`],
      'meridian_execution_orders_in_doubt reads 0',
    ),
  );
  return out;
}

/** The recorder's fill rows. */
async function recordedFills(run: PlatformRun): Promise<RecordedFillRow[]> {
  const db = new Client({ connectionString: run.env.databaseUrl, options: `-c search_path=${run.env.schema}` });
  await db.connect();
  try {
    const r = await db.query<{ execution_id: string; client_order_id: string; fill_quantity: string; fill_price: string; fee: string }>(
      "SELECT execution_id, client_order_id, fill_quantity::text, fill_price::text, fee::text FROM executions WHERE kind = 'FILL'",
    );
    return r.rows.map((x) => ({ executionId: x.execution_id, clientOrderId: x.client_order_id, quantity: x.fill_quantity, price: x.fill_price, fee: x.fee }));
  } finally {
    await db.end();
  }
}

/**
 * Reads the venue's truth, the recorder's rows and risk's positions after the platform came to
 * rest and checks them against each other and the bus. Risk and the recorder follow the fills,
 * so each gets up to 30 s to converge (as in the platform's own invariants).
 */
export async function checkVenueInvariants(run: PlatformRun, venue: VenueTruth, inDoubt: number | undefined): Promise<Invariant[]> {
  let rows = await recordedFills(run);
  try {
    await waitFor('the recorder to hold every venue fill', async () => (rows = await recordedFills(run)).length >= venue.fills.length, 30_000, 250);
  } catch {
    // The invariant below reports the rows it found.
  }
  const out = venueInvariants(run.history, venue, rows, inDoubt);
  const totals = venuePositions(venue.fills);
  let problems = positionDifferences(totals, await riskPositions(run));
  try {
    await waitFor("risk to equal the venue's positions", async () => (problems = positionDifferences(totals, await riskPositions(run))).length === 0, 30_000, 250);
  } catch {
    // problems holds the last differences.
  }
  out.push(invariant("risk's positions equal the venue's", problems, [...totals].map(([s, v]) => `${s} ${v.quantity} (${v.count} fills)`).join(', ') || 'no fills'));
  return out;
}
