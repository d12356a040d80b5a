import { FeedConfigError } from '../errors';

/**
 * A token bucket over Binance's request weight. The venue counts weight per IP per minute and
 * bans an IP that goes over (HTTP 429, then 418 with growing bans), so a resync storm (every
 * symbol's book dropped at once after a reconnect) must queue here instead of reaching it.
 * Pure: the caller passes the time, which keeps it testable without waiting.
 */
export class WeightBudget {
  private tokens: number;
  private updatedAt: number;
  private readonly perMs: number;

  constructor(
    /** The weight we allow ourselves per minute (a share of the IP's limit). */
    readonly weightPerMinute: number,
    nowMs: number,
  ) {
    if (!(Number.isFinite(weightPerMinute) && weightPerMinute > 0)) {
      throw new FeedConfigError('restWeightPerMinute', weightPerMinute, 'must be a positive number');
    }
    this.tokens = weightPerMinute;
    this.updatedAt = nowMs;
    this.perMs = weightPerMinute / 60_000;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.updatedAt) {
      this.tokens = Math.min(this.weightPerMinute, this.tokens + (nowMs - this.updatedAt) * this.perMs);
      this.updatedAt = nowMs;
    }
  }

  /**
   * Takes `weight` now and returns 0, or takes nothing and returns how long to wait, ms, before
   * asking again. A weight above the whole budget is refused: it could never be granted.
   */
  take(weight: number, nowMs: number): number {
    if (!(weight > 0 && weight <= this.weightPerMinute)) {
      throw new FeedConfigError('request weight', weight, `must be in (0, ${this.weightPerMinute}] (restWeightPerMinute)`);
    }
    this.refill(nowMs);
    if (this.tokens >= weight) {
      this.tokens -= weight;
      return 0;
    }
    return Math.ceil((weight - this.tokens) / this.perMs);
  }

  /**
   * The venue told us (`X-MBX-USED-WEIGHT-1M`) how much of the IP's limit is used this minute,
   * which includes other processes on the same IP: never believe we have more than is left.
   */
  observeUsed(usedWeight: number, ipLimitPerMinute: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens = Math.min(this.tokens, Math.max(0, ipLimitPerMinute - usedWeight));
  }

  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }
}

/** Weight of `GET /api/v3/depth` by `limit`, from Binance's spot REST documentation. */
export function depthRequestWeight(limit: number): number {
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 5000)) throw new FeedConfigError('depthLimit', limit, 'must be an integer in [1, 5000]');
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}
