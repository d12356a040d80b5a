import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { L2Book } from '@meridian/book';
import type { FeedSink, FeedState, NormalizedBookUpdate, NormalizedTrade, Rejection, VenueBar } from '../../src';
import { sharedDataPath } from '@meridian/testkit';

/**
 * OKX frames for test scripts, a reference book that computes OKX's checksum independently of
 * the adapter (zlib's CRC32, plain string maps), and a sink that records what a feed emitted.
 */

/** `[price, size]` as the venue's text. */
export type L = readonly [string, string];

const wire = (levels: readonly L[]): string[][] => levels.map(([px, sz]) => [px, sz, '0', '1']);

export interface BookFields {
  bids?: readonly L[];
  asks?: readonly L[];
  seqId?: number;
  prevSeqId?: number;
  checksum?: number;
  ts?: number;
}

export function booksFrame(instId: string, action: 'snapshot' | 'update', f: BookFields, channel = 'books'): object {
  const data: Record<string, unknown> = {
    asks: wire(f.asks ?? []),
    bids: wire(f.bids ?? []),
    ts: String(f.ts ?? 1_700_000_000_000),
  };
  if (f.checksum !== undefined) data.checksum = f.checksum;
  if (f.prevSeqId !== undefined) data.prevSeqId = f.prevSeqId;
  if (f.seqId !== undefined) data.seqId = f.seqId;
  return { arg: { channel, instId }, action, data: [data] };
}

/** A `books5` / `bbo-tbt` push: no action, the whole shallow book. */
export function shallowFrame(channel: 'books5' | 'bbo-tbt', instId: string, f: BookFields): object {
  const frame = booksFrame(instId, 'snapshot', f, channel) as { action?: string };
  delete frame.action;
  return frame;
}

export function restBook(f: BookFields & { seqId: number }): object {
  return {
    code: '0',
    msg: '',
    data: [{ asks: wire(f.asks ?? []), bids: wire(f.bids ?? []), ts: String(f.ts ?? 1_700_000_000_000), seqId: f.seqId }],
  };
}

/** The venue's side of the story: its book as text, and the checksum OKX would send for it. */
export class RefBook {
  private readonly bids = new Map<string, string>();
  private readonly asks = new Map<string, string>();

  constructor(bids: readonly L[] = [], asks: readonly L[] = []) {
    this.apply(bids, asks);
  }

  apply(bids: readonly L[], asks: readonly L[]): this {
    for (const [side, levels] of [
      [this.bids, bids],
      [this.asks, asks],
    ] as const) {
      for (const [px, sz] of levels) {
        if (Number(sz) === 0) side.delete(px);
        else side.set(px, sz);
      }
    }
    return this;
  }

  level(side: 'bid' | 'ask'): L[] {
    // Test prices are plain decimals; sorting them as numbers is exact enough for ordering.
    const entries = [...(side === 'bid' ? this.bids : this.asks)] as [string, string][];
    return entries.sort((a, b) => (side === 'bid' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
  }

  checksum(): number {
    const bids = this.level('bid');
    const asks = this.level('ask');
    const parts: string[] = [];
    for (let i = 0; i < 25; i++) {
      if (bids[i]) parts.push(...bids[i]!);
      if (asks[i]) parts.push(...asks[i]!);
    }
    return zlib.crc32(parts.join(':')) | 0;
  }

  /** The book as normalised decimal strings, best first, for comparing with an L2Book. */
  normalised(): { bids: string[]; asks: string[] } {
    const norm = (s: string): string => {
      if (!s.includes('.')) return s;
      const t = s.replace(/0+$/, '');
      return t.endsWith('.') ? t.slice(0, -1) : t;
    };
    return {
      bids: this.level('bid').map(([p, s]) => `${norm(p)}@${norm(s)}`),
      asks: this.level('ask').map(([p, s]) => `${norm(p)}@${norm(s)}`),
    };
  }
}

/** Levels of an L2Book as `price@size`, best first. */
export function levelsOf(book: L2Book): { bids: string[]; asks: string[] } {
  const show = (side: 'bid' | 'ask'): string[] => [...book.levels(side)].map((l) => `${l.price}@${l.size}`);
  return { bids: show('bid'), asks: show('ask') };
}

/**
 * Records a feed's output and keeps one downstream L2Book per symbol fed only with what the feed
 * emitted, as the order-book service would: so the tests check the books consumers see, and
 * that the emitted sequence is contiguous.
 */
export class RecordingSink implements FeedSink {
  readonly trades: NormalizedTrade[] = [];
  readonly updates: NormalizedBookUpdate[] = [];
  readonly bars: VenueBar[] = [];
  readonly rejections: Rejection[] = [];
  readonly states: { symbol: string; state: FeedState; detail: string }[] = [];
  readonly books = new Map<string, L2Book>();
  /** Problems downstream would have had (a gap in `seq`, a refused update). */
  readonly downstreamErrors: string[] = [];

  trade(t: NormalizedTrade): void {
    this.trades.push(t);
  }

  book(u: NormalizedBookUpdate): void {
    this.updates.push(u);
    let book = this.books.get(u.symbol);
    if (!book) this.books.set(u.symbol, (book = new L2Book(u.symbol)));
    const r = u.snapshot ? book.applySnapshot(u.seq, u.bids, u.asks) : book.applyDelta(u.seq, u.bids, u.asks);
    if (!r.ok) this.downstreamErrors.push(`${u.symbol} seq ${u.seq}: ${r.reason} ${r.detail}`);
    if (u.snapshot && book.seq !== u.seq) this.downstreamErrors.push(`${u.symbol} snapshot seq ${u.seq} not applied`);
  }

  bar(b: VenueBar): void {
    this.bars.push(b);
  }

  reject(r: Rejection): void {
    this.rejections.push(r);
  }

  state(_venue: string, symbol: string, state: FeedState, detail: string): void {
    this.states.push({ symbol, state, detail });
  }

  /** Rejections counted by reason. */
  reasons(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.rejections) out[r.reason] = (out[r.reason] ?? 0) + 1;
    return out;
  }

  levels(symbol: string): { bids: string[]; asks: string[] } | undefined {
    const book = this.books.get(symbol);
    return book ? levelsOf(book) : undefined;
  }

  /** Whether the downstream book of `symbol` equals `ref` (and is synced). */
  matches(symbol: string, ref: RefBook): boolean {
    const book = this.books.get(symbol);
    return book !== undefined && book.synced && JSON.stringify(levelsOf(book)) === JSON.stringify(ref.normalised());
  }
}

// Real recordings (../shared/data, see its MANIFEST.md section 2); tests skip when absent.
export const DATA_DIR = sharedDataPath('crypto_ws');
export const OKX_2022 = path.join(DATA_DIR, 'cryptofeed_sample_data/OKX_books_20220513.jsonl');
export const OKCOIN_2023 = path.join(DATA_DIR, 'gocryptotrader/okcoin_BTC-USD_books_snapshot_update_20230710.jsonl');
export const CHECKSUM_VECTORS = path.join(DATA_DIR, 'okx_checksum_vectors.json');

export function present(file: string): boolean {
  const ok = fs.existsSync(file);
  if (!ok) console.log(`skipping: ${file} is absent (real data from ../shared/data, see its MANIFEST.md)`);
  return ok;
}

export function readLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}
