// Replay of real NASDAQ data (the LOBSTER GOOG sample, ../shared/data/lobster, MANIFEST.md §1):
// the venue mirrors the recorded top-5 book row by row and prints the recorded visible executions,
// while a cash account and a margin account trade against it. Skips, with a note, when the files
// are absent; nothing from there is committed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Decimal } from '@meridian/domain';
import { LOBSTER_TICK_SIZE, lobsterPrice, readLobsterBookRows, readLobsterMessages } from '@meridian/book';
import type { Level, LobsterBookRow, LobsterLevel, LobsterMessage } from '@meridian/book';
import { seededRandom, sharedDataPath } from '@meridian/testkit';
import { SimulatedVenue } from '../src';
import type { FeeSchedule, SimInstrument, SimOrder } from '../src';
import { checkInvariants } from './helpers';

const DATA = sharedDataPath('lobster');
const MESSAGES = path.join(DATA, 'GOOG_2012-06-21_34200000_57600000_message_5.first20000.csv');
const BOOKS = path.join(DATA, 'GOOG_2012-06-21_34200000_57600000_orderbook_5.first20000.csv');
const ROWS = 4000;

function present(...files: string[]): boolean {
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length > 0) console.log(`LOBSTER replay: skipped, missing ${missing.join(', ')} (see ../shared/data/MANIFEST.md)`);
  return missing.length === 0;
}
const maybe = present(MESSAGES, BOOKS) ? test : test.skip;

async function take<T>(rows: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) {
    out.push(row);
    if (out.length === n) break;
  }
  return out;
}

const GOOG: SimInstrument = { symbol: 'GOOG', baseCurrency: 'GOOG', quoteCurrency: 'USD', tickSize: LOBSTER_TICK_SIZE, lotSize: Decimal.ONE, minNotional: Decimal.ONE };
const FEES: FeeSchedule = { maker: Decimal.parse('-0.0002'), taker: Decimal.parse('0.0003'), scale: 4 };
const CENT = 100; // LOBSTER price units (dollars × 10,000)

const sizes = (levels: LobsterLevel[]): Map<number, number> => new Map(levels.map((l) => [l.price, l.size]));

/** The levels that changed from one row to the next (size 0: gone from the top 5). */
function delta(before: Map<number, number>, after: Map<number, number>): Level[] {
  const out: Level[] = [];
  for (const [price, size] of after) if (before.get(price) !== size) out.push({ price: lobsterPrice(price), size: Decimal.from(size) });
  for (const price of before.keys()) if (!after.has(price)) out.push({ price: lobsterPrice(price), size: Decimal.ZERO });
  return out;
}

