import type { OrderId } from './types';

const EMPTY = 0;
const TWO_32 = 4294967296;

/**
 * Order id → order slot (a non-negative integer).
 *
 * Numeric ids go into an open-addressing hash table on typed arrays (linear probing, deletion by
 * backward shift, so no tombstones pile up). A JS `Map` would do the job, but with millions of ids
 * coming and going it keeps reallocating its backing table (deleted entries only go away on a
 * rehash), and those tables are large enough to land in old space: on a 10M-event stream that
 * showed up as major GCs pausing the book for tens of milliseconds. This table only allocates
 * when it doubles. String ids (client order ids) are rarer and stay in a `Map`.
 */
export class IdIndex {
  private keys: Float64Array;
  /** slot + 1, so 0 marks an empty cell. */
  private values: Int32Array;
  private mask: number;
  private shift: number;
  private numericCount = 0;
  private readonly strings = new Map<string, number>();

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  get size(): number {
    return this.numericCount + this.strings.size;
  }

  /** The slot of `id`, or -1 when absent. */
  get(id: OrderId): number {
    if (typeof id === 'string') return this.strings.get(id) ?? -1;
    const keys = this.keys;
    const values = this.values;
    let i = this.home(id);
    for (;;) {
      const v = values[i]!;
      if (v === EMPTY) return -1;
      if (keys[i] === id) return v - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** Adds `id` → `slot`; the caller has checked that `id` is absent. */
  set(id: OrderId, slot: number): void {
    if (typeof id === 'string') {
      this.strings.set(id, slot);
      return;
    }
    if ((this.numericCount + 1) * 2 > this.values.length) this.grow();
    this.insert(id, slot);
    this.numericCount++;
  }

  /** Removes `id` if present. */
  delete(id: OrderId): void {
    if (typeof id === 'string') {
      this.strings.delete(id);
      return;
    }
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = this.home(id);
    for (;;) {
      const v = values[i]!;
      if (v === EMPTY) return;
      if (keys[i] === id) break;
      i = (i + 1) & mask;
    }
    this.numericCount--;
    // Backward shift: pull later entries of the probe run into the hole when their home allows it,
    // so every lookup still finds its key before the first empty cell.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = values[j]!;
      if (v === EMPTY) break;
      const home = this.home(keys[j]!);
      // Entry j may move to the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      keys[hole] = keys[j]!;
      values[hole] = v;
      hole = j;
    }
    values[hole] = EMPTY;
  }

  clear(): void {
    this.values.fill(EMPTY);
    this.numericCount = 0;
    this.strings.clear();
  }

  /** Fibonacci hashing of both 32-bit halves of a safe integer, top bits as the index. */
  private home(id: number): number {
    const lo = id | 0;
    const hi = (id / TWO_32) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private insert(id: number, slot: number): void {
    const keys = this.keys;
    const values = this.values;
    let i = this.home(id);
    while (values[i] !== EMPTY) i = (i + 1) & this.mask;
    keys[i] = id;
    values[i] = slot + 1;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = oldValues.length * 2;
    this.keys = new Float64Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    for (let i = 0; i < oldValues.length; i++) {
      const v = oldValues[i]!;
      if (v !== EMPTY) this.insert(oldKeys[i]!, v - 1);
    }
  }
}
