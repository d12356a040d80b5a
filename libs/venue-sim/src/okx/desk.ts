import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { PlaceOrderRequest, SimInstrument, SimOrder, SimRejection, SimulatedExchange, SimUpdate } from '../types';
import { okxMessage } from './codes';
import type { OkxRestCode } from './codes';
import type { AmendParams, OrderRef, PlaceParams } from './params';
import { foreignMeta, nsToMs, okxState } from './wire';
import type { OrderMeta } from './wire';

/** One element of a trade endpoint's `data`: `sCode` "0" or the order's own error. */
export interface ItemResult {
  readonly ordId: string;
  readonly clOrdId: string;
  readonly tag?: string;
  readonly reqId?: string;
  readonly sCode: string;
  readonly sMsg: string;
  readonly ts: string;
}

/**
 * The simulated exchange's rejection codes (its own and the matching engine's) and the OKX
 * `sCode` each becomes on a new order. A code not listed is answered as 51000 with the
 * exchange's code and message, so nothing it says is lost. Where OKX accepts an order and then
 * cancels it (a post-only order that would take, cancelSource 31; an FOK that cannot fill whole,
 * 13) the exchange refuses it with nothing changed, so this server answers with a refusal.
 */
export const SIM_REJECTION_CODES: Readonly<Record<string, { code: OkxRestCode; param?: string }>> = Object.freeze({
  UNKNOWN_SYMBOL: { code: '51001' },
  INVALID_ORDER: { code: '51000', param: 'sz' },
  INSUFFICIENT_BALANCE: { code: '51008', param: 'ccy' },
  INSUFFICIENT_BUYING_POWER: { code: '51008', param: 'ccy' },
  DUPLICATE_CLIENT_ORDER_ID: { code: '51016' },
  QUANTITY_NOT_POSITIVE: { code: '51000', param: 'sz' },
  QUANTITY_NOT_LOT_MULTIPLE: { code: '51121' },
  QUANTITY_OUT_OF_RANGE: { code: '51000', param: 'sz' },
  QUANTITY_BELOW_MIN: { code: '51120', param: 'minSz' },
  PRICE_NOT_POSITIVE: { code: '51000', param: 'px' },
  PRICE_NOT_TICK_MULTIPLE: { code: '51000', param: 'px' },
  PRICE_OUT_OF_RANGE: { code: '51000', param: 'px' },
  NOTIONAL_BELOW_MIN: { code: '51020' },
  POST_ONLY_WOULD_TAKE: { code: '51511' },
  ORDER_NOT_AMENDABLE: { code: '51506' },
  AMEND_QUANTITY_TOO_LOW: { code: '51000', param: 'newSz' },
});

/**
 * Trading on the simulated exchange with OKX's rules and vocabulary: order types and `tgtCcy`
 * mapped to the exchange's orders, duplicate `clOrdId` refused (51016), the OKX view of each
 * order (type, size as sent, tag, last fill, why it was canceled) kept beside the exchange's.
 */
export class OkxDesk {
  private readonly metas = new Map<string, OrderMeta>();
  private anonymous = 0;
  /** The meta of the order being placed right now, for the exchange's synchronous reports of it. */
  private pendingMeta: OrderMeta | undefined;
  /** Order ids that got the pending meta during the current placement. */
  private pendingIds: string[] = [];

  constructor(
    private readonly exchange: SimulatedExchange,
    private readonly nowMs: () => number,
  ) {}

  instrument(instId: string): SimInstrument | undefined {
    return this.exchange.instruments.get(instId);
  }

  meta(order: SimOrder): OrderMeta {
    let meta = this.metas.get(order.orderId);
    if (meta === undefined) {
      meta = foreignMeta(order);
      this.metas.set(order.orderId, meta);
    }
    return meta;
  }

  /** Keeps the last fill of each order (OKX reports it on the order). */
  observe(update: SimUpdate): void {
    const meta = this.metaForUpdate(update.order);
    if (update.kind !== 'fill') return;
    const { fill } = update;
    meta.lastFill = { px: fill.price.toString(), sz: fill.quantity.toString(), tradeId: fill.tradeId, ts: nsToMs(fill.tsNs) };
  }

