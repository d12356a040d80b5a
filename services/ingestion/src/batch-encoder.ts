import { PlatformError } from '@meridian/domain';
import { sideToWire } from '@meridian/proto';
import type { Level } from '@meridian/book';
import type { NormalizedBookUpdate, NormalizedTrade } from '@meridian/venues';

/**
 * `TradeBatch` and `BookUpdateBatch` (meridian/v1/market.proto) written one event at a time as
 * the events arrive, byte for byte what ts-proto's `encode` writes for the whole batch (a test
 * holds the two equal). Both batches are `repeated <Event> = 1`, so a batch message is its
 * entries back to back: one entry per event, appended to a growing buffer, and the batch leaves
 * as the buffer's bytes. That skips the wire objects, the per-field writer calls and the
 * fork/join of every nested message, and a waiting event costs its ~60 bytes instead of a
 * graph of objects.
 *
 * Venue and symbol are the same for every event of a batch (one batch per subject): their
 * fields are encoded once. Fields at their default value are left out, as proto3 and ts-proto do.
 */

// Field tags: (field number << 3) | wire type (0 varint, 2 length-delimited).
const ENTRY = (1 << 3) | 2; // TradeBatch.trades = 1, BookUpdateBatch.updates = 1
const VENUE = (1 << 3) | 2;
const SYMBOL = (2 << 3) | 2;
const TRADE_ID = (3 << 3) | 2;
const TRADE_PRICE = (4 << 3) | 2;
const TRADE_SIZE = (5 << 3) | 2;
const TRADE_AGGRESSOR = (6 << 3) | 0;
const BOOK_SEQ = (3 << 3) | 0;
const BOOK_SNAPSHOT = (4 << 3) | 0;
const BOOK_BIDS = (5 << 3) | 2;
const BOOK_ASKS = (6 << 3) | 2;
const TS_NS = (7 << 3) | 0; // Trade and BookUpdate alike
const RECEIVED_TS_NS = (8 << 3) | 0;
const LEVEL_PRICE = (1 << 3) | 2;
const LEVEL_SIZE = (2 << 3) | 2;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

const EMPTY = new Uint8Array(0);

/** Scratch for splitting a 64-bit value into 32-bit halves (BigUint64 wraps negatives to two's complement). */
const HALVES = new DataView(new ArrayBuffer(8));

/** A value ts-proto would refuse to encode (an int64 out of range): the one event is refused. */
export class UnencodableEventError extends PlatformError {
  constructor(
    readonly field: string,
    readonly value: bigint,
    type: 'int64' | 'uint64',
  ) {
    super('MD_UNENCODABLE_EVENT', `${field} ${value} does not fit a${type === 'int64' ? 'n' : ''} ${type}`);
  }
}

/**
 * One subject's open batch. `trade`/`book` append an event, `take` hands over the batch and
 * starts the next one in the same buffer. Not for mixing kinds: a subject carries one kind.
 */
export class BatchEncoder {
  private buf: Uint8Array;
  private pos = 0;
  private eventCount = 0;
  /** `venue` and `symbol`, the first fields of every event of this subject, encoded once. */
  private readonly subject: Uint8Array;

  /** The first buffer's size; it then doubles as batches need (and is kept, batch after batch). */
  private readonly initialBytes: number;

  constructor(venue: string, symbol: string, initialBytes = 4096) {
    this.initialBytes = Math.max(64, initialBytes);
    this.subject = EMPTY;
    this.buf = EMPTY;
    if (venue !== '') this.stringField(VENUE, venue);
    if (symbol !== '') this.stringField(SYMBOL, symbol);
    this.subject = this.buf.slice(0, this.pos);
    this.pos = 0;
  }

  /** Events in the open batch. */
  get events(): number {
    return this.eventCount;
  }

  trade(t: NormalizedTrade): void {
    const start = this.pos;
    try {
      const body = this.beginEntry();
      if (t.tradeId !== '') this.stringField(TRADE_ID, t.tradeId);
      this.stringField(TRADE_PRICE, t.price.toString());
      this.stringField(TRADE_SIZE, t.size.toString());
      if (t.aggressor !== undefined) this.varint32Field(TRADE_AGGRESSOR, sideToWire(t.aggressor));
      this.int64Field(TS_NS, t.tsNs, 'tsNs');
      this.int64Field(RECEIVED_TS_NS, t.receivedTsNs, 'receivedTsNs');
      this.closeLength(body);
    } catch (err) {
      this.pos = start; // the batch stays as it was
      throw err;
    }
    this.eventCount++;
  }

