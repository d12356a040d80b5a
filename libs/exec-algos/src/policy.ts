import type { Decimal } from '@meridian/domain';
import type { ChildLedger, ChildRecord } from './child-ledger';
import type { ValidatedParent } from './parent-spec';
import type { ChildOrderType, ChildTimeInForce, SliceSnapshot } from './types';

/** What an algorithm sees when it decides. */
export interface PolicyContext {
  readonly nowNs: bigint;
  readonly parent: ValidatedParent;
  readonly ledger: ChildLedger;
  readonly marketVolume: Decimal;
  readonly bid: Decimal | undefined;
  readonly ask: Decimal | undefined;
}

/** A child the algorithm wants sent, before it gets its id. */
export interface ChildPlan {
  readonly lots: bigint;
  readonly type: ChildOrderType;
  readonly limitPrice: Decimal | undefined;
  readonly timeInForce: ChildTimeInForce;
}

export interface Decision {
  readonly cancels: readonly ChildRecord[];
  readonly submit: ChildPlan | undefined;
}

export const NO_DECISION: Decision = { cancels: [], submit: undefined };

/**
 * One algorithm's rule, called by `ParentOrder` only while the parent is working (started, not
 * closing, not filled). Every answer is a function of the context: nothing is remembered between
 * calls, which is what makes a parent rebuildable from its children's events.
 */
export interface AlgoPolicy {
  decide(ctx: PolicyContext): Decision;
  /** When the parent next needs a timer call while working, besides its end (undefined: none). */
  wakeNs(ctx: PolicyContext): bigint | undefined;
  /** The cumulative lots the algorithm aims to have filled by now. */
  targetLots(ctx: PolicyContext): bigint;
  slice(ctx: PolicyContext): SliceSnapshot | undefined;
}
