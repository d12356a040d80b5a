import { Decimal } from '@meridian/domain';
import { InvalidRiskInputError } from './risk-input-error';

/** Why trading was paused. */
export type BreakerCause = 'LOSS_VELOCITY' | 'REJECT_BURST' | 'STALE_MARKET_DATA' | 'VENUE_DISCONNECTED';

/**
 * Each cause is watched only when its threshold is set (an unset one never trips, like an unset
 * limit); its window is required with it.
 */
export interface CircuitBreakerConfig {
  /** Trip when net P&L falls by more than this within `lossWindowMs`. */
  maxLossInWindow?: Decimal;
  lossWindowMs?: number;
  /** Trip on this many venue or risk rejections within `rejectWindowMs`. */
  maxRejects?: number;
  rejectWindowMs?: number;
  /** Trip when a traded symbol's market data is older than this. */
  maxMarketDataAgeMs?: number;
  /** A tripped breaker resets itself once every cause has cleared and this long has passed. */
  coolDownMs: number;
  /** false: only an operator's `reset` clears a trip (the cool-down is not used). Default true. */
  autoReset?: boolean;
}

/** What a restarted caller needs to resume a breaker where it was: whether, since when and why it is tripped. */
export interface BreakerSnapshot {
  /** When it tripped (the last trip of a cause); undefined while not tripped. */
  trippedAtMs: number | undefined;
  /** The causes that tripped it and have not cleared since. */
  causes: BreakerCause[];
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
  private tripCauses = new Set<BreakerCause>();

  constructor(private readonly config: CircuitBreakerConfig) {
    const positive = (key: keyof CircuitBreakerConfig) => {
      const v = config[key];
      if (!Number.isInteger(v) || (v as number) <= 0) throw new InvalidRiskInputError(key, v, 'must be a positive integer');
    };
    positive('coolDownMs');
    if (config.maxLossInWindow !== undefined) {
      if (!(config.maxLossInWindow instanceof Decimal) || !config.maxLossInWindow.isPositive()) throw new InvalidRiskInputError('maxLossInWindow', config.maxLossInWindow, 'must be a positive Decimal');
      positive('lossWindowMs');
    }
    if (config.maxRejects !== undefined) {
      positive('maxRejects');
      positive('rejectWindowMs');
    }
    if (config.maxMarketDataAgeMs !== undefined) positive('maxMarketDataAgeMs');
  }

  get tripped(): boolean {
    return this.trippedAtMs !== undefined;
  }

  /** The causes of the current trip that have not cleared (empty while not tripped). */
  get causes(): BreakerCause[] {
    return [...this.tripCauses];
  }

  /** Net P&L (realized + unrealized − fees) at a time. Ignored while loss velocity is not watched. */
  onPnl(value: Decimal, atMs: number): BreakerEvent[] {
    if (this.config.maxLossInWindow !== undefined) this.pnl.push({ atMs, value });
    return this.check(atMs);
  }

  onReject(atMs: number): BreakerEvent[] {
    if (this.config.maxRejects !== undefined) this.rejects.push(atMs);
    return this.check(atMs);
  }

  onMarketData(symbol: string, atMs: number): void {
    const last = this.lastData.get(symbol);
    if (last === undefined || atMs > last) this.lastData.set(symbol, atMs);
  }

  onVenueConnection(connected: boolean, atMs: number): BreakerEvent[] {
    this.venueUp = connected;
    return this.check(atMs);
  }

  /** The operator's reset: clears the trip whatever its causes (they trip it again if still there). */
  reset(atMs: number): BreakerEvent[] {
    if (this.trippedAtMs === undefined) return [];
    this.trippedAtMs = undefined;
    this.tripCauses.clear();
    this.pnl = this.pnl.slice(-1);
    this.rejects = [];
    return [{ kind: 'RESET', by: 'operator', atMs }];
  }

  /** Where the breaker is, to checkpoint it. */
  snapshot(): BreakerSnapshot {
    return { trippedAtMs: this.trippedAtMs, causes: [...this.tripCauses] };
  }

  /**
   * Resumes a checkpointed trip (a restarted caller), with the times of the rejections it can
   * rebuild (e.g. from a stream) to refill the reject window; nothing is evaluated until the next
   * `check`. The P&L window starts empty: a cause that is still there shows again as the caller
   * feeds what it sees, and one that is gone has cleared, so the cool-down (counted from the
   * checkpointed trip) may reset it.
   */
  restore(snapshot: BreakerSnapshot, rejectsMs: readonly number[] = []): void {
    if (snapshot.trippedAtMs !== undefined && !Number.isFinite(snapshot.trippedAtMs)) throw new InvalidRiskInputError('trippedAtMs', snapshot.trippedAtMs, 'must be a time in ms');
    this.trippedAtMs = snapshot.trippedAtMs;
    this.tripCauses = new Set(snapshot.trippedAtMs === undefined ? [] : snapshot.causes);
    this.rejects = this.config.maxRejects === undefined ? [] : rejectsMs.filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
  }

  /** Evaluates every cause at `nowMs`: trips on a new one, resets after the cool-down once all have cleared. */
  check(nowMs: number): BreakerEvent[] {
    const c = this.config;
    if (c.lossWindowMs !== undefined) while (this.pnl.length > 1 && this.pnl[0]!.atMs < nowMs - c.lossWindowMs) this.pnl.shift();
    if (c.rejectWindowMs !== undefined) while (this.rejects.length > 0 && this.rejects[0]! < nowMs - c.rejectWindowMs) this.rejects.shift();

    const active = new Map<BreakerCause, string>();
    if (c.maxLossInWindow !== undefined && this.pnl.length > 0) {
      let high = this.pnl[0]!.value;
      for (const p of this.pnl) if (p.value.gt(high)) high = p.value;
      const fall = high.sub(this.pnl[this.pnl.length - 1]!.value);
      if (fall.gt(c.maxLossInWindow)) active.set('LOSS_VELOCITY', `net P&L fell ${fall} within ${c.lossWindowMs} ms, more than ${c.maxLossInWindow}`);
    }
    if (c.maxRejects !== undefined && this.rejects.length >= c.maxRejects) active.set('REJECT_BURST', `${this.rejects.length} rejections within ${c.rejectWindowMs} ms (limit ${c.maxRejects})`);
    if (c.maxMarketDataAgeMs !== undefined) {
      for (const [symbol, at] of this.lastData) {
        if (nowMs - at > c.maxMarketDataAgeMs) {
          active.set('STALE_MARKET_DATA', `${symbol} market data is ${nowMs - at} ms old (limit ${c.maxMarketDataAgeMs} ms)`);
          break;
        }
      }
    }
    if (!this.venueUp) active.set('VENUE_DISCONNECTED', 'the venue connection is down');

    const events: BreakerEvent[] = [];
    for (const [cause, detail] of active) {
      if (this.tripCauses.has(cause)) continue;
      this.tripCauses.add(cause);
      this.trippedAtMs = nowMs;
      events.push({ kind: 'TRIPPED', cause, detail, atMs: nowMs });
    }
    for (const cause of [...this.tripCauses]) if (!active.has(cause)) this.tripCauses.delete(cause);
    if (c.autoReset !== false && this.trippedAtMs !== undefined && this.tripCauses.size === 0 && nowMs - this.trippedAtMs >= c.coolDownMs) {
      this.trippedAtMs = undefined;
      events.push({ kind: 'RESET', by: 'cool-down', atMs: nowMs });
    }
    return events;
  }
}
