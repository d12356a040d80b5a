import type { Decimal } from '@meridian/domain';
import { tryDecimal, tryMillisToNanos, trySequence } from '../decode';
import { checksumValue } from './protocol';
import type { OkxBookData, OkxLevel, OkxTrade } from './protocol';

/**
 * A shortcut for the frames that make up nearly all of a busy OKX feed, `trades` and book pushes:
 * read straight from the text into the values the adapter works with, without the object tree
 * JSON.parse builds (an array of four strings per book level, an object of six strings per trade)
 * only for the decoders to take it apart again. On a busy feed that tree was the largest single
 * cost of a frame.
 *
 * It takes only what it can read completely: strict JSON (whitespace allowed, any key order
 * where `arg` and `action` come before `data`), strings without escapes, no duplicate keys, the
 * documented fields with valid values, unknown fields skipped after checking they are JSON. For
 * anything else it answers `undefined`, and the frame goes the general way (JSON.parse, the
 * decoders), which also words every rejection. So it never refuses a frame and never accepts one
 * the general way would refuse: it gives the same values or none (a test holds the two equal on
 * frames and on mutations of them).
 */

/** How the feed would decode a push's `data`, decided from its `arg` and `action`; undefined: not a frame for the shortcut. */
export type FastRoute = 'trades' | 'snapshot' | 'delta';

export type FastPush =
  | { readonly route: 'trades'; readonly channel: string; readonly instId: string; readonly trades: OkxTrade[] }
  | { readonly route: 'snapshot' | 'delta'; readonly channel: string; readonly instId: string; readonly action: string | undefined; readonly books: OkxBookData[] };

/** Deeper than any OKX frame: the recursion of `skipValue` stays shallow. */
const MAX_DEPTH = 32;

// Character codes.
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

// The keys the scanner looks for, recognised in place (no string per key).
const K_OTHER = 0;
const K_ARG = 1;
const K_ACTION = 2;
const K_DATA = 3;
const K_EVENT = 4;
const K_CHANNEL = 5;
const K_INST_ID = 6;
const K_TRADE_ID = 7;
const K_SIDE = 8;
const K_PX = 9;
const K_SZ = 10;
const K_TS = 11;
const K_BIDS = 12;
const K_ASKS = 13;
const K_CHECKSUM = 14;
const K_SEQ_ID = 15;
const K_PREV_SEQ_ID = 16;

/** Thrown inside the scanner to give up on a frame; caught only by `scanOkxPush`. */
class NotForTheShortcut {}
const GIVE_UP = new NotForTheShortcut();

/**
 * The push in `text`, decoded, or undefined when the general path must read it. `route` says,
 * from the channel, instrument and action, how the feed decodes the data (or that it does not
 * take the shortcut at all, e.g. a channel it did not subscribe).
 */
