import type { ClientOrderId } from './matching-types';

const NONE = -1;

/**
 * What the matching engine keeps about each resting order besides what the book holds (id, side,
 * price, remaining lots, queue place): its total quantity (so filled = quantity - remaining), owner,
 * self-trade prevention mode, post-only flag and client order id. Struct-of-arrays indexed by a
 * slot that the book stores as the order's tag, so a fill reads the maker's data without an id
 * lookup; slots are recycled through a free list and the arrays only grow by doubling.
 */
export class RestingOrders {
  quantity: Float64Array;
  owner: Int32Array;
  stp: Uint8Array;
  postOnly: Uint8Array;
  readonly clientIds: (ClientOrderId | undefined)[] = [];
  private nextFree: Int32Array;
  private free = NONE;
  private used = 0;

  constructor(initialCapacity = 1024) {
    const n = Math.max(4, initialCapacity | 0);
    this.quantity = new Float64Array(n);
    this.owner = new Int32Array(n);
    this.stp = new Uint8Array(n);
    this.postOnly = new Uint8Array(n);
    this.nextFree = new Int32Array(n);
  }

  alloc(quantity: number, owner: number, stp: number, postOnly: boolean, clientOrderId: ClientOrderId | undefined): number {
    let slot = this.free;
    if (slot !== NONE) {
      this.free = this.nextFree[slot]!;
    } else {
      if (this.used === this.quantity.length) this.grow();
      slot = this.used++;
    }
    this.quantity[slot] = quantity;
    this.owner[slot] = owner;
    this.stp[slot] = stp;
    this.postOnly[slot] = postOnly ? 1 : 0;
    this.clientIds[slot] = clientOrderId;
    return slot;
  }

  release(slot: number): void {
    this.clientIds[slot] = undefined;
    this.nextFree[slot] = this.free;
    this.free = slot;
  }

  private grow(): void {
    const n = this.quantity.length * 2;
    this.quantity = grown(this.quantity, new Float64Array(n));
    this.owner = grown(this.owner, new Int32Array(n));
    this.stp = grown(this.stp, new Uint8Array(n));
    this.postOnly = grown(this.postOnly, new Uint8Array(n));
    this.nextFree = grown(this.nextFree, new Int32Array(n));
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
