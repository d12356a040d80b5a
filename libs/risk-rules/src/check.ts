import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { limitsFor } from './limits';
import type { LimitsBook, RiskLimits } from './limits';
import type { RateWindowView } from './rate';

/** Every reason an order can be refused, in the order the checks run. */
export const RISK_REASONS = [
  'INVALID_ORDER',
  'KILL_SWITCH',
  'CIRCUIT_BREAKER',
  'MAX_ORDER_QUANTITY',
  'NO_REFERENCE_PRICE',
  'MAX_ORDER_NOTIONAL',
  'RISK_STATE_MISSING',
  'NO_MARKET_DATA',
  'PRICE_BAND',
  'DAILY_LOSS',
  'MAX_DRAWDOWN',
  'ORDER_RATE',
  'MAX_OPEN_ORDERS',
  'MAX_POSITION',
  'MAX_LONG_POSITION',
  'MAX_SHORT_POSITION',
  'MAX_OPEN_POSITIONS',
  'MAX_GROSS_EXPOSURE',
  'MAX_NET_EXPOSURE',
] as const;

export type RiskReason = (typeof RISK_REASONS)[number];

/** The default sliding window of the order-rate limits. */
export const DEFAULT_ORDER_RATE_WINDOW_MS = 1000;

export interface OrderToCheck {
  symbol: string;
  side: Side;
  quantity: Decimal;
  /** Values the order when present; market orders rely on `referencePrice`. */
  limitPrice?: Decimal;
  /** E.g. the last trade or mid price. */
  referencePrice?: Decimal;
  /** The strategy that sends it: selects per-strategy limits, kill switch and counters. */
  strategy?: string;
}

/** The order's own symbol. */
export interface ExposureState {
  /** Signed filled position. */
  position: Decimal;
  /** Open buy quantity not yet filled. */
  workingBuy: Decimal;
  /** Open sell quantity not yet filled, as a positive number. */
  workingSell: Decimal;
  /** Working orders of this symbol (all strategies); needed by `maxSymbolOpenOrders`. */
  openOrders?: number;
  /** The price this symbol is valued at in `AccountState` (BBO mid, else the last fill or order price). */
  mark?: Decimal;
}

/**
 * Running totals over every symbol of the account, which the caller keeps up to date in O(1) per
 * event (`RiskState` does): worst case = every working order on a side fills.
 */
export interface AccountState {
  /** Σ max(position + workingBuy, workingSell − position) × mark. */
  grossExposure: Decimal;
  /** Σ (position + workingBuy) × mark: the net exposure if every working buy fills. */
  netExposureLong: Decimal;
  /** Σ (position − workingSell) × mark: the net exposure if every working sell fills. */
  netExposureShort: Decimal;
  /** Working orders of the account. */
  openOrders: number;
  /** Symbols with a position or working orders. */
  openPositions: number;
}

/** The order's strategy. */
export interface StrategyState {
  /** Working orders of this strategy (all symbols). */
  openOrders: number;
}

/** The best bid and offer of the order's symbol. */
export interface MarketState {
  bid?: Decimal;
  ask?: Decimal;
}

/** Equity = realized P&L − fees + unrealized P&L at the marks, over the account. */
export interface PnlState {
  /** Equity now minus equity at the start of the trading day. */
  dailyPnl: Decimal;
  equity: Decimal;
  /** The highest equity seen. */
  peakEquity: Decimal;
}

export interface KillSwitchState {
  global: boolean;
  symbols: ReadonlySet<string>;
  strategies?: ReadonlySet<string>;
}

/**
 * Everything beyond the order's symbol that the checks may need. Each part is needed only when a
 * limit that reads it is set; a configured limit whose state is absent refuses the order
 * (`RISK_STATE_MISSING`): a gate fails closed.
 */
export interface CheckContext {
  /** The caller's clock in milliseconds, for the order-rate limits. */
  nowMs?: number;
  market?: MarketState;
  account?: AccountState;
  strategy?: StrategyState;
  /** Approvals so far, per scope, for the order-rate limits. */
  rates?: { symbol?: RateWindowView; strategy?: RateWindowView; account?: RateWindowView };
  pnl?: PnlState;
  /** The circuit breaker: while tripped only orders that take a position toward flat pass. */
  breaker?: BreakerView;
}

