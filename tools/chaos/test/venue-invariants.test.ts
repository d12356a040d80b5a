import { Decimal } from '@meridian/domain';
import { ApprovedOrder, ExecutionKind, ExecutionReport, OrderIntent, Position, Side } from '@meridian/proto';
import { positionDifferences, venueInvariants, venuePositions } from '../src';
import type { RecordedFillRow, StreamHistory, VenueTruth } from '../src';

// The venue invariants compare the bus and PostgreSQL with the venue's own order and fill lists;
// each way the two can disagree must break exactly one of them, and agreement must pass.
const d = Decimal.parse;
const intent = (id: string) => OrderIntent.fromPartial({ clientOrderId: id, symbol: 'BTC-USDT', side: Side.SIDE_BUY, quantity: '1' });
const report = (id: string, kind: ExecutionKind, extra: Partial<ExecutionReport> = {}) =>
  ExecutionReport.fromPartial({ clientOrderId: id, kind, executionId: `${id}-${kind}-${extra.tradeId ?? ''}`, symbol: 'BTC-USDT', side: Side.SIDE_BUY, ...extra });
const fillReport = (id: string, tradeId: string, qty: string, price = '100', fee = '0.1') =>
  report(id, ExecutionKind.EXECUTION_KIND_FILL, { executionId: `${id}-fill-${tradeId}`, tradeId, fillQuantity: qty, fillPrice: price, fee });

interface World {
  h: StreamHistory;
  venue: { orders: VenueTruth['orders'][number][]; fills: VenueTruth['fills'][number][] };
  rows: RecordedFillRow[];
  inDoubt: number | undefined;
}

/** Order a acknowledged and filled in two trades; order b refused before the venue. */
function clean(): World {
  const h: StreamHistory = {
    intents: new Map([['a', intent('a')], ['b', intent('b')]]),
    approved: new Map([['a', ApprovedOrder.fromPartial({ intent: intent('a') })], ['b', ApprovedOrder.fromPartial({ intent: intent('b') })]]),
    approvedMessages: 2,
    intentMessages: 2,
    rejectedMessages: 0,
    rejected: new Map(),
    reports: [report('a', ExecutionKind.EXECUTION_KIND_ACK), fillReport('a', '7', '0.4'), fillReport('a', '8', '0.6'), report('b', ExecutionKind.EXECUTION_KIND_REJECT)],
  };
  const fill = (tradeId: string, qty: string) => ({ tradeId, clientOrderId: 'a', symbol: 'BTC-USDT', side: 'BUY' as const, price: d('100'), quantity: d(qty), fee: d('0.1') });
  return {
    h,
    venue: { orders: [{ clientOrderId: 'a', symbol: 'BTC-USDT', filledQuantity: d('1'), status: 'filled' }], fills: [fill('7', '0.4'), fill('8', '0.6')] },
    rows: [
      { executionId: 'a-fill-7', clientOrderId: 'a', quantity: '0.4', price: '100', fee: '0.1' },
      { executionId: 'a-fill-8', clientOrderId: 'a', quantity: '0.60', price: '100.0', fee: '0.10' },
    ],
    inDoubt: 0,
  };
}

const broken = (w: World) =>
  venueInvariants(w.h, w.venue, w.rows, w.inDoubt)
    .filter((i) => !i.holds)
    .map((i) => `${i.name}: ${i.detail}`);

test('the bus, PostgreSQL and the venue agreeing keep every venue invariant', () => {
  expect(broken(clean())).toEqual([]);
});

const ONCE = 'every approved order at the venue exactly once (its own order list)';
const BUS = 'every venue fill on the bus exactly once';
const PG = 'every venue fill in PostgreSQL exactly once';

