// Conformance on real NASDAQ data: the LOBSTER samples in ../shared/data/lobster (MANIFEST.md §1).
// Skips, with a note, where the files are absent; nothing from there is committed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Decimal } from '@meridian/domain';
import { L2Book, L3TickBook, applyLobsterMessage, lobsterPrice, readLobsterBookRows, readLobsterMessages } from '../src';
import type { BookSide, Level, LobsterBookRow, LobsterLevel, LobsterMessage } from '../src';
import { sharedDataPath } from '@meridian/testkit';

const DATA = sharedDataPath('lobster');
const file = (name: string): string => path.join(DATA, name);
const GOOG = {
  messages: file('GOOG_2012-06-21_34200000_57600000_message_5.first20000.csv'),
  books: file('GOOG_2012-06-21_34200000_57600000_orderbook_5.first20000.csv'),
  levels: 5,
};
const AAPL = {
  messages: file('AAPL_2012-06-21_34200000_57600000_message_10.first999.csv'),
  books: file('AAPL_2012-06-21_34200000_57600000_orderbook_10.first999.csv'),
  levels: 10,
};
const AAPL_HOUR = file('AAPL_2012-06-21_34200000_37800000_message_50.csv');

function present(...files: string[]): boolean {
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length > 0) console.log(`LOBSTER conformance: skipped, missing ${missing.join(', ')} (see ../shared/data/MANIFEST.md)`);
  return missing.length === 0;
}
const maybePair = (pair: typeof GOOG): jest.It => (present(pair.messages, pair.books) ? test : test.skip);
const maybeHour = present(AAPL_HOUR) ? test : test.skip;

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const toLevels = (levels: LobsterLevel[]): Level[] => levels.map((l) => ({ price: lobsterPrice(l.price), size: Decimal.from(l.size) }));
const show = (levels: Level[]): string[] => levels.map((l) => `${l.price}x${l.size}`);

type Transition = 'exact' | 'refilled' | 'unexplained';

/**
 * "Orderbook row i-1 + message i = orderbook row i", with our L2Book: snapshot row i-1, apply the
 * message as one absolute level change (add on 1, subtract on 2/3/4; 5 and 7 change nothing), and
 * compare the top `levels` levels with row i. When a level left the window, the file's row shows
 * the next level moved in from outside it, which no message announced: that is `refilled`, allowed
 * only as exactly one extra level at the deepest position of the side the message touched.
 */
function transition(book: L2Book, seq: bigint, previous: LobsterBookRow, message: LobsterMessage, next: LobsterBookRow, levels: number): Transition {
  expect(book.applySnapshot(seq - 1n, toLevels(previous.bids), toLevels(previous.asks))).toEqual({ ok: true });
  let bids: Level[] = [];
  let asks: Level[] = [];
  if (message.type >= 1 && message.type <= 4) {
    const price = lobsterPrice(message.price);
    const current = book.level(message.side, price)?.size ?? Decimal.ZERO;
    const size = message.type === 1 ? current.add(Decimal.from(message.size)) : current.sub(Decimal.from(message.size));
    if (size.isNegative()) return 'unexplained';
    if (message.side === 'bid') bids = [{ price, size }];
    else asks = [{ price, size }];
  }
  if (!book.applyDelta(seq, bids, asks).ok) return 'unexplained';

  const ours = book.depth(levels);
  const sides: [BookSide, Level[], Level[]][] = [
    ['bid', ours.bids, toLevels(next.bids)],
    ['ask', ours.asks, toLevels(next.asks)],
  ];
  let refilled = false;
  for (const [side, got, want] of sides) {
    const g = show(got);
    const w = show(want);
    if (g.join() === w.join()) continue;
    const deepestRefill = side === message.side && w.length === levels && g.length === levels - 1 && w.slice(0, -1).join() === g.join();
    if (!deepestRefill) return 'unexplained';
    refilled = true;
  }
  return refilled ? 'refilled' : 'exact';
}

async function conformance(pair: typeof GOOG): Promise<Record<Transition, number> & { unexplainedLines: number[] }> {
  const messages = await collect(readLobsterMessages(pair.messages));
  const rows = await collect(readLobsterBookRows(pair.books, pair.levels));
  expect(rows).toHaveLength(messages.length);
  const book = new L2Book('LOBSTER');
  const counts = { exact: 0, refilled: 0, unexplained: 0, unexplainedLines: [] as number[] };
  for (let i = 1; i < messages.length; i++) {
    const outcome = transition(book, BigInt(i), rows[i - 1]!, messages[i]!, rows[i]!, pair.levels);
    counts[outcome]++;
    if (outcome === 'unexplained') counts.unexplainedLines.push(i + 1);
  }
  return counts;
}

