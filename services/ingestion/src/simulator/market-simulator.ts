import { Decimal, DomainError } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { BookSide } from './book-side';
import type { Level } from './book-side';
import { Rng } from './rng';

export interface SimulatedInstrument {
  symbol: string;
  initialPrice: Decimal;
  tickSize: Decimal;
  lotSize: Decimal;
  /** Annualised volatility as a fraction, e.g. 0.6. */
  volatility: number;
  /** Mean events per second. */
  eventRate: number;
  /** Levels per side kept, e.g. 20. */
  depth: number;
}

export interface SimLevel {
  price: Decimal;
  size: Decimal;
}

export type SimEvent =
  | { kind: 'book'; symbol: string; seq: bigint; snapshot: boolean; bids: SimLevel[]; asks: SimLevel[]; tsMs: number }
  | { kind: 'trade'; symbol: string; tradeId: string; price: Decimal; size: Decimal; aggressor: Side; tsMs: number };

const SECONDS_PER_YEAR = 365 * 24 * 3600;

// Event mix: the rest of the unit interval is market orders.
const P_ADD = 0.5;
const P_CANCEL = 0.36;

/** Median notional of one resting level, in quote units; sets the size scale for any lot size. */
const LEVEL_NOTIONAL = 5_000;
/** Lognormal spread of level and order sizes. */
const LEVEL_SIZE_SIGMA = 0.7;
const ORDER_SIZE_SIGMA = 0.9;
/** Mean distance of a new limit order from the fair price, in units of the per-event price move (at least one tick). */
const ADD_DISTANCE = 1.5;
/** Share of limit orders placed anywhere in the book's range rather than near the fair price: they keep the far levels populated. */
const DEEP_ADD_SHARE = 0.25;
/** How much more likely a level on the wrong side of the fair price is to be cancelled. */
const STALE_CANCEL_WEIGHT = 30;
/** A market order walks at most this many levels. */
const MAX_SWEEP_LEVELS = 5;
/** Steepness of the market-order side bias: P(buy) = logistic(k · (fair − mid) / half-spread). */
const AGGRESSOR_BIAS = 2;
/** The fair price never falls below (depth + this) ticks, so a full bid side always fits above zero. */
const PRICE_FLOOR_MARGIN_TICKS = 5;

function configError(symbol: unknown, reason: string): DomainError {
  return new DomainError('INVALID_SIMULATOR_CONFIG', `simulated instrument ${JSON.stringify(String(symbol))}: ${reason}`);
}

/**
 * A seeded market for one instrument: a latent fair price follows geometric Brownian motion, and
 * Poisson-arriving order flow (limit adds, cancels and market orders) keeps a limit order book
 * around it. The same instrument, seed and start time always produce the same events, however
 * `advance` calls are chunked.
 *
 * Each arrival changes the book and so produces exactly one `book` delta (seq + 1) carrying only the
 * changed levels with their new absolute size (0 = removed); a market order first produces one
 * `trade` per level it fills. The book is never crossed, each side keeps between min(5, depth) and
 * depth levels, prices are whole ticks and sizes whole, positive lots.
 */
export class MarketSimulator {
  private readonly rng: Rng;
  private readonly symbol: string;
  private readonly tickSize: Decimal;
  private readonly lotSize: Decimal;
  private readonly tickValue: number;
  private readonly eventRate: number;
  private readonly depth: number;
  private readonly minLevels: number;
  /** Volatility per √second. */
  private readonly sigma: number;
  private readonly medianLots: number;
  private readonly minFairTicks: number;
  private readonly bids = new BookSide(true);
  private readonly asks = new BookSide(false);
  private fair: number;
  /** Simulated time of the last arrival (or the start). */
  private nowMs: number;
  private nextArrivalMs: number;
  private seqNo = 0n;
  private trades = 0;

