import { Decimal, InvalidDecimalError } from '@meridian/domain';
import { InvalidBarIntervalError } from './bar-errors';

/** Epoch-aligned time bars of `ns` nanoseconds. */
export interface TimeBarInterval {
  readonly kind: 'time';
  /** The canonical token: `100ms`, `1s`, `90s`, `1m`, `5m`, `1h`, `1d`. */
  readonly token: string;
  readonly ns: bigint;
}

/** Bars that each hold exactly `size` of traded volume. */
export interface VolumeBarInterval {
  readonly kind: 'volume';
  /** The canonical token: `v10`, `v0p5`. */
  readonly token: string;
  readonly size: Decimal;
}

export type BarInterval = TimeBarInterval | VolumeBarInterval;

const NS_PER_SECOND = 1_000_000_000n;
/** Largest unit first: formatting picks the largest that divides the interval. */
const UNITS: readonly (readonly [string, bigint])[] = [
  ['d', 86_400n * NS_PER_SECOND],
  ['h', 3_600n * NS_PER_SECOND],
  ['m', 60n * NS_PER_SECOND],
  ['s', NS_PER_SECOND],
  ['ms', 1_000_000n],
];
const TIME_TOKEN = /^([1-9][0-9]{0,8})(ms|[smhd])$/;
// No leading zeros in the whole part, no trailing zeros in the fraction: one spelling per size.
const VOLUME_TOKEN = /^v(0|[1-9][0-9]*)(?:p([0-9]*[1-9]))?$/;

/**
 * Reads a `Bar.interval` token: `<n><ms|s|m|h|d>` for time bars, `v<size>` with `p` for the decimal
 * point for volume bars. Only the canonical spelling is accepted (`1m`, not `60s`; `v0p5`, not
 * `v0p50`), because the token is a subject token and a storage key: two spellings of one interval
 * would split one series in two.
 */
export function parseBarInterval(token: string): BarInterval {
  if (typeof token !== 'string') throw new InvalidBarIntervalError(token, 'not a string');
  const time = TIME_TOKEN.exec(token);
  if (time) {
    const unit = UNITS.find(([u]) => u === time[2])!;
    const interval = timeBarInterval(BigInt(time[1]!) * unit[1]);
    if (interval.token !== token) throw new InvalidBarIntervalError(token, `write it as ${JSON.stringify(interval.token)}`);
    return interval;
  }
  const volume = VOLUME_TOKEN.exec(token);
  if (volume) {
    let size: Decimal;
    try {
      size = Decimal.parse(volume[2] === undefined ? volume[1]! : `${volume[1]}.${volume[2]}`);
    } catch (err) {
      // The pattern admits only digits, so the one refusal left is a fraction finer than Decimal holds.
      if (!(err instanceof InvalidDecimalError)) throw err;
      throw new InvalidBarIntervalError(token, `volume size: ${err.message}`);
    }
    if (!size.isPositive()) throw new InvalidBarIntervalError(token, 'a volume bar size must be positive');
    return { kind: 'volume', token, size };
  }
  throw new InvalidBarIntervalError(token, 'expected <n><ms|s|m|h|d> (100ms, 1s, 5m, 1h) or v<size> with p for the decimal point (v10, v0p5)');
}

/** The time interval of `ns` nanoseconds (a whole number of milliseconds), with its canonical token. */
export function timeBarInterval(ns: bigint): TimeBarInterval {
  if (ns <= 0n || ns % 1_000_000n !== 0n) {
    throw new InvalidBarIntervalError(`${ns}ns`, 'a time bar interval is a positive whole number of milliseconds');
  }
  const [unit, unitNs] = UNITS.find(([, n]) => ns % n === 0n)!;
  return { kind: 'time', token: `${ns / unitNs}${unit}`, ns };
}

/** The volume interval of `size` (positive), with its canonical token. */
export function volumeBarInterval(size: Decimal | string): VolumeBarInterval {
  const d = Decimal.from(size);
  if (!d.isPositive()) throw new InvalidBarIntervalError(`v${d.toString()}`, 'a volume bar size must be positive');
  return { kind: 'volume', token: `v${d.toString().replace('.', 'p')}`, size: d };
}
