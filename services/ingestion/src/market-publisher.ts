import type { Bus } from '@meridian/bus';
import { BookUpdateBatch, TradeBatch } from '@meridian/proto';
import type { MessageCodec } from '@meridian/proto';
import type { NormalizedBookUpdate, NormalizedTrade } from '@meridian/venues';
import { BatchEncoder } from './batch-encoder';

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

interface EncodedBatch {
  readonly bytes: Uint8Array;
  readonly events: number;
}

/** One subject's events on their way: the open batch, and full ones waiting for an in-flight slot. */
interface Pending {
  readonly kind: Kind;
  readonly venue: string;
  readonly symbol: string;
  readonly subject: string;
  readonly encoder: BatchEncoder;
  readonly full: EncodedBatch[];
}

/**
 * A batch message whose bytes `BatchEncoder` already wrote: the bus writes them as they are into
 * a writer of the batch's own codec. Decoding gives the bytes of the decoded batch, so the codec
 * stays honest if something reads with it.
 */
function preEncoded<T>(batch: MessageCodec<T>, empty: T): MessageCodec<Uint8Array> {
  return {
    encode: (bytes, writer) => (writer ?? batch.encode(empty)).raw(bytes),
    decode: (input, length) => batch.encode(batch.decode(input, length)).finish(),
    fromPartial: (object) => (object instanceof Uint8Array ? object : new Uint8Array(0)),
    toJSON: (bytes) => batch.toJSON(batch.decode(bytes)),
  };
}

const TRADE_BATCH_BYTES = preEncoded(TradeBatch, { trades: [] });
const BOOK_BATCH_BYTES = preEncoded(BookUpdateBatch, { updates: [] });

/**
 * Normalised events to JetStream, batched per symbol and kind.
 *
 * A JetStream publish with file storage costs tens of microseconds and an event well under one,
 * so events of one subject travel together: a batch leaves when it reaches `maxBatch` events or
 * its oldest event has waited `flushMs`, and while `maxInFlight` publishes await their acks new
 * events simply join bigger batches (adaptive batching: light load keeps latency, heavy load keeps
 * throughput). Messages of one subject leave in order on one connection, so order is kept.
 *
 * Each event is encoded into its subject's batch message when it arrives (`BatchEncoder`): what
 * waits is bytes (~60 per event), and a batch leaves as those bytes, with no wire objects built
 * and encoded again per publish.
 */
export class MarketPublisher {
  /** Per kind, venue and symbol (nested: no key string per event). */
  private readonly bySubject = { trade: new Map<string, Map<string, Pending>>(), book: new Map<string, Map<string, Pending>>() };
  /** Every subject in the order it first appeared: the order batches leave in. */
  private readonly subjects: Pending[] = [];
  /** The subject of the last event of each kind: a frame's events share it. */
  private lastTrade: Pending | undefined;
  private lastBook: Pending | undefined;
  private bufferedEvents = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly settled = new Set<Promise<void>>();
  private capacityWaiters: (() => void)[] = [];
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.flush();
  };

  constructor(
    private readonly bus: Bus,
    private readonly options: MarketPublisherOptions,
    private readonly hooks: MarketPublisherHooks,
  ) {}

  get buffered(): number {
    return this.bufferedEvents;
  }

  trade(t: NormalizedTrade): void {
    if (this.bufferedEvents >= this.options.maxBuffered) return this.hooks.dropped('trade', 1);
    let p = this.lastTrade;
    if (p === undefined || p.symbol !== t.symbol || p.venue !== t.venue) p = this.lastTrade = this.pendingFor('trade', t.venue, t.symbol);
    try {
      p.encoder.trade(t);
    } catch (err) {
      // An event the wire cannot carry (a time beyond int64): that event fails, the batch goes on.
      return this.hooks.failed('trade', 1, err);
    }
    this.added(p);
  }

  book(u: NormalizedBookUpdate): void {
    if (this.bufferedEvents >= this.options.maxBuffered) return this.hooks.dropped('book', 1);
    let p = this.lastBook;
    if (p === undefined || p.symbol !== u.symbol || p.venue !== u.venue) p = this.lastBook = this.pendingFor('book', u.venue, u.symbol);
    try {
      p.encoder.book(u);
    } catch (err) {
      return this.hooks.failed('book', 1, err);
    }
    this.added(p);
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

  private pendingFor(kind: Kind, venue: string, symbol: string): Pending {
    let byVenue = this.bySubject[kind].get(venue);
    if (!byVenue) {
      byVenue = new Map();
      this.bySubject[kind].set(venue, byVenue);
    }
    let p = byVenue.get(symbol);
    if (!p) {
      const subject = this.bus.subjects.marketData(venue, symbol, kind === 'trade' ? 'trades' : 'book');
      p = { kind, venue, symbol, subject, encoder: new BatchEncoder(venue, symbol), full: [] };
      byVenue.set(symbol, p);
      this.subjects.push(p);
    }
    return p;
  }

  private added(p: Pending): void {
    this.bufferedEvents++;
    if (p.encoder.events >= this.options.maxBatch) {
      p.full.push(p.encoder.take());
      this.flush();
    } else {
      this.timer ??= setTimeout(this.onTimer, this.options.flushMs);
    }
  }

  private flush(): void {
    for (const p of this.subjects) {
      while (this.inFlight < this.options.maxInFlight) {
        const batch = p.full.length > 0 ? p.full.shift()! : p.encoder.events > 0 ? p.encoder.take() : undefined;
        if (batch === undefined) break;
        this.send(p, batch);
      }
    }
    if (this.bufferedEvents > 0 && this.inFlight < this.options.maxInFlight) {
      this.timer ??= setTimeout(this.onTimer, this.options.flushMs);
    }
  }

  private send(p: Pending, batch: EncodedBatch): void {
    this.inFlight++;
    const events = batch.events;
    const publish = this.bus.publish(p.subject, p.kind === 'trade' ? TRADE_BATCH_BYTES : BOOK_BATCH_BYTES, batch.bytes);
    const done: Promise<void> = publish
      .then(
        () => this.hooks.published(p.kind, events, 1),
        (err: unknown) => this.hooks.failed(p.kind, events, err),
      )
      .finally(() => {
        this.inFlight--;
        this.bufferedEvents -= events;
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
