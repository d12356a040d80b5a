import { Decimal } from '@meridian/domain';
import { SimConfigError } from '../errors';
import type { SimulatedExchange } from '../types';

export interface SyntheticSymbol {
  readonly symbol: string;
  readonly price: Decimal;
}

const LEVELS = 5;
/** The mid never walks below this many ticks, so every bid level stays positive. */
const FLOOR_TICKS = 20n;

/**
 * A market to trade against when no feed is attached (the CLI): per symbol a seeded random walk of
 * the mid in whole ticks, five levels a side re-quoted around it on every step, and one print at
 * the touch per step (alternately at the bid and the ask), so resting orders at the touch fill as
 * they would when the outside market trades there.
 */
export class SyntheticMarket {
  private readonly mids = new Map<string, bigint>();
  private step = 0;

  constructor(
    private readonly sim: SimulatedExchange,
    symbols: readonly SyntheticSymbol[],
    private readonly random: () => number,
  ) {
    for (const { symbol, price } of symbols) {
      const instrument = sim.instruments.get(symbol);
      if (instrument === undefined) throw new SimConfigError('syntheticMarket.symbols', symbol, 'is not an instrument of the simulator');
      const ticks = BigInt(price.div(instrument.tickSize, 0, 'half-even').toString());
      this.mids.set(symbol, ticks < FLOOR_TICKS ? FLOOR_TICKS : ticks);
      this.quote(symbol);
    }
  }

  /** Moves every mid by -2..+2 ticks, re-quotes, and prints one trade at the touch. */
  advance(): void {
    this.step++;
    for (const [symbol, mid] of this.mids) {
      const move = BigInt(Math.floor(this.random() * 5) - 2);
      this.mids.set(symbol, mid + move < FLOOR_TICKS ? FLOOR_TICKS : mid + move);
      this.quote(symbol);
      const { bid, ask } = this.sim.bbo(symbol);
      const touch = this.step % 2 === 0 ? bid : ask;
      if (touch !== undefined) {
        this.sim.applyMarketTrade(symbol, { price: touch.price, quantity: this.lot(symbol).mul(50n), aggressor: touch === bid ? 'SELL' : 'BUY' });
      }
    }
  }

  private lot(symbol: string): Decimal {
    return this.sim.instruments.get(symbol)!.lotSize;
  }

  private quote(symbol: string): void {
    const { tickSize } = this.sim.instruments.get(symbol)!;
    const mid = this.mids.get(symbol)!;
    const level = (ticks: bigint, i: number) => ({ price: tickSize.mul(ticks), size: this.lot(symbol).mul(BigInt(100 * i + Math.floor(this.random() * 100))) });
    const bids = Array.from({ length: LEVELS }, (_, i) => level(mid - BigInt(i + 1), i + 1));
    const asks = Array.from({ length: LEVELS }, (_, i) => level(mid + BigInt(i + 1), i + 1));
    this.sim.applyMarketBook(symbol, { snapshot: true, bids, asks });
  }
}
