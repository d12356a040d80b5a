import type { Bus } from '@meridian/bus';
import { BookUpdateBatch, TradeBatch, sideToWire } from '@meridian/proto';
import type { BookUpdate, PriceLevel, Trade } from '@meridian/proto';
import type { Level } from '@meridian/book';
import type { NormalizedBookUpdate, NormalizedTrade } from '@meridian/venues';

export interface MarketPublisherOptions {
  /** Most events in one JetStream message. */
  readonly maxBatch: number;
  /** Longest an event waits for its batch to fill, ms. */
  readonly flushMs: number;
  /** Publishes awaiting their JetStream ack; while at the limit, events gather into bigger batches. */
  readonly maxInFlight: number;
  /** Events buffered beyond this are dropped and counted (a live venue cannot be paused). */
  readonly maxBuffered: number;
}

export interface MarketPublisherHooks {
  published(kind: 'trade' | 'book', events: number, messages: number): void;
  failed(kind: 'trade' | 'book', events: number, err: unknown): void;
  dropped(kind: 'trade' | 'book', events: number): void;
}

type Kind = 'trade' | 'book';

interface Pending {
  readonly kind: Kind;
  readonly subject: string;
  items: (Trade | BookUpdate)[];
}

function levelsToWire(levels: readonly Level[]): PriceLevel[] {
  const out = new Array<PriceLevel>(levels.length);
  for (let i = 0; i < levels.length; i++) out[i] = { price: levels[i]!.price.toString(), size: levels[i]!.size.toString() };
  return out;
}

/**
 * Normalised events to JetStream, batched per symbol and kind.
 *
 * A JetStream publish with file storage costs tens of microseconds and an event well under one,
 * so events of one subject travel together: a batch leaves when it reaches `maxBatch` events or
 * its oldest event has waited `flushMs`, and while `maxInFlight` publishes await their acks new
 * events simply join bigger batches (adaptive batching: light load keeps latency, heavy load keeps
 * throughput). Messages of one subject leave in order on one connection, so order is kept.
 */
export class MarketPublisher {
  private readonly pending = new Map<string, Pending>();
  private bufferedEvents = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly settled = new Set<Promise<void>>();
  private capacityWaiters: (() => void)[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly options: MarketPublisherOptions,
    private readonly hooks: MarketPublisherHooks,
  ) {}

  get buffered(): number {
    return this.bufferedEvents;
  }

  trade(t: NormalizedTrade): void {
    const wire: Trade = {
      venue: t.venue,
      symbol: t.symbol,
      tradeId: t.tradeId,
      price: t.price.toString(),
      size: t.size.toString(),
      aggressor: t.aggressor === undefined ? 0 : sideToWire(t.aggressor),
      tsNs: t.tsNs,
      receivedTsNs: t.receivedTsNs,
    };
    this.add('trade', t.venue, t.symbol, wire);
  }

  book(u: NormalizedBookUpdate): void {
    const wire: BookUpdate = {
      venue: u.venue,
      symbol: u.symbol,
      seq: u.seq,
      snapshot: u.snapshot,
      bids: levelsToWire(u.bids),
      asks: levelsToWire(u.asks),
      tsNs: u.tsNs,
      receivedTsNs: u.receivedTsNs,
    };
    this.add('book', u.venue, u.symbol, wire);
  }

  /** Resolves when a pull source (simulator, replay) may produce more: backpressure instead of drops. */
  whenReady(): Promise<void> {
    if (this.bufferedEvents < this.options.maxBuffered / 2) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Publishes everything buffered and waits for every ack (shutdown, end of a replay). */
  async drain(): Promise<void> {
    for (;;) {
      this.flush();
      if (this.bufferedEvents === 0 && this.settled.size === 0) return;
      await Promise.race(this.settled);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private add(kind: Kind, venue: string, symbol: string, item: Trade | BookUpdate): void {
    if (this.bufferedEvents >= this.options.maxBuffered) {
      this.hooks.dropped(kind, 1);
      return;
    }
    const key = `${kind}|${venue}|${symbol}`;
    let p = this.pending.get(key);
    if (!p) {
      const subject = this.bus.subjects.marketData(venue, symbol, kind === 'trade' ? 'trades' : 'book');
      p = { kind, subject, items: [] };
      this.pending.set(key, p);
    }
    p.items.push(item);
    this.bufferedEvents++;
    if (p.items.length >= this.options.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.flushMs);
  }

  private flush(): void {
    for (const p of this.pending.values()) {
      while (p.items.length > 0 && this.inFlight < this.options.maxInFlight) {
        const items = p.items.length <= this.options.maxBatch ? p.items : p.items.slice(0, this.options.maxBatch);
        p.items = items === p.items ? [] : p.items.slice(items.length);
        this.send(p, items);
      }
    }
    if (this.bufferedEvents > 0 && this.inFlight < this.options.maxInFlight) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.options.flushMs);
    }
  }

  private send(p: Pending, items: (Trade | BookUpdate)[]): void {
    this.inFlight++;
    const publish =
      p.kind === 'trade'
        ? this.bus.publish(p.subject, TradeBatch, { trades: items as Trade[] })
        : this.bus.publish(p.subject, BookUpdateBatch, { updates: items as BookUpdate[] });
    const done: Promise<void> = publish.then(
      () => this.hooks.published(p.kind, items.length, 1),
      (err: unknown) => this.hooks.failed(p.kind, items.length, err),
    ).finally(() => {
      this.inFlight--;
      this.bufferedEvents -= items.length;
      this.settled.delete(done);
      if (this.bufferedEvents < this.options.maxBuffered / 2 && this.capacityWaiters.length > 0) {
        const waiters = this.capacityWaiters;
        this.capacityWaiters = [];
        for (const w of waiters) w();
      }
      // Whatever gathered while this batch was out leaves now, as one bigger batch.
      this.flush();
    });
    this.settled.add(done);
  }
}
