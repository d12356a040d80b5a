import { Decimal, parseSymbol } from '@meridian/domain';
import type { InstrumentSymbol } from '@meridian/domain';
import type { Portfolio } from '@meridian/portfolio';
import { AccountPnl, RiskState } from '@meridian/risk-rules';
import type { BreakerView, KillSwitchState, OrderToCheck, RiskDecision } from '@meridian/risk-rules';
import type { ResolvedConfig } from './config';

/** An intent as risk reads it (the wire `OrderIntent`'s fields). */
export interface IntentToCheck {
  readonly clientOrderId: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly quantity: Decimal;
  readonly limitPrice: Decimal | undefined;
  readonly referencePrice: Decimal | undefined;
  readonly tsNs: bigint;
}

/** A symbol's market entry in the gate, for the engine to hand back with each event (no lookup by name). */
export type RiskMarketHandle = RiskMarket;

/** One symbol's market as risk is told it: the BBO and its mark, pushed lazily (see `RiskGate`). */
interface RiskMarket {
  bid: Decimal | undefined;
  ask: Decimal | undefined;
  /** A mark from a trade (last) or a bar (a symbol without a BBO). */
  mark: Decimal | undefined;
  hasBbo: boolean;
  bboDirty: boolean;
  markDirty: boolean;
}

/**
 * The risk service's pre-trade gate over the same state, kept the way the service keeps it
 * (services/risk `onIntent` and `evaluate`): the stale-intent check, the shard check, then
 * `RiskState.check` with the account P&L the loss limits read (`AccountPnl`); an approval opens the
 * order in the state; fills and ends of orders come back through `filled` and `ended`, marks
 * through `quote`, `trade` and `bar`.
 *
 * Market data reaches the state just before each decision rather than with every event: the
 * state's totals are a function of the latest BBO and marks (each push replaces a symbol's terms
 * exactly), so a decision sees what it would have seen with every event applied, at a fraction of
 * the cost. Only what the limits read is pushed: every symbol's mark when a gross or net exposure
 * limit is set (the account totals), the order's symbol's BBO when a price band is, nothing
 * otherwise (a decision reads no price then). The loss limits' peak equity, though, depends on
 * every mark, so while `maxDailyLoss` or `maxDrawdown` is set the account P&L is marked with every
 * event, as the service does.
 */
export class RiskGate {
  readonly state: RiskState;
  readonly pnl: AccountPnl;
  private readonly kill: KillSwitchState;
  private readonly decided = new Set<string>();
  private readonly markets = new Map<string, RiskMarket>();
  private readonly pending = new Set<string>();
  private readonly shard: ReadonlySet<string>;
  private readonly parsed = new Map<string, InstrumentSymbol>();
  /** Whether the loss limits read the account P&L (and so every mark must reach it). */
  readonly tracksPnl: boolean;
  private readonly midMarks: boolean;
  /** What the limits read of the market: every mark (exposure limits), the order's BBO (a price band). */
  private readonly needsMarks: boolean;
  private readonly needsBbo: boolean;

  constructor(
    private readonly config: ResolvedConfig,
    portfolio: Portfolio,
    startMs: number,
  ) {
    this.state = new RiskState(config.limits);
    this.pnl = new AccountPnl(portfolio, (symbol) => this.markOf(symbol), config.dayStartOffsetMs);
    this.pnl.caughtUp(startMs, []);
    const k = config.source.risk.kill ?? {};
    this.kill = { global: k.global ?? false, symbols: new Set(k.symbols ?? []), strategies: new Set(k.strategies ?? []) };
    this.shard = new Set(config.instruments.map((i) => i.symbol));
    for (const symbol of this.shard) this.markets.set(symbol, { bid: undefined, ask: undefined, mark: undefined, hasBbo: false, bboDirty: false, markDirty: false });
    const g = config.limits.global;
    // The breaker's loss velocity samples the account's equity as the loss limits read it.
    this.tracksPnl = g.maxDailyLoss !== undefined || g.maxDrawdown !== undefined || config.postTrade.breaker?.maxLossInWindow !== undefined;
    this.midMarks = config.markSource === 'mid';
    this.needsMarks = g.maxGrossExposure !== undefined || g.maxNetExposure !== undefined;
    const overrides = [...Object.values(config.limits.perSymbol ?? {}), ...Object.values(config.limits.perStrategy ?? {})];
    this.needsBbo = g.priceBandBps !== undefined || overrides.some((o) => (o as { priceBandBps?: unknown }).priceBandBps !== undefined);
  }

  /** The symbol's mark as the risk service's `Marks` hold it (BBO mid, or last trade), or undefined. */
  markOf(symbol: string): Decimal | undefined {
    const m = this.markets.get(symbol);
    if (m === undefined) return undefined;
    if (this.midMarks && m.hasBbo) return m.bid !== undefined && m.ask !== undefined ? m.bid.add(m.ask).div(2n, 12) : undefined;
    return m.mark;
  }

  // ---- Market data

  /** The entry of one of the run's symbols, to pass to `quote`, `trade` and `bar`. */
  handle(symbol: string): RiskMarketHandle {
    return this.markets.get(symbol)!;
  }

