import type { Decimal } from '@meridian/domain';
import type { Level } from './types';

/**
 * One side of a book as an array sorted best first (bids descending, asks ascending).
 *
 * A sorted array rather than a tree: books are shallow, most updates land near the top, and
 * best-first iteration and depth slices become plain index walks with no allocation.
 */
export class SortedLevels {
  private items: Level[] = [];
  /** Bumped on every mutation, so a live iterator can tell the array moved under it. */
  private mutations = 0;

  constructor(private readonly descending: boolean) {}

  get length(): number {
    return this.items.length;
  }

  get version(): number {
    return this.mutations;
  }

  at(index: number): Level | undefined {
    return this.items[index];
  }

  best(): Level | undefined {
    return this.items[0];
  }

  /** Orders two prices the way this side is sorted: negative when `a` is the better price. */
  compare(a: Decimal, b: Decimal): number {
    const c = a.cmp(b);
    return this.descending ? -c : c;
  }

  /** The index of `price` when present, else `-(insertionPoint + 1)`: one search serves get, set and remove. */
  private search(price: Decimal): number {
    const items = this.items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(items[mid]!.price, price);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid;
      else return mid;
    }
    return -(lo + 1);
  }

  get(price: Decimal): Level | undefined {
    const i = this.search(price);
    return i >= 0 ? this.items[i] : undefined;
  }

  /** Inserts or replaces the level at `level.price`; returns the level it replaced. */
  set(level: Level): Level | undefined {
    const i = this.search(level.price);
    this.mutations++;
    if (i >= 0) {
      const previous = this.items[i];
      this.items[i] = level;
      return previous;
    }
    this.items.splice(-(i + 1), 0, level);
    return undefined;
  }

  /** Removes the level at `price`; returns it, or undefined when there was none. */
  remove(price: Decimal): Level | undefined {
    const i = this.search(price);
    if (i < 0) return undefined;
    this.mutations++;
    return this.items.splice(i, 1)[0];
  }

  /** Installs levels the caller already sorted best first and de-duplicated. */
  replaceAll(sorted: Level[]): void {
    this.mutations++;
    this.items = sorted;
  }

  slice(count: number): Level[] {
    return this.items.slice(0, count);
  }
}
