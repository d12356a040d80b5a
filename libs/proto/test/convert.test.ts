import { ExecutionKind, ExecutionReport, Side, endsOrder, fillOf } from '../src';

const report = (kind: ExecutionKind, extra: Partial<ExecutionReport> = {}) =>
  ExecutionReport.fromPartial({ kind, side: Side.SIDE_SELL, fillQuantity: '0.25', fillPrice: '101.5', fee: '0.0127', ...extra });

test('fillOf reads a fill in domain terms and nothing else', () => {
  const f = fillOf(report(ExecutionKind.EXECUTION_KIND_FILL))!;
  expect([f.side, f.quantity.toString(), f.price.toString(), f.fee.toString()]).toEqual(['SELL', '0.25', '101.5', '0.0127']);
  expect(fillOf(report(ExecutionKind.EXECUTION_KIND_FILL, { fee: '' }))!.fee.isZero()).toBe(true);
  expect(fillOf(report(ExecutionKind.EXECUTION_KIND_ACK))).toBeUndefined();
  expect(() => fillOf(report(ExecutionKind.EXECUTION_KIND_FILL, { fillPrice: '1e5' }))).toThrow(/field fill_price/);
});

test('endsOrder is true for cancels and rejects only', () => {
  expect(endsOrder(report(ExecutionKind.EXECUTION_KIND_CANCEL))).toBe(true);
  expect(endsOrder(report(ExecutionKind.EXECUTION_KIND_REJECT))).toBe(true);
  expect(endsOrder(report(ExecutionKind.EXECUTION_KIND_EXPIRE))).toBe(true);
  expect(endsOrder(report(ExecutionKind.EXECUTION_KIND_FILL))).toBe(false);
  expect(endsOrder(report(ExecutionKind.EXECUTION_KIND_ACK))).toBe(false);
});
