import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { L2Book, parseLobsterBookRow } from '@meridian/book';
import type { FeedSink, NormalizedTrade, Rejection } from '../src';
import { LobsterReplayFeed, newYorkMidnightNs, openReplayFeed } from '../src';
import { sharedDataPath } from '@meridian/testkit';

const DIR = sharedDataPath('lobster');
const GOOG = join(DIR, 'GOOG_2012-06-21_34200000_57600000_message_5.first20000.csv');
const AAPL50 = join(DIR, 'AAPL_2012-06-21_34200000_37800000_message_50.csv');

function sink() {
  const book = new L2Book('X');
  const trades: NormalizedTrade[] = [];
  const rejections: Rejection[] = [];
  const problems: string[] = [];
  let crossedSeen = 0;
  const s: FeedSink = {
    trade: (t) => trades.push(t),
    book: (u) => {
      const r = u.snapshot ? book.applySnapshot(u.seq, u.bids, u.asks) : book.applyDelta(u.seq, u.bids, u.asks);
      if (!r.ok) problems.push(r.detail);
      const bid = book.bestBid();
      const ask = book.bestAsk();
      if (bid && ask && bid.price.cmp(ask.price) >= 0) crossedSeen++;
    },
    bar: () => undefined,
    reject: (r) => rejections.push(r),
    state: () => undefined,
  };
  return { s, book, trades, rejections, problems, crossed: () => crossedSeen };
}

test('LOBSTER times are seconds after New York midnight, daylight saving included', () => {
  expect(newYorkMidnightNs('2012-06-21')).toBe(BigInt(Date.parse('2012-06-21T04:00:00Z')) * 1_000_000n); // EDT
  expect(newYorkMidnightNs('2012-01-05')).toBe(BigInt(Date.parse('2012-01-05T05:00:00Z')) * 1_000_000n); // EST
  expect(() => new LobsterReplayFeed('/tmp/not-lobster.csv', { speed: 0 })).toThrow(/LOBSTER message file is named/);
});

const withGoog = existsSync(GOOG) ? test : test.skip;
if (!existsSync(GOOG)) console.warn(`skipping the LOBSTER GOOG replay: ${GOOG} is absent (see ../shared/data/MANIFEST.md)`);

withGoog('the GOOG level-5 file replays with its paired book: no rejection, and the top of the book ends as the file says', async () => {
  const c = sink();
  const feed = new LobsterReplayFeed(GOOG, { speed: 0, snapshotEvery: 997 });
  expect(feed.symbols).toEqual(['GOOG']);
  await feed.start(c.s);
  await feed.whenFinished();
  await feed.stop();
  expect(c.rejections).toEqual([]);
  expect(c.problems).toEqual([]);
  expect(c.crossed()).toBe(0);
  const lines = readFileSync(GOOG, 'utf8').trimEnd().split('\n');
  const executions = lines.filter((l) => ['4', '5'].includes(l.split(',')[1]!)).length;
  expect(c.trades).toHaveLength(executions);
  // The book follows the paired file row by row (refills of the deepest level included): all 5 levels agree.
  const last = parseLobsterBookRow(readFileSync(GOOG.replace('_message_', '_orderbook_'), 'utf8').trimEnd().split('\n').at(-1)!, 20_000);
  const top = c.book.depth(10);
  expect(top.bids.map((l) => [l.price.toString(), l.size.toString()])).toEqual(last.bids.map((l) => [(l.price / 10_000).toString(), String(l.size)]));
  expect(top.asks.map((l) => [l.price.toString(), l.size.toString()])).toEqual(last.asks.map((l) => [(l.price / 10_000).toString(), String(l.size)]));
  expect(feed.status()[0]).toMatchObject({ state: 'finished', trades: executions, rejected: 0 });
  expect(c.trades[0]!.tsNs).toBeGreaterThan(BigInt(Date.parse('2012-06-21T13:30:00Z')) * 1_000_000n);
});

const withAapl = existsSync(AAPL50) ? test : test.skip;
if (!existsSync(AAPL50)) console.warn(`skipping the LOBSTER AAPL replay: ${AAPL50} is absent (see ../shared/data/MANIFEST.md)`);

withAapl('the unpaired AAPL level-50 hour replays from an empty book: never crossed, only pre-open orders refused', async () => {
  const c = sink();
  const feed = await openReplayFeed(AAPL50, { speed: 0 });
  await feed.start(c.s);
  await (feed as LobsterReplayFeed).whenFinished();
  await feed.stop();
  expect(c.problems).toEqual([]);
  expect(c.crossed()).toBe(0);
  expect(new Set(c.rejections.map((r) => r.reason))).toEqual(new Set(['stale']));
  expect(c.rejections.every((r) => /from before the file began/.test(r.detail))).toBe(true);
  expect(c.rejections.length).toBeLessThan(100);
  expect(c.trades.length).toBeGreaterThan(1_000);
});
