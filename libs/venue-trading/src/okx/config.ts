import { DEFAULT_BACKOFF } from '@meridian/venues';
import type { BackoffOptions } from '@meridian/venues';
import { OkxConfigError } from './errors';
import type { OkxCredentials } from './signing';

export const OKX_LIVE_REST_URL = 'https://www.okx.com';
export const OKX_LIVE_PRIVATE_WS_URL = 'wss://ws.okx.com:8443/ws/v5/private';
/** Demo trading uses the live REST host with `x-simulated-trading: 1`, and its own WebSocket host. */
export const OKX_DEMO_REST_URL = 'https://www.okx.com';
export const OKX_DEMO_PRIVATE_WS_URL = 'wss://wspap.okx.com:8443/ws/v5/private';

export interface OkxTradingOptions {
  /** Read by the caller from its environment or secret files; the adapter never logs them. */
  readonly credentials: OkxCredentials;
  /** `demo`: OKX demo trading (the header and the demo WebSocket host). */
  readonly environment: 'live' | 'demo';
  /** Default `okx`. */
  readonly venue?: string;
  /** Default by environment; tests point it at a local server. */
  readonly restUrl?: string;
  readonly privateWsUrl?: string;
  /** One REST attempt's limit, ms (default 5,000). */
  readonly requestTimeoutMs?: number;
  /** Attempts of a safe request (a GET, a place with the same clOrdId) before giving up (default 5). */
  readonly attempts?: number;
  /** Between attempts: exponential with full jitter (default 100 ms → 2 s). */
  readonly retryBackoff?: BackoffOptions;
  /** Added to each rate-limit window (timer granularity), ms (default 25). */
  readonly rateLimitGuardMs?: number;
  /** Ping after this much silence on the private WebSocket and reconnect if nothing answers (OKX drops a link idle for 30 s). */
  readonly heartbeat?: { readonly idleMs: number; readonly timeoutMs: number };
  /** Reconnect backoff of the private WebSocket. */
  readonly reconnectBackoff?: BackoffOptions;
  /** After a reconnect, fills are fetched from this long before the last event seen (default 5 s). */
  readonly recoveryLookbackMs?: number;
  /** `positions()` lists the base-currency holdings of instruments quoted in this currency (default USDT). */
  readonly positionQuoteCurrency?: string;
  /** Wall clock, ms (signatures must be within 30 s of OKX's clock). */
  readonly clock?: () => number;
  /** Jitter source; tests pass a seeded one. */
  readonly random?: () => number;
  /** Conditions worth a log line (retries, reconnects, recovery); never holds a credential. */
  readonly onLog?: (level: 'info' | 'warn', message: string) => void;
}

export interface OkxTradingConfig {
  readonly credentials: OkxCredentials;
  readonly demo: boolean;
  readonly venue: string;
  readonly restUrl: string;
  readonly privateWsUrl: string;
  readonly requestTimeoutMs: number;
  readonly attempts: number;
  readonly retryBackoff: BackoffOptions;
  readonly rateLimitGuardMs: number;
  readonly heartbeat: { readonly idleMs: number; readonly timeoutMs: number };
  readonly reconnectBackoff: BackoffOptions;
  readonly recoveryLookbackMs: number;
  readonly positionQuoteCurrency: string;
  readonly clock: () => number;
  readonly random: () => number;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

export const OKX_TRADING_DEFAULTS = Object.freeze({
  venue: 'okx',
  requestTimeoutMs: 5_000,
  attempts: 5,
  retryBackoff: Object.freeze({ initialMs: 100, maxMs: 2_000, factor: 2 }),
  rateLimitGuardMs: 25,
  // Below OKX's 30 s idle limit with room for the pong to come back.
  heartbeat: Object.freeze({ idleMs: 25_000, timeoutMs: 4_000 }),
  reconnectBackoff: DEFAULT_BACKOFF,
  recoveryLookbackMs: 5_000,
  positionQuoteCurrency: 'USDT',
});

function positive(key: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new OkxConfigError(key, value, 'must be a positive number');
  return value;
}

function url(key: string, value: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new OkxConfigError(key, value, 'is not a URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new OkxConfigError(key, value, `must use ${protocols.join(' or ')}`);
  return value.replace(/\/+$/, '');
}

/** Validates every option and fills the defaults; a bad value fails naming its key. */
export function parseOkxTradingOptions(options: OkxTradingOptions): OkxTradingConfig {
  const c = options.credentials as Partial<OkxCredentials> | undefined;
  for (const field of ['apiKey', 'secretKey', 'passphrase'] as const) {
    if (typeof c?.[field] !== 'string' || c[field] === '') throw new OkxConfigError(`credentials.${field}`, undefined, 'must be a non-empty string');
  }
  if (options.environment !== 'live' && options.environment !== 'demo') throw new OkxConfigError('environment', options.environment, 'must be "live" or "demo"');
  const demo = options.environment === 'demo';
  const attempts = options.attempts ?? OKX_TRADING_DEFAULTS.attempts;
  if (!(Number.isInteger(attempts) && attempts >= 1)) throw new OkxConfigError('attempts', attempts, 'must be an integer of at least 1');
  const guard = options.rateLimitGuardMs ?? OKX_TRADING_DEFAULTS.rateLimitGuardMs;
  if (!(Number.isFinite(guard) && guard >= 0)) throw new OkxConfigError('rateLimitGuardMs', guard, 'must be zero or more');
  const heartbeat = options.heartbeat ?? OKX_TRADING_DEFAULTS.heartbeat;
  positive('heartbeat.idleMs', heartbeat.idleMs);
  positive('heartbeat.timeoutMs', heartbeat.timeoutMs);
  const venue = options.venue ?? OKX_TRADING_DEFAULTS.venue;
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(venue)) throw new OkxConfigError('venue', venue, 'must be a lower-case venue id');
  const quote = options.positionQuoteCurrency ?? OKX_TRADING_DEFAULTS.positionQuoteCurrency;
  if (!/^[A-Z0-9]{1,16}$/.test(quote)) throw new OkxConfigError('positionQuoteCurrency', quote, 'must be a currency code');
  const lookback = options.recoveryLookbackMs ?? OKX_TRADING_DEFAULTS.recoveryLookbackMs;
  if (!(Number.isFinite(lookback) && lookback >= 0)) throw new OkxConfigError('recoveryLookbackMs', lookback, 'must be zero or more');
  return {
    credentials: { apiKey: c!.apiKey!, secretKey: c!.secretKey!, passphrase: c!.passphrase! },
    demo,
    venue,
    restUrl: url('restUrl', options.restUrl ?? (demo ? OKX_DEMO_REST_URL : OKX_LIVE_REST_URL), ['https:', 'http:']),
    privateWsUrl: url('privateWsUrl', options.privateWsUrl ?? (demo ? OKX_DEMO_PRIVATE_WS_URL : OKX_LIVE_PRIVATE_WS_URL), ['wss:', 'ws:']),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? OKX_TRADING_DEFAULTS.requestTimeoutMs),
    attempts,
    retryBackoff: options.retryBackoff ?? OKX_TRADING_DEFAULTS.retryBackoff,
    rateLimitGuardMs: guard,
    heartbeat,
    reconnectBackoff: options.reconnectBackoff ?? OKX_TRADING_DEFAULTS.reconnectBackoff,
    recoveryLookbackMs: lookback,
    positionQuoteCurrency: quote,
    clock: options.clock ?? Date.now,
    random: options.random ?? Math.random,
    log: options.onLog ?? (() => undefined),
  };
}