  book(u: NormalizedBookUpdate): void {
    const start = this.pos;
    try {
      const body = this.beginEntry();
      if (u.seq !== 0n) this.uint64Field(BOOK_SEQ, u.seq, 'seq');
      if (u.snapshot) this.varint32Field(BOOK_SNAPSHOT, 1);
      this.levels(BOOK_BIDS, u.bids);
      this.levels(BOOK_ASKS, u.asks);
      this.int64Field(TS_NS, u.tsNs, 'tsNs');
      this.int64Field(RECEIVED_TS_NS, u.receivedTsNs, 'receivedTsNs');
      this.closeLength(body);
    } catch (err) {
      this.pos = start;
      throw err;
    }
    this.eventCount++;
  }

  /**
   * The open batch as a message's bytes (a copy: the encoder keeps its buffer for the next
   * batch) and its event count.
   */
  take(): { bytes: Uint8Array; events: number } {
    const taken = { bytes: this.buf.slice(0, this.pos), events: this.eventCount };
    this.pos = 0;
    this.eventCount = 0;
    return taken;
  }

  private levels(tag: number, levels: readonly Level[]): void {
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      const price = level.price.toString();
      const size = level.size.toString();
      this.ensure(12 + 3 * (price.length + size.length));
      this.buf[this.pos++] = tag;
      const body = ++this.pos; // one length byte reserved: a level is almost always < 128 bytes
      if (price !== '') this.stringField(LEVEL_PRICE, price);
      if (size !== '') this.stringField(LEVEL_SIZE, size);
      this.closeLength(body);
    }
  }

  /** Writes the entry tag, reserves one length byte and the subject's fields; returns where the body starts. */
  private beginEntry(): number {
    this.ensure(16 + this.subject.length);
    this.buf[this.pos++] = ENTRY;
    const body = ++this.pos;
    this.buf.set(this.subject, this.pos);
    this.pos += this.subject.length;
    return body;
  }

  /** Writes the length of the bytes since `body` into the byte reserved before it, widening it when needed. */
  private closeLength(body: number): void {
    const length = this.pos - body;
    if (length < 0x80) {
      this.buf[body - 1] = length;
      return;
    }
    const width = varintSize(length);
    this.ensure(width - 1);
    this.buf.copyWithin(body - 1 + width, body, this.pos);
    this.pos += width - 1;
    let at = body - 1;
    let v = length;
    while (v >= 0x80) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  private stringField(tag: number, text: string): void {
    const n = text.length;
    this.ensure(6 + 3 * n);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = tag;
    if (n < 0x80) {
      // ASCII (every venue number and id in practice): one byte per character, length known.
      const lengthAt = pos++;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        buf[pos++] = c;
      }
      if (i === n) {
        buf[lengthAt] = n;
        this.pos = pos;
        return;
      }
      pos = lengthAt;
    }
    const bytes = Buffer.from(text, 'utf8');
    this.pos = pos;
    this.varint(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private varint32Field(tag: number, value: number): void {
    this.ensure(11);
    this.buf[this.pos++] = tag;
    this.varint(value);
  }

  private int64Field(tag: number, value: bigint, field: string): void {
    if (value === 0n) return;
    if (value < INT64_MIN || value > INT64_MAX) throw new UnencodableEventError(field, value, 'int64');
    this.ensure(11);
    this.buf[this.pos++] = tag;
    this.varint64(value);
  }

  private uint64Field(tag: number, value: bigint, field: string): void {
    if (value < 0n || value > UINT64_MAX) throw new UnencodableEventError(field, value, 'uint64');
    this.ensure(11);
    this.buf[this.pos++] = tag;
    this.varint64(value);
  }

  /**
   * A 64-bit integer as protobuf writes it (two's complement for negative values, 1 to 10
   * bytes). The halves come out of a DataView, which takes a bigint without allocating, where
   * shifting and masking the bigint would allocate two more per timestamp.
   */
  private varint64(value: bigint): void {
    HALVES.setBigUint64(0, value, true);
    let lo = HALVES.getUint32(0, true);
    let hi = HALVES.getUint32(4, true);
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0 || lo >= 0x80) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** A non-negative 32-bit value as a varint (room already ensured). */
  private varint(value: number): void {
    const buf = this.buf;
    let v = value >>> 0;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buf.length) return;
    let size = this.buf.length === 0 ? this.initialBytes : this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}
