import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { BookSide, Level, MatchEvent } from '@meridian/book';
import { InvalidMarketDataError, SimInvariantError } from './errors';
import { LevelTargets } from './level-targets';
import type { SimMarket } from './market';
import { planReduction } from './queue-model';
import type { QueueModel } from './types';

/** Owner of mirrored liquidity in the engine; its orders cancel the older house order they meet (never trade with it). */
export const HOUSE_OWNER = '@house';
/** Owner of the transient orders that print an external trade against the book. */
export const PRINT_OWNER = '@market';

/** What the mirror needs from the venue: to hand over each engine call's events, its RNG and queue model. */
export interface MirrorHost {
  readonly queueModel: QueueModel;
  readonly random: () => number;
  process(market: SimMarket, events: MatchEvent[]): void;
}

export interface BookChange {
  readonly snapshot: boolean;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/**
 * The working lists of `applyBookChange`, refilled by every call. One pair serves every venue: a
 * call never reenters (nothing it does reaches a caller before it returns; updates are delivered
 * after it).
 */
const BID_TARGETS = new LevelTargets();
const ASK_TARGETS = new LevelTargets();

/**
 * Mirrors the external L2 book as house orders in the engine: each reported level's mirrored size
 * becomes the reported size. A level that grows gets the new size at the back of its queue (behind
 * our orders there); one that shrinks loses it where the queue model says (`planReduction`). A
 * snapshot also empties every mirrored level it does not list. Reductions go first, so a level
 * the market moved through is gone before new levels are placed; a new level that reaches our
 * resting orders on the other side trades with them at their prices (we are the maker), and one
 * that reaches stale mirrored levels cancels them (self-trade prevention between house orders).
 */
export function applyBookChange(host: MirrorHost, market: SimMarket, change: BookChange): void {
  if (change === null || typeof change !== 'object') throw new InvalidMarketDataError(market.symbol, 'book change', change, 'must be { snapshot, bids, asks }');
  const bids = levelTargets(market, 'bids', change.bids, BID_TARGETS);
  const asks = levelTargets(market, 'asks', change.asks, ASK_TARGETS);
  const book = market.engine.core.book;
  if (change.snapshot === true) {
    unlisted(book, 'bid', bids);
    unlisted(book, 'ask', asks);
  } else if (change.snapshot !== false) {
    throw new InvalidMarketDataError(market.symbol, 'snapshot', change.snapshot, 'must be a boolean');
  }
  // A book is refreshed before every order of a backtest: each step is a function of its own (no closures per change).
  reduce(host, market, 'bid', bids);
  reduce(host, market, 'ask', asks);
  grow(host, market, 'bid', bids);
  grow(host, market, 'ask', asks);
}

/** A snapshot's targets also empty every level it does not list: read best first, before anything changes. */
function unlisted(book: SimMarket['engine']['core']['book'], side: BookSide, targets: LevelTargets): void {
  const count = book.levelCount(side);
  for (let depth = 0; depth < count; depth++) {
    const price = book.priceAt(side, depth)!;
    if (!targets.has(price)) targets.add(price, 0);
  }
}

/** Mirrored lots at a price: with none of our orders in the engine, the level's total (no queue to build). */
function houseAt(market: SimMarket, side: BookSide, price: number): number {
  return market.owners.size === 0 ? market.engine.core.book.levelLotsAt(side, price) : market.houseLots(side, price);
}

/** The levels whose mirrored size shrinks lose it where the queue model says. */
function reduce(host: MirrorHost, market: SimMarket, side: BookSide, targets: LevelTargets): void {
  const engine = market.engine;
  for (let i = 0; i < targets.length; i++) {
    const price = targets.priceAt(i);
    const lots = targets.lotsAt(i);
    const house = houseAt(market, side, price);
    if (lots >= house) continue;
    if (market.owners.size === 0) {
      cutHouseOnlyLevel(host, market, side, price, house - lots);
      continue;
    }
    for (const cut of planReduction(market.queue(side, price), house - lots, host.queueModel, host.random)) {
      const order = engine.core.order(cut.id)!;
      if (cut.lots === order.remaining) cancelHouse(host, market, cut.id);
      else amendHouse(host, market, cut.id, order.quantity - cut.lots);
    }
  }
}

/** The levels whose mirrored size grows get the new size at the back of their queue. */
function grow(host: MirrorHost, market: SimMarket, side: BookSide, targets: LevelTargets): void {
  const engine = market.engine;
  const book = engine.core.book;
  for (let i = 0; i < targets.length; i++) {
    const price = targets.priceAt(i);
    const lots = targets.lotsAt(i);
    const house = houseAt(market, side, price);
    if (lots <= house) continue;
    const lastId = book.backOrder(side, price) as number | undefined;
    if (lastId !== undefined && market.isHouse(lastId)) {
      // The last order of the queue is mirrored: growing it keeps it last, with no new engine order.
      const order = engine.core.order(lastId)!;
      amendHouse(host, market, lastId, order.quantity + lots - house);
    } else if (market.owners.size === 0) {
      // See `cancelHouse`: the same request in ticks and lots.
      engine.core.submit({ type: 'limit', side: side === 'bid' ? 'BUY' : 'SELL', price, quantity: lots - house, owner: HOUSE_OWNER, stp: 'cancel_oldest' });
    } else {
      host.process(
        market,
        engine.submit({
          type: 'limit',
          side: side === 'bid' ? 'BUY' : 'SELL',
          price: market.scale.fromTicks(price),
          quantity: market.scale.fromLots(lots - house),
          owner: HOUSE_OWNER,
          stp: 'cancel_oldest',
        }),
      );
    }
  }
}

/**
 * An external trade of `quantity` at `price`, `aggressor` taking liquidity. Our resting orders at
 * better prices than the print were traded through: they fill in full at their own prices, and the
 * mirrored liquidity there is gone. At the print's price the trade consumes the queue from the
 * front: mirrored liquidity ahead of our orders first, then our orders, then what is behind them.
 * All our fills are maker fills. Returns nothing; the caller sets the last trade price.
 */
export function applyTrade(host: MirrorHost, market: SimMarket, trade: { price: Decimal; quantity: Decimal; aggressor: Side }): void {
  if (trade === null || typeof trade !== 'object') throw new InvalidMarketDataError(market.symbol, 'trade', trade, 'must be { price, quantity, aggressor }');
  if (trade.aggressor !== 'BUY' && trade.aggressor !== 'SELL') throw new InvalidMarketDataError(market.symbol, 'trade.aggressor', trade.aggressor, 'must be BUY or SELL');
  const price = ticksOf(market, 'trade.price', undefined, '', trade.price);
  const quantity = lotsOf(market, 'trade.quantity', undefined, '', trade.quantity, false);
  const buy = trade.aggressor === 'BUY';
  const opposite: BookSide = buy ? 'ask' : 'bid';
  const engine = market.engine;
  const book = engine.core.book;
  const print = (at: number, lots: number): void => {
    if (market.owners.size === 0) {
      // See `cancelHouse`: the same request in ticks and lots.
      engine.core.submit({ type: 'limit', side: trade.aggressor, price: at, quantity: lots, timeInForce: 'IOC', owner: PRINT_OWNER, stp: 'none' });
      return;
    }
    host.process(
      market,
      engine.submit({
        type: 'limit',
        side: trade.aggressor,
        price: market.scale.fromTicks(at),
        quantity: market.scale.fromLots(lots),
        timeInForce: 'IOC',
        owner: PRINT_OWNER,
        stp: 'none',
      }),
    );
  };
  for (;;) {
    const best = book.bestPrice(opposite);
    if (best === undefined || (buy ? best >= price : best <= price)) break;
    let ours = 0;
    if (market.owners.size === 0) {
      // Only mirrored liquidity there: all of it goes, front first, with no queue listed.
      for (let id = book.frontOrder(opposite, best); id !== undefined; id = book.frontOrder(opposite, best)) cancelHouse(host, market, id as number);
    } else {
      for (const entry of market.queue(opposite, best)) {
        if (entry.house) cancelHouse(host, market, entry.id);
        else ours += entry.lots;
      }
    }
    if (ours > 0) print(best, ours);
    if (book.level(opposite, best) !== undefined) {
      throw new SimInvariantError(`${market.symbol}: the ${opposite} level at ${market.scale.fromTicks(best)} survived a trade printed through it at ${trade.price}`);
    }
  }
  if (book.bestPrice(opposite) === price) print(price, quantity);
}

/**
 * `planReduction` for a level while none of our orders is in the engine: its orders are all
 * mirrored, one segment, which every queue model cuts from the back (pro rata has a single share
 * and draws nothing). The same cuts, without building the queue.
 */
function cutHouseOnlyLevel(host: MirrorHost, market: SimMarket, side: BookSide, price: number, lots: number): void {
  const book = market.engine.core.book;
  while (lots > 0) {
    const id = book.backOrder(side, price) as number | undefined;
    if (id === undefined) return;
    const resting = book.orderLotsOf(id)!;
    if (lots >= resting) {
      cancelHouse(host, market, id);
      lots -= resting;
    } else {
      amendHouse(host, market, id, market.engine.core.order(id)!.quantity - lots);
      lots = 0;
    }
  }
}

/**
 * Cancels a house order. While none of our orders is in the market's engine, no event of a house
 * change can concern one (`process` reads only our orders), so the tick engine (`core`) is driven
 * directly and its events are not turned into Decimal events: the same book, at a fraction of the
 * cost (a synthetic book is refreshed this way before each order of a backtest).
 */
function cancelHouse(host: MirrorHost, market: SimMarket, id: number): void {
  if (market.owners.size === 0) market.engine.core.cancel(id);
  else host.process(market, market.engine.cancel(id));
}

/** Sets a house order's quantity (`lots` in all, filled included); see `cancelHouse`. */
function amendHouse(host: MirrorHost, market: SimMarket, id: number, lots: number): void {
  if (market.owners.size === 0) market.engine.core.amend(id, { price: undefined, quantity: lots });
  else host.process(market, market.engine.amend(id, { quantity: market.scale.fromLots(lots) }));
}

function levelTargets(market: SimMarket, field: string, levels: readonly Level[], out: LevelTargets): LevelTargets {
  if (!Array.isArray(levels)) throw new InvalidMarketDataError(market.symbol, field, levels, 'must be an array of { price, size }');
  out.clear();
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level === null || typeof level !== 'object') throw new InvalidMarketDataError(market.symbol, `${field}[${i}]`, level, 'must be { price, size }');
    const price = ticksOf(market, field, i, 'price', level.price);
    const lots = lotsOf(market, field, i, 'size', level.size, true);
    if (out.has(price)) throw new InvalidMarketDataError(market.symbol, `${field}[${i}].price`, level.price, 'is listed twice');
    out.add(price, lots);
  }
  return out;
}