/** What the check reads of a circuit breaker (see `CircuitBreaker`). */
export interface BreakerView {
  tripped: boolean;
  /** Why it tripped, for the rejection's detail. */
  causes: readonly string[];
}

export type RiskDecision =
  | { approved: true; notional: Decimal }
  | { approved: false; reason: RiskReason; detail: string; values: Record<string, string> };

const NO_CONTEXT: CheckContext = {};

/**
 * Whether the order takes the position toward flat without crossing it, counting the working
 * orders on its side as filled: a sell of at most position − working sells, a buy of at most
 * −position − working buys.
 */
function reducesPosition(side: Side, quantity: Decimal, exposure: ExposureState): boolean {
  const position = exposure.position;
  const workingBuy = Decimal.max(exposure.workingBuy, Decimal.ZERO);
  const workingSell = Decimal.max(exposure.workingSell, Decimal.ZERO);
  return side === 'BUY'
    ? position.isNegative() && position.add(workingBuy).add(quantity).sign() <= 0
    : position.isPositive() && position.sub(workingSell).sub(quantity).sign() >= 0;
}
const BPS = Decimal.from(10_000);

function reject(reason: RiskReason, detail: string, values: Record<string, string> = {}): RiskDecision {
  return { approved: false, reason, detail, values };
}

/**
 * Pre-trade check of one order against the limits, the kill switches and the worst-case exposure.
 * Pure and exact (no floats, no clock: time comes in `context.nowMs`), so the risk service's
 * stream path, its gRPC CheckOrder and the backtester all reach the same decision for the same
 * inputs. The first failing check wins; a value equal to its limit is approved. O(1): every
 * aggregate arrives as a running total.
 */
