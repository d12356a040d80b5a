import type { ChildRecord } from './child-ledger';
import { NO_DECISION } from './policy';
import type { AlgoPolicy, Decision, PolicyContext } from './policy';
import { aggressiveChild, passiveChild, retryAfter } from './pricing';
import { sliceAt, sliceCount } from './schedule';
import type { Schedule } from './schedule';
import type { ChildStyle, SliceSnapshot } from './types';

/**
 * TWAP and VWAP: follow a slice schedule. In slice k the parent sends one child for what it lacks
 * against the slice's cumulative target (so a slice that fell short is caught up in the next one),
 * and has at most one child out at a time. Filled plus working never exceeds the current slice's
 * target: the parent is never more than one slice ahead. A passive child left over from an earlier
 * slice is cancelled first, and the next child goes out once the venue confirms. The final slice
 * takes liquidity for everything left, again every `retryIntervalNs` while something is left.
 */
export class SchedulePolicy implements AlgoPolicy {
  constructor(
    readonly schedule: Schedule,
    private readonly style: ChildStyle,
  ) {}

  decide(ctx: PolicyContext): Decision {
    const k = sliceAt(this.schedule, ctx.nowNs);
    const n = sliceCount(this.schedule);
    if (k < 0 || k >= n) return NO_DECISION;
    const live = ctx.ledger.live();
    if (live.length > 0) {
      const stale: ChildRecord[] = live.filter(
        (c) => c.order.timeInForce === 'GTC' && !c.cancelPending && sliceAt(this.schedule, c.order.submittedNs) < k,
      );
      return { cancels: stale, submit: undefined };
    }
    const deficit = this.schedule.cumulativeLots[k]! - ctx.ledger.filledLots;
    if (deficit <= 0n) return NO_DECISION;
    if (this.waitingToRetry(ctx, k) !== undefined) return NO_DECISION;
    const final = k === n - 1;
    return { cancels: [], submit: final || this.style === 'aggressive' ? aggressiveChild(ctx, deficit) : passiveChild(ctx, deficit) };
  }

  /** A child of this same slice ended short: wait before the next one (a new slice does not wait). */
  private waitingToRetry(ctx: PolicyContext, k: number): bigint | undefined {
    const last = ctx.ledger.last();
    if (last === undefined || sliceAt(this.schedule, last.order.submittedNs) !== k) return undefined;
    return retryAfter(ctx);
  }

  wakeNs(ctx: PolicyContext): bigint | undefined {
    const k = sliceAt(this.schedule, ctx.nowNs);
    const b = this.schedule.boundaries;
    if (k < 0) return b[0];
    if (k >= sliceCount(this.schedule)) return undefined;
    const boundary = b[k + 1]!;
    const retry = this.waitingToRetry(ctx, k);
    return retry !== undefined && retry < boundary ? retry : boundary;
  }

  targetLots(ctx: PolicyContext): bigint {
    const k = sliceAt(this.schedule, ctx.nowNs);
    if (k < 0) return 0n;
    if (k >= sliceCount(this.schedule)) return ctx.parent.lots;
    return this.schedule.cumulativeLots[k]!;
  }

  slice(ctx: PolicyContext): SliceSnapshot | undefined {
    const k = sliceAt(this.schedule, ctx.nowNs);
    const n = sliceCount(this.schedule);
    if (k < 0 || k >= n) return undefined;
    return { index: k, count: n, startNs: this.schedule.boundaries[k]!, endNs: this.schedule.boundaries[k + 1]! };
  }
}