test.each<[string, (w: World) => void, string[]]>([
  ['an order placed twice at the venue', (w) => void w.venue.orders.push({ ...w.venue.orders[0]!, filledQuantity: d('0') }), [`${ONCE}: a placed 2 times at the venue, a acknowledged on the bus, 2 orders at the venue`]],
  ['an order at the venue nobody approved', (w) => void w.venue.orders.push({ clientOrderId: 'x', symbol: 'BTC-USDT', filledQuantity: d('0'), status: 'cancelled' }), [`${ONCE}: x at the venue without an approval`]],
  ['an order reported refused that the venue placed (a guessed outcome)', (w) => void w.venue.orders.push({ clientOrderId: 'b', symbol: 'BTC-USDT', filledQuantity: d('0'), status: 'cancelled' }), [`${ONCE}: b reported refused, but the venue has it (cancelled, 0 filled)`]],
  ['an acknowledged order the venue never had', (w) => void (w.venue = { orders: [], fills: [] }), [`${ONCE}: a acknowledged on the bus, 0 orders at the venue`, `${BUS}: fill a/7 on the bus, never made by the venue, fill a/8 on the bus, never made by the venue`, `${PG}: 2 fill rows in PostgreSQL for 0 venue fills`]],
  ['an approved order never answered', (w) => void (w.h.reports = w.h.reports.filter((r) => r.clientOrderId !== 'b')), [`${ONCE}: b approved and never answered (0 at the venue)`]],
  ['a venue fill missing from the bus', (w) => void (w.h.reports = w.h.reports.filter((r) => r.tradeId !== '8')), [`${ONCE}: a filled 1 at the venue, 0.4 on the bus`, `${BUS}: venue trade 8 of a on the bus 0 times`, `${PG}: venue trade 8 of a not in PostgreSQL`]],
  ['a venue fill on the bus twice', (w) => void w.h.reports.push(fillReport('a', '8', '0.6')), [`${ONCE}: a filled 1 at the venue, 1.6 on the bus`, `${BUS}: venue trade 8 of a on the bus 2 times`]],
  ['a fill on the bus at another price', (w) => void (w.h.reports[1] = fillReport('a', '7', '0.4', '101')), [`${BUS}: venue trade 7: 0.4 @ 100 fee 0.1 at the venue, 0.4 @ 101 fee 0.1 on the bus`]],
  ['a fill row missing from PostgreSQL', (w) => void w.rows.pop(), [`${PG}: venue trade 8 of a not in PostgreSQL, 1 fill rows in PostgreSQL for 2 venue fills`]],
  ['a fill row in PostgreSQL with another fee', (w) => void (w.rows[0] = { ...w.rows[0]!, fee: '0.2' }), [`${PG}: venue trade 7: 0.4 @ 100 fee 0.1 at the venue, 0.4 @ 100 fee 0.2 in PostgreSQL`]],
  ['an order still in doubt', (w) => void (w.inDoubt = 1), ['no order left in doubt: execution still has 1 orders in doubt']],
  ['the in-doubt gauge unreadable', (w) => void (w.inDoubt = undefined), ["no order left in doubt: execution's meridian_execution_orders_in_doubt could not be read"]],
])('%s is caught', (_what, breakIt, expected) => {
  const w = clean();
  breakIt(w);
  expect(broken(w)).toEqual(expected);
});

test("positions: risk's must equal the venue's fills in quantity, fees and count", () => {
  const w = clean();
  const totals = venuePositions([...w.venue.fills, { tradeId: '9', clientOrderId: 'c', symbol: 'BTC-USDT', side: 'SELL', price: d('100'), quantity: d('0.25'), fee: d('0.05') }]);
  expect(totals.get('BTC-USDT')!.quantity.toString()).toBe('0.75');
  const position = (quantity: string, fees: string, fillCount: number) => Position.fromPartial({ symbol: 'BTC-USDT', quantity, fees, fillCount });
  expect(positionDifferences(totals, [position('0.75', '0.25', 3)])).toEqual([]);
  expect(positionDifferences(totals, [position('0.75', '0.25', 2)])).toEqual(["BTC-USDT: risk 0.75 (fees 0.25, 2 fills) vs the venue's 0.75 (fees 0.25, 3 fills)"]);
  expect(positionDifferences(totals, [])).toEqual(["BTC-USDT: risk 0 (fees 0, 0 fills) vs the venue's 0.75 (fees 0.25, 3 fills)"]);
  expect(positionDifferences(new Map(), [position('0.1', '0', 1)])).toEqual(["BTC-USDT: risk 0.1 (fees 0, 1 fills) vs the venue's 0 (fees 0, 0 fills)"]);
});
