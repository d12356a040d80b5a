import { parseSymbol } from '@meridian/domain';
import { BinanceSpotFeed } from '../binance/feed';
import { isRecord } from '../decode';
import { FeedConfigError } from '../errors';
import { OkxPublicFeed } from '../okx/feed';
import { OKX_BOOK_CHANNELS } from '../okx/protocol';
import type { OkxBookChannel } from '../okx/protocol';
import type { FeedSink, FeedState, FeedSymbolStatus, MarketFeed } from '../types';
import { readRecording, venueOfUrl } from './recording';
import type { RecordedEntry } from './recording';
import { ReplayServer } from './replay-server';

export interface RecordedReplayOptions {
  /** 1 = recorded pace, 10 = ten times faster, 0 = as fast as possible. */
  readonly speed: number;
  /** Lines of the file that are not a recording entry, and adapter warnings. */
  readonly onWarning?: (message: string) => void;
}

/** What a recording holds, found by reading it once before replaying. */
export interface RecordingSummary {
  readonly venue: 'okx' | 'binance';
  /** The venue id events are published under: `okx`, `binance`, `binance-us`. */
  readonly venueId: string;
  /** Venue instrument ids with book or trade data, in order of appearance. */
  readonly instruments: readonly string[];
  readonly okxBookChannel: OkxBookChannel | undefined;
  readonly hasTrades: boolean;
  readonly http: readonly Extract<RecordedEntry, { kind: 'http' }>[];
  readonly frames: number;
}

/** Longest wait after the last frame for books still synchronising. */
const SETTLE_TIMEOUT_MS = 5_000;

const OKX_PLAYED_CHANNELS = new Set<string>([...OKX_BOOK_CHANNELS, 'trades']);
const BINANCE_PLAYED_STREAMS = /@(depth(@\d+ms)?|trade)$/;

/** OKX `{arg:{channel,instId}}` or Binance `{stream, data}` of a received frame, if it is one. */
function frameShape(text: string): { venue: 'okx'; channel: string; instId: string } | { venue: 'binance'; stream: string; symbol: string } | undefined {
  if (!text.startsWith('{')) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(o)) return undefined;
  if (isRecord(o.arg) && typeof o.arg.channel === 'string' && typeof o.arg.instId === 'string' && 'data' in o) {
    return { venue: 'okx', channel: o.arg.channel, instId: o.arg.instId };
  }
  if (typeof o.stream === 'string' && isRecord(o.data) && typeof o.data.s === 'string') {
    return { venue: 'binance', stream: o.stream, symbol: o.data.s };
  }
  return undefined;
}

/** Reads a recording once: which venue, which instruments, which REST snapshots. */
export async function summariseRecording(path: string, onWarning: (message: string) => void = () => undefined): Promise<RecordingSummary> {
  let urlVenue: 'okx' | 'binance' | 'alpaca' | undefined;
  let venueId: string | undefined;
  let shapeVenue: 'okx' | 'binance' | undefined;
  const instruments: string[] = [];
  const http: Extract<RecordedEntry, { kind: 'http' }>[] = [];
  let okxBookChannel: OkxBookChannel | undefined;
  let hasTrades = false;
  let frames = 0;
  const add = (id: string) => instruments.includes(id) || instruments.push(id);
  for await (const e of readRecording(path, (n, err) => onWarning(`${path}:${n}: ${err.message}`))) {
    if (e.kind === 'connect' || e.kind === 'http') {
      urlVenue ??= venueOfUrl(e.url);
      if (venueId === undefined && urlVenue !== undefined) venueId = /binance\.us/.test(e.url) ? 'binance-us' : urlVenue;
    }
    if (e.kind === 'http') http.push(e);
    if (e.kind !== 'received') continue;
    frames++;
    const shape = frameShape(e.text);
    if (!shape) continue;
    shapeVenue ??= shape.venue;
    if (shape.venue === 'okx') {
      if ((OKX_BOOK_CHANNELS as readonly string[]).includes(shape.channel)) {
        okxBookChannel ??= shape.channel as OkxBookChannel;
        add(shape.instId);
      } else if (shape.channel === 'trades') {
        hasTrades = true;
        add(shape.instId);
      }
    } else if (BINANCE_PLAYED_STREAMS.test(shape.stream)) {
      if (shape.stream.includes('@trade')) hasTrades = true;
      add(shape.symbol);
    }
  }
  const venue = shapeVenue ?? (urlVenue === 'okx' || urlVenue === 'binance' ? urlVenue : undefined);
  if (venue === undefined) {
    throw new FeedConfigError('replay', path, urlVenue === 'alpaca' ? 'Alpaca recordings cannot be replayed yet' : 'no OKX or Binance book or trade frames found');
  }
  if (instruments.length === 0) throw new FeedConfigError('replay', path, `no book or trade frames of ${venue} found`);
  return { venue, venueId: venueId ?? venue, instruments, okxBookChannel, hasTrades, http, frames };
}

