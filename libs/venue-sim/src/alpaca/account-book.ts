import { randomUUID } from 'node:crypto';
import { Decimal } from '@meridian/domain';
import { PositionLedger } from '@meridian/portfolio';
import { AlpacaSymbols, TokenBucket, formatRfc3339Nanos } from '@meridian/venues';
import type { SimFill, SimOrder, SimOrderStatus, SimulatedExchange } from '../types';
import { OPEN_ORDER_STATUSES } from './protocol';
import type { AlpacaFillActivityJson, AlpacaOrderJson, AlpacaOrderStatus, AlpacaOrderType, AlpacaPositionJson, AlpacaTimeInForce } from './protocol';

/** How an order was replaced, kept by client order id (unique per account), beside the simulator's order. */
interface ReplaceLinks {
  replaces?: string;
  replacedBy?: string;
  replacedAtNs?: bigint;
}

/** One fill as an account activity, with what Alpaca reports about the order and the position at that moment. */
export interface FillRecord {
  readonly activityId: string;
  readonly executionId: string;
  readonly fill: SimFill;
  readonly cumQty: Decimal;
  readonly leavesQty: Decimal;
  readonly orderFilled: boolean;
  /** The account's signed position in the symbol right after this fill. */
  readonly positionAfter: Decimal;
}

/** Ratios (unrealized P&L percent) are written with this many fraction digits. */
const RATIO_SCALE = 16;

const SIM_TO_ALPACA_STATUS: Readonly<Record<SimOrderStatus, AlpacaOrderStatus>> = {
  pending_new: 'pending_new',
  new: 'new',
  partially_filled: 'partially_filled',
  filled: 'filled',
  cancelled: 'canceled',
  rejected: 'rejected',
  expired: 'expired',
};

const TIF_TO_ALPACA: Readonly<Record<SimOrder['timeInForce'], AlpacaTimeInForce>> = { DAY: 'day', GTC: 'gtc', IOC: 'ioc', FOK: 'fok' };

/** `20240305143000123`: the time part of Alpaca's activity ids (`<time>::<uuid>`), which sort by time. */
function activityTime(ns: bigint): string {
  const text = formatRfc3339Nanos(ns);
  // formatRfc3339Nanos always writes `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
  const fraction = text.length > 20 ? text.slice(20, -1) : '';
  return `${text.slice(0, 4)}${text.slice(5, 7)}${text.slice(8, 10)}${text.slice(11, 13)}${text.slice(14, 16)}${text.slice(17, 19)}${fraction.padEnd(3, '0').slice(0, 3)}`;
}

/**
 * One Alpaca account over a simulator account: Alpaca's ids (UUIDs) for the simulator's orders
 * and fills, the replace links, the account's activities and positions (folded from the
 * simulator's fills, in trade order, so each activity knows the position it left), and the
 * account's request budget. Everything Alpaca shows is derived from the simulator's state.
 */
export class AlpacaAccountBook {
  readonly uuid = randomUUID();
  readonly createdNs: bigint;
  readonly bucket: TokenBucket;
  private readonly orderUuids = new Map<string, string>();
  private readonly simIds = new Map<string, string>();
  private readonly links = new Map<string, ReplaceLinks>();
  private readonly records: FillRecord[] = [];
  private readonly recordsByTrade = new Map<string, FillRecord>();
  private readonly cumByOrder = new Map<string, Decimal>();
  private readonly ledgers = new Map<string, PositionLedger>();
  private readonly lastFillPrice = new Map<string, Decimal>();
  private lastTradeId: string | undefined;

  constructor(
    readonly account: string,
    private readonly sim: SimulatedExchange,
    private readonly names: AlpacaSymbols,
    private readonly assetUuid: (symbol: string) => string,
    private readonly exchangeOf: (symbol: string) => string,
    readonly multiplier: Decimal,
    readonly openingEquity: Decimal,
    rateLimit: { requests: number; intervalMs: number },
    createdNs: bigint,
  ) {
    this.bucket = new TokenBucket(rateLimit.requests, rateLimit.intervalMs);
    this.createdNs = createdNs;
  }

  orderUuid(simOrderId: string): string {
    let id = this.orderUuids.get(simOrderId);
    if (id === undefined) {
      id = randomUUID();
      this.orderUuids.set(simOrderId, id);
      this.simIds.set(id, simOrderId);
    }
    return id;
  }

