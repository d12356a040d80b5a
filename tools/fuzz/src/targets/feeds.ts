import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { BinanceSpotFeed, OkxPublicFeed } from '@meridian/venues';
import type { FeedSink, MarketFeed, NormalizedBookUpdate, NormalizedTrade, Rejection, VenueBar } from '@meridian/venues';
import { jsonFrame, toJsonText } from '../arbitraries';
import { Broken, Refused, target } from '../target';
import { binanceAggTrade, binanceDepthUpdate, binanceKline, binanceTrade, okxFrame } from './venue-shapes';

/** What reached the sink, in order. */
type FeedEvent = { kind: 'trade'; trade: NormalizedTrade } | { kind: 'book'; update: NormalizedBookUpdate } | { kind: 'bar'; bar: VenueBar } | { kind: 'reject'; rejection: Rejection };

/**
 * A local venue for one feed: a WebSocket server that pushes what the input says, an HTTP server
 * for the REST snapshots the feed asks for, and a sink recording what the feed made of it. After
 * each input frame a probe frame follows whose rejection the feed reports in a known way: once it
 * arrives, everything the input caused has reached the sink (one socket, frames handled in order,
 * synchronously). If the input made the feed reconnect, the probe goes on the new connection.
 */
class LocalVenue {
  readonly events: FeedEvent[] = [];
  readonly warnings: string[] = [];
  private socket: WebSocket | undefined;
  private probe: { text: string; matches: (r: Rejection) => boolean; done: () => void } | undefined;
  private probes = 0;

  private constructor(
    readonly wss: WebSocketServer,
    readonly http: Server,
    readonly wsUrl: string,
    readonly restUrl: string,
    private readonly onConnection: (socket: WebSocket) => void,
  ) {
    wss.on('connection', (socket) => {
      this.socket = socket;
      socket.on('message', (data) => {
        if (data.toString() === 'ping') socket.send('pong');
      });
      this.onConnection(socket);
      if (this.probe) socket.send(this.probe.text);
    });
  }