  quote(symbol: string, bid: Decimal | undefined, ask: Decimal | undefined, nowMs: number, m: RiskMarketHandle = this.markets.get(symbol)!): void {
    m.bid = bid;
    m.ask = ask;
    m.hasBbo = true;
    if (!m.bboDirty && !m.markDirty) this.pending.add(symbol);
    m.bboDirty = true;
    if (this.tracksPnl && this.midMarks) this.pnl.marked(symbol, nowMs);
  }

  trade(symbol: string, price: Decimal, nowMs: number, m: RiskMarketHandle = this.markets.get(symbol)!): void {
    if (this.midMarks) {
      // The service marks at the mid; a symbol with no BBO has no mark but its fills (as live).
      return;
    }
    this.setMark(symbol, price, nowMs, m);
  }

  /** A bar marks a symbol the data gives no BBO for (risk has no other price of it). */
  bar(symbol: string, close: Decimal, nowMs: number, m: RiskMarketHandle = this.markets.get(symbol)!): void {
    if (m.hasBbo) return;
    this.setMark(symbol, close, nowMs, m);
  }

  private setMark(symbol: string, price: Decimal, nowMs: number, m: RiskMarket): void {
    m.mark = price;
    if (!m.bboDirty && !m.markDirty) this.pending.add(symbol);
    m.markDirty = true;
    if (this.tracksPnl) this.pnl.marked(symbol, nowMs);
  }

  /** Pushes to the state the latest market data a decision on `symbol` reads. */
  private push(symbol: string): void {
    if (this.needsMarks) {
      for (const s of this.pending) this.pushOne(s);
      this.pending.clear();
    } else if (this.needsBbo && this.pending.delete(symbol)) {
      this.pushOne(symbol);
    }
  }

  private pushOne(symbol: string): void {
    const m = this.markets.get(symbol)!;
    if (m.bboDirty) this.state.setMarket(symbol, m.bid, m.ask, this.midMarks);
    if (m.markDirty && m.mark !== undefined && !(this.midMarks && m.hasBbo)) this.state.setMark(symbol, m.mark);
    m.bboDirty = false;
    m.markDirty = false;
  }

  // ---- Decisions and their aftermath

  /** The service's parse of an intent's symbol, remembered for the spellings that name a shard symbol (a strategy sends the same few on every intent). */
  private parse(raw: string): InstrumentSymbol {
    let symbol = this.parsed.get(raw);
    if (symbol === undefined) {
      symbol = parseSymbol(raw);
      if (this.shard.has(symbol)) this.parsed.set(raw, symbol);
    }
    return symbol;
  }

  /** Risk's decision on an intent at `nowMs`; an approval is counted in the state (undefined: a repeat, ignored as the service ignores it). */
  decide(i: IntentToCheck, nowMs: number, breaker?: BreakerView): RiskDecision | undefined {
    if (this.decided.has(i.clientOrderId)) return undefined;
    this.decided.add(i.clientOrderId);
    const ageMs = nowMs - Number(i.tsNs / 1_000_000n);
    if (ageMs > this.config.intentMaxAgeMs) {
      return { approved: false, reason: 'INVALID_ORDER', detail: `intent is ${ageMs} ms old, older than INTENT_MAX_AGE_MS ${this.config.intentMaxAgeMs}`, values: { ageMs: String(ageMs) } };
    }
    let order: OrderToCheck;
    try {
      order = { symbol: this.parse(i.symbol), side: i.side, quantity: i.quantity, limitPrice: i.limitPrice, referencePrice: i.referencePrice, strategy: i.strategy };
    } catch (err) {
      return { approved: false, reason: 'INVALID_ORDER', detail: (err as Error).message, values: {} };
    }
    if (!this.shard.has(order.symbol)) {
      return { approved: false, reason: 'INVALID_ORDER', detail: `symbol ${order.symbol} is not on this risk shard`, values: { symbol: order.symbol } };
    }
    this.push(order.symbol);
    const decision = this.state.check(order, this.kill, nowMs, this.tracksPnl ? this.pnl.state(nowMs) : undefined, breaker);
    if (decision.approved) {
      this.state.open(i.clientOrderId, { symbol: i.symbol, strategy: i.strategy, side: i.side, quantity: i.quantity, price: i.limitPrice ?? i.referencePrice }, nowMs);
    }
    return decision;
  }

  filled(clientOrderId: string, symbol: string, side: 'BUY' | 'SELL', quantity: Decimal, price: Decimal, nowMs: number): void {
    this.state.fill(clientOrderId, symbol, side, quantity, price);
    if (this.tracksPnl) this.pnl.filled(symbol, price, nowMs);
  }

  ended(clientOrderId: string, symbol: string): void {
    this.state.close(clientOrderId, symbol);
  }

  /**
   * The order has ended and its id will never come again (the engine numbers them): the
   * redelivery guard need not remember it. Risk's state keeps its entry (RiskState has no way to
   * let one go).
   */
  forget(clientOrderId: string): void {
    this.decided.delete(clientOrderId);
  }
}