  /** The account's order by `ordId` (preferred) or `clOrdId`, if it is on `instId`. */
  find(account: string, ref: OrderRef): SimOrder | undefined {
    const order = ref.ordId !== undefined ? this.exchange.order(account, { orderId: ref.ordId }) : this.findByClOrdId(account, ref.clOrdId ?? '');
    return order !== undefined && order.symbol === ref.instId ? order : undefined;
  }

  private findByClOrdId(account: string, clOrdId: string): SimOrder | undefined {
    return clOrdId === '' ? undefined : this.exchange.order(account, { clientOrderId: clOrdId });
  }

  place(account: string, p: PlaceParams): ItemResult {
    const item = (sCode: OkxRestCode, param = '', ordId = '', sMsg?: string): ItemResult => ({
      ordId,
      clOrdId: p.clOrdId,
      tag: p.tag,
      sCode,
      sMsg: sMsg ?? (sCode === '0' ? 'Order placed' : okxMessage(sCode, param)),
      ts: String(this.nowMs()),
    });
    const instrument = this.instrument(p.instId);
    if (instrument === undefined) return item('51001');
    // Spot in a cash account only: margin trading (`cross`, `isolated`) is not simulated.
    if (p.tdMode !== 'cash') return item('51000', 'tdMode');
    if (p.clOrdId !== '' && this.findByClOrdId(account, p.clOrdId) !== undefined) return item('51016');
    let quantity = p.sz;
    if (p.ordType === 'market' && p.tgtCcy === 'quote_ccy') {
      quantity = this.baseForQuote(instrument, p.side, p.sz);
      if (quantity.isZero()) return item('51020');
    }
    const request: PlaceOrderRequest = {
      account,
      // The exchange wants an idempotency key on every order; one the client did not give is ours and can never be a valid clOrdId.
      clientOrderId: p.clOrdId !== '' ? p.clOrdId : `okx_${++this.anonymous}_${this.nowMs()}`,
      symbol: p.instId,
      side: p.side,
      type: p.ordType === 'market' ? 'market' : 'limit',
      quantity,
      price: p.px,
      timeInForce: p.ordType === 'fok' ? 'FOK' : p.ordType === 'ioc' || p.ordType === 'market' ? 'IOC' : 'GTC',
      postOnly: p.ordType === 'post_only',
    };
    // The meta must exist before the exchange reports the order (it reports synchronously while placing).
    const pending: OrderMeta = { ordType: p.ordType, tgtCcy: p.tgtCcy, sz: p.szText, tag: p.tag, clOrdId: p.clOrdId, cancelSource: '', lastFill: undefined };
    this.pendingMeta = pending;
    this.pendingIds = [];
    let result;
    try {
      result = this.exchange.placeOrder(request);
    } finally {
      this.pendingMeta = undefined;
    }
    if (!result.ok) {
      // A refused order never existed and its id will be reused: forget anything recorded under it.
      for (const orderId of this.pendingIds) this.metas.delete(orderId);
      const { code, msg } = this.rejected(result.rejection, instrument, p.side);
      return item(code, '', '', msg);
    }
    this.metas.set(result.value.orderId, pending);
    return item('0', '', result.value.orderId);
  }

  /** Like `meta`, but an order reported while it is being placed gets the meta of the request. */
  metaForUpdate(order: SimOrder): OrderMeta {
    const known = this.metas.get(order.orderId);
    if (known !== undefined) return known;
    if (this.pendingMeta !== undefined) {
      this.pendingIds.push(order.orderId);
      this.metas.set(order.orderId, this.pendingMeta);
      return this.pendingMeta;
    }
    return this.meta(order);
  }

  cancel(account: string, ref: OrderRef): ItemResult {
    const order = this.find(account, ref);
    const item = (sCode: OkxRestCode, msg?: string): ItemResult => ({
      ordId: order?.orderId ?? ref.ordId ?? '',
      clOrdId: order ? this.meta(order).clOrdId : (ref.clOrdId ?? ''),
      sCode,
      sMsg: msg ?? (sCode === '0' ? '' : okxMessage(sCode)),
      ts: String(this.nowMs()),
    });
    if (order === undefined) return item('51400');
    const closed = closedCode(order, '51401', '51402');
    if (closed !== undefined) return item(closed);
    const meta = this.meta(order);
    const before = meta.cancelSource;
    // Set first: the exchange reports the cancellation synchronously, and the push must say "by the user".
    meta.cancelSource = '1';
    const result = this.exchange.cancelOrder({ account, orderId: order.orderId });
    if (!result.ok) {
      meta.cancelSource = before;
      return item('51400', `${okxMessage('51400')}: ${result.rejection.code}: ${result.rejection.message}`);
    }
    return item('0');
  }

