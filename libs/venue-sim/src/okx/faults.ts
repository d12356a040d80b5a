/**
 * Faults the reliability tests inject at run time. A REST rule applies to the next `times`
 * requests that match it (all of them when `times` is omitted); rules are tried in the order
 * they were added. `stage` says whether the venue applies the request before the fault
 * (`after_apply`: the order exists, the client cannot know) or not at all/later.
 */
export type OkxFault =
  /** Answer `ms` late. `before_apply`: the request also reaches the venue `ms` late. */
  | { readonly kind: 'delay'; readonly ms: number; readonly stage: 'before_apply' | 'after_apply' }
  /** Answer with this HTTP status and OKX's system-error body; nothing is applied. */
  | { readonly kind: 'server_error'; readonly status: 500 | 502 | 503 | 504 }
  /** Answer 429 / 50011 as if the rate limit were reached; nothing is applied. */
  | { readonly kind: 'rate_limit' }
  /** Destroy the TCP connection without an answer, before or after applying the request. */
  | { readonly kind: 'drop'; readonly stage: 'before_apply' | 'after_apply' };

export interface OkxFaultRule {
  readonly fault: OkxFault;
  /** Which requests: an upper-case method and/or a path (`/api/v5/trade/order`); any when omitted. */
  readonly method?: string;
  readonly path?: string;
  /** How many matching requests it hits; every one when omitted. */
  readonly times?: number;
}

export interface OkxWsFaults {
  /** Delay of `login`/`subscribe`/`unsubscribe` answers, ms. */
  ackDelayMs: number;
  /** Delay of every channel push, ms (order is kept). */
  pushDelayMs: number;
}

export class OkxFaults {
  private rules: { rule: OkxFaultRule; remaining: number }[] = [];
  /** Requests a fault was applied to, by kind: the tests' evidence that a fault fired. */
  readonly fired = { delay: 0, server_error: 0, rate_limit: 0, drop: 0 };
  readonly ws: OkxWsFaults = { ackDelayMs: 0, pushDelayMs: 0 };

  add(rule: OkxFaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
    this.ws.ackDelayMs = 0;
    this.ws.pushDelayMs = 0;
  }

  /** The fault for this request, if any (and counts it against its rule). */
  take(method: string, path: string): OkxFault | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (entry.remaining <= 0) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.path !== undefined && rule.path !== path) continue;
      entry.remaining--;
      this.fired[rule.fault.kind]++;
      return rule.fault;
    }
    return undefined;
  }
}
