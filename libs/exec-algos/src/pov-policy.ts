import type { Decimal } from '@meridian/domain';
import { floorLots, minLots } from './lots';
import { NO_DECISION } from './policy';
import type { AlgoPolicy, Decision, PolicyContext } from './policy';
import { aggressiveChild, retryAfter } from './pricing';
import type { SliceSnapshot } from './types';

/**
 * Percentage of volume: the target is `rate` × the market volume reported since the start, in
 * whole lots, never more than the parent quantity. When the parent is at least `minChildLots`
 * behind (or behind by all that is left, if less), it takes liquidity for the shortfall, at most
 * `maxChildLots` per child and one child at a time.
 */
export class PovPolicy implements AlgoPolicy {
  constructor(
    private readonly rate: Decimal,
    private readonly minChildLots: bigint,
    private readonly maxChildLots: bigint | undefined,
  ) {}

  targetLots(ctx: PolicyContext): bigint {
    return minLots(ctx.parent.lots, floorLots(ctx.marketVolume.mul(this.rate), ctx.parent.lotSize));
  }

  decide(ctx: PolicyContext): Decision {
    if (ctx.ledger.live().length > 0) return NO_DECISION;
    const filled = ctx.ledger.filledLots;
    const deficit = this.targetLots(ctx) - filled;
    const threshold = minLots(this.minChildLots, ctx.parent.lots - filled);
    if (deficit <= 0n || deficit < threshold || retryAfter(ctx) !== undefined) return NO_DECISION;
    const lots = this.maxChildLots === undefined ? deficit : minLots(deficit, this.maxChildLots);
    return { cancels: [], submit: aggressiveChild(ctx, lots) };
  }

  wakeNs(ctx: PolicyContext): bigint | undefined {
    return ctx.ledger.live().length > 0 ? undefined : retryAfter(ctx);
  }

  slice(): SliceSnapshot | undefined {
    return undefined;
  }
}
