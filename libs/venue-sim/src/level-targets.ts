/** Longest list searched by a scan; a longer one (a venue's full snapshot) gets a price index. */
const SCAN_LIMIT = 16;

/**
 * The lots a book change wants at each price (ticks) of one side, in the order listed: the
 * mirror's working list. Two arrays cleared and refilled for every change rather than a Map built
 * for each: a backtest refreshes a synthetic book of a few levels before every order, and a short
 * list is searched faster by a scan than by hashing. A long list builds its index once.
 */
export class LevelTargets {
  private readonly priceList: number[] = [];
  private readonly lotList: number[] = [];
  private index: Map<number, number> | undefined;

  get length(): number {
    return this.priceList.length;
  }

  priceAt(i: number): number {
    return this.priceList[i]!;
  }

  lotsAt(i: number): number {
    return this.lotList[i]!;
  }

  clear(): void {
    this.priceList.length = 0;
    this.lotList.length = 0;
    this.index = undefined;
  }

  has(price: number): boolean {
    if (this.index !== undefined) return this.index.has(price);
    const prices = this.priceList;
    for (let i = 0; i < prices.length; i++) if (prices[i] === price) return true;
    return false;
  }

  /** Appends a price the list does not hold yet (the caller checks with `has`). */
  add(price: number, lots: number): void {
    this.priceList.push(price);
    this.lotList.push(lots);
    if (this.index !== undefined) this.index.set(price, this.priceList.length - 1);
    else if (this.priceList.length > SCAN_LIMIT) this.index = new Map(this.priceList.map((p, i) => [p, i]));
  }
}
