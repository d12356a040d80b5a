import { MetricsFormatError, metricSum, parseMetrics } from '../src';

// The scenarios read every service's /metrics; the parser must read prom-client's output as
// Prometheus does and refuse what is not the format, naming the line.
const EXPOSITION = `# HELP meridian_bus_consumer_lag_messages Backlog of a bound durable consumer
# TYPE meridian_bus_consumer_lag_messages gauge
meridian_bus_consumer_lag_messages{stream="ns_ORDERS",consumer="recorder-approved",symbol="",service="recorder"} 12
meridian_bus_consumer_lag_messages{stream="ns_MARKET",consumer="recorder-bars",symbol="",service="recorder"} 30
meridian_process_resident_memory_bytes{service="recorder"} 104857600
meridian_nodejs_eventloop_lag_mean_seconds{service="recorder"} Nan
meridian_bus_handle_seconds_bucket{le="+Inf",subject="md.{venue}",service="recorder"} 5
odd{msg="a \\"quoted\\", comma\\\\ and\\nline",service="x"} -1.5e3 1700000000000
`;

test('reads samples, labels with escapes, NaN in any case, +Inf and timestamps', () => {
  const samples = parseMetrics(EXPOSITION);
  expect(samples).toHaveLength(6);
  expect(samples[0]).toEqual({ name: 'meridian_bus_consumer_lag_messages', labels: { stream: 'ns_ORDERS', consumer: 'recorder-approved', symbol: '', service: 'recorder' }, value: 12 });
  expect(samples[3]!.value).toBeNaN();
  expect(samples[4]!.labels['le']).toBe('+Inf');
  expect(samples[5]).toEqual({ name: 'odd', labels: { msg: 'a "quoted", comma\\ and\nline', service: 'x' }, value: -1500 });
});

test('metricSum adds the samples of a name that carry the labels asked for', () => {
  const samples = parseMetrics(EXPOSITION);
  expect(metricSum(samples, 'meridian_bus_consumer_lag_messages')).toBe(42);
  expect(metricSum(samples, 'meridian_bus_consumer_lag_messages', { consumer: 'recorder-bars' })).toBe(30);
  expect(metricSum(samples, 'meridian_bus_consumer_lag_messages', { consumer: 'risk-intent' })).toBeUndefined();
  expect(metricSum(samples, 'meridian_process_resident_memory_bytes')).toBe(104857600);
});

test.each([
  ['a sample without a value', 'meridian_up{service="x"}', 'not `name{labels} value`'],
  ['a value that is no number', 'meridian_up 1,5', 'value "1,5" is not a number'],
  ['labels that are not name="value"', 'meridian_up{service=x} 1', 'labels unreadable from character 0'],
])('%s is refused, naming the line', (_what, line, why) => {
  expect(() => parseMetrics(line)).toThrow(MetricsFormatError);
  expect(() => parseMetrics(line)).toThrow(`metrics line ${JSON.stringify(line)}: ${why}`);
});
