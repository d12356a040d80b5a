import type { Decimal } from '@meridian/domain';
import { RANDOM_STREAM, keyedBelow } from './keyed-random';

/**
 * A slice schedule: slice k covers [boundaries[k], boundaries[k+1]) and by its end the parent aims
 * to have filled `cumulativeLots[k]` lots. Cumulative targets are rounded down to whole lots, so
 * the lot a slice cannot take moves to a later one, and the last target is the whole quantity.
 */
export interface Schedule {
  /** Slice count + 1 times, increasing; the first is the start, the last the end. */
  readonly boundaries: readonly bigint[];
  readonly cumulativeLots: readonly bigint[];
}

export function sliceCount(schedule: Schedule): number {
  return schedule.cumulativeLots.length;
}

/** The slice that holds `nowNs`: -1 before the start, the slice count at or after the end. */
export function sliceAt(schedule: Schedule, nowNs: bigint): number {
  const b = schedule.boundaries;
  const n = b.length - 1;
  if (nowNs < b[0]!) return -1;
  if (nowNs >= b[n]!) return n;
  let lo = 0;
  let hi = n - 1;
  // The last boundary <= now.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (b[mid]! <= nowNs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** floor(lots × num / den), the schedule's rounding. */
function share(lots: bigint, num: bigint, den: bigint): bigint {
  return (lots * num) / den;
}

export interface TwapScheduleOptions {
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly lots: bigint;
  readonly slices?: number;
  readonly sliceIntervalNs?: bigint;
  /** 0 = evenly spaced boundaries. */
  readonly seed: number;
  readonly jitter: Decimal;
}

/**
 * TWAP: the target is proportional to the time the nominal slices cover (k/N of the quantity after
 * k of N equal slices). With a seed, each inner boundary moves by a keyed random offset of at most
 * `jitter` × half the shorter neighbouring slice, which changes when a slice's child goes out but
 * not how much the schedule asks for by the end of each slice.
 */
export function twapSchedule(o: TwapScheduleOptions): Schedule {
  const duration = o.endNs - o.startNs;
  const nominal: bigint[] = [];
  const cumulativeLots: bigint[] = [];
  if (o.slices !== undefined) {
    const n = BigInt(o.slices);
    for (let k = 0n; k <= n; k++) nominal.push(o.startNs + (duration * k) / n);
    for (let k = 1n; k <= n; k++) cumulativeLots.push(share(o.lots, k, n));
  } else {
    const interval = o.sliceIntervalNs!;
    for (let t = o.startNs; t < o.endNs; t += interval) nominal.push(t);
    nominal.push(o.endNs);
    for (let k = 1; k < nominal.length; k++) cumulativeLots.push(share(o.lots, nominal[k]! - o.startNs, duration));
  }
  if (o.seed === 0) return { boundaries: nominal, cumulativeLots };
  const boundaries = [...nominal];
  const scaleDen = 10n ** BigInt(o.jitter.scale);
  for (let k = 1; k < nominal.length - 1; k++) {
    const gap = minGap(nominal[k]! - nominal[k - 1]!, nominal[k + 1]! - nominal[k]!);
    const reach = (gap * o.jitter.coef) / (2n * scaleDen);
    boundaries[k] = nominal[k]! - reach + keyedBelow(o.seed, RANDOM_STREAM.sliceTime, k, 2n * reach + 1n);
  }
  return { boundaries, cumulativeLots };
}

function minGap(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/**
 * VWAP: equal buckets of [start, end], the target after bucket k being the quantity times the
 * profile's cumulative fraction through k, rounded down to lots (exactly the quantity at the end,
 * since the fractions sum to 1).
 */
export function vwapSchedule(o: { startNs: bigint; endNs: bigint; lots: bigint; profile: readonly Decimal[] }): Schedule {
  const n = BigInt(o.profile.length);
  const duration = o.endNs - o.startNs;
  const boundaries: bigint[] = [];
  for (let k = 0n; k <= n; k++) boundaries.push(o.startNs + (duration * k) / n);
  const cumulativeLots: bigint[] = [];
  let cumulative: Decimal | undefined;
  for (const f of o.profile) {
    cumulative = cumulative === undefined ? f : cumulative.add(f);
    // lots × (coef / 10^scale), rounded down: exact integer arithmetic on the fraction's digits.
    cumulativeLots.push(share(o.lots, cumulative.coef, 10n ** BigInt(cumulative.scale)));
  }
  return { boundaries, cumulativeLots };
}
