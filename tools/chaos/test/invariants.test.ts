import { ApprovedOrder, ExecutionKind, ExecutionReport, OrderIntent, OrderRejection, Side } from '@meridian/proto';
import { streamInvariants } from '../src';
import type { StreamHistory } from '../src';

// The stream invariants must catch each way money can go wrong; a clean history passes them all.
const intent = (id: string) => OrderIntent.fromPartial({ clientOrderId: id, symbol: 'BTC-USDT', side: Side.SIDE_BUY, quantity: '1' });
const report = (id: string, kind: ExecutionKind, executionId: string, qty = '0') =>
  ExecutionReport.fromPartial({ clientOrderId: id, kind, executionId, symbol: 'BTC-USDT', side: Side.SIDE_BUY, fillQuantity: qty, fee: '0' });

function clean(): StreamHistory {
  return {
    intents: new Map([['a', intent('a')], ['b', intent('b')]]),
    approved: new Map([['a', ApprovedOrder.fromPartial({ intent: intent('a') })]]),
    approvedMessages: 1,
    intentMessages: 2,
    rejectedMessages: 1,
    rejected: new Map([['b', OrderRejection.fromPartial({ intent: intent('b'), reason: 'MAX_POSITION' })]]),
    reports: [report('a', ExecutionKind.EXECUTION_KIND_ACK, 'a-ack'), report('a', ExecutionKind.EXECUTION_KIND_FILL, 'a-f1', '0.4'), report('a', ExecutionKind.EXECUTION_KIND_FILL, 'a-f2', '0.6')],
  };
}
const broken = (h: StreamHistory) => streamInvariants(h).filter((i) => !i.holds).map((i) => `${i.name}: ${i.detail}`);

test('a clean history keeps every stream invariant', () => {
  expect(broken(clean())).toEqual([]);
});

test.each([
  ['an intent never decided', (h: StreamHistory) => void h.intents.set('c', intent('c')), 'every intent decided exactly once: c never decided'],
  ['an intent approved and rejected', (h: StreamHistory) => void h.rejected.set('a', OrderRejection.fromPartial({ intent: intent('a') })), 'every intent decided exactly once: a approved and rejected'],
  ['a duplicate approval', (h: StreamHistory) => void (h.approvedMessages += 1), 'every intent decided exactly once: 1 duplicate approvals on the stream'],
  ['an execution nobody approved', (h: StreamHistory) => void h.reports.push(report('x', ExecutionKind.EXECUTION_KIND_ACK, 'x-ack')), 'every approved order reached the venue exactly once: x executed without an approval'],
  ['an order sent to the venue twice', (h: StreamHistory) => void h.reports.push(report('a', ExecutionKind.EXECUTION_KIND_ACK, 'a-ack-2')), 'every approved order reached the venue exactly once: a acknowledged or refused by the venue 2 times'],
  ['an approved order lost', (h: StreamHistory) => void (h.reports = h.reports.filter((r) => r.kind !== ExecutionKind.EXECUTION_KIND_ACK)), 'every approved order reached the venue exactly once: a acknowledged or refused by the venue 0 times'],
  ['a fill reported twice', (h: StreamHistory) => void h.reports.push(report('a', ExecutionKind.EXECUTION_KIND_FILL, 'a-f1', '0.4')), 'no fill doubled, no order overfilled: fill a-f1 reported twice, a filled 1.4 of 1'],
])('%s breaks one', (_what, breakIt, expected) => {
  const h = clean();
  breakIt(h);
  expect(broken(h)).toEqual([expected]);
});
