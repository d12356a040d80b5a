import type { BackoffOptions, HeartbeatOptions } from '@meridian/venues';
import { AlpacaConfigError } from './errors';

export type AlpacaEnvironment = 'paper' | 'live';

/** Alpaca's documented endpoints: paper keys work only on paper, live keys only on live. */
export const ALPACA_BASE_URLS: Readonly<Record<AlpacaEnvironment, string>> = Object.freeze({
  paper: 'https://paper-api.alpaca.markets',
  live: 'https://api.alpaca.markets',
});

export interface AlpacaTradingVenueOptions {
  /** `APCA-API-KEY-ID` and `APCA-API-SECRET-KEY`. The caller reads them (environment, secret files); the adapter never logs them. */
  readonly key: string;
  readonly secret: string;
  readonly environment: AlpacaEnvironment;
  /** Platform symbols traded (`AAPL`, `BRK-B`), or Alpaca's spelling (`BRK.B`). */
  readonly symbols: readonly string[];
  /** Alpaca's symbol per platform symbol where `-` → `.` is not it. */
  readonly venueSymbols?: Readonly<Record<string, string>>;
  /** Default: the environment's documented URL; a local server in tests. */
  readonly baseUrl?: string;
  /** Default: the base URL with `ws(s)://` and `/stream`. */
  readonly streamUrl?: string;
  /** The venue id events and errors carry. Default `alpaca`. */
  readonly venue?: string;
  /** One HTTP attempt's limit. */
  readonly requestTimeoutMs?: number;
  /** Alpaca allows 200 requests a minute per account; every request waits for a token. */
  readonly rateLimit?: { readonly requests: number; readonly intervalMs: number };
  /** Attempts of a safe request (reads; a submit resolved through its client order id), and the delays between them. */
  readonly retry?: { readonly attempts: number; readonly backoff: BackoffOptions };
  readonly stream?: {
    readonly backoff?: BackoffOptions;
    readonly heartbeat?: HeartbeatOptions;
    /** How long `start()` waits for the stream to listen. */
    readonly startTimeoutMs?: number;
    /** After a reconnect, fills are read back from this long before the last one seen (clock skew, in-flight events). */
    readonly catchUpOverlapMs?: number;
  };
  readonly random?: () => number;
  /** Where the adapter reports what it does (reconnects, retries, catch-up); never given the key or secret. */
  readonly onLog?: (level: 'info' | 'warn', message: string, fields?: Readonly<Record<string, unknown>>) => void;
}

export interface AlpacaTradingConfig {
  readonly key: string;
  readonly secret: string;
  readonly environment: AlpacaEnvironment;
  readonly symbols: readonly string[];
  readonly venueSymbols: Readonly<Record<string, string>>;
  readonly baseUrl: string;
  readonly streamUrl: string;
  readonly venue: string;
  readonly requestTimeoutMs: number;
  readonly rateLimit: { readonly requests: number; readonly intervalMs: number };
  readonly retry: { readonly attempts: number; readonly backoff: BackoffOptions };
  readonly streamBackoff: BackoffOptions;
  readonly heartbeat: HeartbeatOptions;
  readonly startTimeoutMs: number;
  readonly catchUpOverlapMs: number;
  readonly random: () => number;
  readonly log: (level: 'info' | 'warn', message: string, fields?: Readonly<Record<string, unknown>>) => void;
}

export const ALPACA_TRADING_DEFAULTS = Object.freeze({
  venue: 'alpaca',
  requestTimeoutMs: 10_000,
  rateLimit: Object.freeze({ requests: 200, intervalMs: 60_000 }),
  retry: Object.freeze({ attempts: 5, backoff: Object.freeze({ initialMs: 200, maxMs: 5_000, factor: 2 }) }),
  streamBackoff: Object.freeze({ initialMs: 250, maxMs: 30_000, factor: 2 }),
  heartbeat: Object.freeze({ idleMs: 30_000, timeoutMs: 10_000, ping: 'frame' as const }),
  startTimeoutMs: 30_000,
  catchUpOverlapMs: 5_000,
});

function positiveInt(key: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new AlpacaConfigError(key, value, 'must be a positive integer');
  return value;
}

/** Validates the options once, at construction; a bad value names its key. */
export function parseAlpacaTradingOptions(o: AlpacaTradingVenueOptions): AlpacaTradingConfig {
  if (typeof o.key !== 'string' || o.key.trim() === '') throw new AlpacaConfigError('key', '<redacted>', 'is required (APCA-API-KEY-ID)');
  if (typeof o.secret !== 'string' || o.secret.trim() === '') throw new AlpacaConfigError('secret', '<redacted>', 'is required (APCA-API-SECRET-KEY)');
  if (o.environment !== 'paper' && o.environment !== 'live') throw new AlpacaConfigError('environment', o.environment, 'must be paper or live');
  const baseUrl = (o.baseUrl ?? ALPACA_BASE_URLS[o.environment]).replace(/\/+$/, '');
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new AlpacaConfigError('baseUrl', o.baseUrl, 'is not a URL');
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new AlpacaConfigError('baseUrl', o.baseUrl, 'must be http(s)');
  const streamUrl = o.streamUrl ?? `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}/stream`;
  if (!/^wss?:\/\//.test(streamUrl)) throw new AlpacaConfigError('streamUrl', o.streamUrl, 'must be ws(s)');
  const retry = o.retry ?? ALPACA_TRADING_DEFAULTS.retry;
  const rateLimit = o.rateLimit ?? ALPACA_TRADING_DEFAULTS.rateLimit;
  const overlap = o.stream?.catchUpOverlapMs ?? ALPACA_TRADING_DEFAULTS.catchUpOverlapMs;
  if (!(Number.isSafeInteger(overlap) && overlap >= 0)) throw new AlpacaConfigError('stream.catchUpOverlapMs', overlap, 'must be a non-negative integer');
  return {
    key: o.key,
    secret: o.secret,
    environment: o.environment,
    symbols: o.symbols,
    venueSymbols: o.venueSymbols ?? {},
    baseUrl,
    streamUrl,
    venue: o.venue ?? ALPACA_TRADING_DEFAULTS.venue,
    requestTimeoutMs: positiveInt('requestTimeoutMs', o.requestTimeoutMs ?? ALPACA_TRADING_DEFAULTS.requestTimeoutMs),
    rateLimit: { requests: positiveInt('rateLimit.requests', rateLimit.requests), intervalMs: positiveInt('rateLimit.intervalMs', rateLimit.intervalMs) },
    retry: { attempts: positiveInt('retry.attempts', retry.attempts), backoff: retry.backoff },
    streamBackoff: o.stream?.backoff ?? ALPACA_TRADING_DEFAULTS.streamBackoff,
    heartbeat: o.stream?.heartbeat ?? ALPACA_TRADING_DEFAULTS.heartbeat,
    startTimeoutMs: positiveInt('stream.startTimeoutMs', o.stream?.startTimeoutMs ?? ALPACA_TRADING_DEFAULTS.startTimeoutMs),
    catchUpOverlapMs: overlap,
    random: o.random ?? Math.random,
    log: o.onLog ?? (() => undefined),
  };
}
