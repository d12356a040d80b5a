import { Decimal } from '@meridian/domain';
import { ParentOrder } from '../src';
import type { AlgoAction, AlgoParams, ChildOrder, ChildUpdate, MarketUpdate, ParentOrderSpec } from '../src';

export const d = (v: string | number | bigint): Decimal => Decimal.from(v);

export function spec(algo: AlgoParams, over: Partial<ParentOrderSpec> = {}): ParentOrderSpec {
  return {
    id: 'P',
    symbol: 'BTC-USDT',
    side: 'BUY',
    quantity: d(10),
    startNs: 1000n,
    endNs: 1400n,
    lotSize: d(1),
    tickSize: d('0.01'),
    retryIntervalNs: 50n,
    algo,
    ...over,
  };
}

export function submits(actions: readonly AlgoAction[]): ChildOrder[] {
  return actions.flatMap((a) => (a.type === 'submit' ? [a.child] : []));
}

export function cancels(actions: readonly AlgoAction[]): string[] {
  return actions.flatMap((a) => (a.type === 'cancel' ? [a.clientOrderId] : []));
}

/** The one child submitted by `actions` (fails the test otherwise). */
export function onlySubmit(actions: readonly AlgoAction[]): ChildOrder {
  const children = submits(actions);
  if (children.length !== 1 || actions.length !== 1) throw new Error(`expected exactly one submit, got ${JSON.stringify(actions.map((a) => a.type))}`);
  return children[0]!;
}

/**
 * A parent with a journal: every child it submitted and every update it was given, which is what
 * a restarted driver hands to `ParentOrder.restore`.
 */
export class Journaled {
  readonly children: ChildOrder[] = [];
  readonly updates: ChildUpdate[] = [];

  constructor(readonly order: ParentOrder) {}

  private record(actions: AlgoAction[]): AlgoAction[] {
    this.children.push(...submits(actions));
    return actions;
  }

  timer(nowNs: bigint): AlgoAction[] {
    return this.record(this.order.onTimer(nowNs));
  }

  market(update: MarketUpdate): AlgoAction[] {
    return this.record(this.order.onMarket(update));
  }

  update(update: ChildUpdate): AlgoAction[] {
    this.updates.push(update);
    return this.record(this.order.onChildUpdate(update));
  }

  ack(id: string, nowNs: bigint): AlgoAction[] {
    return this.update({ clientOrderId: id, kind: 'ack', nowNs });
  }

  fill(id: string, quantity: string | number, price: string | number, nowNs: bigint, tradeId?: string): AlgoAction[] {
    return this.update({ clientOrderId: id, kind: 'fill', fillQuantity: d(quantity), fillPrice: d(String(price)), nowNs, ...(tradeId ? { tradeId } : {}) });
  }

  cancelled(id: string, nowNs: bigint, reason = 'IOC_REMAINDER'): AlgoAction[] {
    return this.update({ clientOrderId: id, kind: 'cancel', reason, nowNs });
  }

  rejected(id: string, nowNs: bigint, reason = 'RISK_MAX_ORDER_QUANTITY'): AlgoAction[] {
    return this.update({ clientOrderId: id, kind: 'reject', reason, nowNs });
  }
}