  static async start(rest: (url: string) => { status: number; body: string }, onConnection: (socket: WebSocket) => void = () => undefined): Promise<LocalVenue> {
    const http = createServer((req, res) => {
      const answer = rest(req.url ?? '');
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const wsPort = (wss.address() as AddressInfo).port;
    const httpPort = (http.address() as AddressInfo).port;
    return new LocalVenue(wss, http, `ws://127.0.0.1:${wsPort}`, `http://127.0.0.1:${httpPort}`, onConnection);
  }

  readonly sink: FeedSink = {
    trade: (trade) => void this.events.push({ kind: 'trade', trade }),
    book: (update) => void this.events.push({ kind: 'book', update }),
    bar: (bar) => void this.events.push({ kind: 'bar', bar }),
    reject: (rejection) => {
      if (this.probe?.matches(rejection)) {
        const p = this.probe;
        this.probe = undefined;
        p.done();
        return;
      }
      this.events.push({ kind: 'reject', rejection });
    },
    state: () => undefined,
  };

  async connected(): Promise<void> {
    while (this.socket?.readyState !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Sends `text`, then a probe, and resolves with what the feed did in between. */
  async exchange(text: string, probe: (n: number) => { text: string; matches: (r: Rejection) => boolean }): Promise<{ events: FeedEvent[]; warnings: string[] }> {
    const firstEvent = this.events.length;
    const firstWarning = this.warnings.length;
    await this.connected();
    const p = probe(++this.probes);
    const done = new Promise<void>((resolve) => (this.probe = { ...p, done: resolve }));
    this.socket!.send(text);
    // A frame that made the feed reconnect closed this socket: the probe then goes on the next one.
    if (this.socket!.readyState === 1) this.socket!.send(p.text);
    await done;
    return { events: this.events.slice(firstEvent), warnings: this.warnings.slice(firstWarning) };
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

interface FeedContext {
  readonly venue: LocalVenue;
  readonly feed: MarketFeed;
  /** The last book sequence emitted per symbol: the feed promises 1, 2, 3… whatever the venue sent. */
  readonly lastSeq: Map<string, bigint>;
}

const FAST = { initialMs: 1, maxMs: 20, factor: 2 };

/** What the feed emitted for one input, judged: its own bug (counted as `schema` but worded `unexpected`), a broken promise, or the outcome. */
function judge(c: FeedContext, events: FeedEvent[], warnings: string[], unexpected: RegExp): void {
  for (const w of warnings) if (unexpected.test(w)) throw new Broken(`the feed reported its own bug: ${w}`);
  for (const e of events) {
    if (e.kind === 'reject' && unexpected.test(e.rejection.detail)) throw new Broken(`the feed reported its own bug: ${e.rejection.detail.slice(0, 300)}`);
    if (e.kind === 'trade' && !(e.trade.price.isPositive() && e.trade.size.isPositive())) throw new Broken(`trade ${e.trade.price} x ${e.trade.size} emitted`);
    if (e.kind === 'book') {
      const last = c.lastSeq.get(e.update.symbol) ?? 0n;
      if (e.update.seq !== last + 1n) throw new Broken(`${e.update.symbol} book update seq ${e.update.seq} after ${last}`);
      c.lastSeq.set(e.update.symbol, e.update.seq);
      for (const l of [...e.update.bids, ...e.update.asks]) {
        if (!l.price.isPositive() || l.size.isNegative() || (e.update.snapshot && l.size.isZero())) throw new Broken(`level ${l.price} x ${l.size} emitted`);
      }
    }
  }
  const rejection = events.find((e): e is Extract<FeedEvent, { kind: 'reject' }> => e.kind === 'reject');
  if (rejection) throw new Refused(rejection.rejection.reason, rejection.rejection.detail);
}

/** A REST book for the feeds' snapshot requests: always valid, so a resync can succeed. */
const OKX_REST_BOOK = JSON.stringify({ code: '0', msg: '', data: [{ asks: [['101', '1', '0', '1']], bids: [['99', '1', '0', '1']], ts: '1700000000000', seqId: 1 }] });

/**
 * `OkxPublicFeed`'s handling of every text frame (libs/venues okx/feed: the shortcut, the general
 * path, book sync, trades, candles, events) over a real WebSocket from a local venue. The feed must
 * turn every frame into events or counted rejections, never into "unexpected …" (its own bug),
 * and keep its book sequence contiguous.
 */
export const okxFeed = target<string, FeedContext>({
  name: 'okx.feed',
  calls: 'libs/venues OkxPublicFeed frame handling over a local WebSocket',
  weight: 8,
  ciRuns: 150,
  codes: [],
  async: true,
  arbitrary: jsonFrame(okxFrame),
  async setup() {
    const venue = await LocalVenue.start(() => ({ status: 200, body: OKX_REST_BOOK }));
    const feed = new OkxPublicFeed({
      instruments: [{ instId: 'BTC-USDT', book: 'books', trades: true, candles: ['1m', '1H'] }, { instId: 'ETH-USDT', book: 'books5' }],
      wsUrl: venue.wsUrl,
      restUrl: venue.restUrl,
      backoff: FAST,
      restBackoff: { initialMs: 20, maxMs: 500, factor: 2 },
      heartbeat: { idleMs: 60_000, timeoutMs: 10_000 },
      onWarning: (m) => venue.warnings.push(m),
    });
    await feed.start(venue.sink);
    return { venue, feed, lastSeq: new Map() };
  },
  async teardown(c) {
    await c.feed.stop();
    await c.venue.close();
  },
  async run(text, c) {
    const { events, warnings } = await c.venue.exchange(text, (n) => ({
      text: JSON.stringify({ event: 'error', code: 'fuzz-probe', msg: `probe ${n}` }),
      matches: (r) => r.reason === 'venue_error' && r.detail === `code fuzz-probe: probe ${n}`,
    }));
    judge(c, events, warnings, /^unexpected /);
    return undefined;
  },
});

const binanceData = fc.oneof(
  binanceDepthUpdate.map((d) => ({ stream: 'btcusdt@depth@100ms', data: d })),
  binanceTrade.map((d) => ({ stream: 'btcusdt@trade', data: d })),
  binanceAggTrade.map((d) => ({ stream: 'btcusdt@aggTrade', data: d })),
  binanceKline.map((d) => ({ stream: 'btcusdt@kline_1m', data: d })),
  fc.constantFrom({ result: null, id: 1 }, { code: 2, msg: 'Invalid request' }, { stream: 'ethusdt@depth@100ms', data: {} }, { stream: 'btcusdt@bookTicker', data: { s: 'BTCUSDT' } }),
);

/** A depth snapshot for the feed's REST requests: valid, at an update id the fuzzed events may or may not join. */
const BINANCE_REST_DEPTH = toJsonText({ lastUpdateId: 1000, bids: [['99', '1']], asks: [['101', '1']] });

/** `BinanceSpotFeed`'s handling of every combined-stream frame (libs/venues binance/feed) over a real WebSocket from a local venue. */
export const binanceFeed = target<string, FeedContext>({
  name: 'binance.feed',
  calls: 'libs/venues BinanceSpotFeed frame handling over a local WebSocket',
  weight: 8,
  ciRuns: 150,
  codes: [],
  async: true,
  arbitrary: jsonFrame(binanceData),
  async setup() {
    const venue = await LocalVenue.start(() => ({ status: 200, body: BINANCE_REST_DEPTH }));
    const feed = new BinanceSpotFeed({
      symbols: ['BTC-USDT'],
      wsUrl: venue.wsUrl,
      restUrl: venue.restUrl,
      klineIntervals: ['1m'],
      backoff: FAST,
      restBackoff: { initialMs: 20, maxMs: 500, factor: 2 },
    });
    await feed.start(venue.sink);
    return { venue, feed, lastSeq: new Map() };
  },
  async teardown(c) {
    await c.feed.stop();
    await c.venue.close();
  },
  async run(text, c) {
    const { events, warnings } = await c.venue.exchange(text, (n) => ({
      text: JSON.stringify({ code: -9_000 - n, msg: 'fuzz probe' }),
      matches: (r) => r.reason === 'venue_error' && r.detail === `Binance error ${-9_000 - n}: "fuzz probe"`,
    }));
    judge(c, events, warnings, /^unexpected /);
    return undefined;
  },
});
