import { GetRiskSnapshotResponse, RiskLimitsChange, RiskServiceService, UpdateLimitsRequest } from '../src';

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

test('RiskService has the limits and snapshot methods, added after the existing ones', () => {
  expect(Object.keys(RiskServiceService)).toEqual(['checkOrder', 'getPositions', 'setKillSwitch', 'getLimits', 'updateLimits', 'getRiskSnapshot']);
  expect(RiskServiceService.updateLimits.path).toBe('/meridian.v1.RiskService/UpdateLimits');
  const req = UpdateLimitsRequest.fromPartial({ limitsJson: '{}', actor: 'a', expectedRevision: 3n });
  expect(UpdateLimitsRequest.decode(UpdateLimitsRequest.encode(req).finish())).toEqual(req);
  const snap = GetRiskSnapshotResponse.fromPartial({ limitsRevision: 2n, openOrders: 3, exposure: { gross: '10', netLong: '5', netShort: '-1' } });
  expect(GetRiskSnapshotResponse.decode(GetRiskSnapshotResponse.encode(snap).finish())).toEqual(snap);
});
