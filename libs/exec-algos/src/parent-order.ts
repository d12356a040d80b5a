import { Decimal } from '@meridian/domain';
import { ChildLedger } from './child-ledger';
import { AlgoInvariantError, InvalidAlgoInputError } from './errors';
import { IcebergPolicy } from './iceberg-policy';
import { exactLots } from './lots';
import { validateParentOrder } from './parent-spec';
import type { ValidatedParent } from './parent-spec';
import type { AlgoPolicy, ChildPlan, PolicyContext } from './policy';
import { PovPolicy } from './pov-policy';
import { twapSchedule, vwapSchedule } from './schedule';
import { SchedulePolicy } from './schedule-policy';
import type {
  AlgoAction,
  AlgoKind,
  ChildOrder,
  ChildUpdate,
  CloseCause,
  MarketUpdate,
  ParentOrderSpec,
  ParentOutcome,
  ParentProgress,
  ParentSnapshot,
  ParentStatus,
  RestoreInput,
} from './types';

/** Digits of the average fill price in a snapshot. */
export const AVERAGE_PRICE_SCALE = 12;

function policyFor(parent: ValidatedParent): AlgoPolicy {
  const a = parent.algo;
  switch (a.kind) {
    case 'twap':
      return new SchedulePolicy(
        twapSchedule({
          startNs: parent.startNs,
          endNs: parent.endNs!,
          lots: parent.lots,
          slices: a.slices,
          sliceIntervalNs: a.sliceIntervalNs,
          seed: a.seed,
          jitter: a.jitter,
        }),
        a.style,
      );
    case 'vwap':
      return new SchedulePolicy(vwapSchedule({ startNs: parent.startNs, endNs: parent.endNs!, lots: parent.lots, profile: a.profile }), a.style);
    case 'iceberg':
      return new IcebergPolicy(a.displayLots, a.displayVariance, a.seed);
    case 'pov':
      return new PovPolicy(a.rate, a.minChildLots, a.maxChildLots);
  }
}

function nanos(value: unknown, field: string): bigint {
  if (typeof value !== 'bigint') throw new InvalidAlgoInputError(field, value, 'must be a bigint of nanoseconds');
  return value;
}

function optionalPrice(value: unknown, field: string): Decimal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Decimal) || !value.isPositive()) throw new InvalidAlgoInputError(field, value, 'must be a positive Decimal');
  return value;
}

/**
 * A parent order under an execution algorithm: a deterministic state machine with no I/O and no
 * timers. The driver (the execution service, the backtester) feeds it time, market data and its
 * children's execution reports, carries out the actions it returns, and calls `onTimer` again at
 * `nextWakeNs()`. Time only moves forward: an input older than the latest one is taken as "now"
 * at the latest time.
 */
export class ParentOrder {
  private readonly ledger: ChildLedger;
  private marketVolume = Decimal.ZERO;
  private bid: Decimal | undefined;
  private ask: Decimal | undefined;
  private now = 0n;
  private cancelRequestedNs: bigint | undefined;
  private outcome: ParentOutcome | undefined;

  private constructor(
    readonly parent: ValidatedParent,
    private readonly policy: AlgoPolicy,
  ) {
    this.ledger = new ChildLedger(parent.id, parent.lotSize);
  }

  /** Validates the spec (`InvalidParentOrderError` names the first bad field). */
  static create(spec: ParentOrderSpec): ParentOrder {
    const parent = validateParentOrder(spec);
    return new ParentOrder(parent, policyFor(parent));
  }