describe('LOBSTER pairs: previous orderbook row + message = next row (L2Book)', () => {
  maybePair(GOOG)('GOOG level 5, first 20,000 rows: 12,891 exact, 7,108 deepest-level refills, none unexplained', async () => {
    const counts = await conformance(GOOG);
    expect(counts.unexplainedLines).toEqual([]);
    expect({ exact: counts.exact, refilled: counts.refilled, unexplained: counts.unexplained }).toEqual({ exact: 12891, refilled: 7108, unexplained: 0 });
  });

  maybePair(AAPL)('AAPL level 10, first 999 rows: 680 exact, 318 deepest-level refills, none unexplained', async () => {
    const counts = await conformance(AAPL);
    expect(counts.unexplainedLines).toEqual([]);
    expect({ exact: counts.exact, refilled: counts.refilled, unexplained: counts.unexplained }).toEqual({ exact: 680, refilled: 318, unexplained: 0 });
  });

  maybePair(AAPL)('the check can fail: a message applied to the wrong side is unexplained', async () => {
    const messages = await collect(readLobsterMessages(AAPL.messages));
    const rows = await collect(readLobsterBookRows(AAPL.books, AAPL.levels));
    const i = messages.findIndex((m, k) => k > 0 && m.type === 1);
    const flipped: LobsterMessage = { ...messages[i]!, side: messages[i]!.side === 'bid' ? 'ask' : 'bid' };
    expect(transition(new L2Book('LOBSTER', { allowLocked: true }), BigInt(i), rows[i - 1]!, flipped, rows[i]!, AAPL.levels)).toBe('unexplained');
  });
});

describe('LOBSTER AAPL level-50 hour through the L3 book', () => {
  maybeHour('91,997 messages: unknown ids counted, never crossed, L2 view = sum of the L3 orders', async () => {
    const book = new L3TickBook('AAPL');
    // Independent bookkeeping of which ids are resting, to count unknown-id operations a second way.
    const resting = new Map<number, number>();
    const outcomes: Record<string, number> = {};
    let expectedUnknown = 0;
    let messages = 0;
    const levelMatchesOrders = (side: BookSide, price: number): void => {
      const orders = book.ordersAt(side, price);
      const sum = orders.reduce((s, o) => s + o.lots, 0);
      if (sum !== book.levelLotsAt(side, price) || orders.some((o) => o.lots <= 0)) {
        throw new Error(`level ${side} ${price}: level size ${book.levelLotsAt(side, price)} but orders ${JSON.stringify(orders)}`);
      }
    };
    const fullCheck = (): void => {
      let orders = 0;
      for (const side of ['bid', 'ask'] as const) {
        for (const level of book.levels(side)) {
          expect(level.lots).toBeGreaterThan(0);
          levelMatchesOrders(side, level.price);
          orders += level.orders;
        }
      }
      expect(orders).toBe(book.orderCount);
    };

    for await (const m of readLobsterMessages(AAPL_HOUR)) {
      messages++;
      if (m.type >= 2 && m.type <= 4 && !resting.has(m.orderId)) expectedUnknown++;
      if (m.type === 1) resting.set(m.orderId, m.size);
      else if (m.type === 3) resting.delete(m.orderId);
      else if ((m.type === 2 || m.type === 4) && resting.has(m.orderId)) {
        const left = resting.get(m.orderId)! - m.size;
        if (left === 0) resting.delete(m.orderId);
        else resting.set(m.orderId, left);
      }

      const outcome = applyLobsterMessage(book, m);
      outcomes[`${m.kind}:${outcome}`] = (outcomes[`${m.kind}:${outcome}`] ?? 0) + 1;
      const bid = book.bestPrice('bid');
      const ask = book.bestPrice('ask');
      if (bid !== undefined && ask !== undefined && bid >= ask) throw new Error(`line ${m.line}: crossed book, bid ${bid} >= ask ${ask}`);
      if (outcome === 'ok') {
        expect(book.changedLevelLots).toBeGreaterThanOrEqual(0);
        levelMatchesOrders(book.changedSide, book.changedPrice);
      }
      if (m.line % 2000 === 0) fullCheck();
    }
    fullCheck();

    expect(messages).toBe(91997);
    // Orders resting from before 09:30, or placed outside the top 50 levels, are unknown here.
    expect(expectedUnknown).toBe(84);
    expect(outcomes).toEqual({
      'submit:ok': 44256,
      'cancel:ok': 469,
      'delete:ok': 40932,
      'delete:unknown_order': 72,
      'execute:ok': 4055,
      'execute:unknown_order': 12,
      'execute_hidden:no_book_change': 2201,
    });
    expect(book.orderCount).toBe(resting.size);
    for (const [id, size] of resting) expect(book.orderLotsOf(id)).toBe(size);
  });
});
