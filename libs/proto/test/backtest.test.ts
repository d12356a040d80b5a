import { BacktestRun, BacktestServiceService, GetBacktestResponse, StartBacktestRequest } from '../src';

test('BacktestService has StartBacktest, GetBacktest and ListBacktests under meridian.v1', () => {
  expect(Object.keys(BacktestServiceService)).toEqual(['startBacktest', 'getBacktest', 'listBacktests']);
  expect(BacktestServiceService.startBacktest.path).toBe('/meridian.v1.BacktestService/StartBacktest');
});

test('a start request tells an absent seed from seed 0; a run round-trips its 64-bit counts and nanosecond times', () => {
  const without = StartBacktestRequest.fromPartial({ configJson: '{}', dataJson: '[]' });
  expect(StartBacktestRequest.decode(StartBacktestRequest.encode(without).finish()).seed).toBeUndefined();
  const zero = StartBacktestRequest.fromPartial({ configJson: '{}', dataJson: '[]', seed: 0n });
  expect(StartBacktestRequest.decode(StartBacktestRequest.encode(zero).finish()).seed).toBe(0n);
  const run = BacktestRun.fromPartial({
    id: 'r1',
    kind: 'backtest',
    status: 'running',
    progress: { events: 2n ** 53n + 1n, eventsTotal: 2n ** 60n, fraction: 0.25, elapsedSeconds: 1.5 },
    createdTsNs: 1_763_000_000_123_456_789n,
  });
  const res = GetBacktestResponse.fromPartial({ run, resultJson: '{"version":1}' });
  expect(GetBacktestResponse.decode(GetBacktestResponse.encode(res).finish())).toEqual(res);
});
