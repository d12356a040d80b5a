import { nowNanos } from '@meridian/domain';
import type { ManagedOrder, OrderSnapshot, OrderState, OrderTransition, OrderEvent } from '@meridian/orders';
import { ExecutionKind, ExecutionReport, OrderStatus, OrderType, TimeInForce, sideToWire, fillOf } from '@meridian/proto';
import type { Order } from '@meridian/proto';
import type { ExecutionSubjectKind } from '@meridian/bus';

const STATUS: Record<OrderState, OrderStatus> = {
  new: OrderStatus.ORDER_STATUS_NEW,
  acked: OrderStatus.ORDER_STATUS_ACKED,
  partially_filled: OrderStatus.ORDER_STATUS_PARTIALLY_FILLED,
  filled: OrderStatus.ORDER_STATUS_FILLED,
  cancelled: OrderStatus.ORDER_STATUS_CANCELLED,
  rejected: OrderStatus.ORDER_STATUS_REJECTED,
  expired: OrderStatus.ORDER_STATUS_EXPIRED,
};

export const ORDER_TYPE_WIRE = {
  limit: OrderType.ORDER_TYPE_LIMIT,
  market: OrderType.ORDER_TYPE_MARKET,
  stop: OrderType.ORDER_TYPE_STOP,
  stop_limit: OrderType.ORDER_TYPE_STOP_LIMIT,
} as const;

export const TIME_IN_FORCE_WIRE = {
  GTC: TimeInForce.TIME_IN_FORCE_GTC,
  IOC: TimeInForce.TIME_IN_FORCE_IOC,
  FOK: TimeInForce.TIME_IN_FORCE_FOK,
  DAY: TimeInForce.TIME_IN_FORCE_DAY,
} as const;

export interface OutgoingReport {
  readonly subjectKind: ExecutionSubjectKind;
  readonly report: ExecutionReport;
}

/**
 * The execution report of one transition. Its execution id is the Nats-Msg-Id and the recorder's
 * key, and is a function of the order and the event only (a fill's is its venue trade id), so a
 * transition published twice — after a restart, or from the stream and a reconciliation — is
 * stored once.
 */
export function reportOf(order: ManagedOrder, transition: OrderTransition): OutgoingReport | undefined {
  const s = order.snapshot();
  const e = transition.event;
  const cid = order.clientOrderId;
  const base = {
    status: STATUS[transition.to],
    venue: s.terms.venue,
    symbol: s.terms.symbol,
    clientOrderId: cid,
    venueOrderId: s.venueOrderId ?? '',
    strategy: s.terms.strategy,
    side: sideToWire(s.terms.side),
    orderQuantity: s.quantity.toString(),
    cumulativeQuantity: s.filledQuantity.toString(),
    leavesQuantity: s.leavesQuantity.toString(),
    limitPrice: s.limitPrice?.toString() ?? '',
    sequence: transition.sequence,
    parentOrderId: s.terms.parentId ?? '',
    tsNs: e.tsNs > 0n ? e.tsNs : nowNanos(),
  };
  switch (e.type) {
    case 'ack':
      return { subjectKind: 'ack', report: ExecutionReport.fromPartial({ ...base, kind: ExecutionKind.EXECUTION_KIND_ACK, executionId: `${cid}-ack` }) };
    case 'fill':
      return {
        subjectKind: 'fill',
        report: ExecutionReport.fromPartial({
          ...base,
          kind: ExecutionKind.EXECUTION_KIND_FILL,
          executionId: `${cid}-fill-${e.tradeId}`,
          tradeId: e.tradeId,
          fillQuantity: e.quantity.toString(),
          fillPrice: e.price.toString(),
          fee: e.fee.toString(),
          feeCurrency: e.feeCurrency,
          maker: e.liquidity === 'maker',
        }),
      };
    case 'cancel':
      return { subjectKind: 'cancel', report: ExecutionReport.fromPartial({ ...base, kind: ExecutionKind.EXECUTION_KIND_CANCEL, executionId: `${cid}-cancel`, reason: e.reason }) };
    case 'reject':
      return { subjectKind: 'reject', report: ExecutionReport.fromPartial({ ...base, kind: ExecutionKind.EXECUTION_KIND_REJECT, executionId: `${cid}-reject`, reason: e.reason }) };
    case 'expire':
      return { subjectKind: 'expire', report: ExecutionReport.fromPartial({ ...base, kind: ExecutionKind.EXECUTION_KIND_EXPIRE, executionId: `${cid}-expire`, reason: e.reason }) };
    case 'amend':
      // Amends are not requested by the platform yet; the state machine supports them for venues that push them.
      return undefined;
  }
}

/** The order event a published report stands for (to rebuild an order from the stream). */
export function eventOfReport(r: ExecutionReport): OrderEvent | undefined {
  switch (r.kind) {
    case ExecutionKind.EXECUTION_KIND_ACK:
      return { type: 'ack', venueOrderId: r.venueOrderId, tsNs: r.tsNs };
    case ExecutionKind.EXECUTION_KIND_FILL: {
      const f = fillOf(r)!;
      // Reports written before trade ids were carried are keyed by their execution id.
      const tradeId = r.tradeId !== '' ? r.tradeId : r.executionId;
      return { type: 'fill', tradeId, quantity: f.quantity, price: f.price, fee: f.fee, feeCurrency: r.feeCurrency, liquidity: r.maker ? 'maker' : 'taker', venueOrderId: r.venueOrderId, tsNs: r.tsNs };
    }
    case ExecutionKind.EXECUTION_KIND_CANCEL:
      return { type: 'cancel', reason: r.reason, tsNs: r.tsNs };
    case ExecutionKind.EXECUTION_KIND_REJECT:
      return { type: 'reject', reason: r.reason, tsNs: r.tsNs };
    case ExecutionKind.EXECUTION_KIND_EXPIRE:
      return { type: 'expire', reason: r.reason, tsNs: r.tsNs };
    default:
      return undefined;
  }
}

export function orderToWire(s: OrderSnapshot, algo = ''): Order {
  return {
    clientOrderId: s.terms.clientOrderId,
    venueOrderId: s.venueOrderId ?? '',
    venue: s.terms.venue,
    symbol: s.terms.symbol,
    strategy: s.terms.strategy,
    side: sideToWire(s.terms.side),
    type: ORDER_TYPE_WIRE[s.terms.kind],
    status: STATUS[s.state],
    quantity: s.quantity.toString(),
    limitPrice: s.limitPrice?.toString() ?? '',
    stopPrice: s.terms.stopPrice?.toString() ?? '',
    timeInForce: TIME_IN_FORCE_WIRE[s.terms.timeInForce],
    filledQuantity: s.filledQuantity.toString(),
    averageFillPrice: s.averagePrice?.toString() ?? '',
    fees: s.fees.toString(),
    createdTsNs: s.createdNs,
    updatedTsNs: s.updatedNs,
    parentOrderId: s.terms.parentId ?? '',
    reason: s.reason ?? '',
    algo,
  };
}
