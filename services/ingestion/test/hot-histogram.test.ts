import { Metrics } from '@meridian/runtime';
import { seededRandom } from '@meridian/testkit';
import { HotHistogram } from '../src/hot-histogram';

// The hot histogram must read exactly like prom-client's own histogram fed the same values.

/** The samples of one metric, label order normalised (Prometheus does not care about it). */
function lines(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .map((l) => {
      const m = /^(\S+?)(?:\{(.*)\})? (\S+)$/.exec(l.replace(name, 'X'))!;
      return `${m[1]}{${(m[2] ?? '').split(',').sort().join(',')}} ${m[3]}`;
    })
    .sort();
}

test('exposes the same buckets, sum and count as a prom-client histogram, with the registry default labels', async () => {
  const metrics = new Metrics('hot-test', '0');
  const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  const hot = new HotHistogram(metrics, { name: 'hot_seconds', help: 'h', labelNames: ['venue', 'kind'], buckets });
  const peer = metrics.histogram({ name: 'peer_seconds', help: 'h', labelNames: ['venue', 'kind'], buckets });
  const random = seededRandom(5);
  const series = [hot.series({ venue: 'okx', kind: 'trade' }), hot.series({ venue: 'okx', kind: 'book' })];
  for (let i = 0; i < 5_000; i++) {
    const k = i % 2;
    // Exact bucket bounds included: `le` is inclusive in both.
    const v = random() < 0.1 ? buckets[Math.floor(random() * buckets.length)]! : random() ** 4 * 8;
    series[k]!.observe(v);
    peer.observe({ venue: 'okx', kind: k === 0 ? 'trade' : 'book' }, v);
  }
  const text = await metrics.registry.metrics();
  const ours = lines(text, 'meridian_hot_seconds');
  expect(ours.length).toBe(2 * (buckets.length + 3));
  expect(ours).toEqual(lines(text, 'meridian_peer_seconds'));
  expect(ours).toContain('X_count{kind="trade",service="hot-test",venue="okx"} 2500');
  expect(text).toContain('# TYPE meridian_hot_seconds histogram');

  metrics.registry.resetMetrics();
  expect(lines(await metrics.registry.metrics(), 'meridian_hot_seconds')).toContain('X_count{kind="trade",service="hot-test",venue="okx"} 0');
});
