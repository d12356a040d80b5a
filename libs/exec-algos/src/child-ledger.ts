import { Decimal } from '@meridian/domain';
import { ChildUpdateConflictError, InvalidAlgoInputError, UnknownChildOrderError } from './errors';
import { exactLots } from './lots';
import type { ChildOrder, ChildSnapshot, ChildState, ChildUpdate } from './types';

/** A child as the parent tracks it. */
export interface ChildRecord {
  readonly order: ChildOrder;
  readonly lots: bigint;
  filledLots: bigint;
  filledNotional: Decimal;
  state: ChildState;
  cancelPending: boolean;
  endedAs: 'filled' | 'cancelled' | 'rejected' | undefined;
  reason: string | undefined;
}

const UPDATE_KINDS = new Set(['ack', 'fill', 'cancel', 'reject']);

/**
 * The children of one parent and the fold of their execution reports: the parent's filled
 * quantity and notional are running totals of the fills, so they are exact and equal to what
 * replaying the same reports gives.
 */
export class ChildLedger {
  private readonly list: ChildRecord[] = [];
  private readonly byId = new Map<string, ChildRecord>();
  private readonly tradeIds = new Set<string>();
  private filledLotsTotal = 0n;
  private notionalTotal = Decimal.ZERO;

  constructor(
    private readonly parentId: string,
    private readonly lotSize: Decimal,
  ) {}

  get filledLots(): bigint {
    return this.filledLotsTotal;
  }

  get filledNotional(): Decimal {
    return this.notionalTotal;
  }

  get count(): number {
    return this.list.length;
  }

  add(order: ChildOrder, lots: bigint): ChildRecord {
    const record: ChildRecord = {
      order,
      lots,
      filledLots: 0n,
      filledNotional: Decimal.ZERO,
      state: 'pending',
      cancelPending: false,
      endedAs: undefined,
      reason: undefined,
    };
    this.list.push(record);
    this.byId.set(order.clientOrderId, record);
    return record;
  }

  /** Children not yet filled, cancelled or rejected, in submission order. */
  live(): ChildRecord[] {
    return this.list.filter((c) => c.state !== 'done');
  }

  /** What live children can still fill, in lots. */
  workingLots(): bigint {
    let lots = 0n;
    for (const c of this.list) if (c.state !== 'done') lots += c.lots - c.filledLots;
    return lots;
  }

  last(): ChildRecord | undefined {
    return this.list[this.list.length - 1];
  }

  /** Rejected children at the end of the submission order, counted back to the last one that was not. */
  trailingRejects(): number {
    let n = 0;
    for (let i = this.list.length - 1; i >= 0 && this.list[i]!.endedAs === 'rejected'; i--) n++;
    return n;
  }

  /** Records that the parent asked for the cancel of a live child (a done child needs none). */
  markCancelPending(clientOrderId: string): void {
    const child = this.byId.get(clientOrderId);
    if (child === undefined) throw new UnknownChildOrderError(this.parentId, String(clientOrderId));
    if (child.state !== 'done') child.cancelPending = true;
  }

  /** Applies one execution report; throws on a report that contradicts the child's state. */
  apply(update: ChildUpdate): void {
    if (update === null || typeof update !== 'object') throw new InvalidAlgoInputError('update', update, 'must be a child update object');
    if (typeof update.nowNs !== 'bigint') throw new InvalidAlgoInputError('update.nowNs', update.nowNs, 'must be a bigint');
    if (!UPDATE_KINDS.has(update.kind)) throw new InvalidAlgoInputError('update.kind', update.kind, "must be 'ack', 'fill', 'cancel' or 'reject'");
    const child = this.byId.get(update.clientOrderId);
    if (child === undefined) throw new UnknownChildOrderError(this.parentId, String(update.clientOrderId));
    switch (update.kind) {
      case 'ack':
        if (child.state === 'pending') child.state = 'working';
        return;
      case 'fill':
        this.fill(child, update);
        return;
      case 'cancel':
        // A repeated cancel, or the cancel of what already ended, changes nothing.
        if (child.state !== 'done') this.end(child, 'cancelled', update.reason);
        return;
      case 'reject':
        if (child.state === 'done') return;
        if (child.filledLots > 0n) {
          throw new ChildUpdateConflictError(child.order.clientOrderId, `rejected after ${this.lotSize.mul(child.filledLots)} of it filled`);
        }
        this.end(child, 'rejected', update.reason);
        return;
    }
  }

  private fill(child: ChildRecord, update: ChildUpdate): void {
    const id = child.order.clientOrderId;
    if (update.tradeId !== undefined && this.tradeIds.has(update.tradeId)) return;
    const quantity = update.fillQuantity;
    const price = update.fillPrice;
    if (!(quantity instanceof Decimal) || !quantity.isPositive()) throw new InvalidAlgoInputError('update.fillQuantity', quantity, 'must be a positive Decimal');
    if (!(price instanceof Decimal) || !price.isPositive()) throw new InvalidAlgoInputError('update.fillPrice', price, 'must be a positive Decimal');
    const lots = exactLots(quantity, this.lotSize);
    if (lots === undefined) throw new InvalidAlgoInputError('update.fillQuantity', quantity, `must be a whole number of lots (lot size ${this.lotSize})`);
    if (child.state === 'done') throw new ChildUpdateConflictError(id, `fill of ${quantity} after it ended (${child.endedAs})`);
    if (child.filledLots + lots > child.lots) {
      throw new ChildUpdateConflictError(id, `fill of ${quantity} takes it to ${this.lotSize.mul(child.filledLots + lots)}, beyond its quantity ${child.order.quantity}`);
    }
    const limit = child.order.limitPrice;
    if (limit !== undefined && (child.order.side === 'BUY' ? price.gt(limit) : price.lt(limit))) {
      throw new ChildUpdateConflictError(id, `fill price ${price} is through its limit price ${limit}`);
    }
    if (update.tradeId !== undefined) this.tradeIds.add(update.tradeId);
    const notional = price.mul(quantity);
    child.filledLots += lots;
    child.filledNotional = child.filledNotional.add(notional);
    this.filledLotsTotal += lots;
    this.notionalTotal = this.notionalTotal.add(notional);
    if (child.state === 'pending') child.state = 'working';
    if (child.filledLots === child.lots) this.end(child, 'filled', undefined);
  }

  private end(child: ChildRecord, as: 'filled' | 'cancelled' | 'rejected', reason: string | undefined): void {
    child.state = 'done';
    child.endedAs = as;
    child.reason = reason;
    child.cancelPending = false;
  }

  snapshot(): ChildSnapshot[] {
    return this.list.map((c) => ({
      order: c.order,
      state: c.state,
      filled: this.lotSize.mul(c.filledLots),
      filledNotional: c.filledNotional,
      cancelPending: c.cancelPending,
      endedAs: c.endedAs,
      reason: c.reason,
    }));
  }
}