export function scanOkxPush(text: string, route: (channel: string, instId: string, action: string | undefined) => FastRoute | undefined): FastPush | undefined {
  try {
    return new PushScanner(text).push(route);
  } catch (err) {
    // Giving up is the shortcut's only answer to anything unusual: the general path reads the frame.
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

class PushScanner {
  private pos = 0;
  /** From `arg`. */
  private channel = '';
  private instId = '';

  constructor(private readonly text: string) {}

  push(route: (channel: string, instId: string, action: string | undefined) => FastRoute | undefined): FastPush | undefined {
    let action: string | undefined;
    let sawArg = false;
    let sawAction = false;
    let result: FastPush | undefined;
    this.expect(OPEN_BRACE);
    if (this.peek() === CLOSE_BRACE) throw GIVE_UP;
    do {
      const key = this.key();
      if (key === K_ARG && !sawArg && result === undefined) {
        sawArg = true;
        this.arg();
      } else if (key === K_ACTION && !sawAction && result === undefined) {
        sawAction = true;
        action = this.rawString(false);
      } else if (key === K_DATA && result === undefined && sawArg) {
        const channel = this.channel;
        const instId = this.instId;
        const how = route(channel, instId, action);
        if (how === undefined) throw GIVE_UP;
        result = how === 'trades' ? { route: how, channel, instId, trades: this.trades() } : { route: how, channel, instId, action, books: this.books(how) };
      } else if (key !== K_OTHER) {
        // An event, a repeated key, or arg/action after data: the general path's business.
        throw GIVE_UP;
      } else {
        this.skipValue(0);
      }
    } while (this.more(CLOSE_BRACE));
    this.ws();
    if (this.pos !== this.text.length) throw GIVE_UP;
    return result;
  }

  private arg(): void {
    let channel: string | undefined;
    let instId: string | undefined;
    this.expect(OPEN_BRACE);
    if (this.peek() === CLOSE_BRACE) throw GIVE_UP;
    do {
      const key = this.key();
      if (key === K_CHANNEL && channel === undefined) channel = this.rawString(false);
      else if (key === K_INST_ID && instId === undefined) instId = this.rawString(false);
      else if (key === K_CHANNEL || key === K_INST_ID) throw GIVE_UP;
      else this.skipValue(1);
    } while (this.more(CLOSE_BRACE));
    if (channel === undefined || instId === undefined) throw GIVE_UP;
    this.channel = channel;
    this.instId = instId;
  }

  private trades(): OkxTrade[] {
    const trades: OkxTrade[] = [];
    this.expect(OPEN_BRACKET);
    if (this.peek() === CLOSE_BRACKET) throw GIVE_UP; // empty data: a rejection, worded by the general path
    do trades.push(this.trade());
    while (this.more(CLOSE_BRACKET));
    return trades;
  }

  private trade(): OkxTrade {
    let tradeId: string | undefined;
    let side: string | undefined;
    let px: string | number | undefined;
    let sz: string | number | undefined;
    let tsNs: bigint | undefined;
    let sawTs = false;
    this.expect(OPEN_BRACE);
    if (this.peek() === CLOSE_BRACE) throw GIVE_UP;
    do {
      const key = this.key();
      if (key === K_TRADE_ID && tradeId === undefined) tradeId = this.rawString(true);
      else if (key === K_SIDE && side === undefined) side = this.rawString(false);
      else if (key === K_PX && px === undefined) px = this.scalar();
      else if (key === K_SZ && sz === undefined) sz = this.scalar();
      else if (key === K_TS && !sawTs) {
        sawTs = true;
        tsNs = this.millis();
      } else if (key === K_TRADE_ID || key === K_SIDE || key === K_PX || key === K_SZ || key === K_TS) throw GIVE_UP;
      else this.skipValue(2);
    } while (this.more(CLOSE_BRACE));
    if (tradeId === undefined || tradeId === '' || (side !== 'buy' && side !== 'sell') || tsNs === undefined) throw GIVE_UP;
    const price = tryDecimal(px, 'positive');
    const size = tryDecimal(sz, 'positive');
    if (price === undefined || size === undefined) throw GIVE_UP;
    return { tradeId, price, size, side: side === 'buy' ? 'BUY' : 'SELL', tsNs };
  }

  private books(kind: 'snapshot' | 'delta'): OkxBookData[] {
    const books: OkxBookData[] = [];
    this.expect(OPEN_BRACKET);
    if (this.peek() === CLOSE_BRACKET) throw GIVE_UP;
    do books.push(this.book(kind));
    while (this.more(CLOSE_BRACKET));
    return books;
  }

  private book(kind: 'snapshot' | 'delta'): OkxBookData {
    const size = kind === 'delta' ? 'non_negative' : 'positive';
    let bids: OkxLevel[] | undefined;
    let asks: OkxLevel[] | undefined;
    let tsNs: bigint | undefined;
    let sawTs = false;
    let checksum: unknown;
    let seqId: unknown;
    let prevSeqId: unknown;
    this.expect(OPEN_BRACE);
    if (this.peek() === CLOSE_BRACE) throw GIVE_UP; // no ts: a rejection
    do {
      const key = this.key();
      if (key === K_BIDS && bids === undefined) bids = this.levels(size);
      else if (key === K_ASKS && asks === undefined) asks = this.levels(size);
      else if (key === K_TS && !sawTs) {
        sawTs = true;
        tsNs = this.millis();
      } else if (key === K_CHECKSUM && checksum === undefined) checksum = this.scalar();
      else if (key === K_SEQ_ID && seqId === undefined) seqId = this.scalar();
      else if (key === K_PREV_SEQ_ID && prevSeqId === undefined) prevSeqId = this.scalar();
      else if (key === K_BIDS || key === K_ASKS || key === K_TS || key === K_CHECKSUM || key === K_SEQ_ID || key === K_PREV_SEQ_ID) throw GIVE_UP;
      else this.skipValue(2);
    } while (this.more(CLOSE_BRACE));
    if (tsNs === undefined) throw GIVE_UP;
    const checksumNumber = checksumValue(checksum);
    if (checksumNumber === null) throw GIVE_UP;
    const seq = seqId === undefined ? undefined : trySequence(seqId);
    const prevSeq = prevSeqId === undefined ? undefined : trySequence(prevSeqId);
    if ((seqId !== undefined && seq === undefined) || (prevSeqId !== undefined && prevSeq === undefined)) throw GIVE_UP;
    return { bids: bids ?? [], asks: asks ?? [], tsNs, checksum: checksumNumber, seqId: seq, prevSeqId: prevSeq };
  }

  private levels(size: 'positive' | 'non_negative'): OkxLevel[] {
    const levels: OkxLevel[] = [];
    this.expect(OPEN_BRACKET);
    if (this.peek() === CLOSE_BRACKET) {
      this.pos++;
      return levels;
    }
    do levels.push(this.level(size));
    while (this.more(CLOSE_BRACKET));
    return levels;
  }

  /** `[price, size, ...]`: the rest (deprecated liquidations, order count) is checked and skipped. */
  private level(size: 'positive' | 'non_negative'): OkxLevel {
    this.expect(OPEN_BRACKET);
    const px = this.scalar();
    if (!this.more(CLOSE_BRACKET)) throw GIVE_UP;
    const sz = this.scalar();
    while (this.more(CLOSE_BRACKET)) this.skipValue(4);
    const price = tryDecimal(px, 'positive');
    const qty = price === undefined ? undefined : tryDecimal(sz, size);
    if (price === undefined || qty === undefined) throw GIVE_UP;
    return levelOf(price, qty, px, sz);
  }

  // --- JSON tokens -------------------------------------------------------------------------

  private ws(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) pos++;
      else break;
    }
    this.pos = pos;
  }

  /** The next significant character (whitespace skipped). */
  private peek(): number {
    const c = this.text.charCodeAt(this.pos);
    if (c > 32) return c;
    this.ws();
    return this.text.charCodeAt(this.pos);
  }

  private expect(c: number): void {
    if (this.peek() !== c) throw GIVE_UP;
    this.pos++;
  }

  /** After a member or element: true past a `,`, false past the expected closing bracket; anything else gives up. */
  private more(close: number): boolean {
    const c = this.peek();
    if (c !== COMMA && c !== close) throw GIVE_UP;
    this.pos++;
    return c === COMMA;
  }

  /** A member's key and its colon, as one of the K_ codes (K_OTHER for keys the scanner does not use). */
  private key(): number {
    if (this.peek() !== QUOTE) throw GIVE_UP;
    const text = this.text;
    const start = ++this.pos;
    let pos = start;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20 || Number.isNaN(c)) throw GIVE_UP;
      pos++;
    }
    this.pos = pos + 1;
    this.expect(COLON);
    return keyCode(text, start, pos - start);
  }

  /**
   * A string without escapes. `keep`: the string outlives the frame (a trade id in the
   * validator's memory), so a long one is copied rather than left as a slice that would hold the
   * whole frame text.
   */
  private rawString(keep: boolean): string {
    if (this.peek() !== QUOTE) throw GIVE_UP;
    const text = this.text;
    const start = ++this.pos;
    let pos = start;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20 || Number.isNaN(c)) throw GIVE_UP;
      pos++;
    }
    this.pos = pos + 1;
    return keep && pos - start > 12 ? (JSON.parse(text.slice(start - 1, pos + 1)) as string) : text.slice(start, pos);
  }

  /**
   * `ts`, as `tryMillisToNanos` reads it (the same value, or giving up where it refuses), from a
   * string of 1 to 16 digits read in place; a number or anything longer takes the general reader.
   */
  private millis(): bigint {
    if (this.peek() !== QUOTE) {
      const ns = tryMillisToNanos(this.scalar());
      if (ns === undefined) throw GIVE_UP;
      return ns;
    }
    const text = this.text;
    const start = this.pos + 1;
    let pos = start;
    let ms = 0;
    for (;;) {
      const c = text.charCodeAt(pos);
      // Written so that NaN (past the end of the text) stops the loop too.
      if (!(c >= DIGIT_0 && c <= DIGIT_9)) break;
      ms = ms * 10 + (c - DIGIT_0);
      pos++;
    }
    const n = pos - start;
    if (text.charCodeAt(pos) !== QUOTE || n === 0 || n > 15) {
      const ns = tryMillisToNanos(this.rawString(false));
      if (ns === undefined) throw GIVE_UP;
      return ns;
    }
    this.pos = pos + 1;
    if (ms !== lastMillis) {
      lastMillis = ms;
      lastMillisNanos = BigInt(ms) * 1_000_000n;
    }
    return lastMillisNanos;
  }

  /** A string or a number, as JSON.parse would give it; anything else gives up. */
  private scalar(): string | number {
    const c = this.peek();
    if (c === QUOTE) return this.rawString(true);
    const start = this.pos;
    this.number();
    return Number(this.text.slice(start, this.pos));
  }

  /** A JSON number (-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?). */
  private number(): void {
    const text = this.text;
    let pos = this.pos;
    if (text.charCodeAt(pos) === MINUS) pos++;
    const first = text.charCodeAt(pos);
    if (first === DIGIT_0) pos++;
    else if (first > DIGIT_0 && first <= DIGIT_9) pos = digits(text, pos);
    else throw GIVE_UP;
    if (text.charCodeAt(pos) === DOT) {
      const after = digits(text, pos + 1);
      if (after === pos + 1) throw GIVE_UP;
      pos = after;
    }
    const e = text.charCodeAt(pos);
    if (e === 101 || e === 69) {
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === PLUS || sign === MINUS) pos++;
      const after = digits(text, pos);
      if (after === pos) throw GIVE_UP;
      pos = after;
    }
    this.pos = pos;
  }

  /** Any JSON value, checked and passed over. */
  private skipValue(depth: number): void {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const c = this.peek();
    if (c === QUOTE) {
      this.rawString(false);
    } else if (c === OPEN_BRACE) {
      this.pos++;
      if (this.peek() === CLOSE_BRACE) {
        this.pos++;
        return;
      }
      do {
        this.key();
        this.skipValue(depth + 1);
      } while (this.more(CLOSE_BRACE));
    } else if (c === OPEN_BRACKET) {
      this.pos++;
      if (this.peek() === CLOSE_BRACKET) {
        this.pos++;
        return;
      }
      do this.skipValue(depth + 1);
      while (this.more(CLOSE_BRACKET));
    } else if (this.text.startsWith('true', this.pos)) {
      this.pos += 4;
    } else if (this.text.startsWith('false', this.pos)) {
      this.pos += 5;
    } else if (this.text.startsWith('null', this.pos)) {
      this.pos += 4;
    } else {
      this.number();
    }
  }
}

