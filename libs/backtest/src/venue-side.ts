import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { InvalidBookArgumentError, L2Book } from '@meridian/book';
import type { BookLevels, BookSide, Level } from '@meridian/book';
import { SimulatedVenue, fixedSlippage } from '@meridian/venue-sim';
import type { SimInstrument, SimOrder, SimResult, SimUpdate } from '@meridian/venue-sim';
import type { ResolvedConfig } from './config';
import type { BarEvent, BookEvent, QuoteEvent, TradeEvent } from './events';

/** The account the backtest trades for on its simulated venue. */
export const BACKTEST_ACCOUNT = 'backtest';

/** A symbol's entry on the venue side, for the engine to hand back with each event (no lookup by name). */
export type VenueSymbolHandle = VenueSymbol;

/**
 * Execution's book of a symbol whose book is made from its bars or trades: the synthetic levels
 * themselves, which are sorted, positive, distinct and uncrossed by construction, read where they
 * are instead of copied into an `L2Book` before every order.
 */
class SyntheticBookView implements BookLevels {
  readonly synced = true;
  constructor(private levels: { readonly bids: readonly Level[]; readonly asks: readonly Level[] }) {}

  show(levels: { readonly bids: readonly Level[]; readonly asks: readonly Level[] }): this {
    this.levels = levels;
    return this;
  }

  bestBid(): Level | undefined {
    return this.levels.bids[0];
  }

  bestAsk(): Level | undefined {
    return this.levels.asks[0];
  }

  levelAt(side: BookSide, depth: number): Level | undefined {
    if (side !== 'bid' && side !== 'ask') throw new InvalidBookArgumentError('book side', side, "expected 'bid' or 'ask'");
    return depth < 0 ? undefined : (side === 'bid' ? this.levels.bids : this.levels.asks)[depth];
  }
}

/** One symbol as the venue side sees it: the venue's mirror and execution's own view of the market book. */
class VenueSymbol {
  /** `l2` once the data gave a book for it: mirrored as it comes, as the paper venue mirrors the feed. */
  mode: 'synthetic' | 'l2' = 'synthetic';
  /** The synthetic book's inputs: the last price and the size it implies, or the last quote. */
  refPrice: Decimal | undefined;
  refSize: Decimal | undefined;
  quote: QuoteEvent | undefined;
  /** The market's last print (a bar's close, a trade): the venue's last price once flushed. */
  lastPrint: Decimal | undefined;
  /** The venue has not seen the latest synthetic inputs yet. */
  dirty = false;
  /** Execution's market book (the slippage guard's) of an L2 or quoted symbol, as of the data; stale for a quoted one until `guardBook`. */
  readonly md: L2Book;
  /** Execution's book of a symbol priced by bars or trades, made on its first use. */
  view: SyntheticBookView | undefined;
  mdSeq = 0n;
  /** A quote came since `md` last took the quote's levels. */
  mdDirty = false;
  /** Our orders open at the venue (resting or held stops): while any is, every event reaches the venue at once. */
  ownOpen = 0;
  /** The synthetic levels of the current inputs, built once for the venue and the guard alike. */
  levels: { bids: Level[]; asks: Level[] } | undefined;
  /** How far the synthetic book's k-th level is from the reference price (`halfSpreadTicks + k` ticks): the same at every refresh. */
  readonly levelOffsets: readonly Decimal[];

  constructor(
    readonly instrument: SimInstrument,
    book: ResolvedConfig['syntheticBook'],
  ) {
    this.md = new L2Book(instrument.symbol);
    this.levelOffsets = Array.from({ length: book.levels }, (_, k) => instrument.tickSize.mul(BigInt(book.halfSpreadTicks + k)));
  }
}

/**
 * The simulated venue of a backtest (`@meridian/venue-sim`, configured as the paper venue), fed
 * from the market events, and execution's book of each symbol for its slippage guard.
 *
 * A symbol with an L2 book in the data is mirrored event by event, as the paper venue mirrors the
 * feed. A symbol with only bars, trades or quotes gets a synthetic book (`SyntheticBookConfig`):
 * while none of our orders is open there, the venue is brought up to date only when an order for
 * the symbol is about to reach it (the last print, then the book), which is exactly what it would
 * hold had every event been applied (house liquidity alone draws nothing from the RNG and a
 * snapshot replaces it whole); while one of our orders is open, every event is applied at once.
 * A margin account's buying power values holdings of a symbol whose book waits for its refresh at
 * what that book will be valued at (`markNow`), as the paper venue fed every event would.
 */
export class VenueSide {
  readonly venue: SimulatedVenue;
  private readonly symbols = new Map<string, VenueSymbol>();
  private readonly book: ResolvedConfig['syntheticBook'];
  /** `book.volumeShare` as the exact decimal the level sizes multiply by (read once, not per refresh). */
  private readonly volumeShare: Decimal;

