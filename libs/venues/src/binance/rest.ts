import { setTimeout as sleep } from 'node:timers/promises';
import { nowNanos } from '@meridian/domain';
import { excerpt } from '../decode';
import { VenueRequestError } from '../errors';
import { WeightBudget, depthRequestWeight } from './weight-budget';
import type { FrameRecorder } from '../replay/recording-writer';

/** A Binance REST answer that was not 200: the status, and how long the venue asked us to wait. */
export class BinanceHttpError extends VenueRequestError {
  constructor(
    venue: string,
    url: string,
    readonly status: number,
    /** From `Retry-After` on 429/418; every request of this client waits that long. */
    readonly retryAfterMs: number | undefined,
    body: string,
  ) {
    const wait = retryAfterMs === undefined ? '' : `; retrying after ${retryAfterMs} ms as Retry-After asks`;
    super(venue, url, `HTTP ${status}${body ? ` ${excerpt(body, 200)}` : ''}${wait}`);
  }
}

export interface BinanceRestOptions {
  readonly venue: string;
  /** `https://api.binance.com` */
  readonly baseUrl: string;
  /** Our share of the IP's weight per minute. */
  readonly weightPerMinute: number;
  /** The IP's limit, to read `X-MBX-USED-WEIGHT-1M` against. */
  readonly ipWeightLimitPerMinute: number;
  readonly requestTimeoutMs: number;
  /** Wait when a 429/418 comes without a usable `Retry-After`. */
  readonly defaultRetryAfterMs: number;
  /** Records each snapshot body for a later replay. */
  readonly recorder?: FrameRecorder;
}

/**
 * The longest pause a `Retry-After` can impose: the longest wait a timer holds (about 24.8 days).
 * A longer `setTimeout` fires after 1 ms instead, which would turn the pause into a busy loop.
 * Binance's bans (418) last from 2 minutes to 3 days.
 */
export const MAX_RETRY_AFTER_MS = 2 ** 31 - 1;

/** `Retry-After` is either delta-seconds or an HTTP date; the wait is capped at `MAX_RETRY_AFTER_MS`. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/**
 * The few public REST calls the feed needs, behind one weight budget and one pause: when Binance
 * answers 429 (over the limit) or 418 (banned), no request of this client goes out before the
 * `Retry-After` it gave, whatever symbol asks, because the limit is per IP.
 */
export class BinanceRestClient {
  private readonly budget: WeightBudget;
  private pausedUntil = 0;

  constructor(private readonly options: BinanceRestOptions) {
    this.budget = new WeightBudget(options.weightPerMinute, Date.now());
  }

  /** When requests may go out again after a 429/418 (ms since the epoch; 0 when not paused). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** `GET /api/v3/depth`; resolves with the raw body and when it arrived. Abortable while queued or in flight. */
  async depth(venueSymbol: string, limit: number, signal: AbortSignal): Promise<{ text: string; receivedTsNs: bigint }> {
    const url = `${this.options.baseUrl}/api/v3/depth?symbol=${encodeURIComponent(venueSymbol)}&limit=${limit}`;
    await this.admit(depthRequestWeight(limit), signal);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.requestTimeoutMs)]) });
      text = await response.text();
    } catch (err) {
      if (signal.aborted) throw err;
      throw new VenueRequestError(this.options.venue, url, (err as Error).message, { cause: err });
    }
    const receivedTsNs = nowNanos();
    const now = Date.now();
    const used = Number(response.headers.get('x-mbx-used-weight-1m'));
    if (Number.isFinite(used) && used > 0) this.budget.observeUsed(used, this.options.ipWeightLimitPerMinute, now);
    if (response.status === 429 || response.status === 418) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now) ?? this.options.defaultRetryAfterMs;
      this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
      throw new BinanceHttpError(this.options.venue, url, response.status, retryAfterMs, text);
    }
    if (!response.ok) throw new BinanceHttpError(this.options.venue, url, response.status, undefined, text);
    this.options.recorder?.record({ kind: 'http', url, tsNs: receivedTsNs, text });
    return { text, receivedTsNs };
  }

  /** Waits out a venue-imposed pause, then for enough weight in the budget. */
  private async admit(weight: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const now = Date.now();
      if (this.pausedUntil > now) {
        await sleep(this.pausedUntil - now, undefined, { signal });
        continue;
      }
      const wait = this.budget.take(weight, now);
      if (wait === 0) return;
      await sleep(wait, undefined, { signal });
    }
  }
}
