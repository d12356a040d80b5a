import type { Decimal } from '@meridian/domain';
import type { Balance, SimFill, SimInstrument, SimOrder } from '../types';

/**
 * The OKX v5 shapes of orders, fills, balances and instruments, built from the simulated
 * exchange's records. Every number is a decimal string, every time a Unix-ms string, as OKX
 * sends them; fields OKX defines for products this server does not simulate (margin, derivatives,
 * algo attachments) are present with OKX's empty values, so a client reading them finds the
 * documented keys.
 */

export type OkxOrdType = 'market' | 'limit' | 'post_only' | 'fok' | 'ioc';
export const OKX_ORD_TYPES: readonly OkxOrdType[] = ['market', 'limit', 'post_only', 'fok', 'ioc'];
export type OkxTgtCcy = '' | 'base_ccy' | 'quote_ccy';
export type OkxState = 'live' | 'partially_filled' | 'filled' | 'canceled';

/** What OKX reports about an order that the simulated exchange does not keep. */
export interface OrderMeta {
  readonly ordType: OkxOrdType;
  readonly tgtCcy: OkxTgtCcy;
  /** `sz` as sent: a quote amount for a `quote_ccy` market order. */
  readonly sz: string;
  readonly tag: string;
  readonly clOrdId: string;
  /** OKX's `cancelSource`, once the server knows why the order was canceled. */
  cancelSource: string;
  lastFill: { px: string; sz: string; tradeId: string; ts: string } | undefined;
}

/** An OKX client order id: case-sensitive letters and digits, at most 32. */
export const CL_ORD_ID = /^[A-Za-z0-9]{1,32}$/;

export function nsToMs(ns: bigint): string {
  return (ns / 1_000_000n).toString();
}

export function okxState(order: SimOrder): OkxState {
  switch (order.status) {
    case 'pending_new':
    case 'new':
      return 'live';
    case 'partially_filled':
      return 'partially_filled';
    case 'filled':
      return 'filled';
    // OKX has no rejected or expired state for an order it accepted: both end as canceled.
    case 'cancelled':
    case 'rejected':
    case 'expired':
      return 'canceled';
  }
}

/** The OKX order type an order placed without this server (directly on the exchange) reads as. */
export function ordTypeOf(order: SimOrder): OkxOrdType {
  if (order.type === 'market' || order.type === 'stop') return 'market';
  if (order.postOnly) return 'post_only';
  if (order.timeInForce === 'IOC') return 'ioc';
  if (order.timeInForce === 'FOK') return 'fok';
  return 'limit';
}

/** Metadata for an order this server did not place. */
export function foreignMeta(order: SimOrder): OrderMeta {
  return {
    ordType: ordTypeOf(order),
    tgtCcy: '',
    sz: order.quantity.toString(),
    tag: '',
    clOrdId: CL_ORD_ID.test(order.clientOrderId) ? order.clientOrderId : '',
    cancelSource: '',
    lastFill: undefined,
  };
}

/**
 * OKX's `cancelSource` for an order that ended canceled: 1 by the user (the server records it
 * when it cancels), 13 an FOK not filled whole, 14 the rest of an IOC or market order, 31 a
 * post-only order that would have taken liquidity, 0 by the system (an expired order).
 */
export function cancelSourceOf(order: SimOrder, meta: OrderMeta): string {
  if (okxState(order) !== 'canceled') return '';
  if (meta.cancelSource !== '') return meta.cancelSource;
  if (order.status === 'expired') return '0';
  if (order.postOnly && order.filledQuantity.isZero()) return '31';
  if (order.timeInForce === 'FOK') return '13';
  if (order.timeInForce === 'IOC' || order.type === 'market') return '14';
  return '0';
}

/** OKX's fee sign: negative is a fee charged, positive a rebate; the exchange keeps fees charged as positive. */
function okxFee(fee: Decimal): string {
  return fee.isZero() ? '0' : fee.neg().toString();
}

export function orderJson(order: SimOrder, meta: OrderMeta): Record<string, unknown> {
  const last = meta.lastFill;
  return {
    instType: 'SPOT',
    instId: order.symbol,
    tgtCcy: meta.tgtCcy,
    ccy: '',
    ordId: order.orderId,
    clOrdId: meta.clOrdId,
    tag: meta.tag,
    px: order.price?.toString() ?? '',
    pxUsd: '',
    pxVol: '',
    pxType: '',
    sz: meta.sz,
    pnl: '0',
    ordType: meta.ordType,
    side: order.side === 'BUY' ? 'buy' : 'sell',
    posSide: '',
    tdMode: 'cash',
    accFillSz: order.filledQuantity.toString(),
    fillPx: last?.px ?? '',
    tradeId: last?.tradeId ?? '',
    fillSz: last?.sz ?? '0',
    fillTime: last?.ts ?? '',
    avgPx: order.averagePrice?.toString() ?? '',
    state: okxState(order),
    lever: '',
    stpId: '',
    stpMode: '',
    attachAlgoClOrdId: '',
    attachAlgoOrds: [],
    tpTriggerPx: '',
    tpTriggerPxType: '',
    tpOrdPx: '',
    slTriggerPx: '',
    slTriggerPxType: '',
    slOrdPx: '',
    feeCcy: order.feeCurrency,
    fee: okxFee(order.fees),
    rebateCcy: '',
    rebate: '0',
    source: '',
    category: 'normal',
    reduceOnly: 'false',
    isTpLimit: 'false',
    cancelSource: cancelSourceOf(order, meta),
    cancelSourceReason: '',
    quickMgnType: '',
    algoClOrdId: '',
    algoId: '',
    uTime: nsToMs(order.updatedNs),
    cTime: nsToMs(order.createdNs),
  };
}

