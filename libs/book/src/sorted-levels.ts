import type { Decimal } from '@meridian/domain';
import type { Level } from './types';

/**
 * One side of an L2 book as an array sorted with the BEST level LAST (bids ascending, asks
 * descending). Callers see best-first indexes (`at(0)` is the best level).
 *
 * A sorted array rather than a tree: books are shallow, most updates land near the top, and
 * best-first iteration and depth slices become plain index walks with no allocation. Best-last
 * because inserting or removing near the top then moves only the few levels above it.
 */
export class SortedLevels {
  /** Worst first, best last. */
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

  /** The level `index` places from the top (0 = best). */
  at(index: number): Level | undefined {
    return index < 0 ? undefined : this.items[this.items.length - 1 - index];
  }

  best(): Level | undefined {
    return this.items[this.items.length - 1];
  }

  /** Orders two prices the way callers see this side: negative when `a` is the better price. */
  compare(a: Decimal, b: Decimal): number {
    const c = a.cmp(b);
    return this.descending ? -c : c;
  }

  /**
   * The storage index of `price` when present, else `-(insertionPoint + 1)`. Storage runs worst to
   * best, so "a before b in storage" means "a is worse": compare with the sign flipped.
   */
  private search(price: Decimal): number {
    const items = this.items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = -this.compare(items[mid]!.price, price);
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
    const removed = this.items[i];
    this.items.splice(i, 1);
    return removed;
  }

  /** Installs levels the caller already sorted best first and de-duplicated, taking the array itself (reversed in place): the caller must not keep it. */
  adoptBestFirst(sortedBestFirst: Level[]): void {
    this.mutations++;
    this.items = sortedBestFirst.reverse();
  }

  /** Up to `count` levels, best first (a copy). */
  slice(count: number): Level[] {
    const items = this.items;
    const out: Level[] = [];
    for (let i = items.length - 1; i >= 0 && out.length < count; i--) out.push(items[i]!);
    return out;
  }
}