  constructor(
    config: ResolvedConfig,
    clock: () => bigint,
    onUpdate: (update: SimUpdate) => void,
  ) {
    this.venue = new SimulatedVenue({
      instruments: config.instruments,
      fees: config.source.venue.fees,
      clock,
      seed: config.seed,
      queueModel: config.queueModel,
      ...(config.source.venue.slippage !== undefined ? { slippage: config.source.venue.slippage } : config.slippageTicks > 0 ? { slippage: fixedSlippage(config.slippageTicks) } : {}),
      // A subscriber error is a bug of the engine: rethrown at the end of the call, never swallowed.
      onListenerError: (error) => {
        throw error;
      },
      currentMark: (symbol) => this.markNow(symbol),
    });
    const { account } = config.source.venue;
    this.venue.openAccount({ id: BACKTEST_ACCOUNT, mode: account.mode, balances: account.balances, ...(account.leverage !== undefined ? { leverage: account.leverage } : {}) });
    this.venue.subscribe(BACKTEST_ACCOUNT, onUpdate);
    this.book = config.syntheticBook;
    for (const instrument of config.instruments) this.symbols.set(instrument.symbol, new VenueSymbol(instrument, this.book));
    this.volumeShare = Decimal.fromNumber(this.book.volumeShare, 12);
  }

  private symbol(symbol: string): VenueSymbol {
    return this.symbols.get(symbol)!;
  }

  /** The entry of one of the run's symbols, to pass to the `on…` methods. */
  handle(symbol: string): VenueSymbolHandle {
    return this.symbol(symbol);
  }

  // ---- Market events

  onBar(e: BarEvent, s: VenueSymbolHandle = this.symbol(e.symbol)): void {
    if (s.mode === 'l2' || s.quote !== undefined) return;
    s.refPrice = e.close;
    s.refSize = e.volume;
    s.levels = undefined;
    const traded = e.volume.isPositive();
    if (s.ownOpen === 0) {
      if (traded) s.lastPrint = e.close;
      s.dirty = true;
      return;
    }
    if (traded) {
      // The bar's path as prints, so that orders resting inside its range fill: up first on a rising bar.
      const up = e.close.gte(e.open);
      const size = this.lotsOf(s, e.volume);
      if (size !== undefined) {
        this.print(s, up ? e.low : e.high, size, up ? 'SELL' : 'BUY');
        this.print(s, up ? e.high : e.low, size, up ? 'BUY' : 'SELL');
        this.print(s, e.close, size, up ? 'SELL' : 'BUY');
      }
    }
    this.flushBook(s);
  }

  onTrade(e: TradeEvent, s: VenueSymbolHandle = this.symbol(e.symbol)): void {
    const aggressor: Side = e.aggressor ?? (s.lastPrint !== undefined && e.price.lt(s.lastPrint) ? 'SELL' : 'BUY');
    if (s.mode === 'l2') {
      this.venue.applyMarketTrade(e.symbol, { price: e.price, quantity: e.size, aggressor });
      s.lastPrint = e.price;
      return;
    }
    if (s.quote === undefined) {
      s.refPrice = e.price;
      s.refSize = e.size;
      s.levels = undefined;
    }
    if (s.ownOpen === 0) {
      s.lastPrint = e.price;
      s.dirty = true;
      return;
    }
    this.print(s, e.price, e.size, aggressor);
    this.flushBook(s);
  }

  onQuote(e: QuoteEvent, s: VenueSymbolHandle = this.symbol(e.symbol)): void {
    if (s.mode === 'l2') return;
    s.quote = e;
    s.mdDirty = true;
    s.levels = undefined;
    if (s.ownOpen === 0) {
      s.dirty = true;
      return;
    }
    this.flushBook(s);
  }

  onBook(e: BookEvent, s: VenueSymbolHandle = this.symbol(e.symbol)): void {
    s.mode = 'l2';
    // Execution keeps its own book of the feed and mirrors only what it could apply.
    const r = e.snapshot ? s.md.applySnapshot(e.seq, e.bids, e.asks) : s.md.applyDelta(e.seq, e.bids, e.asks);
    if (r.ok) this.venue.applyMarketBook(e.symbol, { snapshot: e.snapshot, bids: e.bids, asks: e.asks });
  }

  // ---- Orders

  /** Brings a synthetic symbol's venue book up to date before a request reaches it. */
  prepare(symbol: string): void {
    const s = this.symbol(symbol);
    if (s.mode === 'l2' || !s.dirty) return;
    if (s.lastPrint !== undefined && !(this.venue.lastPrice(symbol)?.eq(s.lastPrint) ?? false)) {
      // Only the last price outlives the snapshot that follows (no order of ours rests here).
      this.print(s, s.lastPrint, s.instrument.lotSize, 'BUY');
    }
    this.flushBook(s);
  }

