import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { MatchingEngine } from '@meridian/book';
import type { BookSide, TickScale } from '@meridian/book';
import type { OrderRecord } from './order-record';
import type { QueueEntry } from './queue-model';
import type { TermRules } from './rules';
import { StopList } from './stop-list';
import type { SimInstrument } from './types';

const TWO = Decimal.from(2);

/**
 * One symbol on the venue: its matching engine (mirrored liquidity and our orders in the same
 * queues), which engine orders are ours, the held stops and the last trade price. Every engine
 * order that is not in `owners` is venue-owned: mirrored (house) liquidity, or a transient order
 * that prints an external trade.
 */
export class SimMarket {
  readonly engine: MatchingEngine;
  readonly scale: TickScale;
  /** Our live engine orders by engine id. */
  readonly owners = new Map<number, OrderRecord>();
  readonly stops = new StopList();
  readonly rules: TermRules;
  /** The last trade price: the external market's prints and our own fills. */
  last: Decimal | undefined = undefined;
  private midBid = Number.NaN;
  private midAsk = Number.NaN;
  private midValue: Decimal | undefined = undefined;

  constructor(readonly instrument: SimInstrument) {
    // No minimum quantity or notional in the engine: mirrored levels of any size must rest there.
    // The venue applies the instrument's minimums to account orders itself (rules.ts).
    this.engine = new MatchingEngine(instrument.symbol, { tickSize: instrument.tickSize, lotSize: instrument.lotSize });
    this.scale = this.engine.scale;
    this.rules = {
      tickSize: instrument.tickSize,
      lotSize: instrument.lotSize,
      minQuantity: instrument.minQuantity ?? instrument.lotSize,
      minNotional: instrument.minNotional,
    };
  }

  get symbol(): string {
    return this.instrument.symbol;
  }

  isHouse(engineId: number): boolean {
    return !this.owners.has(engineId);
  }

  /** The queue at a price, front first, each order marked house or ours. */
  queue(side: BookSide, ticks: number): QueueEntry[] {
    return this.engine.core.book.ordersAt(side, ticks).map((o) => ({ id: o.id as number, lots: o.lots, house: !this.owners.has(o.id as number) }));
  }

  /** Mirrored lots resting at a price. */
  houseLots(side: BookSide, ticks: number): number {
    let lots = 0;
    for (const o of this.engine.core.book.ordersAt(side, ticks)) if (!this.owners.has(o.id as number)) lots += o.lots;
    return lots;
  }

  /** (best bid + best ask) / 2, exact; undefined when a side is empty. */
  mid(): Decimal | undefined {
    const book = this.engine.core.book;
    const bid = book.bestPrice('bid');
    const ask = book.bestPrice('ask');
    if (bid === undefined || ask === undefined) return undefined;
    // Margin checks value every holding at its mid on every order: the last one is kept while the BBO stays.
    if (bid === this.midBid && ask === this.midAsk) return this.midValue;
    this.midBid = bid;
    this.midAsk = ask;
    this.midValue = this.computeMid(bid, ask);
    return this.midValue;
  }

  private computeMid(bid: number, ask: number): Decimal {
    // (bid + ask) ticks × tick / 2, exactly: halving adds at most one digit.
    return this.scale.fromTicks(bid + ask).div(TWO, this.scale.tickSize.scale + 1);
  }

  /** The price positions are valued at: the mid, else the last trade, else undefined. */
  mark(): Decimal | undefined {
    return this.mid() ?? this.last;
  }

  /**
   * What a market order of `quantity` would fill against the book right now (the engine fills
   * exactly this, best level first), with `slippageTicks` adverse ticks added to every lot as an
   * upper bound on slippage: the filled quantity and its notional.
   */
  estimate(side: Side, quantity: Decimal, slippageTicks: number): { filled: Decimal; notional: Decimal } {
    const book = this.engine.core.book;
    const opposite: BookSide = side === 'BUY' ? 'ask' : 'bid';
    let wanted = this.scale.toLots(quantity);
    let units = 0n;
    let filled = 0;
    for (let depth = 0; wanted > 0; depth++) {
      const price = book.priceAt(opposite, depth);
      if (price === undefined) break;
      const take = Math.min(wanted, book.lotsAt(opposite, depth));
      const adverse = side === 'BUY' ? price + slippageTicks : Math.max(1, price - slippageTicks);
      units += BigInt(adverse) * BigInt(take);
      filled += take;
      wanted -= take;
    }
    const { tickSize, lotSize } = this.scale;
    return {
      filled: filled === 0 ? Decimal.ZERO : this.scale.fromLots(filled),
      notional: Decimal.fromUnits(units * tickSize.coef * lotSize.coef, tickSize.scale + lotSize.scale),
    };
  }
}
