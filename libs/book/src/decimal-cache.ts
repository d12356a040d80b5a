import type { Decimal } from '@meridian/domain';
import type { TickScale } from './tick-scale';

const SIZE = 4096;

/**
 * Ticks and lots back to Decimals through a small direct-mapped cache per unit: a Decimal is
 * immutable, and the prices and quantities of a stream of events repeat a lot (the same few price
 * levels, round quantities), while building one costs bigint arithmetic and normalisation. Each
 * cache holds at most 4,096 values; a miss replaces whatever shared its slot.
 */
export class DecimalCache {
  private readonly priceKeys = new Float64Array(SIZE).fill(-1);
  private readonly priceValues: (Decimal | undefined)[] = new Array<Decimal | undefined>(SIZE).fill(undefined);
  private readonly lotKeys = new Float64Array(SIZE).fill(-1);
  private readonly lotValues: (Decimal | undefined)[] = new Array<Decimal | undefined>(SIZE).fill(undefined);

  constructor(private readonly scale: TickScale) {}

  /** `ticks` as a price. */
  readonly price = (ticks: number): Decimal => {
    const i = (ticks | 0) & (SIZE - 1);
    if (this.priceKeys[i] === ticks) return this.priceValues[i]!;
    const value = this.scale.fromTicks(ticks);
    this.priceKeys[i] = ticks;
    this.priceValues[i] = value;
    return value;
  };

  /** `lots` as a quantity. */
  readonly quantity = (lots: number): Decimal => {
    const i = (lots | 0) & (SIZE - 1);
    if (this.lotKeys[i] === lots) return this.lotValues[i]!;
    const value = this.scale.fromLots(lots);
    this.lotKeys[i] = lots;
    this.lotValues[i] = value;
    return value;
  };
}
