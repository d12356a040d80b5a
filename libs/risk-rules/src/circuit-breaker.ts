import { Decimal } from '@meridian/domain';
import { InvalidRiskInputError } from './risk-input-error';

/** Why trading was paused. */
export type BreakerCause = 'LOSS_VELOCITY' | 'REJECT_BURST' | 'STALE_MARKET_DATA' | 'VENUE_DISCONNECTED';

export interface CircuitBreakerConfig {
  /** Trip when net P&L falls by more than this within `lossWindowMs`. */
  maxLossInWindow: Decimal;
  lossWindowMs: number;
  /** Trip on this many venue or risk rejections within `rejectWindowMs`. */
  maxRejects: number;
  rejectWindowMs: number;
  /** Trip when a traded symbol's market data is older than this. */
  maxMarketDataAgeMs: number;
  /** A tripped breaker resets itself once every cause has cleared and this long has passed. */
  coolDownMs: number;
}

/** Every trip and every reset, for the event stream and the audit log. */
export type BreakerEvent =
  | { kind: 'TRIPPED'; cause: BreakerCause; detail: string; atMs: number }
  | { kind: 'RESET'; by: 'cool-down' | 'operator'; atMs: number };

/**
 * Pauses trading on anomalies and resumes under configured conditions. The caller feeds it what
 * it sees (P&L marks, rejections, market-data arrivals, venue connection) with the time, and asks
 * `check(nowMs)` before trading; every transition is returned as an event exactly once. Pure
 * state with an injected clock, so the backtester drives it the same way.
 *
 * A trip holds until every cause has cleared (P&L window, reject window, data fresh again, venue
 * connected) and `coolDownMs` has passed since the last trip, or an operator resets it.
 */
export class CircuitBreaker {
  private pnl: { atMs: number; value: Decimal }[] = [];
  private rejects: number[] = [];
  private readonly lastData = new Map<string, number>();
  private venueUp = true;
  private trippedAtMs: number | undefined;
  private causes = new Set<BreakerCause>();

  constructor(private readonly config: CircuitBreakerConfig) {
    for (const key of ['lossWindowMs', 'rejectWindowMs', 'maxMarketDataAgeMs', 'coolDownMs', 'maxRejects'] as const) {
      if (!Number.isInteger(config[key]) || config[key] <= 0) throw new InvalidRiskInputError(key, config[key], 'must be a positive integer');
    }
    if (!(config.maxLossInWindow instanceof Decimal) || !config.maxLossInWindow.isPositive()) throw new InvalidRiskInputError('maxLossInWindow', config.maxLossInWindow, 'must be a positive Decimal');
  }

  get tripped(): boolean {
    return this.trippedAtMs !== undefined;
  }

  /** Net P&L (realized + unrealized − fees) at a time. */
  onPnl(value: Decimal, atMs: number): BreakerEvent[] {
    this.pnl.push({ atMs, value });
    return this.check(atMs);
  }

  onReject(atMs: number): BreakerEvent[] {
    this.rejects.push(atMs);
    return this.check(atMs);
  }

  onMarketData(symbol: string, atMs: number): void {
    this.lastData.set(symbol, atMs);
  }

  onVenueConnection(connected: boolean, atMs: number): BreakerEvent[] {
    this.venueUp = connected;
    return this.check(atMs);
  }

  /** The operator's reset: clears the trip whatever its causes (they trip it again if still there). */
  reset(atMs: number): BreakerEvent[] {
    if (this.trippedAtMs === undefined) return [];
    this.trippedAtMs = undefined;
    this.causes.clear();
    this.pnl = this.pnl.slice(-1);
    this.rejects = [];
    return [{ kind: 'RESET', by: 'operator', atMs }];
  }

  /** Evaluates every cause at `nowMs`: trips on a new one, resets after the cool-down once all have cleared. */
  check(nowMs: number): BreakerEvent[] {
    const c = this.config;
    while (this.pnl.length > 1 && this.pnl[0]!.atMs < nowMs - c.lossWindowMs) this.pnl.shift();
    while (this.rejects.length > 0 && this.rejects[0]! < nowMs - c.rejectWindowMs) this.rejects.shift();

    const active = new Map<BreakerCause, string>();
    if (this.pnl.length > 0) {
      let high = this.pnl[0]!.value;
      for (const p of this.pnl) if (p.value.gt(high)) high = p.value;
      const fall = high.sub(this.pnl[this.pnl.length - 1]!.value);
      if (fall.gt(c.maxLossInWindow)) active.set('LOSS_VELOCITY', `net P&L fell ${fall} within ${c.lossWindowMs} ms, more than ${c.maxLossInWindow}`);
    }
    if (this.rejects.length >= c.maxRejects) active.set('REJECT_BURST', `${this.rejects.length} rejections within ${c.rejectWindowMs} ms (limit ${c.maxRejects})`);
    for (const [symbol, at] of this.lastData) {
      if (nowMs - at > c.maxMarketDataAgeMs) {
        active.set('STALE_MARKET_DATA', `${symbol} market data is ${nowMs - at} ms old (limit ${c.maxMarketDataAgeMs} ms)`);
        break;
      }
    }
    if (!this.venueUp) active.set('VENUE_DISCONNECTED', 'the venue connection is down');

    const events: BreakerEvent[] = [];
    for (const [cause, detail] of active) {
      if (this.causes.has(cause)) continue;
      this.causes.add(cause);
      this.trippedAtMs = nowMs;
      events.push({ kind: 'TRIPPED', cause, detail, atMs: nowMs });
    }
    for (const cause of [...this.causes]) if (!active.has(cause)) this.causes.delete(cause);
    if (this.trippedAtMs !== undefined && this.causes.size === 0 && nowMs - this.trippedAtMs >= c.coolDownMs) {
      this.trippedAtMs = undefined;
      events.push({ kind: 'RESET', by: 'cool-down', atMs: nowMs });
    }
    return events;
  }
}
