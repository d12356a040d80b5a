import { Decimal } from '@meridian/domain';
import { InvalidAlgoInputError, InvalidParentOrderError } from './errors';

const MAX_BUCKETS = 100_000;
export const NS_PER_DAY = 86_400_000_000_000n;
/** Digits of a built profile's fractions unless asked otherwise. */
export const DEFAULT_PROFILE_SCALE = 12;
// Each day's fractions are carried with more digits than the result, so averaging them rounds once.
const WORKING_SCALE = 30;

/** Checks a VWAP profile: 1 to 100,000 fractions, each >= 0, summing to exactly 1. */
export function validateVolumeProfile(profile: readonly Decimal[], field = 'profile'): readonly Decimal[] {
  if (!Array.isArray(profile)) throw new InvalidParentOrderError(field, profile, 'must be an array of Decimal fractions');
  if (profile.length === 0 || profile.length > MAX_BUCKETS) {
    throw new InvalidParentOrderError(field, profile.length, `must have 1 to ${MAX_BUCKETS} buckets`);
  }
  let sum = Decimal.ZERO;
  profile.forEach((f, i) => {
    if (!(f instanceof Decimal)) throw new InvalidParentOrderError(`${field}[${i}]`, f, 'must be a Decimal');
    if (f.isNegative()) throw new InvalidParentOrderError(`${field}[${i}]`, f, 'must not be negative');
    sum = sum.add(f);
  });
  if (!sum.eq(Decimal.ONE)) throw new InvalidParentOrderError(field, sum, 'must sum to exactly 1');
  return Object.freeze([...profile]);
}

/** One historical bar as the profile needs it. */
export interface ProfileBar {
  /** Start of the bar, ns since the epoch (UTC). */
  readonly startNs: bigint;
  readonly volume: Decimal;
}

export interface VolumeProfileOptions {
  /** Start of the session as a time of day, ns after local midnight (e.g. 09:30 for US equities). */
  readonly sessionStartNs: bigint;
  /** End of the session (exclusive), ns after local midnight; at most one day. */
  readonly sessionEndNs: bigint;
  /** Equal buckets the session is cut into. */
  readonly buckets: number;
  /** Added to each bar's UTC start to get local time (e.g. -4 h for New York in summer). Default 0. */
  readonly utcOffsetNs?: bigint;
  /** Fraction digits of the result (default 12). */
  readonly scale?: number;
}

/**
 * A VWAP volume profile from historical bars, averaged by time of day: each day's volume per bucket
 * as a fraction of that day's session volume (so a busy day does not outweigh a quiet one), the
 * mean over the days that traded, rounded to `scale` digits, with the rounding residue added to
 * the largest bucket so the fractions sum to exactly 1. Bars outside the session are ignored.
 */
export function buildVolumeProfile(bars: Iterable<ProfileBar>, options: VolumeProfileOptions): Decimal[] {
  const { sessionStartNs, sessionEndNs, buckets } = options;
  const utcOffsetNs = options.utcOffsetNs ?? 0n;
  const scale = options.scale ?? DEFAULT_PROFILE_SCALE;
  if (typeof sessionStartNs !== 'bigint' || sessionStartNs < 0n || sessionStartNs >= NS_PER_DAY) {
    throw new InvalidAlgoInputError('sessionStartNs', sessionStartNs, 'must be a bigint time of day in [0, 1 day)');
  }
  if (typeof sessionEndNs !== 'bigint' || sessionEndNs <= sessionStartNs || sessionEndNs > NS_PER_DAY) {
    throw new InvalidAlgoInputError('sessionEndNs', sessionEndNs, `must be a bigint time of day after sessionStartNs (${sessionStartNs}) and at most 1 day`);
  }
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS || BigInt(buckets) > sessionEndNs - sessionStartNs) {
    throw new InvalidAlgoInputError('buckets', buckets, `must be an integer in [1, ${MAX_BUCKETS}] and not more than the session's nanoseconds`);
  }
  if (typeof utcOffsetNs !== 'bigint') throw new InvalidAlgoInputError('utcOffsetNs', utcOffsetNs, 'must be a bigint');
  if (!Number.isInteger(scale) || scale < 1 || scale > 24) throw new InvalidAlgoInputError('scale', scale, 'must be an integer in [1, 24]');

  const session = sessionEndNs - sessionStartNs;
  const byDay = new Map<bigint, Decimal[]>();
  let index = 0;
  for (const bar of bars) {
    if (bar === null || typeof bar !== 'object' || typeof bar.startNs !== 'bigint') {
      throw new InvalidAlgoInputError(`bars[${index}].startNs`, bar?.startNs, 'must be a bigint');
    }
    if (!(bar.volume instanceof Decimal) || bar.volume.isNegative()) {
      throw new InvalidAlgoInputError(`bars[${index}].volume`, bar.volume, 'must be a Decimal >= 0');
    }
    index++;
    const local = bar.startNs + utcOffsetNs;
    let day = local / NS_PER_DAY;
    let timeOfDay = local % NS_PER_DAY;
    if (timeOfDay < 0n) {
      timeOfDay += NS_PER_DAY;
      day -= 1n;
    }
    if (timeOfDay < sessionStartNs || timeOfDay >= sessionEndNs) continue;
    const bucket = Number(((timeOfDay - sessionStartNs) * BigInt(buckets)) / session);
    let volumes = byDay.get(day);
    if (volumes === undefined) {
      volumes = new Array<Decimal>(buckets).fill(Decimal.ZERO);
      byDay.set(day, volumes);
    }
    volumes[bucket] = volumes[bucket]!.add(bar.volume);
  }

  const sums = new Array<Decimal>(buckets).fill(Decimal.ZERO);
  let days = 0;
  for (const volumes of byDay.values()) {
    const total = Decimal.sum(volumes);
    if (total.isZero()) continue;
    days++;
    for (let b = 0; b < buckets; b++) sums[b] = sums[b]!.add(volumes[b]!.div(total, WORKING_SCALE));
  }
  if (days === 0) throw new InvalidAlgoInputError('bars', index, 'hold no volume inside the session');

  const profile = sums.map((s) => s.div(BigInt(days), scale));
  const residue = Decimal.ONE.sub(Decimal.sum(profile));
  let largest = 0;
  for (let b = 1; b < buckets; b++) if (profile[b]!.gt(profile[largest]!)) largest = b;
  profile[largest] = profile[largest]!.add(residue);
  return profile;
}