/**
 * A recorded session of a venue played back through that venue's own adapter (see ReplayServer):
 * the replay exercises the live code path, and its events are indistinguishable from live ones
 * but for their timestamps. When the last frame has been processed every symbol is `finished`.
 */
export class RecordedReplayFeed implements MarketFeed {
  readonly venue: string;
  readonly source: string;
  readonly symbols: readonly string[];
  private server: ReplayServer | undefined;
  private adapter: MarketFeed | undefined;
  private sink: FeedSink | undefined;
  private finished = false;
  private finishedWaiters: (() => void)[] = [];

  constructor(
    private readonly path: string,
    private readonly summary: RecordingSummary,
    private readonly options: RecordedReplayOptions,
  ) {
    this.venue = summary.venueId;
    this.source = `replay:${path}`;
    this.symbols = summary.instruments.map((id) => parseSymbol(id));
  }

  async start(sink: FeedSink): Promise<void> {
    this.sink = sink;
    const { summary, path } = this;
    const onWarning = this.options.onWarning ?? (() => undefined);
    const keep = (text: string): boolean => {
      const shape = frameShape(text);
      if (shape === undefined) return true; // events, acks, anything else the adapter must see
      return shape.venue === 'okx' ? OKX_PLAYED_CHANNELS.has(shape.channel) : BINANCE_PLAYED_STREAMS.test(shape.stream);
    };
    this.server = await ReplayServer.start({
      entries: () => readRecording(path, () => undefined),
      http: summary.http,
      speed: this.options.speed,
      handshakeMessages: summary.venue === 'okx' ? 1 : 0,
      keep,
      onFinished: (played) => this.onFinished(played),
    });
    // Between the end of the recording and stop(), the adapter would only try to reconnect.
    const replayBackoff = { initialMs: 60_000, maxMs: 60_000, factor: 1 };
    if (summary.venue === 'okx') {
      this.adapter = new OkxPublicFeed({
        venue: summary.venueId,
        source: this.source,
        instruments: summary.instruments.map((instId) => ({ instId, book: summary.okxBookChannel ?? 'none', trades: summary.hasTrades })),
        wsUrl: this.server.wsUrl,
        restUrl: this.server.httpUrl,
        restSnapshots: summary.http.length > 0,
        backoff: replayBackoff,
        onWarning,
      });
    } else {
      this.adapter = new BinanceSpotFeed({
        venue: summary.venueId,
        symbols: this.symbols,
        venueSymbols: Object.fromEntries(summary.instruments.map((id) => [parseSymbol(id), id])),
        wsUrl: this.server.wsUrl,
        restUrl: this.server.httpUrl,
        trades: summary.hasTrades ? 'trade' : 'none',
        klineIntervals: [],
        backoff: replayBackoff,
      });
    }
    await this.adapter.start({
      trade: (t) => sink.trade(t),
      book: (u) => sink.book(u),
      bar: (b) => sink.bar(b),
      reject: (r) => sink.reject(r),
      state: (venue, symbol, state, detail) => {
        if (!this.finished) sink.state(venue, symbol, state, detail);
      },
    });
  }

  /** Resolves when the whole recording has been processed. */
  whenFinished(): Promise<void> {
    if (this.finished) return Promise.resolve();
    return new Promise((resolve) => this.finishedWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    await this.adapter?.stop();
    await this.server?.close();
  }

  status(): FeedSymbolStatus[] {
    const statuses = this.adapter?.status() ?? [];
    if (!this.finished) return statuses;
    return statuses.map((s) => ({ ...s, state: 'finished' as FeedState }));
  }

  /**
   * The client has read every frame; give the adapter time to finish what those frames started
   * (a book waiting for its REST snapshot) before calling the replay finished.
   */
  private onFinished(played: number): void {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    const settle = () => {
      const settled = (this.adapter?.status() ?? []).every((s) => s.state === 'live');
      if (settled || Date.now() >= deadline) this.finish(played);
      else setTimeout(settle, 20);
    };
    settle();
  }

  private finish(played: number): void {
    if (this.finished) return;
    this.finished = true;
    for (const symbol of this.symbols) this.sink?.state(this.venue, symbol, 'finished', `replay of ${this.path} finished after ${played} frames`);
    for (const w of this.finishedWaiters.splice(0)) w();
  }
}

/** Opens a recording of raw venue frames for replay. */
export async function openRecordedReplay(path: string, options: RecordedReplayOptions): Promise<RecordedReplayFeed> {
  const summary = await summariseRecording(path, options.onWarning);
  return new RecordedReplayFeed(path, summary, options);
}
