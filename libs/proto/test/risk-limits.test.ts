import { GetRiskSnapshotResponse, RiskEquitySnapshot, RiskLimitsChange, RiskServiceService, RiskStop, RiskStopState, UpdateLimitsRequest } from '../src';

test('a limits change round-trips with its 64-bit revisions and nanosecond time', () => {
  const c = RiskLimitsChange.fromPartial({
    revision: 18_446_744_073_709_551_615n,
    previousRevision: 7n,
    actor: 'alice',
    reason: 'incident 42',
    limitsJson: '{"global":{"maxOrderQuantity":"2"}}',
    previousJson: '{}',
    tsNs: 1_763_000_000_123_456_789n,
  });
  expect(RiskLimitsChange.decode(RiskLimitsChange.encode(c).finish())).toEqual(c);
});

test('RiskService has the limits, snapshot and post-trade methods, added after the existing ones', () => {
  expect(Object.keys(RiskServiceService)).toEqual(['checkOrder', 'getPositions', 'setKillSwitch', 'getLimits', 'updateLimits', 'getRiskSnapshot', 'setStop', 'clearStop', 'resetCircuitBreaker']);
  expect(RiskServiceService.setStop.path).toBe('/meridian.v1.RiskService/SetStop');
  expect(RiskServiceService.updateLimits.path).toBe('/meridian.v1.RiskService/UpdateLimits');
  const req = UpdateLimitsRequest.fromPartial({ limitsJson: '{}', actor: 'a', expectedRevision: 3n });
  expect(UpdateLimitsRequest.decode(UpdateLimitsRequest.encode(req).finish())).toEqual(req);
  const snap = GetRiskSnapshotResponse.fromPartial({ limitsRevision: 2n, openOrders: 3, exposure: { gross: '10', netLong: '5', netShort: '-1' } });
  expect(GetRiskSnapshotResponse.decode(GetRiskSnapshotResponse.encode(snap).finish())).toEqual(snap);
});

test('the post-trade messages round-trip, the snapshot extended without changing its older fields', () => {
  const point = RiskEquitySnapshot.fromPartial({
    account: 'main',
    tsNs: 1_763_000_000_123_456_789n,
    pnl: { equity: '-6.1', realizedPnl: '0', unrealizedPnl: '-6', fees: '0.1', grossExposure: '94', netExposure: '94' },
    drawdown: { peakEquity: '0', drawdown: '6.1', maxDurationMs: 10n, peakTsNs: 1n },
    valueAtRisk: [{ method: 'historical', confidence: 0.99, horizon: 1, barInterval: '1m', valueAtRisk: 8.1, expectedShortfall: 8.25, observations: 10 }],
    dayOpenEquity: '0',
  });
  expect(RiskEquitySnapshot.decode(RiskEquitySnapshot.encode(point).finish())).toEqual(point);
  const stop = RiskStop.fromPartial({ symbol: 'BTC-USDT', revision: 3n, state: RiskStopState.RISK_STOP_STATE_ARMED, distanceBps: '150', extreme: '101.5', markSeq: 42n });
  expect(RiskStop.decode(RiskStop.encode(stop).finish())).toEqual(stop);
  // An older reader of GetRiskSnapshotResponse skips the new fields: the old ones keep their numbers.
  const snap = GetRiskSnapshotResponse.fromPartial({ limitsRevision: 2n, stops: [stop], markSource: 'mid' });
  const decoded = GetRiskSnapshotResponse.decode(GetRiskSnapshotResponse.encode(snap).finish());
  expect({ revision: decoded.limitsRevision, stops: decoded.stops, markSource: decoded.markSource }).toEqual({ revision: 2n, stops: [stop], markSource: 'mid' });
});
