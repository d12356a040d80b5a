import { InvalidModelConfigError, requireFinite, requirePeriod } from './errors';
import { Ema } from './indicators';
import type { Indicator } from './indicators';

export interface MacdValue {
  /** EMA(fast) - EMA(slow). */
  readonly macd: number;
  /** EMA(signal) of the MACD line. */
  readonly signal: number;
  /** macd - signal. */
  readonly histogram: number;
}

/**
 * Moving average convergence/divergence. Every EMA is the package's `Ema` (seeded with the simple
 * average of its first inputs): the fast and slow EMAs read every input from the first, the MACD
 * line exists once the slow one is warm, and the signal EMA reads the MACD line from then on.
 * So the first value comes with input slow + signal - 1 (33 for 12/26/9), with all three lines.
 */
export class Macd implements Indicator<number, MacdValue> {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signal: Ema;
  private current: MacdValue | undefined;

  constructor(fastPeriod: number, slowPeriod: number, signalPeriod: number) {
    this.fastPeriod = requirePeriod('Macd fastPeriod', fastPeriod);
    this.slowPeriod = requirePeriod('Macd slowPeriod', slowPeriod);
    this.signalPeriod = requirePeriod('Macd signalPeriod', signalPeriod);
    if (this.fastPeriod >= this.slowPeriod) {
      throw new InvalidModelConfigError('fastPeriod', this.fastPeriod, `must be shorter than slowPeriod ${this.slowPeriod}`);
    }
    this.fast = new Ema(this.fastPeriod);
    this.slow = new Ema(this.slowPeriod);
    this.signal = new Ema(this.signalPeriod);
  }

  update(x: number): MacdValue | undefined {
    requireFinite('Macd input', x);
    const fast = this.fast.update(x);
    const slow = this.slow.update(x);
    if (fast === undefined || slow === undefined) return undefined;
    const macd = fast - slow;
    const signal = this.signal.update(macd);
    if (signal !== undefined) this.current = { macd, signal, histogram: macd - signal };
    return this.current;
  }

  get value(): MacdValue | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  get warmup(): number {
    return this.slowPeriod + this.signalPeriod - 1;
  }
}