  /** Execution's market book for the slippage guard, or undefined before any market data of the symbol. */
  guardBook(symbol: string): BookLevels | undefined {
    const s = this.symbol(symbol);
    if (s.mode === 'synthetic' && s.quote === undefined) {
      const levels = this.syntheticLevels(s);
      if (levels === undefined) return undefined;
      return s.view === undefined ? (s.view = new SyntheticBookView(levels)) : s.view.show(levels);
    }
    // A quote's two levels come from the data: the book checks them (a crossed or empty quote is no market to trade on).
    if (s.mode === 'synthetic' && s.mdDirty) {
      const levels = this.syntheticLevels(s);
      if (levels !== undefined) s.md.applySnapshot(++s.mdSeq, levels.bids, levels.asks);
      s.mdDirty = false;
    }
    return s.md.synced ? s.md : undefined;
  }

  /** Counts our open orders per symbol (the engine tells it when an order rests and when it ends). */
  opened(symbol: string): void {
    this.symbol(symbol).ownOpen++;
  }

  closed(symbol: string): void {
    this.symbol(symbol).ownOpen--;
  }

  place(request: Parameters<SimulatedVenue['placeOrder']>[0]): SimResult<SimOrder> {
    this.prepare(request.symbol);
    return this.venue.placeOrder(request);
  }

  cancel(symbol: string, clientOrderId: string): SimResult<SimOrder> {
    this.prepare(symbol);
    return this.venue.cancelOrder({ account: BACKTEST_ACCOUNT, clientOrderId });
  }

  // ---- Internals

  /**
   * What the venue's book of a synthetic symbol waiting for its refresh would be valued at once
   * refreshed: the mid of its two best levels (the last price, which they straddle evenly, or the
   * quote's mid), else the last print; undefined while the venue's book is current.
   */
  private markNow(symbol: string): Decimal | undefined {
    const s = this.symbols.get(symbol);
    if (s === undefined || s.mode === 'l2' || !s.dirty) return undefined;
    const q = s.quote;
    if (q !== undefined) {
      if (q.bid === undefined || q.ask === undefined) return s.lastPrint;
      const sum = q.bid.price.add(q.ask.price);
      return sum.div(2n, sum.scale + 1);
    }
    if (s.refPrice === undefined) return undefined;
    // The best bid is the first level (a book has at least one: the config refuses fewer), and it is
    // in the book when positive: refPrice - offset > 0, compared without computing the difference.
    return s.refPrice.gt(s.levelOffsets[0]!) ? s.refPrice : s.lastPrint;
  }

  private print(s: VenueSymbol, price: Decimal, size: Decimal, aggressor: Side): void {
    this.venue.applyMarketTrade(s.instrument.symbol, { price, quantity: size, aggressor });
    s.lastPrint = price;
  }

  private flushBook(s: VenueSymbol): void {
    s.dirty = false;
    const levels = this.syntheticLevels(s);
    if (levels !== undefined) this.venue.applyMarketBook(s.instrument.symbol, { snapshot: true, bids: levels.bids, asks: levels.asks });
  }

  /** A size in whole lots (rounded down), or undefined below one lot. */
  private lotsOf(s: VenueSymbol, size: Decimal): Decimal | undefined {
    const lots = size.quantize(s.instrument.lotSize, 'down');
    return lots.isPositive() ? lots : undefined;
  }

  private syntheticLevels(s: VenueSymbol): { bids: Level[]; asks: Level[] } | undefined {
    return (s.levels ??= this.buildLevels(s));
  }

  private buildLevels(s: VenueSymbol): { bids: Level[]; asks: Level[] } | undefined {
    const q = s.quote;
    if (q !== undefined) return { bids: q.bid !== undefined ? [q.bid] : [], asks: q.ask !== undefined ? [q.ask] : [] };
    const price = s.refPrice;
    if (price === undefined) return undefined;
    const lot = s.instrument.lotSize;
    let size = this.book.levelSize;
    if (size === undefined) {
      const share = (s.refSize ?? Decimal.ZERO).mul(this.volumeShare).quantize(lot, 'down');
      size = share.gte(lot) ? share : lot;
    }
    const bids: Level[] = [];
    const asks: Level[] = [];
    const offsets = s.levelOffsets;
    for (let k = 0; k < offsets.length; k++) {
      const away = offsets[k]!;
      const bid = price.sub(away);
      // Frozen: the guard's book keeps them as they are instead of copying each level.
      if (bid.isPositive()) bids.push(Object.freeze({ price: bid, size }));
      asks.push(Object.freeze({ price: price.add(away), size }));
    }
    return { bids, asks };
  }
}
