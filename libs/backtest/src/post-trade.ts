import type { Decimal, Side } from '@meridian/domain';
import { CircuitBreaker, PositionStops, stopOrderId, stopPriceOf } from '@meridian/risk-rules';
import type { BreakerEvent, BreakerView, CircuitBreakerConfig, StopSpec } from '@meridian/risk-rules';

/** The post-trade risk of a run, resolved from `risk.stops` and `risk.breaker` (see `resolveConfig`). */
export interface PostTradeConfig {
  /** The stop each new position of a symbol gets (RISK_STOPS). */
  readonly stops: ReadonlyMap<string, StopSpec>;
  /** Strategy id of the closing intents (RISK_STOP_STRATEGY). */
  readonly stopStrategy: string;
  /** The circuit breaker (RISK_BREAKER_*), or none. */
  readonly breaker: (CircuitBreakerConfig & { readonly checkIntervalMs: number }) | undefined;
}

/** A triggered stop's closing order: a market IOC through the pre-trade gate, as risk sends it. */
export interface StopClose {
  readonly clientOrderId: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  /** The mark that went through the stop: the intent's reference price. */
  readonly referencePrice: Decimal;
}

/** Every trip and reset of the breaker and every arming, trigger and clearing of a stop, in event time. */
export type RiskEventRecord =
  | { readonly tsMs: number; readonly kind: 'breaker_tripped'; readonly cause: string; readonly detail: string }
  | { readonly tsMs: number; readonly kind: 'breaker_reset'; readonly by: 'cool-down' | 'operator' }
  | { readonly tsMs: number; readonly kind: 'stop_armed'; readonly symbol: string; readonly position: string; readonly stopPrice: string | undefined }
  | { readonly tsMs: number; readonly kind: 'stop_not_armed'; readonly symbol: string; readonly position: string; readonly mark: string; readonly stopPrice: string }
  | { readonly tsMs: number; readonly kind: 'stop_triggered'; readonly symbol: string; readonly clientOrderId: string; readonly side: Side; readonly quantity: string; readonly stopPrice: string; readonly mark: string }
  | { readonly tsMs: number; readonly kind: 'stop_cleared'; readonly symbol: string; readonly reason: string };

const NOT_TRIPPED: BreakerView = Object.freeze({ tripped: false, causes: Object.freeze([]) as readonly string[] });

/**
 * Risk's post-trade side in a backtest: the default stops of RISK_STOPS and the circuit breaker,
 * on the same risk-rules classes the risk service drives (`PositionStops`, `CircuitBreaker`) and
 * by the same rules as its StopManager and BreakerManager, in event time instead of on timers:
 *
 * - A position that opens (or is left without a stop) gets its symbol's default stop, a trailing
 *   one starting at the current mark; a static one the mark is already through is not armed (the
 *   service leaves it to the operator). No default arms while a stop's close is still working.
 * - A mark through an armed stop returns one `StopClose`, named `risk-stop-<symbol>-<revision>`,
 *   which the engine sends through the pre-trade gate like any intent.
 * - The breaker samples equity every `checkIntervalMs` of event time, counts risk and venue
 *   rejections and market-data arrivals, and while tripped the gate refuses what does not reduce
 *   a position.
 */
export class BacktestPostTrade {
  private readonly stops = new PositionStops();
  private readonly breaker: CircuitBreaker | undefined;
  private readonly revisions = new Map<string, bigint>();
  /** Symbols whose stop close is still working: no default stop arms meanwhile. */
  private readonly closing = new Map<string, string>();
  private nextCheckMs = Number.NEGATIVE_INFINITY;
  readonly events: RiskEventRecord[] = [];
  readonly counts = { stopsArmed: 0, stopsTriggered: 0, breakerTrips: 0 };

  constructor(private readonly config: PostTradeConfig) {
    this.breaker = config.breaker === undefined ? undefined : new CircuitBreaker(config.breaker);
  }

  /** Whether anything is configured (the engine skips every call otherwise). */
  get active(): boolean {
    return this.config.stops.size > 0 || this.breaker !== undefined;
  }

  /** Whether `symbol` has a default stop or an armed one: its marks must reach `onMark`. */
  watches(symbol: string): boolean {
    return this.config.stops.has(symbol) || this.stops.get(symbol) !== undefined;
  }

  /** Whether the breaker's equity samples are read (loss velocity): the engine skips computing equity otherwise. */
  get needsEquity(): boolean {
    return this.config.breaker?.maxLossInWindow !== undefined;
  }

  get watchesMarketData(): boolean {
    return this.config.breaker?.maxMarketDataAgeMs !== undefined;
  }