export function checkOrder(
  order: OrderToCheck,
  exposure: ExposureState,
  limits: LimitsBook,
  kill: KillSwitchState,
  context: CheckContext = NO_CONTEXT,
): RiskDecision {
  const { symbol, side, quantity } = order;
  const strategy = order.strategy ?? '';

  // Orders arrive from the wire; the type does not guarantee their contents.
  if (typeof symbol !== 'string' || symbol === '') {
    return reject('INVALID_ORDER', `symbol ${JSON.stringify(String(symbol))} is empty or not a string`);
  }
  if (side !== 'BUY' && side !== 'SELL') {
    return reject('INVALID_ORDER', `side ${JSON.stringify(String(side))} is neither BUY nor SELL`, { side: String(side) });
  }
  if (!(quantity instanceof Decimal) || !quantity.isPositive()) {
    return reject('INVALID_ORDER', `order quantity ${String(quantity)} must be positive`, { quantity: String(quantity) });
  }
  if (order.limitPrice !== undefined && !order.limitPrice.isPositive()) {
    // A non-positive price would make any notional limit pass.
    const limitPrice = order.limitPrice.toString();
    return reject('INVALID_ORDER', `limit price ${limitPrice} must be positive`, { limitPrice });
  }
  if (typeof strategy !== 'string') {
    return reject('INVALID_ORDER', `strategy ${JSON.stringify(String(strategy))} is not a string`);
  }

  if (kill.global) return reject('KILL_SWITCH', 'the global kill switch is engaged', { symbol });
  if (kill.symbols.has(symbol)) return reject('KILL_SWITCH', `the kill switch for ${symbol} is engaged`, { symbol });
  if (strategy !== '' && kill.strategies?.has(strategy)) {
    return reject('KILL_SWITCH', `the kill switch for strategy ${strategy} is engaged`, { symbol, strategy });
  }

  if (context.breaker?.tripped === true && !reducesPosition(side, quantity, exposure)) {
    const causes = context.breaker.causes.join(', ');
    return reject(
      'CIRCUIT_BREAKER',
      `the circuit breaker is tripped (${causes === '' ? 'awaiting reset' : causes}); only orders that reduce a position are accepted`,
      { symbol, causes, position: exposure.position.toString() },
    );
  }

  const l = limitsFor(symbol, limits, strategy);
  if (quantity.gt(l.maxOrderQuantity)) {
    return reject('MAX_ORDER_QUANTITY', `order quantity ${quantity} exceeds max order quantity ${l.maxOrderQuantity}`, {
      quantity: quantity.toString(),
      maxOrderQuantity: l.maxOrderQuantity.toString(),
    });
  }

  const price = order.limitPrice ?? order.referencePrice;
  if (price === undefined) {
    return reject('NO_REFERENCE_PRICE', `no limit price and no reference price for ${symbol}: the order cannot be valued`, {
      symbol,
    });
  }
  if (!price.isPositive()) {
    return reject('NO_REFERENCE_PRICE', `reference price ${price} for ${symbol} is not positive: the order cannot be valued`, {
      symbol,
      referencePrice: price.toString(),
    });
  }

  const notional = quantity.mul(price);
  if (notional.gt(l.maxOrderNotional)) {
    return reject(
      'MAX_ORDER_NOTIONAL',
      `order notional ${quantity} × ${price} = ${notional} exceeds max order notional ${l.maxOrderNotional}`,
      {
        quantity: quantity.toString(),
        price: price.toString(),
        notional: notional.toString(),
        maxOrderNotional: l.maxOrderNotional.toString(),
      },
    );
  }

  const missing = missingState(l, exposure, context);
  if (missing !== undefined) {
    return reject('RISK_STATE_MISSING', `${missing.limit} is set but the check was given no ${missing.state}`, {
      limit: missing.limit,
      state: missing.state,
    });
  }

  if (l.priceBandBps !== undefined) {
    const band = checkPriceBand(order, side, price, l.priceBandBps, context.market!);
    if (band !== undefined) return band;
  }

  // Worst case: every working order on this side fills, plus this one. A negative working
  // quantity is bookkeeping noise, and counting it would loosen the checks, so it counts as zero.
  const position = exposure.position;
  const workingBuy = Decimal.max(exposure.workingBuy, Decimal.ZERO);
  const workingSell = Decimal.max(exposure.workingSell, Decimal.ZERO);
  const buy = side === 'BUY';

  if (l.maxDailyLoss !== undefined || l.maxDrawdown !== undefined) {
    const pnl = context.pnl!;
    const loss = l.maxDailyLoss !== undefined && pnl.dailyPnl.isNegative() && pnl.dailyPnl.neg().gt(l.maxDailyLoss);
    const drawdown = l.maxDrawdown !== undefined ? pnl.peakEquity.sub(pnl.equity) : Decimal.ZERO;
    const deep = l.maxDrawdown !== undefined && drawdown.gt(l.maxDrawdown);
    // Once a loss limit is hit, only orders that take the position toward flat get through.
    const reduces = (loss || deep) && reducesPosition(side, quantity, exposure);
    if (loss && !reduces) {
      return reject(
        'DAILY_LOSS',
        `daily P&L ${pnl.dailyPnl} is a loss beyond max daily loss ${l.maxDailyLoss}; only orders that reduce a position are accepted`,
        { dailyPnl: pnl.dailyPnl.toString(), maxDailyLoss: l.maxDailyLoss!.toString() },
      );
    }
    if (deep && !reduces) {
      return reject(
        'MAX_DRAWDOWN',
        `drawdown ${drawdown} (peak equity ${pnl.peakEquity}, equity ${pnl.equity}) exceeds max drawdown ${l.maxDrawdown}; only orders that reduce a position are accepted`,
        {
          equity: pnl.equity.toString(),
          peakEquity: pnl.peakEquity.toString(),
          drawdown: drawdown.toString(),
          maxDrawdown: l.maxDrawdown!.toString(),
        },
      );
    }
  }

  if (l.maxSymbolOrdersPerWindow !== undefined || l.maxStrategyOrdersPerWindow !== undefined || l.maxOrdersPerWindow !== undefined) {
    const windowMs = l.orderRateWindowMs ?? DEFAULT_ORDER_RATE_WINDOW_MS;
    const now = context.nowMs!;
    const rates = context.rates!;
    const rate =
      checkRate('symbol', symbol, rates.symbol, l.maxSymbolOrdersPerWindow, windowMs, now) ??
      checkRate('strategy', strategy, rates.strategy, l.maxStrategyOrdersPerWindow, windowMs, now) ??
      checkRate('account', '', rates.account, l.maxOrdersPerWindow, windowMs, now);
    if (rate !== undefined) return rate;
  }

  const openOrders =
    checkOpenOrders('symbol', symbol, exposure.openOrders, l.maxSymbolOpenOrders) ??
    checkOpenOrders('strategy', strategy, context.strategy?.openOrders, l.maxStrategyOpenOrders) ??
    checkOpenOrders('account', '', context.account?.openOrders, l.maxOpenOrders);
  if (openOrders !== undefined) return openOrders;

  if (buy) {
    const projected = position.add(workingBuy).add(quantity);
    if (projected.gt(l.maxPosition)) {
      return reject(
        'MAX_POSITION',
        `position ${position} + working buys ${workingBuy} + order ${quantity} = ${projected} exceeds max position ${l.maxPosition}`,
        positionValues(position, 'workingBuy', workingBuy, quantity, projected, 'maxPosition', l.maxPosition),
      );
    }
    if (l.maxLongPosition !== undefined && projected.gt(l.maxLongPosition)) {
      return reject(
        'MAX_LONG_POSITION',
        `position ${position} + working buys ${workingBuy} + order ${quantity} = ${projected} exceeds max long position ${l.maxLongPosition}`,
        positionValues(position, 'workingBuy', workingBuy, quantity, projected, 'maxLongPosition', l.maxLongPosition),
      );
    }
  } else {
    const projected = position.sub(workingSell).sub(quantity);
    if (projected.lt(l.maxPosition.neg())) {
      return reject(
        'MAX_POSITION',
        `position ${position} - working sells ${workingSell} - order ${quantity} = ${projected} exceeds max short position ${l.maxPosition.neg()}`,
        positionValues(position, 'workingSell', workingSell, quantity, projected, 'maxPosition', l.maxPosition),
      );
    }
    if (l.maxShortPosition !== undefined && projected.lt(l.maxShortPosition.neg())) {
      return reject(
        'MAX_SHORT_POSITION',
        `position ${position} - working sells ${workingSell} - order ${quantity} = ${projected} exceeds max short position ${l.maxShortPosition.neg()}`,
        positionValues(position, 'workingSell', workingSell, quantity, projected, 'maxShortPosition', l.maxShortPosition),
      );
    }
  }

  if (l.maxOpenPositions !== undefined) {
    // A symbol counts while it holds a position or working orders; an order in any other opens one.
    const opensOne = position.isZero() && workingBuy.isZero() && workingSell.isZero();
    const open = context.account!.openPositions;
    if (opensOne && open + 1 > l.maxOpenPositions) {
      return reject(
        'MAX_OPEN_POSITIONS',
        `order opens a position in ${symbol}: ${open} open positions + 1 = ${open + 1} exceeds max open positions ${l.maxOpenPositions}`,
        { symbol, openPositions: String(open), projectedOpenPositions: String(open + 1), maxOpenPositions: String(l.maxOpenPositions) },
      );
    }
  }

  if (l.maxGrossExposure !== undefined || l.maxNetExposure !== undefined) {
    const exposureCheck = checkExposure(symbol, buy, quantity, position, workingBuy, workingSell, exposure.mark ?? price, context.account!, l);
    if (exposureCheck !== undefined) return exposureCheck;
  }

  return { approved: true, notional };
}

