import { nowNanos } from '@meridian/domain';
import { Backoff } from '../backoff';
import type { BackoffOptions } from '../backoff';
import { FeedConfigError, FrameRejectedError, VenueRequestError } from '../errors';
import { decodeRestBook } from './protocol';
import type { OkxBookData } from './protocol';
import type { FrameRecorder } from '../replay/recording-writer';

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A token bucket: `capacity` requests at once, refilled at `capacity` per `intervalMs`. OKX limits
 * `GET /api/v5/market/books` to 40 requests per 2 s per IP; a resync storm across many symbols
 * (a reconnect) must queue rather than earn a `50011 Too Many Requests`.
 */
export class TokenBucket {
  /** Tokens × intervalMs, so that whole milliseconds refill whole units and no float drifts. */
  private credit: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new FeedConfigError('rateLimit.requests', capacity, 'must be a positive integer');
    if (!(Number.isInteger(intervalMs) && intervalMs > 0)) throw new FeedConfigError('rateLimit.intervalMs', intervalMs, 'must be a positive integer');
    this.credit = capacity * intervalMs;
    this.updatedAt = now();
  }

  /** Takes a token and returns 0, or returns how many ms to wait before one is available. */
  tryTake(): number {
    const now = this.now();
    const full = this.capacity * this.intervalMs;
    this.credit = Math.min(full, this.credit + Math.max(0, now - this.updatedAt) * this.capacity);
    this.updatedAt = now;
    if (this.credit >= this.intervalMs) {
      this.credit -= this.intervalMs;
      return 0;
    }
    return Math.ceil((this.intervalMs - this.credit) / this.capacity);
  }

  /** Waits for a token (callers are served as tokens come; no strict FIFO is needed here). */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.tryTake();
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }
}

export interface OkxRestOptions {
  /** For error messages: `okx`, or an OKX-protocol venue such as `okcoin`. */
  readonly venue: string;
  /** `https://www.okx.com`, or a local server in tests. */
  readonly baseUrl: string;
  /** One attempt's limit. */
  readonly timeoutMs: number;
  /** Between failed attempts. */
  readonly backoff: BackoffOptions;
  /** Requests per interval for the books endpoint. */
  readonly rateLimit: { readonly requests: number; readonly intervalMs: number };
  readonly random?: () => number;
  /** Told about each failed attempt, with the delay before the next. */
  readonly onRetry?: (error: VenueRequestError, delayMs: number) => void;
  /** Records each snapshot body for a later replay. */
  readonly recorder?: FrameRecorder;
}

/** The REST calls the public feed needs: only the order-book snapshot. */
export class OkxRestClient {
  private readonly bucket: TokenBucket;

  constructor(private readonly options: OkxRestOptions) {
    this.bucket = new TokenBucket(options.rateLimit.requests, options.rateLimit.intervalMs);
    if (!(options.timeoutMs > 0)) throw new FeedConfigError('restTimeoutMs', options.timeoutMs, 'must be positive');
  }

  /**
   * `GET /api/v5/market/books?instId=..&sz=..`, retried with backoff until it succeeds or `signal`
   * aborts (then it rejects with the signal's reason). Every attempt waits for the rate limit.
   */
  async bookSnapshot(instId: string, depth: number, signal?: AbortSignal): Promise<OkxBookData> {
    const url = new URL('/api/v5/market/books', this.options.baseUrl);
    url.searchParams.set('instId', instId);
    url.searchParams.set('sz', String(depth));
    const backoff = new Backoff(this.options.backoff, this.options.random);
    for (;;) {
      await this.bucket.take(signal);
      try {
        return await this.bookSnapshotOnce(url.toString(), signal);
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (!(err instanceof VenueRequestError)) throw err;
        const delayMs = backoff.next();
        this.options.onRetry?.(err, delayMs);
        await sleep(delayMs, signal);
      }
    }
  }

  private async bookSnapshotOnce(url: string, signal: AbortSignal | undefined): Promise<OkxBookData> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let body: unknown;
    try {
      const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      const text = await response.text();
      if (!response.ok) throw new VenueRequestError(this.options.venue, url, `HTTP ${response.status}: ${text.slice(0, 200)}`);
      this.options.recorder?.record({ kind: 'http', url, tsNs: nowNanos(), text });
      body = JSON.parse(text) as unknown;
    } catch (err) {
      if (err instanceof VenueRequestError) throw err;
      const reason = timeout.aborted ? `no answer within ${this.options.timeoutMs} ms` : (err as Error).message;
      throw new VenueRequestError(this.options.venue, url, reason, { cause: err });
    }
    try {
      return decodeRestBook(body);
    } catch (err) {
      if (err instanceof FrameRejectedError) throw new VenueRequestError(this.options.venue, url, err.detail, { cause: err });
      throw err;
    }
  }
}