  /**
   * Rebuilds a parent after a restart from the children it had submitted and their execution
   * reports. The result has the snapshot the original had at the same point; call `onTimer(now)`
   * to resume (it returns what is due, the terminal action too if the parent had ended).
   */
  static restore(spec: ParentOrderSpec, input: RestoreInput): ParentOrder {
    const order = ParentOrder.create(spec);
    if (input === null || typeof input !== 'object') throw new InvalidAlgoInputError('input', input, 'must be a restore input object');
    if (!Array.isArray(input.children)) throw new InvalidAlgoInputError('input.children', input.children, 'must be an array');
    if (!Array.isArray(input.updates)) throw new InvalidAlgoInputError('input.updates', input.updates, 'must be an array');
    let latest = nanos(input.nowNs, 'input.nowNs');
    input.children.forEach((child, i) => {
      const lots = order.checkRestoredChild(child, i);
      order.ledger.add(child, lots);
      if (child.submittedNs > latest) latest = child.submittedNs;
    });
    for (const update of input.updates) {
      order.ledger.apply(update);
      if (update.nowNs > latest) latest = update.nowNs;
    }
    if (order.ledger.filledLots + order.ledger.workingLots() > order.parent.lots) {
      throw new InvalidAlgoInputError('input.children', input.children.length, `ask for more than the parent quantity ${order.parent.quantity}`);
    }
    if (input.pendingCancels !== undefined) {
      if (!Array.isArray(input.pendingCancels)) throw new InvalidAlgoInputError('input.pendingCancels', input.pendingCancels, 'must be an array of client order ids');
      for (const id of input.pendingCancels) order.ledger.markCancelPending(id);
    }
    if (input.cancelRequestedNs !== undefined) order.cancelRequestedNs = nanos(input.cancelRequestedNs, 'input.cancelRequestedNs');
    if (input.marketVolume !== undefined) {
      if (!(input.marketVolume instanceof Decimal) || input.marketVolume.isNegative()) {
        throw new InvalidAlgoInputError('input.marketVolume', input.marketVolume, 'must be a Decimal >= 0');
      }
      order.marketVolume = input.marketVolume;
    }
    order.bid = optionalPrice(input.bid, 'input.bid');
    order.ask = optionalPrice(input.ask, 'input.ask');
    order.now = latest;
    return order;
  }

  private checkRestoredChild(child: ChildOrder, i: number): bigint {
    const at = `input.children[${i}]`;
    if (child === null || typeof child !== 'object') throw new InvalidAlgoInputError(at, child, 'must be a child order');
    const seq = i + 1;
    const id = `${this.parent.id}-${seq}`;
    if (child.seq !== seq || child.clientOrderId !== id || child.parentId !== this.parent.id) {
      throw new InvalidAlgoInputError(`${at}.clientOrderId`, child.clientOrderId, `must be ${id} (children in submission order)`);
    }
    if (child.symbol !== this.parent.symbol || child.side !== this.parent.side) {
      throw new InvalidAlgoInputError(`${at}.symbol`, `${child.side} ${child.symbol}`, `must be ${this.parent.side} ${this.parent.symbol}`);
    }
    nanos(child.submittedNs, `${at}.submittedNs`);
    if (child.type !== 'limit' && child.type !== 'market') throw new InvalidAlgoInputError(`${at}.type`, child.type, "must be 'limit' or 'market'");
    if (child.timeInForce !== 'GTC' && child.timeInForce !== 'IOC') throw new InvalidAlgoInputError(`${at}.timeInForce`, child.timeInForce, "must be 'GTC' or 'IOC'");
    if ((child.type === 'limit') !== (child.limitPrice !== undefined)) {
      throw new InvalidAlgoInputError(`${at}.limitPrice`, child.limitPrice, 'must be set exactly for limit orders');
    }
    const lots = child.quantity instanceof Decimal && child.quantity.isPositive() ? exactLots(child.quantity, this.parent.lotSize) : undefined;
    if (lots === undefined) throw new InvalidAlgoInputError(`${at}.quantity`, child.quantity, `must be a positive whole number of lots (lot size ${this.parent.lotSize})`);
    return lots;
  }

  get id(): string {
    return this.parent.id;
  }

  get kind(): AlgoKind {
    return this.parent.algo.kind;
  }

  /** Time passed: decide what is due at `nowNs`. */
  onTimer(nowNs: bigint): AlgoAction[] {
    this.advance(nanos(nowNs, 'nowNs'));
    return this.step();
  }