maybe(
  `mirrors ${ROWS} rows of GOOG while two accounts trade, with every invariant after every row`,
  async () => {
    const messages: LobsterMessage[] = await take(readLobsterMessages(MESSAGES), ROWS);
    const rows: LobsterBookRow[] = await take(readLobsterBookRows(BOOKS, 5), ROWS);
    let now = 0n;
    const v = new SimulatedVenue({ instruments: [GOOG], fees: FEES, clock: () => now, seed: 3, queueModel: 'pro_rata' });
    const deposits = new Map([
      ['USD', Decimal.parse('1500000')],
      ['GOOG', Decimal.parse('1000')],
    ]);
    v.openAccount({ id: 'cash', mode: 'cash', balances: { USD: Decimal.parse('1000000'), GOOG: Decimal.parse('1000') } });
    v.openAccount({ id: 'margin', mode: 'margin', balances: { USD: Decimal.parse('500000') }, leverage: Decimal.parse('2') });
    const fills = { maker: 0, taker: 0 };
    let fillsInCall = 0;
    for (const id of ['cash', 'margin']) {
      v.subscribe(id, (u) => {
        if (u.kind !== 'fill') return;
        fills[u.fill.liquidity]++;
        fillsInCall++;
      });
    }
    const random = seededRandom(7);
    const counts = { placed: 0, refused: 0, cancelled: 0, amended: 0, checkedLevels: 0, skippedLevels: 0, prints: 0 };
    let previous = { bids: new Map<number, number>(), asks: new Map<number, number>() };

    for (let i = 0; i < ROWS; i++) {
      const m = messages[i]!;
      const row = rows[i]!;
      now = m.timeNs;
      if (m.type === 4) {
        // The resting order executed was on `m.side`: the aggressor is the other side.
        v.applyMarketTrade('GOOG', { price: lobsterPrice(m.price), quantity: Decimal.from(m.size), aggressor: m.direction === 1 ? 'SELL' : 'BUY' });
        counts.prints++;
      }
      const current = { bids: sizes(row.bids), asks: sizes(row.asks) };
      const bids = i === 0 ? row.bids.map((l) => ({ price: lobsterPrice(l.price), size: Decimal.from(l.size) })) : delta(previous.bids, current.bids);
      const asks = i === 0 ? row.asks.map((l) => ({ price: lobsterPrice(l.price), size: Decimal.from(l.size) })) : delta(previous.asks, current.asks);
      fillsInCall = 0;
      v.applyMarketBook('GOOG', { snapshot: i === 0, bids, asks });
      previous = current;

      // Mirror fidelity: a reported level holds the reported size (unless it just traded with one of
      // our orders); every level holds at most the row's size (our takers consumed the rest).
      for (const [side, reported, all] of [
        ['bid', bids, current.bids],
        ['ask', asks, current.asks],
      ] as const) {
        for (const level of reported) {
          const house = Decimal.sum(v.queueAt('GOOG', side, level.price).filter((e) => e.house).map((e) => e.size));
          if (fillsInCall > 0) counts.skippedLevels++;
          else if (!house.eq(level.size)) throw new Error(`row ${i + 1}: ${side} ${level.price} mirrors ${house}, the feed says ${level.size}`);
          counts.checkedLevels++;
        }
        for (const [price, size] of all) {
          const house = Decimal.sum(v.queueAt('GOOG', side, lobsterPrice(price)).filter((e) => e.house).map((e) => e.size));
          if (house.gt(Decimal.from(size))) throw new Error(`row ${i + 1}: ${side} ${lobsterPrice(price)} mirrors ${house}, more than the feed's ${size}`);
        }
      }

      if (i % 12 === 0 && row.bids.length > 0 && row.asks.length > 0) {
        const account = random() < 0.6 ? 'cash' : 'margin';
        const bestBid = row.bids[0]!.price;
        const bestAsk = row.asks[0]!.price;
        const open: SimOrder[] = v.openOrders(account);
        const r = random();
        const place = (req: Omit<Parameters<SimulatedVenue['placeOrder']>[0], 'account' | 'clientOrderId' | 'symbol'>): void => {
          const result = v.placeOrder({ account, clientOrderId: `r${i}`, symbol: 'GOOG', ...req });
          if (result.ok) counts.placed++;
          else counts.refused++;
        };
        if (r < 0.25) place({ side: 'BUY', type: 'limit', price: lobsterPrice(bestBid), quantity: Decimal.from(100), timeInForce: 'DAY' });
        else if (r < 0.5) place({ side: 'SELL', type: 'limit', price: lobsterPrice(bestAsk), quantity: Decimal.from(100), timeInForce: 'DAY' });
        else if (r < 0.6 && bestAsk - bestBid > CENT) place({ side: 'BUY', type: 'limit', price: lobsterPrice(bestBid + CENT), quantity: Decimal.from(50), postOnly: true });
        else if (r < 0.7) place({ side: random() < 0.5 ? 'BUY' : 'SELL', type: 'market', quantity: Decimal.from(1 + Math.floor(random() * 80)) });
        else if (r < 0.75) place({ side: 'SELL', type: 'stop', stopPrice: lobsterPrice(bestBid - 20 * CENT), quantity: Decimal.from(30), timeInForce: 'DAY' });
        else if (r < 0.88 && open.length > 0) {
          if (v.cancelOrder({ account, orderId: open[Math.floor(random() * open.length)]!.orderId }).ok) counts.cancelled++;
        } else if (open.length > 0) {
          const o = open[Math.floor(random() * open.length)]!;
          if (o.price !== undefined && v.amendOrder({ account, orderId: o.orderId, price: lobsterPrice(o.side === 'BUY' ? bestBid : bestAsk) }).ok) counts.amended++;
        }
      }
      checkInvariants(v, deposits, ['cash'], FEES);
    }
    v.expireDayOrders();
    checkInvariants(v, deposits, ['cash'], FEES);
    for (const id of ['cash', 'margin']) {
      for (const o of v.openOrders(id)) expect(o.timeInForce).toBe('GTC');
    }
    console.log(
      `LOBSTER replay: ${ROWS} GOOG rows, ${counts.prints} visible executions printed, ${counts.checkedLevels} reported levels mirrored exactly ` +
        `(${counts.skippedLevels} skipped in calls where one of our orders traded); ${counts.placed} orders placed, ${counts.refused} refused, ` +
        `${counts.cancelled} cancelled, ${counts.amended} amended; ${fills.maker} maker and ${fills.taker} taker fills`,
    );
    expect(counts.prints).toBeGreaterThan(100);
    expect(counts.checkedLevels).toBeGreaterThan(4000);
    expect(fills.maker).toBeGreaterThan(5);
    expect(fills.taker).toBeGreaterThan(5);
    expect(counts.placed).toBeGreaterThan(200);
  },
  60_000,
);