  amend(account: string, p: AmendParams): ItemResult {
    const order = this.find(account, p);
    const item = (sCode: OkxRestCode, param = '', msg?: string): ItemResult => ({
      ordId: order?.orderId ?? p.ordId ?? '',
      clOrdId: order ? this.meta(order).clOrdId : (p.clOrdId ?? ''),
      reqId: p.reqId,
      sCode,
      sMsg: msg ?? (sCode === '0' ? '' : okxMessage(sCode, param)),
      ts: String(this.nowMs()),
    });
    if (order === undefined) return item('51503');
    const closed = closedCode(order, '51509', '51510');
    if (closed !== undefined) return item(closed);
    const result = this.exchange.amendOrder({ account, orderId: order.orderId, price: p.newPx, quantity: p.newSz });
    if (!result.ok) {
      if (p.cxlOnFail) this.cancel(account, { instId: p.instId, ordId: order.orderId, clOrdId: undefined });
      const { code, msg } = this.rejected(result.rejection, this.instrument(order.symbol), order.side);
      // An amend that fails for lack of balance has its own code on OKX.
      return code === '51008' ? item('51502') : item(code, '', msg);
    }
    const meta = this.meta(order);
    if (p.newSz !== undefined) this.metas.set(order.orderId, { ...meta, sz: p.newSz.toString() });
    return item('0');
  }

  /**
   * The OKX code and message of an exchange rejection of an order on `instrument`/`side`: `ccy`
   * in the table stands for the currency a 51008 lacked, `minSz` for the instrument's minimum.
   */
  private rejected(rejection: SimRejection, instrument: SimInstrument | undefined, side: Side): { code: OkxRestCode; msg: string } {
    const mapped = SIM_REJECTION_CODES[rejection.code];
    if (mapped === undefined) return { code: '51000', msg: `${okxMessage('51000', 'order')}: ${rejection.code}: ${rejection.message}` };
    const ccy = instrument === undefined ? '' : side === 'BUY' ? instrument.quoteCurrency : instrument.baseCurrency;
    const minSz = instrument === undefined ? '' : (instrument.minQuantity ?? instrument.lotSize).toString();
    const param = mapped.param === 'ccy' ? ccy : mapped.param === 'minSz' ? minSz : (mapped.param ?? '');
    // The exchange's message names the value and the rule; OKX's text alone would not.
    return { code: mapped.code, msg: `${okxMessage(mapped.code, param)} (${rejection.message})` };
  }

  /**
   * The base quantity a quote amount buys (sells) at the book now, whole lots, rounded down: OKX's
   * `tgtCcy=quote_ccy` market order, converted here because the exchange takes base quantities.
   */
  private baseForQuote(instrument: SimInstrument, side: Side, quote: Decimal): Decimal {
    let remaining = quote;
    let quantity = Decimal.ZERO;
    for (const level of this.exchange.depth(instrument.symbol, side === 'BUY' ? 'ask' : 'bid', 1_000)) {
      const notional = level.price.mul(level.size);
      if (notional.gte(remaining)) {
        quantity = quantity.add(remaining.div(level.price, 18, 'down'));
        remaining = Decimal.ZERO;
        break;
      }
      quantity = quantity.add(level.size);
      remaining = remaining.sub(notional);
    }
    return quantity.isZero() ? quantity : quantity.quantize(instrument.lotSize, 'floor');
  }
}

/** The code for acting on an order that is already over: canceled, or filled. */
function closedCode(order: SimOrder, canceled: OkxRestCode, filled: OkxRestCode): OkxRestCode | undefined {
  const state = okxState(order);
  return state === 'canceled' ? canceled : state === 'filled' ? filled : undefined;
}