  /** The touch and/or a trade; trade volume between the start and the end counts toward POV's target. */
  onMarket(update: MarketUpdate): AlgoAction[] {
    if (update === null || typeof update !== 'object') throw new InvalidAlgoInputError('market', update, 'must be a market update object');
    const nowNs = nanos(update.nowNs, 'market.nowNs');
    const bid = optionalPrice(update.bid, 'market.bid');
    const ask = optionalPrice(update.ask, 'market.ask');
    optionalPrice(update.tradePrice, 'market.tradePrice');
    const volume = update.tradeVolume;
    if (volume !== undefined && (!(volume instanceof Decimal) || volume.isNegative())) {
      throw new InvalidAlgoInputError('market.tradeVolume', volume, 'must be a Decimal >= 0');
    }
    this.advance(nowNs);
    if (bid !== undefined) this.bid = bid;
    if (ask !== undefined) this.ask = ask;
    const { startNs, endNs } = this.parent;
    if (volume !== undefined && this.outcome === undefined && this.now >= startNs && (endNs === undefined || this.now < endNs)) {
      this.marketVolume = this.marketVolume.add(volume);
    }
    return this.step();
  }

  /** An execution report of a child (ack, fill, cancel or reject). */
  onChildUpdate(update: ChildUpdate): AlgoAction[] {
    this.ledger.apply(update);
    this.advance(update.nowNs);
    return this.step();
  }

  /** Cancels the parent: its working children are cancelled, and it finishes once the venue confirms them. */
  cancel(nowNs: bigint): AlgoAction[] {
    this.advance(nanos(nowNs, 'nowNs'));
    if (this.outcome === undefined && this.cancelRequestedNs === undefined) this.cancelRequestedNs = this.now;
    return this.step();
  }

  /** When to call `onTimer` next; undefined while only events can move the parent (or it is done). */
  nextWakeNs(): bigint | undefined {
    const status = this.status();
    if (status === 'done' || status === 'closing') return undefined;
    if (status === 'pending') return this.parent.startNs;
    const wake = this.policy.wakeNs(this.context());
    const end = this.parent.endNs;
    if (end === undefined) return wake;
    return wake === undefined || wake > end ? end : wake;
  }

  status(): ParentStatus {
    if (this.outcome !== undefined) return 'done';
    if (this.closeCause() !== undefined) return 'closing';
    return this.now < this.parent.startNs ? 'pending' : 'working';
  }

  private closeCause(): CloseCause | undefined {
    if (this.cancelRequestedNs !== undefined) return 'cancel';
    if (this.ledger.trailingRejects() >= this.parent.maxChildRejects) return 'rejects';
    const end = this.parent.endNs;
    if (end !== undefined && this.now >= end) return 'end';
    return undefined;
  }

  private advance(nowNs: bigint): void {
    if (nowNs > this.now) this.now = nowNs;
  }

  private context(): PolicyContext {
    return { nowNs: this.now, parent: this.parent, ledger: this.ledger, marketVolume: this.marketVolume, bid: this.bid, ask: this.ask };
  }

  private step(): AlgoAction[] {
    if (this.outcome !== undefined) return [];
    if (this.ledger.filledLots === this.parent.lots) return [this.finish({ type: 'finished', reason: 'completed', detail: `filled ${this.parent.quantity}` })];
    const cause = this.closeCause();
    if (cause !== undefined) return this.close(cause);
    if (this.now < this.parent.startNs) return [];
    const decision = this.policy.decide(this.context());
    const actions: AlgoAction[] = [];
    for (const child of decision.cancels) {
      if (child.state === 'done' || child.cancelPending) continue;
      child.cancelPending = true;
      actions.push({ type: 'cancel', clientOrderId: child.order.clientOrderId });
    }
    if (decision.submit !== undefined) actions.push(this.submit(decision.submit));
    return actions;
  }

  private submit(plan: ChildPlan): AlgoAction {
    const committed = this.ledger.filledLots + this.ledger.workingLots();
    if (plan.lots <= 0n || committed + plan.lots > this.parent.lots) {
      throw new AlgoInvariantError(this.parent.id, `a child of ${plan.lots} lots with ${committed} of ${this.parent.lots} lots filled or working`);
    }
    const seq = this.ledger.count + 1;
    const child: ChildOrder = {
      clientOrderId: `${this.parent.id}-${seq}`,
      parentId: this.parent.id,
      seq,
      symbol: this.parent.symbol,
      side: this.parent.side,
      quantity: this.parent.lotSize.mul(plan.lots),
      type: plan.type,
      limitPrice: plan.limitPrice,
      timeInForce: plan.timeInForce,
      submittedNs: this.now,
    };
    this.ledger.add(child, plan.lots);
    return { type: 'submit', child };
  }