  constructor(instrument: SimulatedInstrument, seed: number, startMs: number) {
    const { symbol, initialPrice, tickSize, lotSize, volatility, eventRate, depth } = instrument;
    if (typeof symbol !== 'string' || symbol === '') throw configError(symbol, 'symbol must be a non-empty string');
    for (const [name, value] of [['initialPrice', initialPrice], ['tickSize', tickSize], ['lotSize', lotSize]] as const) {
      if (!(value instanceof Decimal) || !value.isPositive()) throw configError(symbol, `${name} must be a positive Decimal`);
    }
    if (!Number.isFinite(volatility) || volatility < 0) throw configError(symbol, `volatility must be a finite number >= 0, got ${volatility}`);
    if (!Number.isFinite(eventRate) || eventRate <= 0) throw configError(symbol, `eventRate must be a finite number > 0, got ${eventRate}`);
    if (!Number.isSafeInteger(depth) || depth < 1) throw configError(symbol, `depth must be a positive integer, got ${depth}`);
    if (!Number.isFinite(seed)) throw configError(symbol, `seed must be a finite number, got ${seed}`);
    if (!Number.isFinite(startMs)) throw configError(symbol, `startMs must be a finite number, got ${startMs}`);

    this.symbol = symbol;
    this.tickSize = tickSize;
    this.lotSize = lotSize;
    this.tickValue = tickSize.toNumber();
    this.eventRate = eventRate;
    this.depth = depth;
    this.minLevels = Math.min(5, depth);
    this.sigma = volatility / Math.sqrt(SECONDS_PER_YEAR);
    this.minFairTicks = depth + PRICE_FLOOR_MARGIN_TICKS;
    this.fair = initialPrice.toNumber();
    if (this.fair / this.tickValue < this.minFairTicks) {
      throw configError(symbol, `initialPrice ${initialPrice} must be at least ${this.minFairTicks} ticks of ${tickSize}`);
    }
    const lotNotional = this.fair * lotSize.toNumber();
    this.medianLots = Math.min(1e9, Math.max(1, Math.round(LEVEL_NOTIONAL / lotNotional)));
    this.rng = new Rng(seed);
    this.nowMs = startMs;
    this.nextArrivalMs = startMs + this.rng.exponential(eventRate) * 1000;
    this.seedBook();
  }

  get fairPrice(): number {
    return this.fair;
  }

  get seq(): bigint {
    return this.seqNo;
  }

  /** Snapshot of the current book as a 'book' event with snapshot: true (its seq is the current seq; does not advance it). */
  snapshot(tsMs: number): SimEvent {
    return {
      kind: 'book',
      symbol: this.symbol,
      seq: this.seqNo,
      snapshot: true,
      bids: this.bids.levels.map((l) => this.level(l)),
      asks: this.asks.levels.map((l) => this.level(l)),
      tsMs,
    };
  }

  /** Advance simulated time to `untilMs`, returning all events that happened (Poisson arrivals at eventRate). */
  advance(untilMs: number): SimEvent[] {
    const out: SimEvent[] = [];
    while (this.nextArrivalMs <= untilMs) {
      const t = this.nextArrivalMs;
      this.evolveFair((t - this.nowMs) / 1000);
      this.nowMs = t;
      this.arrival(Math.floor(t), out);
      this.nextArrivalMs = t + this.rng.exponential(this.eventRate) * 1000;
    }
    return out;
  }

  // ---- model ----

  private get fairTicks(): number {
    return this.fair / this.tickValue;
  }

  /** The typical fair-price move between two arrivals, in ticks (at least 1): sets how wide the book spreads. */
  private moveTicks(): number {
    return Math.max(1, (this.fair * this.sigma) / Math.sqrt(this.eventRate) / this.tickValue);
  }

  /** Typical gap between resting levels, in ticks. */
  private levelSpacing(): number {
    return Math.max(1, Math.round(this.moveTicks() / 2));
  }

  private evolveFair(dtSec: number): void {
    if (dtSec <= 0 || this.sigma === 0) return;
    const z = this.rng.normal();
    this.fair *= Math.exp(-0.5 * this.sigma * this.sigma * dtSec + this.sigma * Math.sqrt(dtSec) * z);
    const floor = this.minFairTicks * this.tickValue;
    if (this.fair < floor) this.fair = floor;
  }

