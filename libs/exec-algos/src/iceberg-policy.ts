import { Decimal } from '@meridian/domain';
import { RANDOM_STREAM, keyedBelow } from './keyed-random';
import { minLots } from './lots';
import { NO_DECISION } from './policy';
import type { AlgoPolicy, Decision, PolicyContext } from './policy';
import { retryAfter } from './pricing';
import type { SliceSnapshot } from './types';

/**
 * Iceberg: one child at a time, GTC at the limit price, showing the display size (or what is left,
 * if less). When the shown child has filled, the next one goes out at once; with a variance, the
 * n-th child's size is drawn (keyed by n) from the whole lots within ±variance of the display size.
 */
export class IcebergPolicy implements AlgoPolicy {
  constructor(
    private readonly displayLots: bigint,
    private readonly variance: Decimal,
    private readonly seed: number,
  ) {}

  /** The size shown by child number `seq`, in lots, before it is capped by what is left. */
  displayFor(seq: number): bigint {
    if (this.variance.isZero()) return this.displayLots;
    const display = Decimal.from(this.displayLots);
    const low = display.mul(Decimal.ONE.sub(this.variance)).round(0, 'ceil').coef;
    const high = display.mul(Decimal.ONE.add(this.variance)).round(0, 'floor').coef;
    const lo = low < 1n ? 1n : low;
    return lo + keyedBelow(this.seed, RANDOM_STREAM.displaySize, seq, high - lo + 1n);
  }

  decide(ctx: PolicyContext): Decision {
    if (ctx.ledger.live().length > 0) return NO_DECISION;
    const remaining = ctx.parent.lots - ctx.ledger.filledLots;
    if (remaining <= 0n || retryAfter(ctx) !== undefined) return NO_DECISION;
    const lots = minLots(this.displayFor(ctx.ledger.count + 1), remaining);
    return { cancels: [], submit: { lots, type: 'limit', limitPrice: ctx.parent.limitPrice, timeInForce: 'GTC' } };
  }

  wakeNs(ctx: PolicyContext): bigint | undefined {
    return ctx.ledger.live().length > 0 ? undefined : retryAfter(ctx);
  }

  targetLots(ctx: PolicyContext): bigint {
    return ctx.parent.lots;
  }

  slice(): SliceSnapshot | undefined {
    return undefined;
  }
}
