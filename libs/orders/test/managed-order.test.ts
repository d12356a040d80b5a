import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import { InvalidOrderTermsError, InvalidOrderTransitionError, ManagedOrder, ORDER_STATES } from '../src';
import type { OrderEvent, OrderState, OrderTerms } from '../src';

const d = Decimal.parse;

function terms(over: Partial<OrderTerms> = {}): OrderTerms {
  return {
    clientOrderId: 'c-1',
    venue: 'paper',
    symbol: 'BTC-USDT',
    strategy: 's',
    side: 'BUY',
    kind: 'limit',
    quantity: d('3'),
    limitPrice: d('100'),
    timeInForce: 'GTC',
    ...over,
  };
}

const ack: OrderEvent = { type: 'ack', venueOrderId: 'v-1', tsNs: 2n };
const fill = (tradeId: string, q: string, p = '100'): OrderEvent => ({
  type: 'fill',
  tradeId,
  quantity: d(q),
  price: d(p),
  fee: d('0.01'),
  feeCurrency: 'USDT',
  liquidity: 'maker',
  tsNs: 3n,
});
const cancel: OrderEvent = { type: 'cancel', reason: 'USER_REQUEST', tsNs: 4n };
const expire: OrderEvent = { type: 'expire', reason: 'DAY', tsNs: 4n };
const reject: OrderEvent = { type: 'reject', reason: 'INSUFFICIENT_BALANCE', tsNs: 2n };

function orderIn(state: OrderState): ManagedOrder {
  const o = new ManagedOrder(terms(), 1n);
  const paths: Record<OrderState, OrderEvent[]> = {
    new: [],
    acked: [ack],
    partially_filled: [ack, fill('t1', '1')],
    filled: [ack, fill('t1', '3')],
    cancelled: [ack, cancel],
    rejected: [reject],
    expired: [ack, expire],
  };
  for (const e of paths[state]) o.apply(e);
  expect(o.state).toBe(state);
  return o;
}

