import type { Level } from '@meridian/book';
import type { Decimal, Side } from '@meridian/domain';
import { array, decimal, describe, isRecord, millisToNanos, parseJson, record, sequence, string, tryDecimal, tryMillisToNanos, trySequence } from '../decode';
import { FrameRejectedError } from '../errors';
import type { LevelText } from './checksum';

/**
 * The OKX v5 public WebSocket protocol as documented (https://www.okx.com/docs-v5/en/, "WebSocket
 * → Public channel"): the frames it sends, decoded into typed values with every field checked,
 * and the operations we send. Nothing here keeps state.
 */

/** The book channels a symbol can use (one per symbol). */
export type OkxBookChannel = 'books' | 'books5' | 'bbo-tbt';
export const OKX_BOOK_CHANNELS: readonly OkxBookChannel[] = ['books', 'books5', 'bbo-tbt'];

/** A subscription: `{"channel":"books","instId":"BTC-USDT"}`. */
export interface OkxArg {
  readonly channel: string;
  readonly instId: string;
}

/**
 * OKX candle bars (`candle<bar>`) that have a platform interval token (`<n><s|m|h|d>`, aligned to
 * the epoch). OKX aligns `6H`, `12H` and `1D`+ to Hong Kong time (UTC+8) unless the bar ends in
 * `utc`, weeks start on Monday and months vary in length, so those have no token and are refused.
 */
export const OKX_CANDLE_INTERVALS: Readonly<Record<string, string>> = Object.freeze({
  '1s': '1s',
  '1m': '1m',
  '3m': '3m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1H': '1h',
  '2H': '2h',
  '4H': '4h',
  '6Hutc': '6h',
  '12Hutc': '12h',
  '1Dutc': '1d',
});

/** A level as decoded: exact decimals for the book, the venue's text for the checksum. */
export interface OkxLevel extends Level, LevelText {}

/** One `data` element of a book push (`books`, `books5`, `bbo-tbt`) or of the REST snapshot. */
export interface OkxBookData {
  readonly bids: readonly OkxLevel[];
  readonly asks: readonly OkxLevel[];
  readonly tsNs: bigint;
  /** Undefined or 0 when the venue sent none (0 since OKX deprecated it): nothing to verify. */
  readonly checksum: number | undefined;
  /** Absent in frames recorded before OKX introduced sequence ids (2022). */
  readonly seqId: bigint | undefined;
  /** `-1` on a WebSocket snapshot. */
  readonly prevSeqId: bigint | undefined;
}

export interface OkxTrade {
  readonly tradeId: string;
  readonly price: Decimal;
  readonly size: Decimal;
  /** The taker's side. */
  readonly side: Side;
  readonly tsNs: bigint;
}

export interface OkxCandle {
  readonly startTsNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  /** `vol`: base currency for spot, contracts for derivatives. */
  readonly volume: Decimal;
  /** `confirm: "1"`: the bar is final. */
  readonly closed: boolean;
}

/** What a text frame is, before its data is decoded (which needs to know the instrument first). */
export type OkxFrame =
  | { readonly kind: 'subscribed' | 'unsubscribed'; readonly arg: OkxArg | undefined }
  | { readonly kind: 'error'; readonly code: string; readonly msg: string }
  | { readonly kind: 'notice'; readonly code: string; readonly msg: string }
  /** Connection-count reports (`channel-conn-count`) carry no market data. */
  | { readonly kind: 'info'; readonly event: string }
  | { readonly kind: 'push'; readonly arg: OkxArg; readonly action: string | undefined; readonly data: readonly unknown[] };

/** Notice code OKX sends before closing connections for a service upgrade. */
export const OKX_NOTICE_SERVICE_UPGRADE = '64008';

export function subscribeOp(args: readonly OkxArg[]): string {
  return JSON.stringify({ op: 'subscribe', args });
}

export function unsubscribeOp(args: readonly OkxArg[]): string {
  return JSON.stringify({ op: 'unsubscribe', args });
}

function optionalText(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new FrameRejectedError('schema', `${what}: expected a string, got ${describe(value)}`);
}

function decodeArg(value: unknown, what: string): OkxArg {
  const arg = record(value, what);
  return { channel: string(arg.channel, `${what}.channel`), instId: string(arg.instId, `${what}.instId`) };
}

