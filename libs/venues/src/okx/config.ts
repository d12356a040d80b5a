import { parseSymbol, parseVenue } from '@meridian/domain';
import type { BackoffOptions } from '../backoff';
import { DEFAULT_BACKOFF } from '../backoff';
import { FeedConfigError } from '../errors';
import type { FrameRecorder } from '../replay/recording-writer';
import { OKX_BOOK_CHANNELS, OKX_CANDLE_INTERVALS } from './protocol';
import type { OkxBookChannel } from './protocol';

/** What to subscribe for one instrument. */
export interface OkxInstrumentOptions {
  /** OKX instrument id: `BTC-USDT`, `BTC-USDT-SWAP`, `BTC-USD-220527`. */
  readonly instId: string;
  /** The one book channel for this instrument (default `books`), or `none`. */
  readonly book?: OkxBookChannel | 'none';
  /** Subscribe `trades` (default true). */
  readonly trades?: boolean;
  /** OKX bars for `candle<bar>` channels: `1m`, `1H`, `1Dutc`… (see OKX_CANDLE_INTERVALS). */
  readonly candles?: readonly string[];
}

export interface OkxFeedOptions {
  /** Instrument ids (books + trades) or full per-instrument options. */
  readonly instruments: readonly (string | OkxInstrumentOptions)[];
  /** Default `okx`; an OKX-protocol venue (Okcoin) can reuse the adapter under its own id. */
  readonly venue?: string;
  /** Default the venue id; shows in `status()` and logs. */
  readonly source?: string;
  readonly wsUrl?: string;
  readonly restUrl?: string;
  /** Ping after `idleMs` of silence, reconnect if nothing arrives `timeoutMs` later (OKX drops a link idle for 30 s). */
  readonly heartbeat?: { readonly idleMs: number; readonly timeoutMs: number };
  /** Reconnect backoff. */
  readonly backoff?: BackoffOptions;
  readonly restTimeoutMs?: number;
  /** Backoff between failed REST snapshot attempts. */
  readonly restBackoff?: BackoffOptions;
  /** The books endpoint's limit: 40 requests per 2 s per IP. */
  readonly restRateLimit?: { readonly requests: number; readonly intervalMs: number };
  /** Levels asked of the REST snapshot (`sz`, at most 400, the depth of the `books` channel). */
  readonly restDepth?: number;
  /** False: never use REST; resync by resubscribing, for a venue that still sends WebSocket snapshots. */
  readonly restSnapshots?: boolean;
  readonly maxBufferedDeltas?: number;
  /** A connection open this long resets the reconnect backoff. */
  readonly healthyAfterMs?: number;
  /** Jitter source (tests pass a seeded one). */
  readonly random?: () => number;
  /** Conditions worth a log line that are not a rejected frame (REST retries, venue notices). */
  readonly onWarning?: (message: string) => void;
  /** Records the session (frames both ways and REST snapshots) for a later replay. */
  readonly recorder?: FrameRecorder;
}

export const OKX_PUBLIC_WS_URL = 'wss://ws.okx.com:8443/ws/v5/public';
export const OKX_REST_URL = 'https://www.okx.com';

export const OKX_FEED_DEFAULTS = Object.freeze({
  venue: 'okx',
  wsUrl: OKX_PUBLIC_WS_URL,
  restUrl: OKX_REST_URL,
  // Below OKX's 30 s idle limit with room for the pong to come back.
  heartbeat: Object.freeze({ idleMs: 25_000, timeoutMs: 4_000 }),
  backoff: DEFAULT_BACKOFF,
  restTimeoutMs: 5_000,
  restBackoff: Object.freeze({ initialMs: 200, maxMs: 10_000, factor: 2 }),
  restRateLimit: Object.freeze({ requests: 40, intervalMs: 2_000 }),
  restDepth: 400,
  restSnapshots: true,
  maxBufferedDeltas: 10_000,
  healthyAfterMs: 5_000,
});

export interface OkxInstrumentConfig {
  readonly instId: string;
  /** The platform symbol (`parseSymbol(instId)`). */
  readonly symbol: string;
  readonly book: OkxBookChannel | undefined;
  readonly trades: boolean;
  /** OKX bar → platform interval token. */
  readonly candles: ReadonlyMap<string, string>;
}

export interface OkxFeedConfig {
  readonly venue: string;
  readonly source: string;
  readonly instruments: readonly OkxInstrumentConfig[];
  readonly wsUrl: string;
  readonly restUrl: string;
  readonly heartbeat: { readonly idleMs: number; readonly timeoutMs: number };
  readonly backoff: BackoffOptions;
  readonly restTimeoutMs: number;
  readonly restBackoff: BackoffOptions;
  readonly restRateLimit: { readonly requests: number; readonly intervalMs: number };
  readonly restDepth: number;
  readonly restSnapshots: boolean;
  readonly maxBufferedDeltas: number;
  readonly healthyAfterMs: number;
  readonly random: (() => number) | undefined;
  readonly onWarning: (message: string) => void;
  readonly recorder: FrameRecorder | undefined;
}

