import { Decimal } from '@meridian/domain';
import type { Schedule } from '../../src';
import type { Sample } from './venue-driver';

export interface Adherence {
  /** Per slice boundary: target minus filled just before it (positive: behind; negative: ahead). */
  readonly gaps: Decimal[];
  /** The largest shortfall against the target at a boundary, and as a fraction of the parent quantity. */
  readonly maxBehind: Decimal;
  readonly maxBehindFraction: number;
  /** The largest lead over the target at a boundary (0 when never ahead). */
  readonly maxAhead: Decimal;
}

/** Filled just before `tsNs`: the last sample taken earlier, else nothing. */
export function filledBefore(samples: readonly Sample[], tsNs: bigint): Decimal {
  let filled = Decimal.ZERO;
  for (const s of samples) {
    if (s.tsNs >= tsNs) break;
    filled = s.filled;
  }
  return filled;
}

/** How closely the fills followed a slice schedule, measured at each slice's end. */
export function scheduleAdherence(samples: readonly Sample[], schedule: Schedule, lot: Decimal, quantity: Decimal): Adherence {
  const gaps = schedule.cumulativeLots.map((lots, k) => lot.mul(lots).sub(filledBefore(samples, schedule.boundaries[k + 1]!)));
  const maxBehind = gaps.reduce((m, g) => Decimal.max(m, g), Decimal.ZERO);
  const maxAhead = gaps.reduce((m, g) => Decimal.max(m, g.neg()), Decimal.ZERO);
  return { gaps, maxBehind, maxBehindFraction: maxBehind.div(quantity, 6).toNumber(), maxAhead };
}

/** Measured numbers are printed only when asked (EXEC_ALGOS_REPORT=1), to fill the README's table. */
export function report(name: string, values: Record<string, unknown>): void {
  if (process.env.EXEC_ALGOS_REPORT !== '1') return;
  const text = Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) : String(v)}`)
    .join(' ');
  process.stdout.write(`[exec-algos] ${name}: ${text}\n`);
}
