import { FeedConfigError } from './errors';

export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs: number;
  /** Largest delay, ms. */
  readonly maxMs: number;
  /** Growth per attempt. */
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 250, maxMs: 30_000, factor: 2 });

/**
 * Exponential backoff with "full jitter" (a uniform delay between 0 and the exponential cap):
 * after a venue-wide outage, thousands of clients reconnecting on the same schedule would knock
 * the venue over again; spreading them uniformly is what AWS's analysis found best.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {
    const { initialMs, maxMs, factor } = options;
    if (!(initialMs > 0)) throw new FeedConfigError('backoff.initialMs', initialMs, 'must be positive');
    if (!(maxMs >= initialMs)) throw new FeedConfigError('backoff.maxMs', maxMs, 'must be at least initialMs');
    if (!(factor >= 1)) throw new FeedConfigError('backoff.factor', factor, 'must be at least 1');
  }

  /** The delay before the next attempt, ms; grows with each call until `reset`. */
  next(): number {
    const cap = Math.min(this.options.maxMs, this.options.initialMs * this.options.factor ** this.attempt);
    this.attempt++;
    return Math.round(this.random() * cap);
  }

  /** Call once a connection proved healthy, so the next outage starts from the first delay. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
