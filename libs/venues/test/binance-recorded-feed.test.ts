import { waitFor } from '@meridian/testkit';
import { BinanceSpotFeed } from '../src';
import { BinanceTestServer } from './support/binance-server';
import { RecordingSink } from './support/binance-sink';
import { readRecording, recordingPaths, recordingPresent } from './support/binance-recording';

/**
 * The whole adapter against recorded Binance sessions (MANIFEST section 2a): the local server
 * replays the recorded frames on the feed's connection and answers each depth request with the
 * snapshot recorded for that symbol, so the feed's own fetch timing decides what is buffered.
 */
for (const [name, venue, symbols, applied] of [
  ['BINANCE', 'binance', ['NKN-USDT', 'BLZ-ETH', 'LRC-BTC', 'RUNE-EUR'], 172],
  ['BINANCE_US', 'binance-us', ['COMP-USDT', 'OMG-BUSD', 'CRV-USDT', 'ZRX-USDT'], 332],
] as const) {
  const present = recordingPresent(name);
  if (!present) console.warn(`skipping the recorded ${name} feed test: ${recordingPaths(name).ws} is absent (MANIFEST section 2a)`);
  const maybe = present ? test : test.skip;

  maybe(`${name}: the feed served the recorded session syncs every book, with no rejection, gap or crossed book`, async () => {
    const rec = readRecording(name);
    const server = await BinanceTestServer.start();
    const snapshots = new Map(rec.responses.map((r) => [r.symbol, r.body]));
    server.onDepth = (symbol) => ({ body: snapshots.get(symbol) ?? { code: -1121, msg: 'Invalid symbol.' } });
    const sink = new RecordingSink();
    const feed = new BinanceSpotFeed({ symbols, venue, wsUrl: server.wsUrl, restUrl: server.restUrl, trades: 'aggTrade', klineIntervals: ['1m'] });
    try {
      await feed.start(sink);
      await waitFor('the connection', () => server.current);
      // The recorded URL subscribed the same depth, trade and kline streams (plus bookTicker).
      const recordedStreams = new URL(rec.wsUrl).searchParams.get('streams')!.split('/');
      expect(server.connections[0]!.streams.every((s) => recordedStreams.includes(s))).toBe(true);
      for (const f of rec.frames) server.sendRaw(f.text);

      const depthEvents = rec.frames.filter((f) => f.text.includes('"depthUpdate"')).length;
      const counters = () => symbols.map((s) => feed.depthSync(s)!.counters);
      await waitFor('every recorded depth event handled', () => counters().reduce((n, c) => n + c.applied + c.discarded, 0) === depthEvents);

      expect(sink.rejections).toEqual([]);
      expect(counters().reduce((n, c) => n + c.applied, 0)).toBe(applied);
      expect(counters().every((c) => c.gaps === 0 && c.staleSnapshots === 0)).toBe(true);
      for (const s of feed.status()) expect({ symbol: s.symbol, state: s.state, resyncs: s.resyncs }).toEqual({ symbol: s.symbol, state: 'live', resyncs: 0 });
      for (const symbol of symbols) {
        const book = feed.localBook(symbol)!.book;
        expect(book.bestBid()!.price.lt(book.bestAsk()!.price)).toBe(true);
        // One snapshot, then one numbered update per applied event.
        const updates = sink.booksFor(symbol);
        expect(updates.map((u) => u.seq)).toEqual(updates.map((_u, i) => BigInt(i + 1)));
        expect(updates.filter((u) => u.snapshot)).toHaveLength(1);
      }
      expect(server.depthRequests).toHaveLength(symbols.length);
      expect(sink.trades).toHaveLength(rec.frames.filter((f) => f.text.includes('@aggTrade"')).length);
      expect(sink.bars).toHaveLength(rec.frames.filter((f) => f.text.includes('@kline_1m"')).length);
    } finally {
      await feed.stop();
      await server.close();
    }
  });
}
