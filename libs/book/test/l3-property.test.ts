import { Decimal } from '@meridian/domain';
import { L3Book, L3TickBook } from '../src';
import type { BookSide, L3Status, OrderId } from '../src';
import { prng } from './helpers';

interface NaiveOrder {
  id: OrderId;
  side: BookSide;
  price: number;
  size: number;
}

/**
 * The obvious L3 book, written to be easy to trust rather than fast: one array of resting orders
 * in arrival order, every question answered by a linear scan. Arrival order is time priority,
 * since nothing here moves an order once it rests.
 */
class NaiveBook {
  orders: NaiveOrder[] = [];

  private find(id: OrderId): NaiveOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }

  best(side: BookSide): number | undefined {
    const prices = this.orders.filter((o) => o.side === side).map((o) => o.price);
    if (prices.length === 0) return undefined;
    return side === 'bid' ? Math.max(...prices) : Math.min(...prices);
  }

  add(id: OrderId, side: BookSide, price: number, size: number): L3Status {
    if (this.find(id)) return 'duplicate_order';
    const opposite = this.best(side === 'bid' ? 'ask' : 'bid');
    if (opposite !== undefined && (side === 'bid' ? price >= opposite : price <= opposite)) return 'crossed';
    this.orders.push({ id, side, price, size });
    return 'ok';
  }

  reduce(id: OrderId, size: number): L3Status {
    const order = this.find(id);
    if (!order) return 'unknown_order';
    if (size > order.size) return 'exceeds_order_size';
    order.size -= size;
    if (order.size === 0) this.orders = this.orders.filter((o) => o !== order);
    return 'ok';
  }

  delete(id: OrderId): L3Status {
    if (!this.find(id)) return 'unknown_order';
    this.orders = this.orders.filter((o) => o.id !== id);
    return 'ok';
  }

  /** [price, total size, order count] per level, best first. */
  levels(side: BookSide): [number, number, number][] {
    const byPrice = new Map<number, [number, number]>();
    for (const o of this.orders) {
      if (o.side !== side) continue;
      const level = byPrice.get(o.price) ?? [0, 0];
      byPrice.set(o.price, [level[0] + o.size, level[1] + 1]);
    }
    const out = [...byPrice].map(([price, [size, count]]) => [price, size, count] as [number, number, number]);
    return out.sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]));
  }

  queue(side: BookSide, price: number): [OrderId, number][] {
    return this.orders.filter((o) => o.side === side && o.price === price).map((o) => [o.id, o.size]);
  }

  queuePosition(id: OrderId): { ordersAhead: number; sizeAhead: number } | undefined {
    const order = this.find(id);
    if (!order) return undefined;
    const ahead = this.orders.slice(0, this.orders.indexOf(order)).filter((o) => o.side === order.side && o.price === order.price);
    return { ordersAhead: ahead.length, sizeAhead: ahead.reduce((s, o) => s + o.size, 0) };
  }
}

type Op =
  | { kind: 'add'; id: OrderId; side: BookSide; price: number; size: number }
  | { kind: 'cancel' | 'execute'; id: OrderId; size: number }
  | { kind: 'delete'; id: OrderId };