  /** A lognormal level size in lots, larger further from the touch. */
  private levelLots(levelsFromTouch: number): number {
    const growth = 1 + 0.15 * Math.min(levelsFromTouch, 20);
    return Math.max(1, Math.round(this.medianLots * growth * Math.exp(LEVEL_SIZE_SIGMA * this.rng.normal())));
  }

  private seedBook(): void {
    const f = this.fairTicks;
    const spacing = this.levelSpacing();
    let bid = Math.ceil(f) - 1;
    let ask = Math.floor(f) + 1;
    for (let i = 0; i < this.depth; i++) {
      if (i > 0) {
        bid -= this.rng.int(1, spacing);
        ask += this.rng.int(1, spacing);
      }
      if (bid >= 1) this.bids.add(bid, this.levelLots(i));
      this.asks.add(ask, this.levelLots(i));
    }
    this.bids.takeChanges();
    this.asks.takeChanges();
    this.enforceLimits(); // a coarse grid near zero may not have fitted every bid
    this.bids.takeChanges();
    this.asks.takeChanges();
  }

  private arrival(tsMs: number, out: SimEvent[]): void {
    const r = this.rng.next();
    if (r < P_ADD) this.limitAdd(this.rng.next() < 0.5 ? this.bids : this.asks);
    else if (r < P_ADD + P_CANCEL) this.cancel();
    else this.marketOrder(tsMs, out);
    this.enforceLimits();
    const bids = this.bids.takeChanges();
    const asks = this.asks.takeChanges();
    if (bids.length === 0 && asks.length === 0) return;
    this.seqNo += 1n;
    out.push({
      kind: 'book',
      symbol: this.symbol,
      seq: this.seqNo,
      snapshot: false,
      bids: bids.map((l) => this.level(l)),
      asks: asks.map((l) => this.level(l)),
      tsMs,
    });
  }

  /** A new limit order relative to the fair price (nearer is likelier), never crossing the opposite best. */
  private limitAdd(side: BookSide): void {
    const f = this.fairTicks;
    const move = this.moveTicks();
    const distance =
      this.rng.next() < DEEP_ADD_SHARE
        ? this.rng.int(0, this.depth * this.levelSpacing())
        : Math.floor(this.rng.exponential(1) * ADD_DISTANCE * move);
    const opposite = side.isBid ? this.asks : this.bids;
    const oppBest = opposite.best()?.tick;
    let tick: number;
    if (side.isBid) {
      tick = Math.floor(f) - distance;
      if (oppBest !== undefined) tick = Math.min(tick, oppBest - 1);
      tick = Math.max(tick, 1);
    } else {
      tick = Math.ceil(f) + distance;
      if (oppBest !== undefined) tick = Math.max(tick, oppBest + 1);
    }
    // A full side only takes orders inside its range, so the add is never trimmed away at once.
    const worst = side.worst();
    if (worst !== undefined && side.length >= this.depth && side.better(worst.tick, tick)) tick = worst.tick;
    side.add(tick, this.levelLots(Math.round(distance / move)));
  }

  /** Cancels part or all of one level; quotes on the wrong side of the fair price are pulled first. */
  private cancel(): void {
    const f = this.fairTicks;
    const weights: number[] = [];
    let total = 0;
    for (const l of this.bids.levels) {
      const w = l.tick > f ? STALE_CANCEL_WEIGHT : 1;
      weights.push(w);
      total += w;
    }
    for (const l of this.asks.levels) {
      const w = l.tick < f ? STALE_CANCEL_WEIGHT : 1;
      weights.push(w);
      total += w;
    }
    let pick = this.rng.next() * total;
    let index = 0;
    for (; index < weights.length - 1; index++) {
      pick -= weights[index]!;
      if (pick < 0) break;
    }
    const side = index < this.bids.length ? this.bids : this.asks;
    const i = side.isBid ? index : index - this.bids.length;
    const level = side.levels[i]!;
    const stale = weights[index]! > 1;
    if (side.length > this.minLevels) {
      side.reduceAt(i, stale ? level.lots : this.rng.int(1, level.lots));
    } else if (level.lots > 1) {
      side.reduceAt(i, this.rng.int(1, level.lots - 1)); // a thin side keeps its levels
    } else {
      this.limitAdd(side);
    }
  }

