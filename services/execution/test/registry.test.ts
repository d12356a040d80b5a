// The order registry's memory: the working set open() reads, settled orders forgotten on the
// second sweep after they settle (never one in doubt or held by the caller), and the approval
// sequences that tell a redelivered approval of a forgotten order from a new one.
import { Decimal } from '@meridian/domain';
import { ManagedOrder } from '@meridian/orders';
import type { OrderEvent } from '@meridian/orders';
import { OrderRegistry } from '../src/registry';
import type { OrderEntry } from '../src/registry';

const SUBJECT = 'ord.approved.paper.BTC-USDT';

function entry(id: string, symbol = 'BTC-USDT', parentId?: string): OrderEntry {
  const order = new ManagedOrder(
    {
      clientOrderId: id,
      venue: 'paper',
      symbol,
      strategy: 't',
      side: 'BUY',
      kind: 'limit',
      quantity: Decimal.parse('1'),
      limitPrice: Decimal.parse('100'),
      timeInForce: 'GTC',
      ...(parentId !== undefined ? { parentId } : {}),
    },
    1n,
  );
  return { order, referencePrice: undefined, sent: true, sentNs: 1n, approvedNs: 1n };
}

const ack: OrderEvent = { type: 'ack', venueOrderId: 'v', tsNs: 2n };
const cancel: OrderEvent = { type: 'cancel', reason: 'test', tsNs: 3n };
const fill = (tradeId: string, quantity: string): OrderEvent => ({
  type: 'fill',
  tradeId,
  quantity: Decimal.parse(quantity),
  price: Decimal.parse('100'),
  fee: Decimal.ZERO,
  feeCurrency: 'USDT',
  liquidity: 'maker',
  tsNs: 4n,
});

function registryOf(...entries: OrderEntry[]): OrderRegistry {
  const r = new OrderRegistry();
  for (const e of entries) r.add(e);
  return r;
}

const ids = (list: readonly OrderEntry[]) => list.map((e) => e.order.clientOrderId);

describe('OrderRegistry', () => {
  it('lists as open exactly the orders not terminal, in the order they were added, by symbol too', () => {
    const a = entry('a');
    const b = entry('b', 'ETH-USDT');
    const c = entry('c');
    const d = entry('d');
    const r = registryOf(a, b, c, d);
    r.apply(a.order, ack);
    r.apply(c.order, ack);
    r.apply(c.order, fill('t1', '1'));
    r.apply(d.order, { type: 'reject', reason: 'no', tsNs: 2n });
    r.apply(a.order, fill('t2', '0.4'));
    const all = [...r.values()];
    expect(ids(r.open())).toEqual(ids(all.filter((e) => !e.order.isTerminal)));
    expect(ids(r.open())).toEqual(['a', 'b']);
    expect(ids(r.open('BTC-USDT'))).toEqual(['a']);
    expect(ids(r.open('ETH-USDT'))).toEqual(['b']);
  });

  it('forgets a settled order on the second sweep after it settled, never a working one', () => {
    const working = entry('working');
    const early = entry('early');
    const late = entry('late');
    const r = registryOf(working, early, late);
    r.apply(working.order, ack);
    r.apply(early.order, cancel);
    expect(r.forgetSettled(() => false)).toBe(0);
    expect(r.get('early')).toBe(early);
    // Settled after the first sweep: it outlives the second.
    r.apply(late.order, cancel);
    expect(r.forgetSettled(() => false)).toBe(1);
    expect(r.get('early')).toBeUndefined();
    expect(r.get('late')).toBe(late);
    expect(r.forgetSettled(() => false)).toBe(1);
    expect(r.get('late')).toBeUndefined();
    for (let n = 0; n < 3; n++) expect(r.forgetSettled(() => false)).toBe(0);
    expect(ids([...r.values()])).toEqual(['working']);
    expect(r.size).toBe(1);
  });

  it('keeps an order in doubt, and one the caller holds, until they are let go', () => {
    const doubtful = entry('doubtful');
    const child = entry('child', 'BTC-USDT', 'parent');
    const r = registryOf(doubtful, child);
    r.apply(doubtful.order, cancel);
    r.setInDoubt(doubtful, true);
    r.apply(child.order, cancel);
    let parentWorks = true;
    const keep = (e: OrderEntry) => e.order.terms.parentId === 'parent' && parentWorks;
    for (let n = 0; n < 4; n++) expect(r.forgetSettled(keep)).toBe(0);
    expect(r.size).toBe(2);
    r.setInDoubt(doubtful, false);
    parentWorks = false;
    // Looked at again each sweep: gone within the next two.
    const forgotten = r.forgetSettled(keep) + r.forgetSettled(keep);
    expect(forgotten).toBe(2);
    expect(r.size).toBe(0);
  });

  it('tells the caller exactly the orders it forgets (the paper venue forgets the same), never one in doubt or held', () => {
    const done = entry('done');
    const doubtful = entry('doubtful');
    const child = entry('child', 'BTC-USDT', 'parent');
    const working = entry('working');
    const r = registryOf(done, doubtful, child, working);
    for (const e of [done, doubtful, child]) r.apply(e.order, cancel);
    r.apply(working.order, ack);
    r.setInDoubt(doubtful, true);
    const told: string[] = [];
    const keep = (e: OrderEntry) => e.order.terms.parentId === 'parent';
    const forget = () => r.forgetSettled(keep, (e) => told.push(e.order.clientOrderId));
    expect(forget()).toBe(0);
    expect(forget()).toBe(1);
    expect(told).toEqual(['done']);
    for (let n = 0; n < 3; n++) expect(forget()).toBe(0);
    expect(told).toEqual(['done']);
    r.setInDoubt(doubtful, false);
    expect(forget()).toBe(1);
    expect(told).toEqual(['done', 'doubtful']);
    expect(ids([...r.values()]).sort()).toEqual(['child', 'working']);
  });

  it('settles an order only with its last fill, and a repeated fill changes nothing', () => {
    const e = entry('e');
    const r = registryOf(e);
    r.apply(e.order, ack);
    r.apply(e.order, fill('t1', '0.5'));
    r.forgetSettled(() => false);
    r.forgetSettled(() => false);
    expect(r.get('e')).toBe(e);
    r.apply(e.order, fill('t2', '0.5'));
    r.apply(e.order, fill('t2', '0.5'));
    expect(r.open()).toEqual([]);
    expect(r.forgetSettled(() => false)).toBe(0);
    expect(r.forgetSettled(() => false)).toBe(1);
  });

  it('tells an approval handled before (its order since forgotten) from a new one, per subject', () => {
    const r = new OrderRegistry();
    expect(r.wasForgotten(SUBJECT, 1)).toBe(false);
    r.approvalSeen(SUBJECT, 5);
    r.approvalSeen(SUBJECT, 3);
    expect(r.wasForgotten(SUBJECT, 3)).toBe(true);
    expect(r.wasForgotten(SUBJECT, 5)).toBe(true);
    expect(r.wasForgotten(SUBJECT, 6)).toBe(false);
    expect(r.wasForgotten('ord.approved.paper.ETH-USDT', 4)).toBe(false);
  });
});