/** Decodes the envelope of one text frame; throws `FrameRejectedError` when it is not one OKX documents. */
export function decodeFrame(text: string): OkxFrame {
  const frame = record(parseJson(text), 'frame');
  if (frame.event !== undefined) {
    const event = string(frame.event, 'event');
    switch (event) {
      case 'subscribe':
      case 'unsubscribe':
        return {
          kind: event === 'subscribe' ? 'subscribed' : 'unsubscribed',
          arg: frame.arg === undefined ? undefined : decodeArg(frame.arg, 'arg'),
        };
      case 'error':
      case 'notice':
        return { kind: event, code: optionalText(frame.code, 'code'), msg: optionalText(frame.msg, 'msg') };
      case 'channel-conn-count':
        return { kind: 'info', event };
      case 'channel-conn-count-error':
        return { kind: 'error', code: optionalText(frame.code, 'code'), msg: `${event}: ${optionalText(frame.msg, 'msg')}` };
      default:
        throw new FrameRejectedError('schema', `event: ${describe(event)} is not an event OKX documents`);
    }
  }
  if (frame.arg === undefined) throw new FrameRejectedError('schema', 'frame: neither "event" nor "arg"');
  const arg = decodeArg(frame.arg, 'arg');
  const data = array(frame.data, 'data');
  const action = frame.action === undefined ? undefined : string(frame.action, 'action');
  return { kind: 'push', arg, action, data };
}

// The readers below try the common, valid case first and name the field (a string per field of
// every level, built only to be thrown away) only when a check fails: then the checked reader
// runs and throws exactly the rejection it always did.

function decodeLevel(value: unknown, what: string, side: string, i: number, size: 'positive' | 'non_negative'): OkxLevel {
  if (Array.isArray(value) && value.length >= 2) {
    const px: unknown = value[0];
    const sz: unknown = value[1];
    const price = tryDecimal(px, 'positive');
    const qty = price === undefined ? undefined : tryDecimal(sz, size);
    if (price !== undefined && qty !== undefined) {
      return { price, size: qty, px: typeof px === 'string' ? px : String(px), sz: typeof sz === 'string' ? sz : String(sz) };
    }
  }
  return checkedLevel(value, `${what}.${side}[${i}]`, size);
}

function checkedLevel(value: unknown, what: string, size: 'positive' | 'non_negative'): OkxLevel {
  // [price, size, "0" (deprecated liquidated orders), number of orders]
  const level = array(value, what);
  if (level.length < 2) throw new FrameRejectedError('schema', `${what}: expected [price, size, ...], got ${describe(value)}`);
  const px = level[0];
  const sz = level[1];
  const price = decimal(px, `${what} price`, 'positive');
  const qty = decimal(sz, `${what} size`, size);
  return { price, size: qty, px: typeof px === 'string' ? px : String(px), sz: typeof sz === 'string' ? sz : String(sz) };
}

function decodeLevels(value: unknown, what: string, side: string, size: 'positive' | 'non_negative'): OkxLevel[] {
  // An empty side may be sent as [] or left out (a `books` heartbeat, a one-sided bbo-tbt).
  if (value === undefined) return [];
  const levels = Array.isArray(value) ? value : array(value, `${what}.${side}`);
  const out = new Array<OkxLevel>(levels.length);
  for (let i = 0; i < levels.length; i++) out[i] = decodeLevel(levels[i], what, side, i, size);
  return out;
}

function decodeChecksum(value: unknown): number | undefined {
  const n = checksumValue(value);
  if (n === null) throw new FrameRejectedError('schema', `checksum: expected a 32-bit integer, got ${describe(value)}`);
  return n;
}

/** The checksum as `decodeChecksum` reads it, or null where it throws. */
export function checksumValue(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) return null;
  return n | 0;
}

/**
 * One element of a book push or of the REST `GET /api/v5/market/books` answer. `deltas` allows
 * size 0 (a deleted level); snapshots must have positive sizes.
 */