  /** Cancels what is live; once nothing is, ends the parent for `cause`. */
  private close(cause: CloseCause): AlgoAction[] {
    const actions: AlgoAction[] = [];
    const live = this.ledger.live();
    for (const child of live) {
      if (child.cancelPending) continue;
      child.cancelPending = true;
      actions.push({ type: 'cancel', clientOrderId: child.order.clientOrderId });
    }
    if (live.length === 0) actions.push(this.finish(this.outcomeFor(cause)));
    return actions;
  }

  private outcomeFor(cause: CloseCause): ParentOutcome {
    const filled = this.parent.lotSize.mul(this.ledger.filledLots);
    const unfilled = this.parent.quantity.sub(filled);
    const of = `${filled} of ${this.parent.quantity} filled`;
    switch (cause) {
      case 'cancel':
        return { type: 'finished', reason: 'cancelled', detail: `cancelled with ${of}` };
      case 'rejects': {
        const last = this.ledger.last();
        return {
          type: 'failed',
          reason: 'child_rejected',
          detail: `${this.ledger.trailingRejects()} children in a row were rejected (the last: ${last?.reason ?? 'no reason given'}), ${of}`,
        };
      }
      case 'end': {
        const limit = this.parent.limitPrice;
        const last = this.ledger.last();
        if (limit !== undefined && last !== undefined && last.order.limitPrice?.eq(limit) === true && last.endedAs === 'cancelled') {
          return {
            type: 'finished',
            reason: 'expired_at_limit_price',
            detail: `end time ${this.parent.endNs} reached with ${unfilled} unfilled: the market did not trade ${unfilled} at or through the limit price ${limit}`,
          };
        }
        const why =
          this.parent.algo.kind === 'pov'
            ? `the target was ${this.parent.lotSize.mul(this.policy.targetLots(this.context()))} (rate ${this.parent.algo.rate} of the market volume ${this.marketVolume})`
            : 'the last child did not find the liquidity';
        return { type: 'finished', reason: 'expired', detail: `end time ${this.parent.endNs} reached with ${unfilled} unfilled: ${why}` };
      }
    }
  }

  private finish(outcome: ParentOutcome): AlgoAction {
    this.outcome = outcome;
    const filled = this.parent.lotSize.mul(this.ledger.filledLots);
    return { ...outcome, filled };
  }

  progress(): ParentProgress {
    const lot = this.parent.lotSize;
    return {
      status: this.status(),
      filled: lot.mul(this.ledger.filledLots),
      working: lot.mul(this.ledger.workingLots()),
      target: lot.mul(this.now < this.parent.startNs ? 0n : this.policy.targetLots(this.context())),
      marketVolume: this.marketVolume,
      nowNs: this.now,
    };
  }

  snapshot(): ParentSnapshot {
    const ctx = this.context();
    const lot = this.parent.lotSize;
    const filledLots = this.ledger.filledLots;
    const filled = lot.mul(filledLots);
    return {
      id: this.parent.id,
      kind: this.parent.algo.kind,
      symbol: this.parent.symbol,
      side: this.parent.side,
      status: this.status(),
      closeCause: this.outcome === undefined ? this.closeCause() : undefined,
      quantity: this.parent.quantity,
      filled,
      remaining: this.parent.quantity.sub(filled),
      working: lot.mul(this.ledger.workingLots()),
      filledNotional: this.ledger.filledNotional,
      averagePrice: filledLots === 0n ? undefined : this.ledger.filledNotional.div(filled, AVERAGE_PRICE_SCALE),
      target: lot.mul(this.now < this.parent.startNs ? 0n : this.policy.targetLots(ctx)),
      slice: this.policy.slice(ctx),
      marketVolume: this.marketVolume,
      bid: this.bid,
      ask: this.ask,
      children: this.ledger.snapshot(),
      nextChildSeq: this.ledger.count + 1,
      cancelRequestedNs: this.cancelRequestedNs,
      outcome: this.outcome,
      nowNs: this.now,
    };
  }
}