/** The first state a configured limit needs but the caller did not give, if any. */
function missingState(l: RiskLimits, exposure: ExposureState, c: CheckContext): { limit: string; state: string } | undefined {
  if (l.priceBandBps !== undefined && c.market === undefined) return { limit: 'priceBandBps', state: 'market (BBO)' };
  if (l.maxDailyLoss !== undefined && c.pnl === undefined) return { limit: 'maxDailyLoss', state: 'P&L' };
  if (l.maxDrawdown !== undefined && c.pnl === undefined) return { limit: 'maxDrawdown', state: 'P&L' };
  if (l.maxSymbolOrdersPerWindow !== undefined || l.maxStrategyOrdersPerWindow !== undefined || l.maxOrdersPerWindow !== undefined) {
    const limit =
      l.maxSymbolOrdersPerWindow !== undefined ? 'maxSymbolOrdersPerWindow' : l.maxStrategyOrdersPerWindow !== undefined ? 'maxStrategyOrdersPerWindow' : 'maxOrdersPerWindow';
    if (c.nowMs === undefined) return { limit, state: 'time (nowMs)' };
    if (l.maxSymbolOrdersPerWindow !== undefined && c.rates?.symbol === undefined) return { limit: 'maxSymbolOrdersPerWindow', state: 'symbol order-rate window' };
    if (l.maxStrategyOrdersPerWindow !== undefined && c.rates?.strategy === undefined) return { limit: 'maxStrategyOrdersPerWindow', state: 'strategy order-rate window' };
    if (l.maxOrdersPerWindow !== undefined && c.rates?.account === undefined) return { limit: 'maxOrdersPerWindow', state: 'account order-rate window' };
  }
  if (l.maxSymbolOpenOrders !== undefined && exposure.openOrders === undefined) return { limit: 'maxSymbolOpenOrders', state: 'symbol open orders' };
  if (l.maxStrategyOpenOrders !== undefined && c.strategy === undefined) return { limit: 'maxStrategyOpenOrders', state: 'strategy state' };
  if (c.account === undefined) {
    const limit =
      l.maxOpenOrders !== undefined
        ? 'maxOpenOrders'
        : l.maxOpenPositions !== undefined
          ? 'maxOpenPositions'
          : l.maxGrossExposure !== undefined
            ? 'maxGrossExposure'
            : l.maxNetExposure !== undefined
              ? 'maxNetExposure'
              : undefined;
    if (limit !== undefined) return { limit, state: 'account state' };
  }
  return undefined;
}

