import { Decimal } from '@meridian/domain';
import { OrderStatus, OrderType, sideToWire } from '@meridian/proto';
import type { Order } from '@meridian/proto';
import type { PaperOrder } from './paper-venue';

/** What the execution service knows of one order: its terms and what has happened to it. */
export interface OrderRecord {
  order: PaperOrder;
  venue: string;
  strategy: string;
  venueOrderId: string;
  status: OrderStatus;
  filled: Decimal;
  notionalFilled: Decimal;
  fees: Decimal;
  fillCount: number;
  createdTsNs: bigint;
  updatedTsNs: bigint;
}

const TERMINAL = new Set([OrderStatus.ORDER_STATUS_FILLED, OrderStatus.ORDER_STATUS_CANCELLED, OrderStatus.ORDER_STATUS_REJECTED, OrderStatus.ORDER_STATUS_EXPIRED]);

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

export function remainingOf(r: OrderRecord): Decimal {
  return r.order.quantity.sub(r.filled);
}

export function orderToWire(r: OrderRecord): Order {
  return {
    clientOrderId: r.order.clientOrderId,
    venueOrderId: r.venueOrderId,
    venue: r.venue,
    symbol: r.order.symbol,
    strategy: r.strategy,
    side: sideToWire(r.order.side),
    type: r.order.limitPrice === undefined ? OrderType.ORDER_TYPE_MARKET : OrderType.ORDER_TYPE_LIMIT,
    status: r.status,
    quantity: r.order.quantity.toString(),
    limitPrice: r.order.limitPrice?.toString() ?? '',
    filledQuantity: r.filled.toString(),
    averageFillPrice: r.filled.isZero() ? '' : r.notionalFilled.div(r.filled, 12).toString(),
    fees: r.fees.toString(),
    createdTsNs: r.createdTsNs,
    updatedTsNs: r.updatedTsNs,
  };
}

/** Runs tasks one after another: every change to one symbol's orders happens in order. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
