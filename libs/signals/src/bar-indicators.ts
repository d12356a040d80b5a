import type { Bar } from './bars';
import { InvalidModelConfigError, InvalidSignalInputError, requireFinite, requirePeriod } from './errors';
import type { Indicator } from './indicators';
import { CompensatedSum, RingBuffer } from './rolling';

/** What `Atr` reads of a bar. */
export type HlcBar = Pick<Bar, 'high' | 'low' | 'close'>;
/** What `Vwap` reads of a bar. */
export type HlcvBar = Pick<Bar, 'startMs' | 'high' | 'low' | 'close' | 'volume'>;

function requireRange(owner: string, high: number, low: number, close: number): void {
  requireFinite(`${owner} high`, high);
  requireFinite(`${owner} low`, low);
  requireFinite(`${owner} close`, close);
  if (high < low) throw new InvalidSignalInputError(`${owner} high`, high, `is below low ${low}`);
}

/**
 * Wilder's average true range. A true range needs the previous close, so the first bar only
 * supplies that close; the first value is the simple mean of the next `period` true ranges and
 * later ones use Wilder's smoothing (1/period). Warm after period + 1 bars, as in TA-Lib.
 */
export class Atr implements Indicator<HlcBar> {
  readonly period: number;
  private previousClose: number | undefined;
  private ranges = 0;
  private seedSum = 0;
  private current: number | undefined;

  constructor(period: number) {
    this.period = requirePeriod('Atr period', period);
  }

  update(bar: HlcBar): number | undefined {
    const { high, low, close } = bar;
    requireRange('Atr bar', high, low, close);
    const previous = this.previousClose;
    this.previousClose = close;
    if (previous === undefined) return undefined;
    const tr = Math.max(high - low, Math.abs(high - previous), Math.abs(low - previous));
    if (this.current !== undefined) {
      this.current += (tr - this.current) / this.period;
      return this.current;
    }
    this.seedSum += tr;
    this.ranges += 1;
    if (this.ranges === this.period) this.current = this.seedSum / this.period;
    return this.current;
  }

  get value(): number | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  get warmup(): number {
    return this.period + 1;
  }
}

/**
 * Either a rolling window of `period` bars, or sessions of `sessionMs` that start at
 * `sessionOffsetMs` past each multiple of `sessionMs` since the epoch (86_400_000 alone: UTC days).
 */
export type VwapOptions = { readonly period: number } | { readonly sessionMs: number; readonly sessionOffsetMs?: number };

/**
 * Volume-weighted average of each bar's typical price (high + low + close) / 3, the price a bar
 * can stand for without its trades:
 * - rolling (`{ period }`): over the last `period` bars, warm after `period` bars;
 * - session (`{ sessionMs, sessionOffsetMs }`): over the bars of the current session so far,
 *   reset by the first bar whose start falls in a new session, warm from the first bar. A fixed
 *   offset knows no daylight-saving time.
 * A window or session without volume yet reads the current bar's typical price. Bars must come in
 * time order (session mode checks it).
 */
export class Vwap implements Indicator<HlcvBar> {
  readonly period: number | undefined;
  readonly sessionMs: number | undefined;
  readonly sessionOffsetMs: number;
  private readonly pv = new CompensatedSum();
  private readonly v = new CompensatedSum();
  private readonly pvWindow: RingBuffer | undefined;
  private readonly vWindow: RingBuffer | undefined;
  /** Bars with volume in the window: a compensated sum of volumes that all left may not be exactly 0. */
  private withVolume = 0;
  private session: number | undefined;
  private lastStartMs = Number.NEGATIVE_INFINITY;
  private current: number | undefined;

  constructor(options: VwapOptions) {
    if ('period' in options) {
      if ('sessionMs' in options) throw new InvalidModelConfigError('Vwap options', 'period and sessionMs', 'are exclusive: a window or sessions');
      this.period = requirePeriod('Vwap period', options.period);
      this.pvWindow = new RingBuffer(this.period);
      this.vWindow = new RingBuffer(this.period);
      this.sessionOffsetMs = 0;
    } else {
      this.sessionMs = requirePeriod('Vwap sessionMs', options.sessionMs);
      const offset = options.sessionOffsetMs ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.sessionMs) {
        throw new InvalidModelConfigError('sessionOffsetMs', offset, `must be an integer in [0, sessionMs ${this.sessionMs})`);
      }
      this.sessionOffsetMs = offset;
    }
  }

  update(bar: HlcvBar): number | undefined {
    const { startMs, high, low, close, volume } = bar;
    requireRange('Vwap bar', high, low, close);
    if (typeof volume !== 'number' || !Number.isFinite(volume) || volume < 0) {
      throw new InvalidSignalInputError('Vwap bar volume', volume, 'must be a non-negative finite number');
    }
    const typical = (high + low + close) / 3;
    if (this.sessionMs !== undefined) {
      requireFinite('Vwap bar startMs', startMs);
      if (startMs < this.lastStartMs) {
        throw new InvalidSignalInputError('Vwap bar startMs', startMs, `is before the previous bar's ${this.lastStartMs}`);
      }
      this.lastStartMs = startMs;
      const session = Math.floor((startMs - this.sessionOffsetMs) / this.sessionMs);
      if (session !== this.session) {
        this.session = session;
        this.pv.reset();
        this.v.reset();
        this.withVolume = 0;
      }
      this.add(typical, volume);
      this.current = this.withVolume === 0 ? typical : this.pv.value / this.v.value;
      return this.current;
    }
    const evictedPv = this.pvWindow!.push(typical * volume);
    const evictedV = this.vWindow!.push(volume);
    this.add(typical, volume);
    if (evictedPv !== undefined && evictedV !== undefined) {
      this.pv.add(-evictedPv);
      this.v.add(-evictedV);
      if (evictedV > 0) this.withVolume -= 1;
    }
    if (this.vWindow!.full) this.current = this.withVolume === 0 ? typical : this.pv.value / this.v.value;
    return this.current;
  }

  private add(typical: number, volume: number): void {
    this.pv.add(typical * volume);
    this.v.add(volume);
    if (volume > 0) this.withVolume += 1;
  }

  get value(): number | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.current !== undefined;
  }

  get warmup(): number {
    return this.period ?? 1;
  }
}
