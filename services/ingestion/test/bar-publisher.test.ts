import { Bus, provisionTopology } from '@meridian/bus';
import type { Delivery } from '@meridian/bus';
import { Decimal, nowNanos } from '@meridian/domain';
import { Bar } from '@meridian/proto';
import { createTestEnvironment, uniqueNamespace, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { BarPublisher, barMessageId } from '../src/bar-publisher';
import type { BarPublisherHooks } from '../src/bar-publisher';

const SEC = 1_000_000_000n;
const MS = 1_000_000n;
// A whole minute, so 1s and 1m bars both start here.
const T = 1_763_000_040n * SEC;

let env: TestEnvironment;
let bus: Bus;

beforeAll(async () => {
  env = await createTestEnvironment('barpub');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'bar-publisher-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['sim'] }]);
});

afterAll(async () => {
  await bus?.close();
  await env?.cleanup();
});

const trade = (price: string, size: string, tsNs: bigint) => ({ price: Decimal.parse(price), size: Decimal.parse(size), tsNs });

interface Recorded {
  published: { bar: Bar; duplicate: boolean }[];
  failed: { bar: Bar; err: unknown }[];
  hooks: BarPublisherHooks;
}
function recorder(): Recorded {
  const r: Recorded = {
    published: [],
    failed: [],
    hooks: {
      published: (bar, duplicate) => r.published.push({ bar, duplicate }),
      failed: (bar, err) => r.failed.push({ bar, err }),
    },
  };
  return r;
}

/** Every bar message of a symbol in the MARKET stream, with its subject and message id. */
async function barsInStream(symbol: string, expected: number): Promise<{ subject: string; msgId: string | undefined; bar: Bar }[]> {
  const got: { subject: string; msgId: string | undefined; bar: Bar }[] = [];
  const handle = await bus.follow(
    'MARKET',
    bus.subjects.barsAll(),
    Bar,
    (bar: Bar, d: Delivery) => {
      if (bar.symbol === symbol) got.push({ subject: d.subject, msgId: d.headers?.get('Nats-Msg-Id'), bar });
    },
    { deliver: 'all' },
  );
  try {
    await waitFor(`${expected} bars of ${symbol} in the stream`, () => got.length >= expected);
    await new Promise((r) => setTimeout(r, 200)); // and no more than that
  } finally {
    await handle.stop();
  }
  return got;
}

const feed = (pub: BarPublisher) => {
  pub.trade(trade('100', '1', T + 100n * MS));
  pub.trade(trade('101', '1.5', T + 500n * MS)); // fills a v2 bar, 0.5 left over
  pub.trade(trade('102', '1', T + 1_200n * MS)); // closes the first 1s bar
  pub.advanceTo(T + 3n * SEC); // closes [1s, 2s) and the empty [2s, 3s)
  pub.trade(trade('99', '1', T + 300n * MS)); // late: revision 1 of the first 1s bar; fills the second v2 bar
};

test('bars of every interval are published on their subjects with one message id per bar revision', async () => {
  const rec = recorder();
  const pub = new BarPublisher(
    bus,
    { venue: 'sim', symbol: 'BTC-USDT', intervals: ['1s', '1m', 'v2'], aggregation: { graceNs: 0n, lateRetentionNs: 10n * SEC } },
    rec.hooks,
  );
  feed(pub);
  expect(pub.pending).toBe(6);
  await pub.settled();
  expect(pub.pending).toBe(0);
  expect(rec.failed).toEqual([]);
  expect(rec.published.every((p) => !p.duplicate)).toBe(true);

  const inStream = await barsInStream('BTC-USDT', 6);
  expect(inStream.map((m) => [m.subject.slice(env.namespace.length + 1), m.bar.startTsNs - T, m.bar.revision, m.bar.tradeCount])).toEqual([
    ['md.sim.BTC-USDT.bars.v2', 100n * MS, 0, 2n],
    ['md.sim.BTC-USDT.bars.1s', 0n, 0, 2n],
    ['md.sim.BTC-USDT.bars.1s', SEC, 0, 1n],
    ['md.sim.BTC-USDT.bars.1s', 2n * SEC, 0, 0n],
    ['md.sim.BTC-USDT.bars.1s', 0n, 1, 3n],
    // Starts just after the first v2 bar: the rest of the 1.5 print opened it at the same time.
    ['md.sim.BTC-USDT.bars.v2', 500n * MS + 1n, 0, 3n],
  ]);
  for (const m of inStream) expect(m.msgId).toBe(barMessageId(m.bar));
  expect(inStream[4]!.bar).toEqual<Bar>({
    venue: 'sim',
    symbol: 'BTC-USDT',
    interval: '1s',
    startTsNs: T,
    endTsNs: T + SEC,
    open: '100',
    high: '101',
    low: '99',
    close: '101',
    volume: '3.5',
    notional: '350.5',
    tradeCount: 3n,
    revision: 1,
  });
  expect(inStream[3]!.bar).toMatchObject({ open: '102', close: '102', volume: '0', notional: '0' }); // empty: previous close
  expect(pub.stats()['1s']).toMatchObject({ trades: 4, lateTrades: 1, revisions: 1 });

  // flush publishes what is still open: the 1m bar (a partial v2 bar is not a bar).
  await pub.flush();
  const after = await barsInStream('BTC-USDT', 7);
  expect(after).toHaveLength(7);
  expect(after[6]!.bar).toMatchObject({ interval: '1m', startTsNs: T, tradeCount: 4n, volume: '4.5', revision: 0 });
});

test('a second publisher of the same bars (a restart, a retry) is deduplicated by JetStream', async () => {
  const first = recorder();
  const second = recorder();
  const options = { venue: 'sim', symbol: 'ETH-USDT', intervals: ['1s'], aggregation: { graceNs: 0n, lateRetentionNs: 10n * SEC } };
  const a = new BarPublisher(bus, options, first.hooks);
  const b = new BarPublisher(bus, options, second.hooks);
  feed(a);
  feed(b);
  await Promise.all([a.settled(), b.settled()]);
  expect(first.published.map((p) => p.duplicate)).toEqual([false, false, false, false]);
  expect(second.published.map((p) => p.duplicate)).toEqual([true, true, true, true]);
  expect(await barsInStream('ETH-USDT', 4)).toHaveLength(4);
});

test('the clock closes bars of a quiet market on time', async () => {
  const rec = recorder();
  const pub = new BarPublisher(bus, { venue: 'sim', symbol: 'SOL-USDT', intervals: ['1s'], aggregation: { graceNs: 50n * MS } }, rec.hooks);
  const now = nowNanos();
  pub.trade(trade('20', '3', now));
  pub.startClock(20);
  try {
    const bar = await waitFor('a 1s bar closed by the clock alone', () => rec.published[0]?.bar, 3_000);
    expect(bar).toMatchObject({ symbol: 'SOL-USDT', startTsNs: now - (now % SEC), tradeCount: 1n, close: '20' });
    // Published no earlier than its end + grace.
    expect(nowNanos() >= bar.endTsNs + 50n * MS).toBe(true);
  } finally {
    await pub.stop();
  }
});

test('a publish that keeps failing is retried, then reported failed; the bars after it are still tried', async () => {
  // A namespace without streams: JetStream has no one to answer the publish.
  const nowhere = await Bus.connect({ servers: env.natsUrl, name: 'bar-publisher-nowhere', namespace: uniqueNamespace('nostream') });
  try {
    const rec = recorder();
    const pub = new BarPublisher(
      nowhere,
      { venue: 'sim', symbol: 'BTC-USDT', intervals: ['1s'], aggregation: { graceNs: 0n }, maxAttempts: 2, retryDelayMs: 10 },
      rec.hooks,
    );
    pub.trade(trade('1', '1', T));
    pub.advanceTo(T + 2n * SEC);
    await pub.settled();
    expect(rec.published).toEqual([]);
    expect(rec.failed.map((f) => f.bar.startTsNs - T)).toEqual([0n, SEC]);
    expect((rec.failed[0]!.err as Error).message).toMatch(/^publish to .*\.md\.sim\.BTC-USDT\.bars\.1s failed/);
  } finally {
    await nowhere.close();
  }
});

test('bad venue, symbol or interval tokens are refused when the publisher is built', () => {
  const { hooks } = recorder();
  expect(() => new BarPublisher(bus, { venue: 'sim', symbol: 'BRK.B', intervals: ['1m'] }, hooks)).toThrow('invalid symbol "BRK.B"');
  expect(() => new BarPublisher(bus, { venue: 'sim', symbol: 'BTC-USDT', intervals: ['60s'] }, hooks)).toThrow('write it as "1m"');
});
