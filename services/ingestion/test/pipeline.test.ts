import { Decimal } from '@meridian/domain';
import { Metrics, createLogger } from '@meridian/runtime';
import type { NormalizedBookUpdate, NormalizedTrade } from '@meridian/venues';
import { IngestionPipeline } from '../src/pipeline';
import { EventValidator } from '../src/validator';

const NOW = 1_700_000_000_000_000_000n;

function trade(id: number, latencyNs: bigint): NormalizedTrade {
  return { venue: 'okx', symbol: 'BTC-USDT', tradeId: String(id), price: Decimal.parse('100'), size: Decimal.parse('1'), aggressor: 'BUY', tsNs: NOW, receivedTsNs: NOW + latencyNs };
}

test('counts accepted events and their latency per venue and kind, as a scrape reads them', async () => {
  const metrics = new Metrics('pipeline-test', '0');
  const out: string[] = [];
  const pipeline = new IngestionPipeline(
    new EventValidator('okx', ['BTC-USDT'], { maxEventAgeMs: 0, recentTradeIds: 16 }),
    { trade: (t) => out.push(`t${t.tradeId}`), book: (u) => out.push(`b${u.seq}`) },
    metrics,
    createLogger('pipeline-test', 'error'),
  );
  pipeline.trade(trade(1, 200_000n)); // 0.2 ms
  pipeline.trade(trade(2, 3_000_000n)); // 3 ms
  pipeline.trade(trade(2, 3_000_000n)); // re-sent: refused, not counted as accepted
  const book: NormalizedBookUpdate = { venue: 'okx', symbol: 'BTC-USDT', seq: 1n, snapshot: true, bids: [], asks: [], tsNs: NOW, receivedTsNs: NOW + 40_000_000n };
  pipeline.book(book);
  expect(out).toEqual(['t1', 't2', 'b1']);

  let text = await metrics.registry.metrics();
  expect(text).toContain('meridian_md_events_accepted_total{venue="okx",kind="trade",service="pipeline-test"} 2');
  expect(text).toContain('meridian_md_events_accepted_total{venue="okx",kind="book",service="pipeline-test"} 1');
  expect(text).toContain('meridian_md_rejected_messages_total{venue="okx",reason="stale",service="pipeline-test"} 1');
  expect(text).toMatch(/meridian_md_feed_latency_seconds_bucket\{venue="okx",kind="trade",le="0.0005",service="pipeline-test"\} 1\n/);
  expect(text).toMatch(/meridian_md_feed_latency_seconds_bucket\{venue="okx",kind="trade",le="0.005",service="pipeline-test"\} 2\n/);
  expect(text).toMatch(/meridian_md_feed_latency_seconds_bucket\{venue="okx",kind="book",le="0.025",service="pipeline-test"\} 0\n/);
  expect(text).toMatch(/meridian_md_feed_latency_seconds_count\{venue="okx",kind="book",service="pipeline-test"\} 1\n/);

  // Counted once: a second scrape after more events adds only the new ones.
  pipeline.trade(trade(3, 1_000n));
  text = await metrics.registry.metrics();
  expect(text).toContain('meridian_md_events_accepted_total{venue="okx",kind="trade",service="pipeline-test"} 3');
});
