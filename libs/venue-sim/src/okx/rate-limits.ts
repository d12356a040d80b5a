/**
 * OKX's published REST rate limits (https://www.okx.com/docs-v5/en/, each endpoint's "Rate
 * Limit" and "Rate limit rule" lines) and a counter that enforces them.
 *
 * OKX states a limit as "N requests per 2 seconds" without saying how it counts; the server
 * reads it in the strictest way a client must respect: at most N in any window of that length
 * (a sliding window), so a client that passes here passes a fixed-window or token-bucket venue too.
 */
export type RateScope = 'user' | 'user_instrument' | 'ip_instType';

export interface OkxRateLimit {
  readonly requests: number;
  readonly windowMs: number;
  readonly scope: RateScope;
  /** `order`: each order of a batch counts, not the request. */
  readonly unit: 'request' | 'order';
}

const perUser = (requests: number): OkxRateLimit => ({ requests, windowMs: 2_000, scope: 'user', unit: 'request' });
const perInstrument = (requests: number, unit: 'request' | 'order' = 'request'): OkxRateLimit => ({ requests, windowMs: 2_000, scope: 'user_instrument', unit });

/** Keyed by `METHOD path`. */
export const OKX_RATE_LIMITS: Readonly<Record<string, OkxRateLimit>> = Object.freeze({
  'POST /api/v5/trade/order': perInstrument(60),
  // A batch holding a single order consumes the place-order limit instead (OKX's note on batch endpoints).
  'POST /api/v5/trade/batch-orders': perInstrument(300, 'order'),
  'POST /api/v5/trade/cancel-order': perInstrument(60),
  'POST /api/v5/trade/cancel-batch-orders': perInstrument(300, 'order'),
  'POST /api/v5/trade/amend-order': perInstrument(60),
  'POST /api/v5/trade/amend-batch-orders': perInstrument(300, 'order'),
  'GET /api/v5/trade/order': perInstrument(60),
  'GET /api/v5/trade/orders-pending': perUser(60),
  'GET /api/v5/trade/orders-history': perUser(40),
  'GET /api/v5/trade/fills': perUser(60),
  'GET /api/v5/trade/fills-history': perUser(10),
  'GET /api/v5/account/balance': perUser(10),
  'GET /api/v5/public/instruments': { requests: 20, windowMs: 2_000, scope: 'ip_instType', unit: 'request' },
});

/** The single-order endpoint whose limit a one-order batch consumes. */
export const OKX_SINGLE_OF_BATCH: Readonly<Record<string, string>> = Object.freeze({
  'POST /api/v5/trade/batch-orders': 'POST /api/v5/trade/order',
  'POST /api/v5/trade/cancel-batch-orders': 'POST /api/v5/trade/cancel-order',
  'POST /api/v5/trade/amend-batch-orders': 'POST /api/v5/trade/amend-order',
});

/** OKX's sub-account limit on new and amended orders, batches counted per order, beside the per-instrument ones. */
export const OKX_ACCOUNT_ORDER_LIMIT: OkxRateLimit = Object.freeze({ requests: 1_000, windowMs: 2_000, scope: 'user', unit: 'order' });

export interface RateCharge {
  /** Identifies one counter: endpoint and scope key. */
  readonly bucket: string;
  readonly limit: OkxRateLimit;
  readonly count: number;
}

/** Sliding-window counters: a request is admitted only if every counter it charges has room. */
export class SlidingWindowCounters {
  private readonly windows = new Map<string, number[]>();

  /** Admits and records the charges together, or records nothing and returns false. */
  admit(charges: readonly RateCharge[], nowMs: number): boolean {
    for (const charge of charges) {
      const times = this.pruned(charge.bucket, charge.limit.windowMs, nowMs);
      if (times.length + charge.count > charge.limit.requests) return false;
    }
    for (const charge of charges) {
      const times = this.windows.get(charge.bucket) ?? [];
      for (let i = 0; i < charge.count; i++) times.push(nowMs);
      this.windows.set(charge.bucket, times);
    }
    return true;
  }

  private pruned(bucket: string, windowMs: number, nowMs: number): number[] {
    const times = this.windows.get(bucket);
    if (times === undefined) return [];
    let drop = 0;
    while (drop < times.length && times[drop]! <= nowMs - windowMs) drop++;
    if (drop > 0) times.splice(0, drop);
    return times;
  }
}
