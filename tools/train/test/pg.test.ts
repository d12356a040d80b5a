import { Decimal } from '@meridian/domain';
import { BarStore } from '@meridian/history';
import { Database, migrate } from '@meridian/store';
import { createSchema, testServers, uniqueNamespace } from '@meridian/testkit';
import { readBarsPg } from '../src';

test('readBarsPg reads one series of the recorder\'s bars table, oldest first, as floats', async () => {
  const { databaseUrl } = await testServers();
  const { schema, drop } = await createSchema(databaseUrl, uniqueNamespace('train'));
  const db = await Database.open({ url: databaseUrl, schema });
  try {
    await migrate(db);
    const hour = 3_600_000_000_000n;
    const bar = (i: number, symbol = 'BTC-USDT') => ({
      venue: 'okx',
      symbol,
      interval: '1h',
      startTsNs: 1_700_000_000_000_000_000n + BigInt(i) * hour,
      endTsNs: 1_700_000_000_000_000_000n + BigInt(i + 1) * hour,
      open: Decimal.parse(`${100 + i}.5`),
      high: Decimal.parse(`${102 + i}`),
      low: Decimal.parse(`${99 + i}`),
      close: Decimal.parse(`${101 + i}.25`),
      volume: Decimal.parse('3.5'),
      notional: Decimal.parse('350'),
      tradeCount: 7,
      revision: 0,
    });
    await new BarStore(db).write([2, 0, 1].map((i) => bar(i)).concat([bar(0, 'ETH-USDT')]));
    const bars = await readBarsPg({ url: databaseUrl, schema, venue: 'okx', symbol: 'BTC-USDT', interval: '1h' });
    expect(bars).toEqual([0, 1, 2].map((i) => ({ startMs: 1_700_000_000_000 + i * 3_600_000, endMs: 1_700_000_000_000 + (i + 1) * 3_600_000, open: 100.5 + i, high: 102 + i, low: 99 + i, close: 101.25 + i, volume: 3.5, trades: 7 })));
    const later = await readBarsPg({ url: databaseUrl, schema, venue: 'okx', symbol: 'BTC-USDT', interval: '1h', fromMs: 1_700_000_000_000 + 3_600_000 });
    expect(later.map((b) => b.close)).toEqual([102.25, 103.25]);
  } finally {
    await db.pool.end();
    await drop();
  }
});