  /** What the pre-trade checks read of the breaker. */
  view(): BreakerView {
    return this.breaker?.tripped === true ? { tripped: true, causes: this.breaker.causes } : NOT_TRIPPED;
  }

  /** A new mark of `symbol`: a stop it goes through returns its close. */
  onMark(symbol: string, mark: Decimal, nowMs: number): StopClose | undefined {
    if (!mark.isPositive()) return undefined;
    const armed = this.stops.get(symbol);
    if (armed === undefined) return undefined;
    const trigger = this.stops.onMark(symbol, mark);
    if (trigger === undefined) return undefined;
    const clientOrderId = stopOrderId(symbol, this.revisions.get(symbol)!);
    this.closing.set(symbol, clientOrderId);
    this.counts.stopsTriggered += 1;
    this.events.push({ tsMs: nowMs, kind: 'stop_triggered', symbol, clientOrderId, side: trigger.side, quantity: trigger.quantity.toString(), stopPrice: trigger.stopPrice.toString(), mark: mark.toString() });
    return { clientOrderId, strategy: this.config.stopStrategy, symbol, side: trigger.side, quantity: trigger.quantity, referencePrice: mark };
  }

  /** The account's position in `symbol` after a fill; `mark` is its mark now, if any. */
  onPosition(symbol: string, position: Decimal, mark: Decimal | undefined, nowMs: number): void {
    const before = this.stops.get(symbol);
    if (before !== undefined) {
      this.stops.onPosition(symbol, position);
      if (this.stops.get(symbol) === undefined) {
        this.events.push({ tsMs: nowMs, kind: 'stop_cleared', symbol, reason: position.isZero() ? 'the position went flat' : `the position flipped to ${position}` });
      }
    }
    this.ensureDefault(symbol, position, mark, nowMs);
  }

  /** An order ended (filled, cancelled, rejected, refused): a stop close no longer working lets a default stop arm again. */
  onOrderEnded(symbol: string, clientOrderId: string, position: Decimal, mark: Decimal | undefined, nowMs: number): void {
    if (this.closing.get(symbol) !== clientOrderId) return;
    this.closing.delete(symbol);
    this.ensureDefault(symbol, position, mark, nowMs);
  }

  /** A rejection by risk or the venue (the reject-burst cause). */
  onReject(nowMs: number): void {
    if (this.breaker !== undefined) this.record(this.breaker.onReject(nowMs));
  }

  onMarketData(symbol: string, nowMs: number): void {
    this.breaker?.onMarketData(symbol, nowMs);
  }

  /** When the breaker next samples equity (the engine calls `tick` once event time reaches it). */
  get dueMs(): number {
    return this.breaker === undefined ? Number.POSITIVE_INFINITY : this.nextCheckMs;
  }

  /** The breaker's periodic evaluation, with the account's equity at `nowMs`. */
  tick(nowMs: number, equity: Decimal): void {
    if (this.breaker === undefined) return;
    const interval = this.config.breaker!.checkIntervalMs;
    this.nextCheckMs = nowMs - (nowMs % interval) + interval;
    this.record(this.breaker.onPnl(equity, nowMs));
  }

  private ensureDefault(symbol: string, position: Decimal, mark: Decimal | undefined, nowMs: number): void {
    if (position.isZero() || this.stops.get(symbol) !== undefined || this.closing.has(symbol)) return;
    const spec = this.config.stops.get(symbol);
    if (spec === undefined) return;
    if (spec.kind === 'static' && mark !== undefined && (position.isPositive() ? mark.lte(spec.price) : mark.gte(spec.price))) {
      this.events.push({ tsMs: nowMs, kind: 'stop_not_armed', symbol, position: position.toString(), mark: mark.toString(), stopPrice: spec.price.toString() });
      return;
    }
    const extreme = spec.kind === 'trailing' && mark !== undefined && mark.isPositive() ? mark : undefined;
    this.stops.set(symbol, spec, position, extreme);
    this.revisions.set(symbol, (this.revisions.get(symbol) ?? 0n) + 1n);
    this.counts.stopsArmed += 1;
    this.events.push({ tsMs: nowMs, kind: 'stop_armed', symbol, position: position.toString(), stopPrice: stopPriceOf(spec, position, extreme)?.toString() });
  }

  private record(events: readonly BreakerEvent[]): void {
    for (const e of events) {
      if (e.kind === 'TRIPPED') {
        this.counts.breakerTrips += 1;
        this.events.push({ tsMs: e.atMs, kind: 'breaker_tripped', cause: e.cause, detail: e.detail });
      } else {
        this.events.push({ tsMs: e.atMs, kind: 'breaker_reset', by: e.by });
      }
    }
  }
}