describe('ManagedOrder transitions', () => {
  // Every (state, event) pair: the state it moves to, 'same' for a no-op by design, or 'refused'.
  const table: Record<OrderState, Record<string, OrderState | 'same' | 'refused'>> = {
    new: { ack: 'acked', reject: 'rejected', fillPart: 'partially_filled', fillAll: 'filled', cancel: 'cancelled', expire: 'expired', amend: 'refused' },
    acked: { ack: 'same', reject: 'refused', fillPart: 'partially_filled', fillAll: 'filled', cancel: 'cancelled', expire: 'expired', amend: 'acked' },
    partially_filled: { ack: 'same', reject: 'refused', fillPart: 'partially_filled', fillAll: 'filled', cancel: 'cancelled', expire: 'expired', amend: 'partially_filled' },
    filled: { ack: 'same', reject: 'refused', fillPart: 'refused', fillAll: 'refused', cancel: 'refused', expire: 'refused', amend: 'refused' },
    cancelled: { ack: 'same', reject: 'refused', fillPart: 'refused', fillAll: 'refused', cancel: 'same', expire: 'refused', amend: 'refused' },
    rejected: { ack: 'refused', reject: 'same', fillPart: 'refused', fillAll: 'refused', cancel: 'refused', expire: 'refused', amend: 'refused' },
    expired: { ack: 'same', reject: 'refused', fillPart: 'refused', fillAll: 'refused', cancel: 'refused', expire: 'same', amend: 'refused' },
  };
  const events = (o: ManagedOrder): Record<string, OrderEvent> => ({
    ack,
    reject,
    fillPart: fill('t9', '1'),
    fillAll: fill('t9', o.snapshot().quantity.sub(o.filledQuantity).toString() === '0' ? '1' : o.snapshot().quantity.sub(o.filledQuantity).toString()),
    cancel,
    expire,
    amend: { type: 'amend', quantity: d('5'), tsNs: 5n },
  });

  for (const from of ORDER_STATES) {
    for (const [name, expected] of Object.entries(table[from])) {
      it(`${from} + ${name} → ${expected}`, () => {
        const o = orderIn(from);
        const before = o.snapshot();
        const event = events(o)[name]!;
        if (expected === 'refused') {
          expect(() => o.apply(event)).toThrow(InvalidOrderTransitionError);
          expect(o.snapshot()).toEqual(before);
        } else if (expected === 'same') {
          expect(o.apply(event)).toBeUndefined();
          expect(o.state).toBe(from);
        } else {
          const t = o.apply(event)!;
          expect(t).toMatchObject({ from, to: expected, sequence: before.transitions + 1 });
          expect(o.state).toBe(expected);
        }
      });
    }
  }

  it('applies a fill once however often it is reported', () => {
    const o = orderIn('acked');
    expect(o.apply(fill('t1', '1'))).toBeDefined();
    expect(o.apply(fill('t1', '1'))).toBeUndefined();
    expect(o.snapshot()).toMatchObject({ fillCount: 1, state: 'partially_filled' });
    expect(o.filledQuantity.toString()).toBe('1');
  });

  it('refuses a fill beyond the quantity and names the numbers', () => {
    const o = orderIn('partially_filled');
    expect(() => o.apply(fill('t2', '2.5'))).toThrow('fill of 2.5 would make 3.5 filled of 3');
    expect(o.filledQuantity.toString()).toBe('1');
  });

  it('keeps exact average price and fees', () => {
    const o = orderIn('acked');
    o.apply(fill('a', '1', '100.1'));
    o.apply(fill('b', '1', '100.2'));
    o.apply(fill('c', '1', '100.4'));
    const s = o.snapshot();
    expect(s.filledNotional.toString()).toBe('300.7');
    expect(s.averagePrice!.toString()).toBe('100.233333333333');
    expect(s.fees.toString()).toBe('0.03');
    expect(s.state).toBe('filled');
    expect(s.leavesQuantity.toString()).toBe('0');
  });

  it('amends quantity above what filled and price of a priced order only', () => {
    const o = orderIn('partially_filled');
    expect(() => o.apply({ type: 'amend', quantity: d('1'), tsNs: 5n })).toThrow('must exceed the 1 already filled');
    o.apply({ type: 'amend', quantity: d('2'), limitPrice: d('99'), tsNs: 5n });
    expect(o.snapshot()).toMatchObject({ quantity: d('2'), limitPrice: d('99') });
    const market = new ManagedOrder(terms({ kind: 'market', limitPrice: undefined }), 1n);
    market.apply(ack);
    expect(() => market.apply({ type: 'amend', limitPrice: d('1'), tsNs: 5n })).toThrow('has no limit price');
  });

  it('refuses terms that cannot make an order', () => {
    expect(() => new ManagedOrder(terms({ quantity: d('0') }), 1n)).toThrow(InvalidOrderTermsError);
    expect(() => new ManagedOrder(terms({ limitPrice: undefined }), 1n)).toThrow('limitPrice');
    expect(() => new ManagedOrder(terms({ kind: 'market' }), 1n)).toThrow('not allowed on a market order');
    expect(() => new ManagedOrder(terms({ kind: 'stop', limitPrice: undefined }), 1n)).toThrow('stopPrice');
    expect(() => new ManagedOrder(terms({ clientOrderId: '' }), 1n)).toThrow('clientOrderId');
  });

  it('never leaves a terminal state, never overfills, and its numbers are the sum of its fills (property)', () => {
    const eventArb: fc.Arbitrary<OrderEvent> = fc.oneof(
      fc.constant(ack),
      fc.constant(reject),
      fc.constant(cancel),
      fc.constant(expire),
      fc.record({ q: fc.integer({ min: -1, max: 4 }), p: fc.integer({ min: 0, max: 5 }), id: fc.integer({ min: 0, max: 6 }) }).map(
        ({ q, p, id }): OrderEvent => ({ type: 'fill', tradeId: `t${id}`, quantity: Decimal.fromUnits(BigInt(q), 1), price: Decimal.fromUnits(BigInt(p * 7 + 3), 2), fee: d('0.001'), feeCurrency: 'X', liquidity: 'taker', tsNs: 9n }),
      ),
      fc.integer({ min: 0, max: 40 }).map((q): OrderEvent => ({ type: 'amend', quantity: Decimal.fromUnits(BigInt(q), 1), tsNs: 9n })),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), (evs) => {
        const o = new ManagedOrder(terms(), 1n);
        const applied: OrderEvent[] = [];
        for (const e of evs) {
          const wasTerminal = o.isTerminal;
          const before = o.state;
          try {
            const t = o.apply(e);
            if (t) applied.push(e);
          } catch (err) {
            if (!(err instanceof InvalidOrderTransitionError)) throw err;
          }
          if (wasTerminal) expect(o.state).toBe(before);
          const s = o.snapshot();
          expect(s.filledQuantity.lte(s.quantity)).toBe(true);
        }
        const fills = applied.filter((e): e is Extract<OrderEvent, { type: 'fill' }> => e.type === 'fill');
        const s = o.snapshot();
        expect(s.filledQuantity.eq(Decimal.sum(fills.map((f) => f.quantity)))).toBe(true);
        expect(s.filledNotional.eq(Decimal.sum(fills.map((f) => f.price.mul(f.quantity))))).toBe(true);
        expect(s.fillCount).toBe(fills.length);
        expect(s.transitions).toBe(applied.length);
      }),
      { numRuns: 2000 },
    );
  });
});
