/**
 * One side of an integer-tick book: the occupied price levels, sorted by a numeric key with the
 * best level LAST. Bids use key = price and asks key = -price, so both sides are ascending and the
 * best level is always at index `length - 1`.
 *
 * Best-last because activity clusters at the top of the book: inserting or removing a level near
 * the best price shifts only the few levels above it, where best-first would shift the whole side.
 * Keys and level slots live in parallel typed arrays (no per-level objects, nothing for the GC to
 * trace); they only reallocate when the side outgrows its capacity.
 */
export class TickLadder {
  private keyArray: Float64Array;
  private slotArray: Int32Array;
  private count = 0;

  constructor(initialCapacity = 64) {
    const capacity = Math.max(4, initialCapacity | 0);
    this.keyArray = new Float64Array(capacity);
    this.slotArray = new Int32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** The level slot at `index` (0 = worst, length - 1 = best). The caller keeps `index` in range. */
  slotAt(index: number): number {
    return this.slotArray[index]!;
  }

  /** The key at `index`, in the same order as `slotAt`. */
  keyAt(index: number): number {
    return this.keyArray[index]!;
  }

  /** The best level's slot, or -1 when the side is empty. */
  bestSlot(): number {
    return this.count === 0 ? -1 : this.slotArray[this.count - 1]!;
  }

  /**
   * The index of `key` when present, else `-(insertionPoint + 1)`. Gallops down from the best end
   * first (most lookups land within a few levels of the top), then bisects the bracket it found.
   */
  find(key: number): number {
    const keys = this.keyArray;
    let hi = this.count; // keys[hi..] are all > key
    let step = 1;
    let lo = hi - step;
    while (lo >= 0 && keys[lo]! > key) {
      hi = lo;
      step <<= 1;
      lo = hi - step;
    }
    if (lo < 0) lo = 0;
    // Now keys[lo - 1] <= key (or lo = 0) and keys[hi..] > key: bisect [lo, hi).
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid;
      else return mid;
    }
    return -(lo + 1);
  }

  /** Inserts `key` → `slot` at `index` (an insertion point from `find`). */
  insertAt(index: number, key: number, slot: number): void {
    if (this.count === this.keyArray.length) this.grow();
    const keys = this.keyArray;
    const slots = this.slotArray;
    // A plain loop: the move is short near the top, where a native copyWithin call costs more.
    for (let i = this.count; i > index; i--) {
      keys[i] = keys[i - 1]!;
      slots[i] = slots[i - 1]!;
    }
    keys[index] = key;
    slots[index] = slot;
    this.count++;
  }

  removeAt(index: number): void {
    const keys = this.keyArray;
    const slots = this.slotArray;
    const last = --this.count;
    for (let i = index; i < last; i++) {
      keys[i] = keys[i + 1]!;
      slots[i] = slots[i + 1]!;
    }
  }

  clear(): void {
    this.count = 0;
  }

  private grow(): void {
    const keys = new Float64Array(this.keyArray.length * 2);
    const slots = new Int32Array(this.slotArray.length * 2);
    keys.set(this.keyArray);
    slots.set(this.slotArray);
    this.keyArray = keys;
    this.slotArray = slots;
  }
}