function url(key: string, value: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new FeedConfigError(key, value, 'not a URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new FeedConfigError(key, value, `expected ${protocols.join(' or ')}`);
  return value;
}

function positiveInt(key: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value <= 0 || value > max) throw new FeedConfigError(key, value, `must be an integer in 1..${max}`);
  return value;
}

function instrument(raw: string | OkxInstrumentOptions, i: number): OkxInstrumentConfig {
  const key = `instruments[${i}]`;
  const options: OkxInstrumentOptions = typeof raw === 'string' ? { instId: raw } : raw;
  const instId = options?.instId;
  if (typeof instId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(instId)) {
    throw new FeedConfigError(`${key}.instId`, instId, 'expected an OKX instrument id such as BTC-USDT');
  }
  let symbol: string;
  try {
    symbol = parseSymbol(instId);
  } catch (err) {
    throw new FeedConfigError(`${key}.instId`, instId, (err as Error).message);
  }
  const book = options.book ?? 'books';
  if (book !== 'none' && !OKX_BOOK_CHANNELS.includes(book)) {
    throw new FeedConfigError(`${key}.book`, book, `expected one of ${OKX_BOOK_CHANNELS.join(', ')} or none`);
  }
  const trades = options.trades ?? true;
  if (typeof trades !== 'boolean') throw new FeedConfigError(`${key}.trades`, trades, 'expected a boolean');
  const candles = new Map<string, string>();
  for (const bar of options.candles ?? []) {
    const interval = Object.hasOwn(OKX_CANDLE_INTERVALS, bar) ? OKX_CANDLE_INTERVALS[bar] : undefined;
    if (interval === undefined) {
      throw new FeedConfigError(
        `${key}.candles`,
        bar,
        `expected one of ${Object.keys(OKX_CANDLE_INTERVALS).join(', ')} (bars aligned to Hong Kong time, weeks and months have no platform interval)`,
      );
    }
    candles.set(bar, interval);
  }
  return { instId, symbol, book: book === 'none' ? undefined : book, trades, candles };
}

/** Validates every option once, at start-up, and fills in the defaults; errors name the key. */
export function parseOkxFeedOptions(options: OkxFeedOptions): OkxFeedConfig {
  const d = OKX_FEED_DEFAULTS;
  let venue: string;
  try {
    venue = parseVenue(options.venue ?? d.venue);
  } catch (err) {
    throw new FeedConfigError('venue', options.venue, (err as Error).message);
  }
  if (!Array.isArray(options.instruments) || options.instruments.length === 0) {
    throw new FeedConfigError('instruments', options.instruments, 'at least one instrument is needed');
  }
  const instruments = options.instruments.map(instrument);
  const seen = new Map<string, string>();
  for (const inst of instruments) {
    const other = seen.get(inst.symbol);
    if (other !== undefined) throw new FeedConfigError('instruments', inst.instId, `same platform symbol ${inst.symbol} as ${other}`);
    seen.set(inst.symbol, inst.instId);
  }
  const heartbeat = options.heartbeat ?? d.heartbeat;
  if (!(heartbeat.idleMs > 0 && heartbeat.timeoutMs > 0)) throw new FeedConfigError('heartbeat', heartbeat, 'idleMs and timeoutMs must be positive');
  const restRateLimit = options.restRateLimit ?? d.restRateLimit;
  positiveInt('restRateLimit.requests', restRateLimit.requests);
  positiveInt('restRateLimit.intervalMs', restRateLimit.intervalMs);
  const restTimeoutMs = options.restTimeoutMs ?? d.restTimeoutMs;
  if (!(restTimeoutMs > 0)) throw new FeedConfigError('restTimeoutMs', restTimeoutMs, 'must be positive');
  const restSnapshots = options.restSnapshots ?? d.restSnapshots;
  if (typeof restSnapshots !== 'boolean') throw new FeedConfigError('restSnapshots', restSnapshots, 'expected a boolean');
  const healthyAfterMs = options.healthyAfterMs ?? d.healthyAfterMs;
  if (!(healthyAfterMs > 0)) throw new FeedConfigError('healthyAfterMs', healthyAfterMs, 'must be positive');
  return {
    venue,
    source: options.source ?? venue,
    instruments,
    wsUrl: url('wsUrl', options.wsUrl ?? d.wsUrl, ['ws:', 'wss:']),
    restUrl: url('restUrl', options.restUrl ?? d.restUrl, ['http:', 'https:']),
    heartbeat,
    backoff: options.backoff ?? d.backoff,
    restTimeoutMs,
    restBackoff: options.restBackoff ?? d.restBackoff,
    restRateLimit,
    restDepth: positiveInt('restDepth', options.restDepth ?? d.restDepth, 400),
    restSnapshots,
    maxBufferedDeltas: positiveInt('maxBufferedDeltas', options.maxBufferedDeltas ?? d.maxBufferedDeltas),
    healthyAfterMs,
    random: options.random,
    onWarning: options.onWarning ?? ((message) => console.warn(`[${venue}] ${message}`)),
    recorder: options.recorder,
  };
}