/** Random operations: mostly valid, some on unknown or duplicate ids, oversized, or crossing. */
function generator(seed: number, naive: NaiveBook): () => Op {
  const rand = prng(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  let nextId = 1;
  const removed: OrderId[] = [];
  const pickResting = (): NaiveOrder | undefined => naive.orders[int(naive.orders.length)];
  return () => {
    const roll = rand();
    const resting = pickResting();
    if (roll < 0.45 || resting === undefined) {
      const side: BookSide = rand() < 0.5 ? 'bid' : 'ask';
      // Prices on a narrow grid around 100 so queues form; ~5% reach across the spread.
      const stray = rand() < 0.05;
      const price = side === 'bid' ? (stray ? 100 + int(4) : 90 + int(11)) : stray ? 98 + int(4) : 101 + int(11);
      const r = rand();
      const id: OrderId = r < 0.03 && resting ? resting.id : r < 0.15 ? `s${nextId++}` : nextId++;
      return { kind: 'add', id, side, price, size: 1 + int(20) };
    }
    if (roll < 0.5) {
      // An id the book does not hold: never used, or already gone.
      const id = rand() < 0.5 || removed.length === 0 ? 1e9 + int(1000) : removed[int(removed.length)]!;
      const k = int(3);
      return k === 0 ? { kind: 'delete', id } : { kind: k === 1 ? 'cancel' : 'execute', id, size: 1 + int(5) };
    }
    if (roll < 0.7) {
      removed.push(resting.id);
      return { kind: 'delete', id: resting.id };
    }
    // Reductions: sometimes the whole order, sometimes more than it has; executions favour the front of a best level.
    let target = resting;
    if (roll >= 0.85) {
      const side: BookSide = rand() < 0.5 ? 'bid' : 'ask';
      const best = naive.best(side);
      const front = best === undefined ? undefined : naive.orders.find((o) => o.side === side && o.price === best);
      if (front) target = front;
    }
    const r = rand();
    const size = r < 0.3 ? target.size : r < 0.37 ? target.size + 1 + int(3) : 1 + int(target.size);
    if (size >= target.size) removed.push(target.id);
    return { kind: roll < 0.85 ? 'cancel' : 'execute', id: target.id, size };
  };
}

function apply(book: L3TickBook | NaiveBook, op: Op): L3Status {
  if (op.kind === 'add') return book.add(op.id, op.side, op.price, op.size);
  if (op.kind === 'delete') return book.delete(op.id);
  if (book instanceof NaiveBook) return book.reduce(op.id, op.size);
  return op.kind === 'cancel' ? book.cancel(op.id, op.size) : book.execute(op.id, op.size);
}

const TICK = Decimal.parse('0.05');
const LOT = Decimal.parse('0.1');
const price = (ticks: number): Decimal => Decimal.fromUnits(BigInt(ticks) * 5n, 2);
const size = (lots: number): Decimal => Decimal.fromUnits(BigInt(lots), 1);

function applyDecimal(book: L3Book, op: Op): L3Status {
  if (op.kind === 'add') return book.add(op.id, op.side, price(op.price), size(op.size));
  if (op.kind === 'delete') return book.delete(op.id);
  return op.kind === 'cancel' ? book.cancel(op.id, size(op.size)) : book.execute(op.id, size(op.size));
}

describe.each([1, 20240611, 777])('L3 book against a naive reference, seed %i', (seed) => {
  test('6,000 random operations: statuses, full L2 view, queue order and every order after each one', () => {
    const naive = new NaiveBook();
    const book = new L3TickBook('PROP', { initialOrderCapacity: 4, initialLevelCapacity: 4 });
    const decimalBook = new L3Book('PROP', { tickSize: TICK, lotSize: LOT });
    const next = generator(seed, naive);
    const statuses: Record<string, number> = {};

    for (let step = 0; step < 6000; step++) {
      const op = next();
      const expected = apply(naive, op);
      const got = apply(book, op);
      statuses[expected] = (statuses[expected] ?? 0) + 1;
      if (got !== expected) throw new Error(`seed ${seed} step ${step}: ${JSON.stringify(op)} gave ${got}, reference ${expected}`);
      expect(applyDecimal(decimalBook, op)).toBe(expected);

      // The L2 view, level by level, and each level's queue in priority order: collected into one
      // structure per book and compared once (an expect per value would dominate the run time).
      const view = (side: BookSide, levels: [number, number, number][], queue: (p: number) => [OrderId, number][]) => ({
        side,
        levels,
        queues: levels.map(([p]) => queue(p)),
      });
      for (const side of ['bid', 'ask'] as const) {
        const levels = naive.levels(side);
        const ours = view(
          side,
          [...book.levels(side)].map((l) => [l.price, l.lots, l.orders]),
          (p) => book.ordersAt(side, p).map((o) => [o.id, o.lots]),
        );
        const reference = view(side, levels, (p) => naive.queue(side, p));
        if (JSON.stringify(ours) !== JSON.stringify(reference)) expect(ours).toEqual(reference);
        if (book.bestPrice(side) !== levels[0]?.[0] || book.bestLots(side) !== (levels[0]?.[1] ?? 0) || book.levelCount(side) !== levels.length) {
          throw new Error(`seed ${seed} step ${step}: best ${side} or level count differs`);
        }
      }
      // Every resting order's remaining size and price, and the op's own id (resting or gone).
      expect(book.orderCount).toBe(naive.orders.length);
      const oursOrders = naive.orders.map((o) => [o.id, book.orderLotsOf(o.id), book.orderPriceOf(o.id), book.orderSideOf(o.id)]);
      const referenceOrders = naive.orders.map((o) => [o.id, o.size, o.price, o.side]);
      if (JSON.stringify(oursOrders) !== JSON.stringify(referenceOrders)) expect(oursOrders).toEqual(referenceOrders);
      expect(book.orderLotsOf(op.id)).toBe(naive.orders.find((o) => o.id === op.id)?.size);
      if (expected === 'ok') {
        const touched = op.kind === 'add' ? op : naive.orders.find((o) => o.id === op.id);
        if (touched && 'side' in touched) {
          expect(book.changedSide).toBe(touched.side);
          expect(book.changedPrice).toBe(touched.price);
        }
      }
      if (step % 50 === 0 && naive.orders.length > 0) {
        const id = naive.orders[step % naive.orders.length]!.id;
        expect(book.queuePosition(id)).toEqual(naive.queuePosition(id));
        const q = decimalBook.queuePosition(id)!;
        expect([q.ordersAhead, q.sizeAhead.toString()]).toEqual([naive.queuePosition(id)!.ordersAhead, size(naive.queuePosition(id)!.sizeAhead).toString()]);
        const depth = decimalBook.depth(100);
        expect(depth.bids.map((l) => [l.price.toString(), l.size.toString()])).toEqual(
          naive.levels('bid').map(([p, s]) => [price(p).toString(), size(s).toString()]),
        );
        expect(depth.asks.map((l) => [l.price.toString(), l.size.toString()])).toEqual(
          naive.levels('ask').map(([p, s]) => [price(p).toString(), size(s).toString()]),
        );
      }
    }
    // The generator must actually exercise every outcome.
    expect(statuses.ok).toBeGreaterThan(3500);
    for (const outcome of ['unknown_order', 'duplicate_order', 'crossed', 'exceeds_order_size']) expect(statuses[outcome]).toBeGreaterThan(20);
    expect(naive.orders.length).toBeGreaterThan(20);
  });
});
