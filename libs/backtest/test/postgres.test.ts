import { Decimal } from '@meridian/domain';
import { BarStore, TradeStore } from '@meridian/history';
import type { StoredBar, StoredTrade } from '@meridian/history';
import { Database, migrate } from '@meridian/store';
import { createTestEnvironment } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { MomentumStrategy, eventToJson, mergeSources, postgresBarSource, postgresTradeSource, runBacktest } from '../src';
import type { EventSource, MarketEvent } from '../src';
import { MIN, T0, config, walk } from './helpers';

// The PostgreSQL sources against the real database: the recorder's tables (migrations of
// @meridian/store) written with @meridian/history's stores, read back a page at a time.
let env: TestEnvironment;
let db: Database;

beforeAll(async () => {
  env = await createTestEnvironment('bt');
  db = await Database.open({ url: env.databaseUrl, schema: env.schema });
  await migrate(db);
});

afterAll(async () => {
  await db?.close();
  await env?.cleanup();
});

async function read(source: EventSource): Promise<MarketEvent[]> {
  const out: MarketEvent[] = [];
  for await (const c of mergeSources([source])) out.push(...c);
  return out;
}

test('bars come back in order, page by page, as events at their end, and drive a backtest like the same bars from memory', async () => {
  const bars = walk('BTC-USDT', 250, 5);
  const stored: StoredBar[] = bars.map((b) => ({
    venue: 'sim',
    symbol: b.symbol,
    interval: b.interval,
    startTsNs: b.startNs,
    endTsNs: b.tsNs,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
    notional: b.close.mul(b.volume),
    tradeCount: 1,
    revision: 0,
  }));
  await new BarStore(db).write(stored);
  const source = postgresBarSource(db, { venue: 'sim', symbol: 'BTC-USDT', interval: '1m', pageSize: 64 });
  const events = await read(source);
  expect(events.map(eventToJson)).toEqual(bars.map(eventToJson));
  // A range: [minute 10, minute 20).
  const ranged = await read(postgresBarSource(db, { venue: 'sim', symbol: 'BTC-USDT', interval: '1m', fromTsNs: T0 + 10n * MIN, toTsNs: T0 + 20n * MIN, pageSize: 3 }));
  expect(ranged).toHaveLength(10);

  const strategy = () => new MomentumStrategy({ interval: '1m', model: { fastPeriod: 3, slowPeriod: 8, volPeriod: 8 }, strategy: { entryThreshold: 0.05, intentIntervalMs: 0 } });
  const fromDb = await runBacktest({ config: config(['BTC-USDT']), sources: [source], strategies: [strategy()] });
  const fromMemory = await runBacktest({ config: config(['BTC-USDT']), sources: [{ name: 'memory', chunks: () => [bars] }], strategies: [strategy()] });
  expect(fromDb.orders.length).toBeGreaterThan(10);
  expect(JSON.stringify(fromDb)).toBe(JSON.stringify(fromMemory));
});

test('trades sharing a timestamp across a page boundary are each read once, in (time, id) order', async () => {
  const trades: StoredTrade[] = [];
  // 5 trades at each of 7 timestamps; pages of 3 cut through every group.
  for (let t = 0; t < 7; t++) {
    for (let k = 0; k < 5; k++) {
      trades.push({ venue: 'sim', symbol: 'ETH-USDT', tradeId: `${t}-${k}`, price: Decimal.parse(`${2000 + t}.${k}`), size: Decimal.parse('0.1'), aggressor: k % 2 === 0 ? 'BUY' : 'SELL', tsNs: T0 + BigInt(t) * 1_000n, receivedTsNs: undefined });
    }
  }
  await new TradeStore(db).write(trades);
  for (const pageSize of [1, 2, 3, 4, 5, 6, 100]) {
    const events = await read(postgresTradeSource(db, { venue: 'sim', symbol: 'ETH-USDT', pageSize }));
    expect(events.map((e) => (e.kind === 'trade' ? e.tradeId : ''))).toEqual(trades.map((t) => t.tradeId));
  }
});