  /** The simulator order behind an Alpaca order id, or undefined. */
  orderByUuid(uuid: string): SimOrder | undefined {
    const simId = this.simIds.get(uuid.toLowerCase());
    return simId === undefined ? undefined : this.sim.order(this.account, { orderId: simId });
  }

  orderByClientId(clientOrderId: string): SimOrder | undefined {
    return this.sim.order(this.account, { clientOrderId });
  }

  /** Every order of the account, newest first. */
  allOrders(): SimOrder[] {
    return this.sim.orders(this.account);
  }

  /** Links a replacement (known by its client order id before it exists) to the order it replaces. */
  linkReplacement(newClientOrderId: string, replaced: SimOrder): void {
    this.links.set(newClientOrderId, { replaces: this.orderUuid(replaced.orderId) });
  }

  unlinkReplacement(newClientOrderId: string): void {
    this.links.delete(newClientOrderId);
  }

  /** Marks `replaced` as replaced by `replacement`, before the simulator cancels it, so its cancel reads as `replaced`. */
  markReplaced(replaced: SimOrder, replacement: SimOrder, atNs: bigint): void {
    const links = this.links.get(replaced.clientOrderId) ?? {};
    links.replacedBy = this.orderUuid(replacement.orderId);
    links.replacedAtNs = atNs;
    this.links.set(replaced.clientOrderId, links);
  }

  clearReplaced(replaced: SimOrder): void {
    const links = this.links.get(replaced.clientOrderId);
    if (links) {
      delete links.replacedBy;
      delete links.replacedAtNs;
    }
  }

  status(order: SimOrder): AlpacaOrderStatus {
    if (order.status === 'cancelled' && this.links.get(order.clientOrderId)?.replacedBy !== undefined) return 'replaced';
    return SIM_TO_ALPACA_STATUS[order.status];
  }

  isOpen(order: SimOrder): boolean {
    return OPEN_ORDER_STATUSES.has(this.status(order));
  }

  alpacaSymbol(symbol: string): string {
    return this.names.venueSymbol(symbol);
  }

  orderJson(order: SimOrder): AlpacaOrderJson {
    const links = this.links.get(order.clientOrderId) ?? {};
    const status = this.status(order);
    const ended = (which: AlpacaOrderStatus): string | null => (status === which ? formatRfc3339Nanos(order.updatedNs) : null);
    const type: AlpacaOrderType = order.type;
    const created = formatRfc3339Nanos(order.createdNs);
    return {
      id: this.orderUuid(order.orderId),
      client_order_id: order.clientOrderId,
      created_at: created,
      updated_at: formatRfc3339Nanos(order.updatedNs),
      submitted_at: created,
      filled_at: ended('filled'),
      expired_at: ended('expired'),
      canceled_at: ended('canceled'),
      failed_at: ended('rejected'),
      replaced_at: links.replacedAtNs === undefined ? null : formatRfc3339Nanos(links.replacedAtNs),
      replaced_by: links.replacedBy ?? null,
      replaces: links.replaces ?? null,
      asset_id: this.assetUuid(order.symbol),
      symbol: this.alpacaSymbol(order.symbol),
      asset_class: 'us_equity',
      notional: null,
      qty: order.quantity.toString(),
      filled_qty: order.filledQuantity.toString(),
      filled_avg_price: order.averagePrice?.toString() ?? null,
      order_class: '',
      order_type: type,
      type,
      side: order.side === 'BUY' ? 'buy' : 'sell',
      time_in_force: TIF_TO_ALPACA[order.timeInForce],
      limit_price: order.price?.toString() ?? null,
      stop_price: order.stopPrice?.toString() ?? null,
      status,
      extended_hours: false,
      legs: null,
      trail_percent: null,
      trail_price: null,
      hwm: null,
    };
  }

  /** Folds the simulator's fills not seen yet, oldest first; returns the new records. */
  sync(): FillRecord[] {
    const added: FillRecord[] = [];
    for (;;) {
      const batch = this.sim.fills(this.account, { afterTradeId: this.lastTradeId, limit: 1_000 });
      for (const fill of batch) added.push(this.fold(fill));
      if (batch.length < 1_000) return added;
    }
  }

  recordOf(tradeId: string): FillRecord | undefined {
    this.sync();
    return this.recordsByTrade.get(tradeId);
  }

