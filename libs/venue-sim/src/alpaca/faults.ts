import { SimConfigError } from '../errors';

// Faults a reliability test switches on while the server runs. A rule matches requests by
// method and path (a prefix, or a pattern) and fires for its next `times` matches.

export interface FaultMatch {
  /** `GET`, `POST`, `DELETE`, `PATCH`; any when absent. */
  readonly method?: string;
  /** A path prefix (`/v2/orders`) or a pattern; any when absent. */
  readonly path?: string | RegExp;
  /** How many matching requests it affects (default 1; `Infinity` until cleared). */
  readonly times?: number;
}

export type FaultAction =
  /** Wait `ms` before handling (`before`) or after applying and before answering (`after`). */
  | { readonly kind: 'delay'; readonly ms: number; readonly when: 'before' | 'after' }
  /** Answer this status (500, 502, 503, 504) without applying the request. */
  | { readonly kind: 'error'; readonly status: number }
  /** Answer 429 without applying the request (a burst of rate limiting). */
  | { readonly kind: 'rate_limit' }
  /** Close the TCP connection without an answer: `before` applying the request, or `after` it (the client cannot know it was applied). */
  | { readonly kind: 'drop'; readonly when: 'before' | 'after' };

interface Rule {
  readonly match: FaultMatch;
  readonly action: FaultAction;
  remaining: number;
}

/** What the faults in force do to one request. */
export interface RequestFaults {
  readonly delayBeforeMs: number;
  readonly delayAfterMs: number;
  readonly errorStatus: number | undefined;
  readonly rateLimited: boolean;
  readonly dropBefore: boolean;
  readonly dropAfter: boolean;
}

const NONE: RequestFaults = { delayBeforeMs: 0, delayAfterMs: 0, errorStatus: undefined, rateLimited: false, dropBefore: false, dropAfter: false };

/** The fault-injection hooks of a running `AlpacaSimServer` (`server.faults`). */
export class AlpacaFaults {
  private rules: Rule[] = [];
  private streamDelay = 0;
  /** Requests each rule affected, for tests that want to see a fault happen. */
  fired = 0;

  /** Delays matching responses by `ms` (before handling by default). */
  delay(ms: number, match: FaultMatch = {}, when: 'before' | 'after' = 'before'): this {
    return this.add(match, { kind: 'delay', ms, when });
  }

  /** Answers matching requests with a 5xx, unapplied. */
  fail(status: 500 | 502 | 503 | 504, match: FaultMatch = {}): this {
    return this.add(match, { kind: 'error', status });
  }

  /** Answers the next `times` matching requests with 429, unapplied. */
  rateLimit(match: FaultMatch = {}): this {
    return this.add(match, { kind: 'rate_limit' });
  }

  /** Drops the connection of matching requests, before or after applying them. */
  drop(when: 'before' | 'after', match: FaultMatch = {}): this {
    return this.add(match, { kind: 'drop', when });
  }

  /** Holds every `trade_updates` event this long before sending it (order kept). */
  delayStream(ms: number): this {
    if (!(ms >= 0)) throw new SimConfigError('faults.delayStream', ms, 'must be >= 0 ms');
    this.streamDelay = ms;
    return this;
  }

  get streamDelayMs(): number {
    return this.streamDelay;
  }

  clear(): void {
    this.rules = [];
    this.streamDelay = 0;
  }

  /** Consumes the rules that match this request and says what they do to it. */
  take(method: string, path: string): RequestFaults {
    if (this.rules.length === 0) return NONE;
    let delayBeforeMs = 0;
    let delayAfterMs = 0;
    let errorStatus: number | undefined;
    let rateLimited = false;
    let dropBefore = false;
    let dropAfter = false;
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !matches(rule.match, method, path)) continue;
      rule.remaining -= 1;
      this.fired += 1;
      const a = rule.action;
      if (a.kind === 'delay') {
        if (a.when === 'before') delayBeforeMs += a.ms;
        else delayAfterMs += a.ms;
      } else if (a.kind === 'error') errorStatus ??= a.status;
      else if (a.kind === 'rate_limit') rateLimited = true;
      else if (a.when === 'before') dropBefore = true;
      else dropAfter = true;
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return { delayBeforeMs, delayAfterMs, errorStatus, rateLimited, dropBefore, dropAfter };
  }

  private add(match: FaultMatch, action: FaultAction): this {
    const times = match.times ?? 1;
    if (!(times > 0)) throw new SimConfigError('faults.times', times, 'must be positive');
    if (action.kind === 'delay' && !(action.ms >= 0)) throw new SimConfigError('faults.delay', action.ms, 'must be >= 0 ms');
    this.rules.push({ match, action, remaining: times });
    return this;
  }
}

function matches(match: FaultMatch, method: string, path: string): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? path.startsWith(match.path) : match.path.test(path);
}