/** The last `ts` read in place, and its nanoseconds: a frame's events, and a millisecond's frames, share it. */
let lastMillis = -1;
let lastMillisNanos = 0n;

/** Which K_ key `text[start, start + length)` spells. */
function keyCode(text: string, start: number, length: number): number {
  switch (length) {
    case 2: {
      const a = text.charCodeAt(start);
      const b = text.charCodeAt(start + 1);
      if (b === 120 && a === 112) return K_PX; // px
      if (b === 122 && a === 115) return K_SZ; // sz
      if (b === 115 && a === 116) return K_TS; // ts
      return K_OTHER;
    }
    case 3:
      return spells(text, start, 'arg') ? K_ARG : K_OTHER;
    case 4:
      return spells(text, start, 'data') ? K_DATA : spells(text, start, 'side') ? K_SIDE : spells(text, start, 'bids') ? K_BIDS : spells(text, start, 'asks') ? K_ASKS : K_OTHER;
    case 5:
      return spells(text, start, 'seqId') ? K_SEQ_ID : spells(text, start, 'event') ? K_EVENT : K_OTHER;
    case 6:
      return spells(text, start, 'action') ? K_ACTION : spells(text, start, 'instId') ? K_INST_ID : K_OTHER;
    case 7:
      return spells(text, start, 'tradeId') ? K_TRADE_ID : spells(text, start, 'channel') ? K_CHANNEL : K_OTHER;
    case 8:
      return spells(text, start, 'checksum') ? K_CHECKSUM : K_OTHER;
    case 9:
      return spells(text, start, 'prevSeqId') ? K_PREV_SEQ_ID : K_OTHER;
    default:
      return K_OTHER;
  }
}

/** `text` holds `word` at `start` (the length is already known to match). */
function spells(text: string, start: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (text.charCodeAt(start + i) !== word.charCodeAt(i)) return false;
  return true;
}

function digits(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    // Past the end of the text charCodeAt gives NaN, which no comparison holds for: test for a digit, not for a non-digit.
    if (!(c >= DIGIT_0 && c <= DIGIT_9)) return pos;
    pos++;
  }
}

/** The same object the general decoder builds for a level (venue text kept for the checksum). */
function levelOf(price: Decimal, size: Decimal, px: string | number, sz: string | number): OkxLevel {
  return { price, size, px: typeof px === 'string' ? px : String(px), sz: typeof sz === 'string' ? sz : String(sz) };
}