/**
 * An `orders` channel push: the order, plus for a fill the fill's own fields (`fillSz`, `fillPx`,
 * `tradeId`, `fillTime`, `fillFee`, `execType`); for any other change `fillSz` is "0" and the
 * fill fields are empty, as OKX sends them.
 */
export function orderPushJson(order: SimOrder, meta: OrderMeta, fill: SimFill | undefined): Record<string, unknown> {
  const base = orderJson(order, meta);
  return {
    ...base,
    fillSz: fill ? fill.quantity.toString() : '0',
    fillPx: fill ? fill.price.toString() : '',
    tradeId: fill ? fill.tradeId : '',
    fillTime: fill ? nsToMs(fill.tsNs) : '',
    fillFee: fill ? okxFee(fill.fee) : '0',
    fillFeeCcy: fill ? fill.feeCurrency : '',
    fillPnl: '0',
    fillNotionalUsd: '',
    execType: fill ? (fill.liquidity === 'maker' ? 'M' : 'T') : '',
    notionalUsd: '',
    lastPx: fill ? fill.price.toString() : '',
    amendResult: '',
    amendSource: '',
    reqId: '',
    code: '0',
    msg: '',
  };
}

/** One record of `GET /api/v5/trade/fills`; the bill id is the trade id (unique and increasing on the venue). */
export function fillJson(fill: SimFill, meta: Pick<OrderMeta, 'clOrdId' | 'tag'>): Record<string, unknown> {
  return {
    instType: 'SPOT',
    instId: fill.symbol,
    tradeId: fill.tradeId,
    ordId: fill.orderId,
    clOrdId: meta.clOrdId,
    billId: fill.tradeId,
    subType: fill.side === 'BUY' ? '1' : '2',
    tag: meta.tag,
    fillPx: fill.price.toString(),
    fillSz: fill.quantity.toString(),
    fillIdxPx: '',
    fillPnl: '0',
    fillPxVol: '',
    fillPxUsd: '',
    fillMarkVol: '',
    fillFwdPx: '',
    fillMarkPx: '',
    side: fill.side === 'BUY' ? 'buy' : 'sell',
    posSide: '',
    execType: fill.liquidity === 'maker' ? 'M' : 'T',
    feeCcy: fill.feeCurrency,
    fee: okxFee(fill.fee),
    ts: nsToMs(fill.tsNs),
    fillTime: nsToMs(fill.tsNs),
    feeRate: '',
  };
}

/**
 * One currency of `GET /api/v5/account/balance` (`details`): `cashBal`/`eq` the total,
 * `availBal` what is free, `frozenBal`/`ordFrozen` what open orders hold. Valuations in USD need
 * prices the server does not have, so they are empty.
 */
export function balanceDetailJson(balance: Balance, uTime: string): Record<string, unknown> {
  return {
    ccy: balance.currency,
    eq: balance.total.toString(),
    cashBal: balance.total.toString(),
    availBal: balance.available.toString(),
    availEq: balance.available.toString(),
    frozenBal: balance.hold.toString(),
    ordFrozen: balance.hold.toString(),
    fixedBal: '0',
    disEq: '',
    eqUsd: '',
    isoEq: '0',
    liab: '0',
    crossLiab: '0',
    isoLiab: '0',
    interest: '0',
    upl: '0',
    uplLiab: '0',
    mgnRatio: '',
    notionalLever: '',
    maxLoan: '',
    twap: '0',
    stgyEq: '0',
    spotInUseAmt: '',
    borrowFroz: '',
    uTime,
  };
}

export function balanceJson(balances: readonly Balance[], uTime: string): Record<string, unknown> {
  return {
    uTime,
    totalEq: '',
    isoEq: '0',
    adjEq: '',
    ordFroz: '',
    imr: '',
    mmr: '',
    borrowFroz: '',
    mgnRatio: '',
    notionalUsd: '',
    upl: '',
    details: balances.map((b) => balanceDetailJson(b, uTime)),
  };
}

export function instrumentJson(instrument: SimInstrument): Record<string, unknown> {
  return {
    instType: 'SPOT',
    instId: instrument.symbol,
    uly: '',
    instFamily: '',
    baseCcy: instrument.baseCurrency,
    quoteCcy: instrument.quoteCurrency,
    settleCcy: '',
    ctVal: '',
    ctMult: '',
    ctValCcy: '',
    optType: '',
    stk: '',
    listTime: '',
    expTime: '',
    lever: '',
    tickSz: instrument.tickSize.toString(),
    lotSz: instrument.lotSize.toString(),
    minSz: (instrument.minQuantity ?? instrument.lotSize).toString(),
    ctType: '',
    alias: '',
    state: 'live',
    ruleType: 'normal',
    maxLmtSz: '',
    maxMktSz: '',
    maxLmtAmt: '',
    maxMktAmt: '',
    maxTwapSz: '',
    maxIcebergSz: '',
    maxTriggerSz: '',
    maxStopSz: '',
  };
}