/**
 * Fat-finger band against the touch: a buy may be at most `band` bps above the ask (through) and
 * below the bid (away), a sell at most `band` bps below the bid (through) and above the ask
 * (away). Prices inside the spread always pass. Market orders are checked at their reference price.
 */
function checkPriceBand(order: OrderToCheck, side: Side, price: Decimal, band: Decimal, market: MarketState): RiskDecision | undefined {
  const { bid, ask } = market;
  if (bid === undefined || ask === undefined || !bid.isPositive() || !ask.isPositive()) {
    const lacking = [bid === undefined || !bid.isPositive() ? 'bid' : '', ask === undefined || !ask.isPositive() ? 'ask' : ''].filter((s) => s !== '').join(' and ');
    return reject('NO_MARKET_DATA', `no ${lacking} for ${order.symbol}: the price band of ${band} bps cannot be checked`, {
      symbol: order.symbol,
      priceBandBps: band.toString(),
    });
  }
  const buy = side === 'BUY';
  // through: beyond the far touch, in the order's own direction; away: behind the near touch.
  // Only a price outside the spread can be either, and only on one side of it.
  if (buy ? price.gt(ask) : price.lt(bid)) return bandBreach(order, side, price, buy ? price.sub(ask) : bid.sub(price), buy ? ask : bid, 'through', buy ? 'ask' : 'bid', band, bid, ask);
  if (buy ? price.lt(bid) : price.gt(ask)) return bandBreach(order, side, price, buy ? bid.sub(price) : price.sub(ask), buy ? bid : ask, 'away from', buy ? 'bid' : 'ask', band, bid, ask);
  return undefined;
}

/** distance / ref × 10000 > band, without dividing: the rejection, or undefined within the band. */
function bandBreach(
  order: OrderToCheck,
  side: Side,
  price: Decimal,
  distance: Decimal,
  ref: Decimal,
  how: string,
  touch: 'bid' | 'ask',
  band: Decimal,
  bid: Decimal,
  ask: Decimal,
): RiskDecision | undefined {
  if (!distance.mul(BPS).gt(ref.mul(band))) return undefined;
  // Rounded away from zero, so a breach never prints as equal to the band.
  const bps = distance.mul(BPS).div(ref, 2, 'up');
  const kind = order.limitPrice !== undefined ? 'limit price' : 'reference price';
  return reject('PRICE_BAND', `${side.toLowerCase()} ${kind} ${price} is ${bps} bps ${how} the ${touch} ${ref}, beyond the price band of ${band} bps`, {
    price: price.toString(),
    bid: bid.toString(),
    ask: ask.toString(),
    touch,
    deviationBps: bps.toString(),
    priceBandBps: band.toString(),
  });
}

function checkRate(
  scope: 'symbol' | 'strategy' | 'account',
  name: string,
  window: RateWindowView | undefined,
  max: number | undefined,
  windowMs: number,
  now: number,
): RiskDecision | undefined {
  if (max === undefined) return undefined;
  // Full when the max-th most recent approval is still inside the window (or max is 0).
  const nth = max === 0 ? now : window!.recent(max);
  if (nth === undefined || nth <= now - windowMs) return undefined;
  const count = window!.countSince(now - windowMs);
  const who = scope === 'account' ? 'the account' : `${scope} ${name}`;
  return reject('ORDER_RATE', `${who} has ${count} orders in the last ${windowMs} ms; one more exceeds max ${max} per ${windowMs} ms`, {
    scope,
    ...(scope === 'account' ? {} : { [scope]: name }),
    orders: String(count),
    maxOrders: String(max),
    windowMs: String(windowMs),
  });
}

