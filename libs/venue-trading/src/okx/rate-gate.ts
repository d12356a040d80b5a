/**
 * OKX's published REST limits as the adapter paces them, and the gate that queues requests
 * until they fit.
 *
 * OKX states "N requests per 2 seconds" without saying how it counts. A token bucket with those
 * numbers (N at once, refilled N per 2 s) lets 2N through in one 2-second window, which a venue
 * counting in windows answers with 50011. And a venue counts arrivals, which queueing and the
 * network move by an unknown amount after we send. So the gate counts each request from the
 * moment it is granted until its answer comes back, and a request leaves the window only a
 * window's length after that answer: the venue received it before it answered, so at most N of
 * ours ever fall in any of its windows, however it counts and however late they arrive.
 */
export type OkxEndpoint =
  | 'place'
  | 'batchPlace'
  | 'cancel'
  | 'batchCancel'
  | 'amend'
  | 'batchAmend'
  | 'getOrder'
  | 'ordersPending'
  | 'ordersHistory'
  | 'fills'
  | 'fillsHistory'
  | 'balance'
  | 'instruments';

export interface EndpointLimit {
  readonly requests: number;
  readonly windowMs: number;
  /** `instrument`: counted per user and instrument; `user`: per user; batch endpoints count orders. */
  readonly scope: 'user' | 'instrument';
}

const twoSeconds = (requests: number, scope: 'user' | 'instrument'): EndpointLimit => ({ requests, windowMs: 2_000, scope });

/** https://www.okx.com/docs-v5/en/, each endpoint's "Rate Limit" and "Rate limit rule". */
export const OKX_ENDPOINT_LIMITS: Readonly<Record<OkxEndpoint, EndpointLimit>> = Object.freeze({
  place: twoSeconds(60, 'instrument'),
  batchPlace: twoSeconds(300, 'instrument'),
  cancel: twoSeconds(60, 'instrument'),
  batchCancel: twoSeconds(300, 'instrument'),
  amend: twoSeconds(60, 'instrument'),
  batchAmend: twoSeconds(300, 'instrument'),
  getOrder: twoSeconds(60, 'instrument'),
  ordersPending: twoSeconds(60, 'user'),
  ordersHistory: twoSeconds(40, 'user'),
  fills: twoSeconds(60, 'user'),
  fillsHistory: twoSeconds(10, 'user'),
  balance: twoSeconds(10, 'user'),
  instruments: twoSeconds(20, 'user'),
});

/** OKX's sub-account limit on new and amended orders (batches count each order). */
export const OKX_ORDER_LIMIT: EndpointLimit = Object.freeze({ requests: 1_000, windowMs: 2_000, scope: 'user' });

export interface GateCharge {
  readonly bucket: string;
  readonly limit: EndpointLimit;
  readonly count: number;
}

interface Waiter {
  readonly charges: readonly GateCharge[];
  readonly resolve: (release: () => void) => void;
  readonly reject: (reason: unknown) => void;
}

/** One granted request in a bucket: `at` is when its answer came, +Infinity while it is in flight. */
interface Slot {
  at: number;
}

/**
 * A FIFO queue per bucket: a request waits until every bucket it charges has room, then all are
 * charged at once; a request never overtakes an earlier one on a bucket they share, and a
 * request on a free bucket never waits behind one on a full bucket.
 */
export class RateGate {
  private readonly slots = new Map<string, Slot[]>();
  private queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Added to every window: timer granularity and clock steps. */
    private readonly guardMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Resolves when the request may be sent, with the function to call once its answer (or its
   * failure) is in: until then it counts as sent just now.
   */
  acquire(charges: readonly GateCharge[], signal?: AbortSignal): Promise<() => void> {
    for (const c of charges) {
      if (c.count > c.limit.requests) throw new RangeError(`${c.count} requests can never fit the limit of ${c.limit.requests} of ${c.bucket}`);
    }
    return new Promise<() => void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) {
          this.queue.splice(i, 1);
          reject(signal?.reason);
          this.pump();
        }
      };
      const waiter: Waiter = {
        charges,
        resolve: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Requests waiting for room. */
  get waiting(): number {
    return this.queue.length;
  }

  private grant(waiter: Waiter): void {
    const taken: Slot[] = [];
    for (const c of waiter.charges) {
      const slots = this.slots.get(c.bucket) ?? [];
      for (let i = 0; i < c.count; i++) {
        const slot = { at: Number.POSITIVE_INFINITY };
        slots.push(slot);
        taken.push(slot);
      }
      this.slots.set(c.bucket, slots);
    }
    let released = false;
    waiter.resolve(() => {
      if (released) return;
      released = true;
      const at = this.now();
      for (const slot of taken) slot.at = at;
      this.pump();
    });
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    const blocked = new Set<string>();
    let wakeAt = Number.POSITIVE_INFINITY;
    const still: Waiter[] = [];
    for (const waiter of this.queue) {
      if (waiter.charges.some((c) => blocked.has(c.bucket))) {
        for (const c of waiter.charges) blocked.add(c.bucket);
        still.push(waiter);
        continue;
      }
      let fitsAt = now;
      for (const c of waiter.charges) fitsAt = Math.max(fitsAt, this.fitsAt(c, now));
      if (fitsAt <= now) {
        this.grant(waiter);
      } else {
        for (const c of waiter.charges) blocked.add(c.bucket);
        wakeAt = Math.min(wakeAt, fitsAt);
        still.push(waiter);
      }
    }
    this.queue = still;
    // An infinite wake time waits for an answer to come back: its release pumps again.
    if (still.length > 0 && Number.isFinite(wakeAt)) this.timer = setTimeout(() => this.pump(), Math.max(1, wakeAt - now));
  }

  /** When `charge` fits its bucket (now, or when enough answered requests leave the window; +Infinity: when answers come). */
  private fitsAt(charge: GateCharge, now: number): number {
    const windowMs = charge.limit.windowMs + this.guardMs;
    const slots = this.slots.get(charge.bucket);
    if (slots === undefined) return now;
    const live = slots.filter((s) => s.at > now - windowMs);
    if (live.length !== slots.length) this.slots.set(charge.bucket, live);
    const excess = live.length + charge.count - charge.limit.requests;
    if (excess <= 0) return now;
    const times = live.map((s) => s.at).sort((a, b) => a - b);
    return times[excess - 1]! + windowMs + 1;
  }

  /** Rejects every waiter (the adapter is closing). */
  close(reason: unknown): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiting = this.queue;
    this.queue = [];
    for (const w of waiting) w.reject(reason);
  }
}