export function decodeBookData(value: unknown, what: string, kind: 'snapshot' | 'delta'): OkxBookData {
  const data = record(value, what);
  const size = kind === 'delta' ? 'non_negative' : 'positive';
  return {
    bids: decodeLevels(data.bids, what, 'bids', size),
    asks: decodeLevels(data.asks, what, 'asks', size),
    tsNs: tryMillisToNanos(data.ts) ?? millisToNanos(data.ts, `${what}.ts`),
    checksum: decodeChecksum(data.checksum),
    seqId: data.seqId === undefined ? undefined : (trySequence(data.seqId) ?? sequence(data.seqId, `${what}.seqId`)),
    prevSeqId: data.prevSeqId === undefined ? undefined : (trySequence(data.prevSeqId) ?? sequence(data.prevSeqId, `${what}.prevSeqId`)),
  };
}

/** `data[index]` of a `trades` push. */
export function decodeTrade(value: unknown, index: number): OkxTrade {
  if (isRecord(value)) {
    const { tradeId, side } = value;
    if (typeof tradeId === 'string' && tradeId !== '' && (side === 'buy' || side === 'sell')) {
      const price = tryDecimal(value.px, 'positive');
      const size = price === undefined ? undefined : tryDecimal(value.sz, 'positive');
      const tsNs = size === undefined ? undefined : tryMillisToNanos(value.ts);
      if (price !== undefined && size !== undefined && tsNs !== undefined) return { tradeId, price, size, side: side === 'buy' ? 'BUY' : 'SELL', tsNs };
    }
  }
  return checkedTrade(value, `data[${index}]`);
}

function checkedTrade(value: unknown, what: string): OkxTrade {
  const t = record(value, what);
  const tradeId = string(t.tradeId, `${what}.tradeId`);
  if (tradeId === '') throw new FrameRejectedError('schema', `${what}.tradeId: empty`);
  const sideText = string(t.side, `${what}.side`);
  if (sideText !== 'buy' && sideText !== 'sell') {
    throw new FrameRejectedError('schema', `${what}.side: ${describe(sideText)} is neither "buy" nor "sell"`);
  }
  return {
    tradeId,
    price: decimal(t.px, `${what}.px`, 'positive'),
    size: decimal(t.sz, `${what}.sz`, 'positive'),
    side: sideText === 'buy' ? 'BUY' : 'SELL',
    tsNs: millisToNanos(t.ts, `${what}.ts`),
  };
}

/** `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`. */
export function decodeCandle(value: unknown, what: string): OkxCandle {
  const c = array(value, what);
  if (c.length < 9) throw new FrameRejectedError('schema', `${what}: expected 9 fields [ts,o,h,l,c,vol,volCcy,volCcyQuote,confirm], got ${c.length}`);
  const open = decimal(c[1], `${what} open`, 'positive');
  const high = decimal(c[2], `${what} high`, 'positive');
  const low = decimal(c[3], `${what} low`, 'positive');
  const close = decimal(c[4], `${what} close`, 'positive');
  if (high.lt(low) || high.lt(open) || high.lt(close) || low.gt(open) || low.gt(close)) {
    throw new FrameRejectedError('schema', `${what}: inconsistent bar o=${open} h=${high} l=${low} c=${close}`);
  }
  const confirm = c[8];
  if (confirm !== '0' && confirm !== '1') throw new FrameRejectedError('schema', `${what} confirm: expected "0" or "1", got ${describe(confirm)}`);
  return {
    startTsNs: millisToNanos(c[0], `${what} ts`),
    open,
    high,
    low,
    close,
    volume: decimal(c[5], `${what} vol`, 'non_negative'),
    closed: confirm === '1',
  };
}

/** The OKX bar of a `candle<bar>` channel name, or undefined for other channels. */
export function candleBar(channel: string): string | undefined {
  return channel.startsWith('candle') ? channel.slice('candle'.length) : undefined;
}

/** `{code:"0", msg:"", data:[{asks, bids, ts, seqId}]}` → the book, or a description of what is wrong. */
export function decodeRestBook(body: unknown): OkxBookData {
  if (!isRecord(body)) throw new FrameRejectedError('schema', `body: expected an object, got ${describe(body)}`);
  if (body.code !== '0') {
    throw new FrameRejectedError('venue_error', `code ${describe(body.code)}: ${describe(body.msg)}`);
  }
  const data = array(body.data, 'data');
  if (data.length !== 1) throw new FrameRejectedError('schema', `data: expected one book, got ${data.length}`);
  const book = decodeBookData(data[0], 'data[0]', 'snapshot');
  if (book.seqId === undefined) throw new FrameRejectedError('schema', 'data[0].seqId: missing, so deltas cannot be aligned to this snapshot');
  return book;
}
