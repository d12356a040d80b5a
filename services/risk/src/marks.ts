import type { Decimal } from '@meridian/domain';

/** One symbol's mark: the price, the MARKET stream sequence of the message it came from, and when that message was stored. */
export interface Mark {
  readonly price: Decimal;
  readonly seq: number;
  readonly atMs: number;
}

/**
 * The marks of the shard's symbols from the configured source (the BBO mid or the last trade):
 * what P&L, exposures, stops and the equity curve are valued at. A symbol never marked is valued
 * at its last fill price by the callers.
 */
export class Marks {
  private readonly marks = new Map<string, Mark>();

  set(symbol: string, mark: Mark): void {
    this.marks.set(symbol, mark);
  }

  get(symbol: string): Mark | undefined {
    return this.marks.get(symbol);
  }

  price(symbol: string): Decimal | undefined {
    return this.marks.get(symbol)?.price;
  }
}
