import type { Bus } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { Bar, barToWire } from '@meridian/proto';
import { createBarAggregator } from '@meridian/signals';
import type { BarAggregator, BarAggregatorOptions, BarAggregatorStats, BarTrade, ExactBar } from '@meridian/signals';

export interface BarPublisherOptions {
  readonly venue: string;
  readonly symbol: string;
  /** Interval tokens, time and volume alike: `1s`, `1m`, `5m`, `v10`. */
  readonly intervals: readonly string[];
  /** Grace, late retention and empty-bar cap of the time bars (see @meridian/signals). */
  readonly aggregation?: BarAggregatorOptions;
  /** Tries of one publish before the bar is given up and reported failed (default 3). */
  readonly maxAttempts?: number;
  /** Wait before the n-th retry is n × this, ms (default 200). */
  readonly retryDelayMs?: number;
}

/** Where the publisher reports; the service backs these with metrics and logs. */
export interface BarPublisherHooks {
  /** `duplicate`: JetStream had this bar revision already (a retried publish). */
  published(bar: Bar, duplicate: boolean): void;
  /** Every try failed: the bar is missing from the stream (a later revision may still replace it). */
  failed(bar: Bar, err: unknown): void;
}

/** The message id of one bar revision: a retry of the same revision is a duplicate JetStream drops. */
export function barMessageId(bar: Pick<Bar, 'venue' | 'symbol' | 'interval' | 'startTsNs' | 'revision'>): string {
  return `bar-${bar.venue}-${bar.symbol}-${bar.interval}-${bar.startTsNs}-r${bar.revision}`;
}

/**
 * Bars of one (venue, symbol) from its normalised trades: one aggregator per configured interval,
 * every emitted bar published on `md.<venue>.<symbol>.bars.<interval>` with a message id per bar
 * revision. A clock (`startClock`, or `advanceTo` from the owner's timer) closes time bars when
 * the market is quiet.
 *
 * `trade` and `advanceTo` are synchronous, as a feed's sink is; publishing runs behind them in
 * emission order (one publish at a time, so a bar's revisions arrive in order), each retried with
 * the same message id, then reported failed. Trades must be validated already: an aggregator
 * throws on a non-positive price or size.
 */
export class BarPublisher {
  private readonly aggregators: { readonly subject: string; readonly agg: BarAggregator }[];
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private queue: Promise<void> = Promise.resolve();
  private pendingBars = 0;
  private clock: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly options: BarPublisherOptions,
    private readonly hooks: BarPublisherHooks,
  ) {
    // Building the subjects checks venue, symbol and intervals as subject tokens up front.
    this.aggregators = options.intervals.map((interval) => {
      const agg = createBarAggregator(interval, options.aggregation);
      return { agg, subject: bus.subjects.bars(options.venue, options.symbol, agg.interval.token) };
    });
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  /** Bars emitted but not yet published (or given up). */
  get pending(): number {
    return this.pendingBars;
  }

  /** What each interval's aggregator did with the trades, by interval token. */
  stats(): Record<string, Readonly<BarAggregatorStats>> {
    return Object.fromEntries(this.aggregators.map(({ agg }) => [agg.interval.token, agg.stats]));
  }

  trade(trade: BarTrade): void {
    for (const { subject, agg } of this.aggregators) this.enqueue(subject, agg.addTrade(trade));
  }

  /** Moves every aggregator's clock (ns since the epoch): a quiet market's bars close on time. */
  advanceTo(tsNs: bigint): void {
    for (const { subject, agg } of this.aggregators) this.enqueue(subject, agg.advanceTo(tsNs));
  }

  /** Ticks the clock every `periodMs` from `now` (the wall clock by default) until `stopClock`. */
  startClock(periodMs: number, now: () => bigint = nowNanos): void {
    this.stopClock();
    this.clock = setInterval(() => this.advanceTo(now()), periodMs);
    this.clock.unref();
  }

  stopClock(): void {
    if (this.clock !== undefined) clearInterval(this.clock);
    this.clock = undefined;
  }

  /** End of data: publishes the bars still open, then waits for every publish. */
  async flush(): Promise<void> {
    for (const { subject, agg } of this.aggregators) this.enqueue(subject, agg.flush());
    await this.settled();
  }

  /** Resolves once every bar emitted so far is published or reported failed. */
  async settled(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.queue) {
      last = this.queue;
      await last;
    }
  }

  /** Stops the clock and waits for what is queued; open bars stay unpublished (use `flush` first for those). */
  async stop(): Promise<void> {
    this.stopClock();
    await this.settled();
  }

  private enqueue(subject: string, bars: readonly ExactBar[]): void {
    for (const exact of bars) {
      const bar = this.toWire(exact);
      this.pendingBars += 1;
      this.queue = this.queue.then(() => this.publish(subject, bar)).finally(() => (this.pendingBars -= 1));
    }
  }

  private async publish(subject: string, bar: Bar): Promise<void> {
    const msgId = barMessageId(bar);
    for (let attempt = 1; ; attempt++) {
      let duplicate: boolean;
      try {
        duplicate = (await this.bus.publish(subject, Bar, bar, { msgId })).duplicate;
      } catch (err) {
        if (attempt >= this.maxAttempts) {
          this.hooks.failed(bar, err);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
        continue;
      }
      this.hooks.published(bar, duplicate);
      return;
    }
  }

  private toWire(b: ExactBar): Bar {
    return barToWire({ ...b, venue: this.options.venue, symbol: this.options.symbol });
  }
}
