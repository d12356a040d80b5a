import { seededRandom } from '@meridian/testkit';
import { RecentIds } from '../src/recent-ids';

/** The obvious implementation: an array of the last `capacity` distinct ids. */
class Reference {
  private readonly ids: string[] = [];
  constructor(private readonly capacity: number) {}
  has(id: string): boolean {
    return this.ids.includes(id);
  }
  add(id: string): void {
    if (this.capacity === 0) return;
    this.ids.push(id);
    if (this.ids.length > this.capacity) this.ids.shift();
  }
}

test.each([0, 1, 2, 3, 7, 64, 1000])('remembers exactly the last %i distinct ids, as a plain list would', (capacity) => {
  const random = seededRandom(capacity + 1);
  const recent = new RecentIds(capacity);
  const reference = new Reference(capacity);
  // Ids drawn from a pool a little larger than the capacity: many repeats, hash collisions and
  // index slots shifted back on deletion.
  const pool = Array.from({ length: capacity * 2 + 5 }, (_, i) => (random() < 0.5 ? String(1_000_000 + i) : `id-${i}-${Math.floor(random() * 1e6)}`));
  let repeats = 0;
  for (let step = 0; step < 20_000; step++) {
    const id = pool[Math.floor(random() * pool.length)]!;
    const seen = reference.has(id);
    expect(recent.has(id)).toBe(seen);
    if (seen) repeats++;
    else {
      recent.add(id);
      reference.add(id);
    }
  }
  expect(recent.size).toBe(Math.min(capacity, pool.length));
  if (capacity > 0) expect(repeats).toBeGreaterThan(1000);
});
