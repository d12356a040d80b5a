import { L2Book } from '@meridian/book';
import type { Bus } from '@meridian/bus';
import { Decimal, nowNanos } from '@meridian/domain';
import { BookUpdateBatch } from '@meridian/proto';
import type { BookUpdate, PriceLevel } from '@meridian/proto';

/** [price, size] as the wire spells them. */
export type Lv = readonly [string, string];

export interface Change {
  bids?: readonly Lv[];
  asks?: readonly Lv[];
}

const wire = (levels: readonly Lv[] = []): PriceLevel[] => levels.map(([price, size]) => ({ price, size }));
const exact = (levels: readonly Lv[] = []) => levels.map(([p, s]) => ({ price: Decimal.parse(p), size: Decimal.parse(s) }));

/**
 * Plays a venue for one symbol: publishes BookUpdateBatch messages with contiguous sequence
 * numbers on md.<venue>.<symbol>.book, and folds the same updates into a reference L2Book that
 * never restarts: what the service's book must equal.
 */
export class VenueFeed {
  readonly reference: L2Book;
  private nextSeq: bigint;
  /** MARKET stream sequence of the last message published. */
  lastStreamSeq = 0;

  constructor(
    private readonly bus: Bus,
    readonly venue: string,
    readonly symbol: string,
    firstSeq: bigint,
  ) {
    this.reference = new L2Book(symbol);
    this.nextSeq = firstSeq;
  }

  get lastSeq(): bigint {
    return this.nextSeq - 1n;
  }

  /** One message holding a whole-book snapshot. */
  snapshot(bids: readonly Lv[], asks: readonly Lv[]): Promise<number> {
    return this.publish([{ snapshot: true, bids, asks }]);
  }

  /** One message holding one delta per change, in order. */
  deltas(...changes: Change[]): Promise<number> {
    return this.publish(changes.map((c) => ({ snapshot: false, ...c })));
  }

  /** One message mixing deltas and snapshots, e.g. the venue resynchronising mid-batch. */
  async publish(updates: readonly (Change & { snapshot: boolean })[]): Promise<number> {
    const wireUpdates: BookUpdate[] = updates.map((u) => {
      const seq = this.nextSeq++;
      const bids = exact(u.bids);
      const asks = exact(u.asks);
      if (u.snapshot) this.reference.applySnapshot(seq, bids, asks);
      else this.reference.applyDelta(seq, bids, asks);
      const now = nowNanos();
      return { venue: this.venue, symbol: this.symbol, seq, snapshot: u.snapshot, bids: wire(u.bids), asks: wire(u.asks), tsNs: now, receivedTsNs: now };
    });
    const { seq } = await this.bus.publish(this.bus.subjects.marketData(this.venue, this.symbol, 'book'), BookUpdateBatch, {
      updates: wireUpdates,
    });
    this.lastStreamSeq = seq;
    return seq;
  }

  /** Loses `count` sequence numbers, as a dropped venue message would. */
  skip(count: bigint): void {
    this.nextSeq += count;
  }

  /** What GetBook must answer at `depth` (levels as strings), from the reference book. */
  expected(depth: number): { seq: bigint; synced: boolean; bids: PriceLevel[]; asks: PriceLevel[] } {
    const d = this.reference.depth(depth);
    const str = (ls: typeof d.bids) => ls.map((l) => ({ price: l.price.toString(), size: l.size.toString() }));
    return { seq: this.reference.seq, synced: this.reference.synced, bids: str(d.bids), asks: str(d.asks) };
  }
}
