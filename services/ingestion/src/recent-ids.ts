/**
 * The last `capacity` distinct ids seen, oldest forgotten first: the validator's memory of trade
 * ids, to refuse a trade a venue sends again after a reconnect.
 *
 * A ring of the ids in arrival order plus an open-addressing index into it (linear probing,
 * deletion by backward shift), both allocated once. A `Set` churned like this (one delete and one
 * add per trade) rebuilds its table every few thousand ids; at venue rates that is megabytes a
 * second of tables that only a full GC returns, where this allocates nothing per id.
 */
export class RecentIds {
  /** Ids in arrival order; once full, the oldest is at `cursor`. */
  private readonly ring: string[] = [];
  /** The hash of each ring entry, so moving an index slot needs no rehash. */
  private readonly hashes: Int32Array;
  /** Ring position + 1 per index slot; 0 is an empty slot. At most half full. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private cursor = 0;

  readonly capacity: number;

  /** `capacity` is read as a whole number of ids, at least 0 (0 remembers nothing). */
  constructor(capacity: number) {
    this.capacity = Math.max(0, Math.floor(capacity));
    let size = 2;
    while (size < this.capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.hashes = new Int32Array(this.capacity);
  }

  get size(): number {
    return this.ring.length;
  }

  has(id: string): boolean {
    const { slots, ring, mask } = this;
    for (let i = hash(id) & mask; slots[i] !== 0; i = (i + 1) & mask) {
      if (ring[slots[i]! - 1] === id) return true;
    }
    return false;
  }

  /** Remembers an id that `has` just said is not remembered, forgetting the oldest when full. */
  add(id: string): void {
    if (this.capacity === 0) return;
    const h = hash(id);
    let at: number;
    if (this.ring.length < this.capacity) {
      at = this.ring.length;
      this.ring.push(id);
    } else {
      at = this.cursor;
      this.unindex(at);
      this.ring[at] = id;
      this.cursor = at + 1 === this.capacity ? 0 : at + 1;
    }
    this.hashes[at] = h;
    const { slots, mask } = this;
    let i = h & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = at + 1;
  }

  /** Takes ring position `at` out of the index, shifting later entries of its probe run back. */
  private unindex(at: number): void {
    const { slots, hashes, mask } = this;
    let i = hashes[at]! & mask;
    while (slots[i] !== at + 1) i = (i + 1) & mask;
    slots[i] = 0;
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const home = hashes[slots[j]! - 1]! & mask;
      // Move j back into the hole when its home is not in the cyclic range (i, j].
      const homeInRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!homeInRange) {
        slots[i] = slots[j]!;
        slots[j] = 0;
        i = j;
      }
    }
  }
}

/** FNV-1a over the UTF-16 code units. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
