import { Backoff, TokenBucket } from '@meridian/venues';
import { AlpacaRequestError } from './errors';
import type { AlpacaTradingConfig } from './options';

/**
 * What one request came to:
 * - `ok`: a 2xx and its body;
 * - `refused`: Alpaca answered with an error status (its `code` and `message` when it gave them);
 *   a 4xx other than 429 means the request was not applied;
 * - `unknown`: no answer (a timeout, a dropped connection): the request may or may not have been
 *   applied, which only its own idempotency key can tell.
 */
export type RestResult =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
  | {
      readonly kind: 'refused';
      readonly status: number;
      readonly code: number | undefined;
      readonly message: string;
      readonly body: unknown;
      /** A 429's `X-RateLimit-Reset`: when the account's window has room again (epoch ms). */
      readonly retryAtMs?: number;
    }
  | { readonly kind: 'unknown'; readonly reason: string };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Alpaca's REST API: the key headers, one token of the account's rate limit per request (a
 * burst queues instead of earning 429s), a timeout per attempt. A 429 is never applied, so any
 * request waits for the window Alpaca names and tries again; reads (`get`) also retry dropped
 * connections, timeouts and 5xx with full-jitter backoff. Writes are sent once: whether to try
 * again is the caller's decision, made with the order's client id.
 */
export class AlpacaRest {
  private readonly bucket: TokenBucket;

  constructor(private readonly config: AlpacaTradingConfig) {
    this.bucket = new TokenBucket(config.rateLimit.requests, config.rateLimit.intervalMs);
  }

  /** Sends a write (or a read that must not be retried) once, apart from 429s. */
  async send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<RestResult> {
    const backoff = new Backoff(this.config.retry.backoff, this.config.random);
    let result: RestResult = { kind: 'unknown', reason: 'not sent' };
    for (let attempt = 1; attempt <= this.config.retry.attempts; attempt++) {
      result = await this.once(method, path, body);
      if (!(result.kind === 'refused' && result.status === 429)) return result;
      const wait = this.rateLimitWait(result, backoff);
      this.config.log('warn', 'alpaca rate limit answered 429; waiting', { method, path, waitMs: wait });
      await sleep(wait);
    }
    return result;
  }

  /** A read, retried (dropped connections, timeouts, 429, 5xx) with backoff until it succeeds or is refused. */
  async get(path: string): Promise<RestResult> {
    const backoff = new Backoff(this.config.retry.backoff, this.config.random);
    let result: RestResult = { kind: 'unknown', reason: 'not sent' };
    for (let attempt = 1; attempt <= this.config.retry.attempts; attempt++) {
      result = await this.once('GET', path, undefined);
      const transient = result.kind === 'unknown' || (result.kind === 'refused' && (result.status === 429 || result.status >= 500));
      if (!transient) return result;
      if (attempt === this.config.retry.attempts) break;
      const wait = result.kind === 'refused' && result.status === 429 ? this.rateLimitWait(result, backoff) : backoff.next();
      this.config.log('warn', 'alpaca read failed; retrying', { path, attempt, waitMs: wait, reason: describe(result) });
      await sleep(wait);
    }
    return result;
  }

  /** A read that must succeed: its body, or an `AlpacaRequestError` naming what went wrong. */
  async getBody(path: string): Promise<unknown> {
    const result = await this.get(path);
    if (result.kind === 'ok') return result.body;
    throw new AlpacaRequestError('GET', path, result.kind === 'refused' ? result.status : undefined, result.kind === 'refused' ? result.code : undefined, describe(result));
  }

  private rateLimitWait(result: RestResult & { kind: 'refused' }, backoff: Backoff): number {
    const reset = result.retryAtMs;
    return reset !== undefined && reset > Date.now() ? Math.min(reset - Date.now(), this.config.rateLimit.intervalMs) : backoff.next();
  }

  private async once(method: string, path: string, body: unknown): Promise<RestResult> {
    await this.bucket.take();
    const timeout = AbortSignal.timeout(this.config.requestTimeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.config.baseUrl}${path}`, {
        method,
        headers: {
          'APCA-API-KEY-ID': this.config.key,
          'APCA-API-SECRET-KEY': this.config.secret,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeout,
      });
      text = await response.text();
    } catch (err) {
      // Only the reason: the request (and so its headers) never goes into a message.
      const reason = timeout.aborted ? `no answer within ${this.config.requestTimeoutMs} ms` : `connection failed (${causeOf(err)})`;
      return { kind: 'unknown', reason };
    }
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.ok) return { kind: 'ok', status: response.status, body: parsed };
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const code = typeof record['code'] === 'number' ? record['code'] : undefined;
    const message = typeof record['message'] === 'string' ? record['message'] : typeof parsed === 'string' ? parsed.slice(0, 200) : `HTTP ${response.status}`;
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    const retryAtMs = response.status === 429 && Number.isFinite(reset) && reset > 0 ? reset * 1_000 : undefined;
    return { kind: 'refused', status: response.status, code, message, body: parsed, retryAtMs };
  }
}

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

export function describe(result: RestResult): string {
  if (result.kind === 'ok') return `HTTP ${result.status}`;
  if (result.kind === 'unknown') return result.reason;
  return `HTTP ${result.status}${result.code === undefined ? '' : ` code ${result.code}`}: ${result.message}`;
}
