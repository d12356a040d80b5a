import type { NormalizedBookUpdate, NormalizedTrade, Rejection } from '@meridian/venues';
import { RecentIds } from './recent-ids';

export interface ValidationLimits {
  /** An event received more than this long after its exchange time is stale, ms; 0 turns the check off (replays). */
  readonly maxEventAgeMs: number;
  /** Trade ids remembered per symbol to refuse a venue's re-sent trades after a reconnect. */
  readonly recentTradeIds: number;
}

interface SymbolState {
  lastBookSeq: bigint;
  /** A bounded memory: it stays the same size however long the feed runs. */
  readonly recentIds: RecentIds;
}

type Level = NormalizedBookUpdate['bids'][number];

/**
 * The checks every source passes through, whatever its adapter already did: a venue adapter knows
 * its protocol, this knows the platform's rules (configured symbols only, positive prices and
 * sizes, fresh timestamps, contiguous book numbering, no trade twice). Pure: returns the
 * rejection, the caller counts and logs it.
 */
export class EventValidator {
  private readonly symbols = new Map<string, SymbolState>();
  private readonly maxAgeNs: bigint;

  constructor(
    readonly venue: string,
    symbols: readonly string[],
    limits: ValidationLimits,
  ) {
    this.maxAgeNs = BigInt(limits.maxEventAgeMs) * 1_000_000n;
    for (const s of symbols) this.symbols.set(s, { lastBookSeq: 0n, recentIds: new RecentIds(limits.recentTradeIds) });
  }

  trade(t: NormalizedTrade): Rejection | undefined {
    const state = this.symbols.get(t.symbol);
    if (!state) return this.reject(t.symbol, 'unknown_symbol', `trade ${t.tradeId} for ${t.symbol}, which this feed does not carry`);
    if (!t.price.isPositive() || !t.size.isPositive()) {
      return this.reject(t.symbol, 'non_positive', `trade ${t.tradeId}: price ${t.price} size ${t.size} must both be positive`);
    }
    const age = this.tooOld(t.tsNs, t.receivedTsNs);
    if (age !== undefined) return this.reject(t.symbol, 'stale', `trade ${t.tradeId}: received ${age} ms after its exchange time`);
    if (state.recentIds.has(t.tradeId)) return this.reject(t.symbol, 'stale', `trade ${t.tradeId} was already received`);
    state.recentIds.add(t.tradeId);
    return undefined;
  }

  book(u: NormalizedBookUpdate): Rejection | undefined {
    const state = this.symbols.get(u.symbol);
    if (!state) return this.reject(u.symbol, 'unknown_symbol', `book update seq ${u.seq} for ${u.symbol}, which this feed does not carry`);
    if (!u.snapshot && u.seq !== state.lastBookSeq + 1n) {
      return this.reject(u.symbol, 'out_of_order', `book delta seq ${u.seq} after seq ${state.lastBookSeq}`);
    }
    const bad = invalidLevel(u.bids) ?? invalidLevel(u.asks);
    if (bad !== undefined) {
      const side = u.bids.includes(bad) ? 'bid' : 'ask';
      return this.reject(u.symbol, 'non_positive', `book seq ${u.seq} ${side} level ${bad.price} x ${bad.size}: price must be positive and size not negative`);
    }
    if (u.snapshot) {
      const crossed = crossing(u);
      if (crossed) return this.reject(u.symbol, 'crossed', `book snapshot seq ${u.seq}: ${crossed}`);
    }
    // No age check on book updates: dropping a late delta would break the chain for every
    // delta after it. Their delay is measured (feed latency) instead.
    state.lastBookSeq = u.seq;
    return undefined;
  }

  private tooOld(tsNs: bigint, receivedTsNs: bigint): string | undefined {
    if (this.maxAgeNs === 0n || tsNs === 0n) return undefined;
    const age = receivedTsNs - tsNs;
    return age > this.maxAgeNs ? (Number(age / 1000n) / 1000).toFixed(3) : undefined;
  }

  private reject(symbol: string, reason: Rejection['reason'], detail: string): Rejection {
    return { venue: this.venue, symbol: this.symbols.has(symbol) ? symbol : undefined, reason, detail };
  }
}

/** The first level with a price that is not positive or a negative size. */
function invalidLevel(levels: readonly Level[]): Level | undefined {
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (!l.price.isPositive() || l.size.isNegative()) return l;
  }
  return undefined;
}

/** Best bid against best ask of a snapshot whose levels may come in any order. */
function crossing(u: NormalizedBookUpdate): string | undefined {
  let bestBid: NormalizedBookUpdate['bids'][number] | undefined;
  let bestAsk: NormalizedBookUpdate['asks'][number] | undefined;
  for (const b of u.bids) if (!b.size.isZero() && (bestBid === undefined || b.price.cmp(bestBid.price) > 0)) bestBid = b;
  for (const a of u.asks) if (!a.size.isZero() && (bestAsk === undefined || a.price.cmp(bestAsk.price) < 0)) bestAsk = a;
  if (bestBid && bestAsk && bestBid.price.cmp(bestAsk.price) >= 0) return `best bid ${bestBid.price} is not below best ask ${bestAsk.price}`;
  return undefined;
}