  /** Every fill of the account as an activity, oldest first. */
  fillRecords(): readonly FillRecord[] {
    this.sync();
    return this.records;
  }

  activityJson(r: FillRecord): AlpacaFillActivityJson {
    return {
      id: r.activityId,
      activity_type: 'FILL',
      transaction_time: formatRfc3339Nanos(r.fill.tsNs),
      type: r.orderFilled ? 'fill' : 'partial_fill',
      price: r.fill.price.toString(),
      qty: r.fill.quantity.toString(),
      side: r.fill.side === 'BUY' ? 'buy' : 'sell',
      symbol: this.alpacaSymbol(r.fill.symbol),
      leaves_qty: r.leavesQty.toString(),
      order_id: this.orderUuid(r.fill.orderId),
      cum_qty: r.cumQty.toString(),
      order_status: r.orderFilled ? 'filled' : 'partially_filled',
    };
  }

  /** The price positions are marked at: the venue's mid (or the one side it shows), else the last fill. */
  markPrice(symbol: string): Decimal | undefined {
    const { bid, ask } = this.sim.bbo(symbol);
    if (bid && ask) return bid.price.add(ask.price).div(2n, Math.max(bid.price.scale, ask.price.scale) + 1);
    return bid?.price ?? ask?.price ?? this.lastFillPrice.get(symbol);
  }

  /** Open positions, by symbol. */
  positions(): PositionLedger[] {
    this.sync();
    return [...this.ledgers.values()].filter((l) => !l.isFlat());
  }

  position(symbol: string): PositionLedger | undefined {
    this.sync();
    const ledger = this.ledgers.get(symbol);
    return ledger === undefined || ledger.isFlat() ? undefined : ledger;
  }

  positionJson(ledger: PositionLedger): AlpacaPositionJson {
    const qty = ledger.quantity;
    const price = this.markPrice(ledger.symbol) ?? ledger.averagePrice;
    const marketValue = qty.mul(price);
    const cost = ledger.costBasis;
    const unrealized = marketValue.sub(cost);
    const plpc = cost.isZero() ? Decimal.ZERO : unrealized.div(cost.abs(), RATIO_SCALE);
    return {
      asset_id: this.assetUuid(ledger.symbol),
      symbol: this.alpacaSymbol(ledger.symbol),
      exchange: this.exchangeOf(ledger.symbol),
      asset_class: 'us_equity',
      asset_marginable: true,
      avg_entry_price: ledger.averagePrice.toString(),
      qty: qty.toString(),
      qty_available: qty.toString(),
      side: qty.isNegative() ? 'short' : 'long',
      market_value: marketValue.toString(),
      cost_basis: cost.toString(),
      unrealized_pl: unrealized.toString(),
      unrealized_plpc: plpc.toString(),
      unrealized_intraday_pl: unrealized.toString(),
      unrealized_intraday_plpc: plpc.toString(),
      current_price: price.toString(),
      lastday_price: price.toString(),
      change_today: '0',
    };
  }

  private fold(fill: SimFill): FillRecord {
    const order = this.sim.order(this.account, { orderId: fill.orderId });
    const cum = (this.cumByOrder.get(fill.orderId) ?? Decimal.ZERO).add(fill.quantity);
    this.cumByOrder.set(fill.orderId, cum);
    const quantity = order?.quantity ?? cum;
    let ledger = this.ledgers.get(fill.symbol);
    if (ledger === undefined) {
      ledger = new PositionLedger(fill.symbol);
      this.ledgers.set(fill.symbol, ledger);
    }
    ledger.applyFill({ side: fill.side, quantity: fill.quantity, price: fill.price, fee: fill.fee });
    this.lastFillPrice.set(fill.symbol, fill.price);
    const executionId = randomUUID();
    const record: FillRecord = {
      activityId: `${activityTime(fill.tsNs)}::${executionId}`,
      executionId,
      fill,
      cumQty: cum,
      leavesQty: Decimal.max(Decimal.ZERO, quantity.sub(cum)),
      orderFilled: cum.gte(quantity),
      positionAfter: ledger.quantity,
    };
    this.records.push(record);
    this.recordsByTrade.set(fill.tradeId, record);
    this.lastTradeId = fill.tradeId;
    return record;
  }
}