  /**
   * A market order, more likely on the side the fair price points to (so the mid follows it), sweeping
   * the opposite side: one trade per level touched, at the level's price. It never empties the side.
   */
  private marketOrder(tsMs: number, out: SimEvent[]): void {
    const bestBid = this.bids.best();
    const bestAsk = this.asks.best();
    if (!bestBid || !bestAsk) {
      this.limitAdd(bestBid ? this.asks : this.bids);
      return;
    }
    const mid = (bestBid.tick + bestAsk.tick) / 2;
    const halfSpread = Math.max(1, (bestAsk.tick - bestBid.tick) / 2);
    const pBuy = 1 / (1 + Math.exp((-AGGRESSOR_BIAS * (this.fairTicks - mid)) / halfSpread));
    const aggressor: Side = this.rng.next() < pBuy ? 'BUY' : 'SELL';
    const book = aggressor === 'BUY' ? this.asks : this.bids;

    const reach = Math.min(book.length, MAX_SWEEP_LEVELS);
    let available = 0;
    for (let i = 0; i < reach; i++) available += book.levels[i]!.lots;
    if (reach === book.length) available -= 1; // leave one lot on the last level
    let wanted = Math.min(
      available,
      Math.max(1, Math.round(0.8 * this.medianLots * Math.exp(ORDER_SIZE_SIGMA * this.rng.normal()))),
    );
    if (wanted <= 0) {
      this.limitAdd(book);
      return;
    }
    while (wanted > 0) {
      const level = book.levels[0]!;
      const fill = Math.min(wanted, level.lots);
      this.trades += 1;
      out.push({
        kind: 'trade',
        symbol: this.symbol,
        tradeId: `${this.symbol}-${this.trades}`,
        price: this.tickSize.mul(BigInt(level.tick)),
        size: this.lotSize.mul(BigInt(fill)),
        aggressor,
        tsMs,
      });
      book.reduceAt(0, fill);
      wanted -= fill;
    }
  }

  /** Trims each side to `depth` levels (farthest first) and refills it to min(5, depth) beyond its worst level. */
  private enforceLimits(): void {
    for (const side of [this.bids, this.asks]) {
      while (side.length > this.depth) side.removeAt(side.length - 1);
      const spacing = this.levelSpacing();
      while (side.length < this.minLevels) {
        const worst = side.worst();
        let tick: number;
        if (worst === undefined) {
          // Unreachable by construction; start the side next to the opposite best or the fair price.
          const opp = (side.isBid ? this.asks : this.bids).best()?.tick;
          tick = side.isBid ? Math.min(Math.floor(this.fairTicks), (opp ?? Infinity) - 1) : Math.max(Math.ceil(this.fairTicks), (opp ?? -Infinity) + 1);
        } else {
          const gap = this.rng.int(1, spacing);
          tick = side.isBid ? worst.tick - gap : worst.tick + gap;
        }
        if (side.isBid && tick < 1) {
          tick = this.freeBidTick();
          if (tick < 1) break; // no room left on the grid above zero
        }
        side.add(tick, this.levelLots(side.length));
      }
    }
  }

  /** The highest unused bid tick at or above 1 below the best bid, or 0 if there is none. */
  private freeBidTick(): number {
    const best = this.bids.best();
    const start = best ? best.tick - 1 : Math.floor(this.fairTicks);
    for (let t = start; t >= 1; t--) if (this.bids.lotsAt(t) === 0) return t;
    return 0;
  }

  private level(l: Level): SimLevel {
    return { price: this.tickSize.mul(BigInt(l.tick)), size: this.lotSize.mul(BigInt(l.lots)) };
  }
}
