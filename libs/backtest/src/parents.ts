// The parent orders of execution algorithms as the engine drives them: the same `ParentOrder` of
// @meridian/exec-algos the execution service drives (services/execution/src/parents.ts), with the
// service's translations between the parent and the order path kept here, one job each: the spec
// from a request, a child's intent, a child's transition as the parent's update, the record.
import type { Decimal } from '@meridian/domain';
import { InvalidParentOrderError, ParentOrder } from '@meridian/exec-algos';
import type { AlgoAction, ChildOrder, ChildUpdate, MarketUpdate, ParentOrderSpec } from '@meridian/exec-algos';
import type { OrderTransition } from '@meridian/orders';
import { InvalidIntentError } from './errors';
import type { ParentRecord } from './result';
import type { IntentRequest, ParentRequest } from './strategy';

/** One parent order in a run. */
export class EngineParent {
  /** The touch the parent was last told (what the service reads from its snapshot to price a child's reference). */
  bid: Decimal | undefined;
  ask: Decimal | undefined;
  /** Children sent. */
  children = 0;
  /** The wake-up time the scheduler holds for it (a later `nextWakeNs` schedules anew; the old one then does nothing). */
  wakeNs: bigint | undefined;
  ended: { readonly outcome: 'finished' | 'failed'; readonly reason: string; readonly detail: string; readonly atNs: bigint } | undefined;

  constructor(
    /** Its place among the run's parents. */
    readonly seq: number,
    readonly strategy: string,
    readonly spec: ParentOrderSpec,
    readonly order: ParentOrder,
    readonly createdNs: bigint,
  ) {}

  get id(): string {
    return this.spec.id;
  }
}

/** Work for a parent, done in the order it arose (as the service's serial queue does it). */
export type ParentWork =
  | { readonly parent: EngineParent; readonly kind: 'market'; readonly update: MarketUpdate }
  | { readonly parent: EngineParent; readonly kind: 'child'; readonly update: ChildUpdate }
  | { readonly parent: EngineParent; readonly kind: 'timer' }
  | { readonly parent: EngineParent; readonly kind: 'cancel' };

/** The parent's actions for one piece of work at `nowNs`. */
export function perform(w: ParentWork, nowNs: bigint): readonly AlgoAction[] {
  const p = w.parent;
  switch (w.kind) {
    case 'market':
      if (w.update.bid !== undefined) p.bid = w.update.bid;
      if (w.update.ask !== undefined) p.ask = w.update.ask;
      return p.order.onMarket(w.update);
    case 'child':
      return p.order.onChildUpdate(w.update);
    case 'timer':
      return p.order.onTimer(nowNs);
    case 'cancel':
      return p.order.cancel(nowNs);
  }
}

/**
 * A strategy's request as a parent order, created as the service creates it (its id, the
 * instrument's grid, the start defaulting to now); a field exec-algos refuses is an
 * `InvalidIntentError` naming it (`parent.algo.slices`).
 */
export function createParent(strategy: string, id: string, r: ParentRequest, grid: { tickSize: Decimal; lotSize: Decimal }, nowNs: bigint): { spec: ParentOrderSpec; order: ParentOrder } {
  const spec: ParentOrderSpec = { ...r, id, startNs: r.startNs ?? nowNs, lotSize: grid.lotSize, tickSize: grid.tickSize };
  try {
    return { spec, order: ParentOrder.create(spec) };
  } catch (err) {
    if (err instanceof InvalidParentOrderError) throw new InvalidIntentError(strategy, `parent.${err.field}`, err.value, `is refused: ${err.message}`, { cause: err });
    throw err;
  }
}

/** A child as the intent the service publishes for it: its terms, and as reference its limit, else the touch it takes, else the parent's limit. */
export function childIntent(p: EngineParent, c: ChildOrder): IntentRequest {
  const reference = c.limitPrice ?? (c.side === 'BUY' ? p.ask : p.bid) ?? p.spec.limitPrice;
  return {
    symbol: c.symbol,
    side: c.side,
    type: c.type,
    quantity: c.quantity,
    ...(c.limitPrice !== undefined ? { limitPrice: c.limitPrice } : {}),
    timeInForce: c.timeInForce,
    ...(reference !== undefined ? { referencePrice: reference } : {}),
  };
}

/** A child's order transition as the parent's update (the service's `onChildTransition`); undefined for what the parent does not read. */
export function childUpdateOf(clientOrderId: string, t: OrderTransition): ChildUpdate | undefined {
  const e = t.event;
  switch (e.type) {
    case 'ack':
      return { clientOrderId, kind: 'ack', nowNs: e.tsNs };
    case 'fill':
      return { clientOrderId, kind: 'fill', fillQuantity: e.quantity, fillPrice: e.price, tradeId: e.tradeId, nowNs: e.tsNs };
    case 'cancel':
    case 'expire':
      return { clientOrderId, kind: 'cancel', reason: e.reason, nowNs: e.tsNs };
    case 'reject':
      return { clientOrderId, kind: 'reject', reason: e.reason, nowNs: e.tsNs };
    case 'amend':
      return undefined;
  }
}

export function parentRecord(p: EngineParent): ParentRecord {
  const s = p.order.snapshot();
  const outcome = s.outcome;
  return {
    id: p.id,
    strategy: p.strategy,
    algo: p.spec.algo.kind,
    symbol: p.spec.symbol,
    side: p.spec.side,
    quantity: p.spec.quantity.toString(),
    limitPrice: p.spec.limitPrice?.toString() ?? null,
    startNs: p.spec.startNs.toString(),
    endNs: p.spec.endNs?.toString() ?? null,
    createdNs: p.createdNs.toString(),
    // A parent is `done` exactly when it has an outcome.
    status: outcome !== undefined ? outcome.type : (s.status as Exclude<typeof s.status, 'done'>),
    reason: outcome?.reason ?? null,
    detail: outcome?.detail ?? null,
    filled: s.filled.toString(),
    averagePrice: s.averagePrice?.toString() ?? null,
    children: p.children,
    endedNs: p.ended?.atNs.toString() ?? null,
  };
}
