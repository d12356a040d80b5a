import { IdIndex } from '../src/id-index';
import type { OrderId } from '../src';
import { prng } from './helpers';

describe('IdIndex (order id -> slot)', () => {
  test('agrees with a Map over 50,000 random inserts and deletes, through growth and wrap-around', () => {
    const rand = prng(99);
    const index = new IdIndex(1);
    const reference = new Map<OrderId, number>();
    // Few distinct ids in a narrow range, so probe runs collide, wrap and get shifted back on delete.
    const ids: OrderId[] = [];
    for (let i = 0; i < 3000; i++) ids.push(i * 16, -i, 2 ** 40 + i * 1024, Number.MAX_SAFE_INTEGER - i, `c${i}`);
    for (let step = 0; step < 50_000; step++) {
      const id = ids[Math.floor(rand() * ids.length)]!;
      if (reference.has(id)) {
        index.delete(id);
        reference.delete(id);
      } else {
        index.set(id, step);
        reference.set(id, step);
      }
      if (step % 500 === 0) {
        for (const candidate of ids) {
          const want = reference.get(candidate) ?? -1;
          if (index.get(candidate) !== want) throw new Error(`step ${step}: id ${candidate} -> ${index.get(candidate)}, want ${want}`);
        }
      }
      expect(index.size).toBe(reference.size);
    }
    expect(reference.size).toBeGreaterThan(1000);
  });

  test('deleting an absent id changes nothing; clear empties both tables', () => {
    const index = new IdIndex(4);
    index.set(1, 10);
    index.set('a', 11);
    index.delete(2);
    index.delete('b');
    expect([index.get(1), index.get('a'), index.size]).toEqual([10, 11, 2]);
    index.clear();
    expect([index.get(1), index.get('a'), index.size]).toEqual([-1, -1, 0]);
    index.set(1, 3);
    expect(index.get(1)).toBe(3);
  });
});