/** A field's name for an error: `bids[3].price` for a level's (built only then, not for every level read), else `field` itself. */
function fieldName(field: string, index: number | undefined, part: string): string {
  return index === undefined ? field : `${field}[${index}].${part}`;
}

function ticksOf(market: SimMarket, field: string, index: number | undefined, part: string, value: unknown): number {
  if (!(value instanceof Decimal) || !value.isPositive()) throw new InvalidMarketDataError(market.symbol, fieldName(field, index, part), value, 'must be a positive Decimal');
  try {
    return market.scale.toTicks(value);
  } catch (cause) {
    throw new InvalidMarketDataError(market.symbol, fieldName(field, index, part), value, `is not a whole number of ticks of ${market.instrument.tickSize} within 2^53 - 1`, { cause });
  }
}

function lotsOf(market: SimMarket, field: string, index: number | undefined, part: string, value: unknown, zeroAllowed: boolean): number {
  if (!(value instanceof Decimal) || value.isNegative() || (!zeroAllowed && value.isZero())) {
    throw new InvalidMarketDataError(market.symbol, fieldName(field, index, part), value, zeroAllowed ? 'must be a non-negative Decimal' : 'must be a positive Decimal');
  }
  if (value.isZero()) return 0;
  try {
    return market.scale.toLots(value);
  } catch (cause) {
    throw new InvalidMarketDataError(market.symbol, fieldName(field, index, part), value, `is not a whole number of lots of ${market.instrument.lotSize} within 2^53 - 1`, { cause });
  }
}
