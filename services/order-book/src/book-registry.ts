import { parseSymbol } from '@meridian/domain';
import type { BookKeeper } from './book-keeper';
import { DEFAULT_DEPTH, MAX_DEPTH } from './config';
import { BookNotInShardError, InvalidBookRequestError } from './errors';

/** The books of this replica's shard, found by what a request names. */
export class BookRegistry {
  private readonly byKey = new Map<string, BookKeeper>();

  constructor(
    readonly keepers: readonly BookKeeper[],
    /** The first is what a request without a venue means. */
    readonly venues: readonly string[],
    readonly symbols: readonly string[],
  ) {
    for (const k of keepers) this.byKey.set(key(k.venue, k.symbol), k);
  }

  /**
   * The book a request names: an empty venue means the first configured one, symbols are
   * normalised as ingestion does (`btc/usdt` is `BTC-USDT`). Throws `InvalidBookRequestError`
   * for a symbol that cannot be one and `BookNotInShardError` for a book another shard owns.
   */
  find(venue: string, symbol: string): BookKeeper {
    if (symbol.trim() === '') throw new InvalidBookRequestError('symbol', symbol, 'a symbol is required');
    let normalised: string;
    try {
      normalised = parseSymbol(symbol);
    } catch (err) {
      throw new InvalidBookRequestError('symbol', symbol, (err as Error).message);
    }
    const v = venue.trim() === '' ? this.venues[0]! : venue.trim().toLowerCase();
    const keeper = this.byKey.get(key(v, normalised));
    if (keeper === undefined) throw new BookNotInShardError(venue || v, symbol, this.venues, this.symbols);
    return keeper;
  }
}

/** Levels per side a request asks for: 0 means the default, more than `MAX_DEPTH` is refused. */
export function requestedDepth(depth: number): number {
  if (depth === 0) return DEFAULT_DEPTH;
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH) {
    throw new InvalidBookRequestError('depth', depth, `levels per side must be 1..${MAX_DEPTH} (0 means ${DEFAULT_DEPTH})`);
  }
  return depth;
}

function key(venue: string, symbol: string): string {
  return `${venue}/${symbol}`;
}