function checkOpenOrders(scope: 'symbol' | 'strategy' | 'account', name: string, open: number | undefined, max: number | undefined): RiskDecision | undefined {
  if (max === undefined || open === undefined || open + 1 <= max) return undefined;
  const who = scope === 'account' ? 'the account' : `${scope} ${name}`;
  return reject('MAX_OPEN_ORDERS', `${who} has ${open} open orders + 1 = ${open + 1} exceeds max open orders ${max}`, {
    scope,
    ...(scope === 'account' ? {} : { [scope]: name }),
    openOrders: String(open),
    projectedOpenOrders: String(open + 1),
    maxOpenOrders: String(max),
  });
}

/** max(p + B, S − p): the symbol's worst-case absolute position (never negative). */
function worstAbs(position: Decimal, workingBuy: Decimal, workingSell: Decimal): Decimal {
  return Decimal.max(position.add(workingBuy), workingSell.sub(position));
}

/**
 * Gross and net exposure after the order, from the account's running totals: the order's symbol
 * is taken out at its current worst case and put back with the order. An order that does not
 * raise the measure passes even when the account is over the limit (marks move), as an order
 * that reduces a position passes the position limit.
 */
function checkExposure(
  symbol: string,
  buy: boolean,
  quantity: Decimal,
  position: Decimal,
  workingBuy: Decimal,
  workingSell: Decimal,
  mark: Decimal,
  account: AccountState,
  l: RiskLimits,
): RiskDecision | undefined {
  const orderValue = quantity.mul(mark);
  if (l.maxGrossExposure !== undefined) {
    const before = worstAbs(position, workingBuy, workingSell).mul(mark);
    const after = (buy ? worstAbs(position, workingBuy.add(quantity), workingSell) : worstAbs(position, workingBuy, workingSell.add(quantity))).mul(mark);
    if (after.gt(before)) {
      const projected = account.grossExposure.sub(before).add(after);
      if (projected.gt(l.maxGrossExposure)) {
        return reject(
          'MAX_GROSS_EXPOSURE',
          `gross exposure ${account.grossExposure} - ${symbol} ${before} + ${symbol} with the order ${after} = ${projected} exceeds max gross exposure ${l.maxGrossExposure} (worst case with working orders, at mark ${mark})`,
          {
            grossExposure: account.grossExposure.toString(),
            symbolExposure: before.toString(),
            projectedSymbolExposure: after.toString(),
            projectedGrossExposure: projected.toString(),
            mark: mark.toString(),
            maxGrossExposure: l.maxGrossExposure.toString(),
          },
        );
      }
    }
  }
  if (l.maxNetExposure !== undefined) {
    const long = buy ? account.netExposureLong.add(orderValue) : account.netExposureLong;
    const short = buy ? account.netExposureShort : account.netExposureShort.sub(orderValue);
    const before = Decimal.max(account.netExposureLong, account.netExposureShort.neg());
    const after = Decimal.max(long, short.neg());
    if (after.gt(before) && after.gt(l.maxNetExposure)) {
      const detail = buy
        ? `net exposure if every buy fills ${account.netExposureLong} + order ${orderValue} = ${long}`
        : `net exposure if every sell fills ${account.netExposureShort} - order ${orderValue} = ${short}`;
      return reject('MAX_NET_EXPOSURE', `${detail} exceeds max net exposure ${l.maxNetExposure} in absolute value (at mark ${mark})`, {
        netExposureLong: account.netExposureLong.toString(),
        netExposureShort: account.netExposureShort.toString(),
        orderExposure: orderValue.toString(),
        projectedNetExposure: (buy ? long : short).toString(),
        mark: mark.toString(),
        maxNetExposure: l.maxNetExposure.toString(),
      });
    }
  }
  return undefined;
}

function positionValues(
  position: Decimal,
  workingKey: 'workingBuy' | 'workingSell',
  working: Decimal,
  quantity: Decimal,
  projected: Decimal,
  limitKey: 'maxPosition' | 'maxLongPosition' | 'maxShortPosition',
  limit: Decimal,
): Record<string, string> {
  return {
    position: position.toString(),
    [workingKey]: working.toString(),
    quantity: quantity.toString(),
    projectedPosition: projected.toString(),
    [limitKey]: limit.toString(),
  };
}
