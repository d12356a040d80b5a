import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { Level } from '@meridian/book';
import type { SimUpdate, SimulatedExchange } from '@meridian/venue-sim';
import { ParentOrder } from '../../src';
import type { AlgoAction, ChildOrder, ChildUpdate, ParentOrderSpec, ParentSnapshot } from '../../src';

/** One moment of the external market: a full book (top levels) and/or a trade printed there. */
export interface MarketEvent {
  readonly tsNs: bigint;
  readonly bids?: readonly Level[];
  readonly asks?: readonly Level[];
  readonly trade?: { readonly price: Decimal; readonly quantity: Decimal; readonly aggressor: Side };
}

/** A settable clock shared by the venue and the driver. */
export class TestClock {
  nowNs = 0n;
  readonly read = (): bigint => this.nowNs;
}

export interface Sample {
  readonly tsNs: bigint;
  readonly filled: Decimal;
  readonly target: Decimal;
  readonly working: Decimal;
  /** What our open orders show at the venue (0 unless `trackShown`). */
  readonly shown: Decimal;
}

export interface DriveResult {
  readonly order: ParentOrder;
  readonly terminal: Extract<AlgoAction, { type: 'finished' | 'failed' }> | undefined;
  readonly children: ChildOrder[];
  readonly updates: ChildUpdate[];
  /** The state after each step (timer, market event), oldest first. */
  readonly samples: Sample[];
  /** Market volume and notional printed while the parent was working (for the VWAP benchmark). */
  readonly marketVolume: Decimal;
  readonly marketNotional: Decimal;
  /** With `restartAtNs`: the restored parent's snapshot right after the restore. */
  readonly restored: ParentSnapshot | undefined;
}

export interface DriveOptions {
  /** Restart at this time: the parent is dropped and restored from its journal, then goes on. */
  readonly restartAtNs?: bigint;
  /** Stop after this time even if the parent is not done. */
  readonly untilNs?: bigint;
  /** Cancel the parent at this time. */
  readonly cancelAtNs?: bigint;
  /** Sample what our open orders show at the venue (costs a query per step). */
  readonly trackShown?: boolean;
}

/**
 * Drives one parent order through a simulated exchange, in process: market events go to the venue
 * (and its fills of our resting children come back as child updates), timers fire at
 * `nextWakeNs()`, and every action is carried out at the venue the way the execution service
 * would. The driver keeps the journal a service keeps (children, their updates, pending cancels)
 * and can restart the parent from it.
 */
export class VenueDriver {
  /** Reports of our children, in the order the venue sent them. */
  private readonly inbox: ChildUpdate[] = [];

  constructor(
    private readonly venue: SimulatedExchange,
    private readonly clock: TestClock,
    private readonly account: string,
    private readonly symbol: string,
  ) {
    venue.subscribe(account, (u) => {
      const update = toChildUpdate(u, clock.nowNs);
      if (update !== undefined) this.inbox.push(update);
    });
  }

  run(spec: ParentOrderSpec, events: readonly MarketEvent[], options: DriveOptions = {}): DriveResult {
    let order = ParentOrder.create(spec);
    const children: ChildOrder[] = [];
    const updates: ChildUpdate[] = [];
    const pendingCancels = new Set<string>();
    const unfilled = new Map<string, Decimal>();
    const samples: Sample[] = [];
    let terminal: DriveResult['terminal'];
    let marketVolume = Decimal.ZERO;
    let marketNotional = Decimal.ZERO;
    let cancelRequestedNs: bigint | undefined;
    let restarted = options.restartAtNs === undefined;
    let restored: ParentSnapshot | undefined;
    let cancelled = options.cancelAtNs === undefined;
    let i = 0;

    /** Feeds the venue's reports of our children to the parent, and carries out what it answers, until both are quiet. */
    const carryOut = (actions: AlgoAction[]): void => {
      const queue = [...actions];
      for (;;) {
        while (this.inbox.length > 0) {
          const update = this.inbox.shift()!;
          updates.push(update);
          queue.push(...order.onChildUpdate(update));
          // A cancel stays pending until the child has ended.
          if (update.kind === 'cancel' || update.kind === 'reject') pendingCancels.delete(update.clientOrderId);
          if (update.kind === 'fill') {
            const left = (unfilled.get(update.clientOrderId) ?? Decimal.ZERO).sub(update.fillQuantity!);
            unfilled.set(update.clientOrderId, left);
            if (left.isZero()) pendingCancels.delete(update.clientOrderId);
          }
        }
        const a = queue.shift();
        if (a === undefined) return;
        if (a.type === 'submit') {
          children.push(a.child);
          unfilled.set(a.child.clientOrderId, a.child.quantity);
          const result = this.venue.placeOrder({
            account: this.account,
            clientOrderId: a.child.clientOrderId,
            symbol: a.child.symbol,
            side: a.child.side,
            type: a.child.type,
            quantity: a.child.quantity,
            price: a.child.limitPrice,
            timeInForce: a.child.timeInForce,
          });
          if (!result.ok) this.inbox.push({ clientOrderId: a.child.clientOrderId, kind: 'reject', reason: result.rejection.code, nowNs: this.clock.nowNs });
        } else if (a.type === 'cancel') {
          pendingCancels.add(a.clientOrderId);
          const result = this.venue.cancelOrder({ account: this.account, clientOrderId: a.clientOrderId });
          // ORDER_NOT_OPEN: it ended before the cancel got there; its own report says how.
          if (!result.ok && result.rejection.code !== 'ORDER_NOT_OPEN') throw new Error(`cancel of ${a.clientOrderId} refused: ${result.rejection.message}`);
        } else {
          terminal = a;
        }
      }
    };

    const sample = (): void => {
      const s = order.progress();
      const shown = options.trackShown
        ? Decimal.sum(this.venue.openOrders(this.account, this.symbol).map((o) => o.quantity.sub(o.filledQuantity)))
        : Decimal.ZERO;
      samples.push({ tsNs: this.clock.nowNs, filled: s.filled, target: s.target, working: s.working, shown });
    };

    for (;;) {
      if (terminal !== undefined) break;
      const wake = order.nextWakeNs();
      const next = events[i];
      if (wake === undefined && next === undefined) break;
      const at = wake !== undefined && (next === undefined || wake <= next.tsNs) ? wake : next!.tsNs;
      if (options.untilNs !== undefined && at > options.untilNs) break;
      if (!restarted && at >= options.restartAtNs!) {
        // The service restarts: everything in memory is gone but the journal.
        const before: ParentSnapshot = order.snapshot();
        order = ParentOrder.restore(spec, {
          children,
          updates,
          pendingCancels: [...pendingCancels],
          cancelRequestedNs,
          marketVolume: before.marketVolume,
          bid: before.bid,
          ask: before.ask,
          nowNs: before.nowNs,
        });
        restarted = true;
        restored = order.snapshot();
      }
      if (this.clock.nowNs < at) this.clock.nowNs = at;
      if (!cancelled && at >= options.cancelAtNs!) {
        cancelled = true;
        cancelRequestedNs = at;
        carryOut(order.cancel(at));
        sample();
        continue;
      }
      if (wake !== undefined && at === wake && (next === undefined || wake < next.tsNs)) {
        carryOut(order.onTimer(at));
      } else {
        const e = next!;
        i++;
        if (e.bids !== undefined || e.asks !== undefined) {
          this.venue.applyMarketBook(this.symbol, { snapshot: true, bids: e.bids ?? [], asks: e.asks ?? [] });
        }
        carryOut([]);
        if (e.trade !== undefined) {
          this.venue.applyMarketTrade(this.symbol, e.trade);
          if (order.status() === 'working') {
            marketVolume = marketVolume.add(e.trade.quantity);
            marketNotional = marketNotional.add(e.trade.quantity.mul(e.trade.price));
          }
        }
        carryOut([]);
        carryOut(
          order.onMarket({
            nowNs: e.tsNs,
            bid: e.bids?.[0]?.price,
            ask: e.asks?.[0]?.price,
            tradePrice: e.trade?.price,
            tradeVolume: e.trade?.quantity,
          }),
        );
      }
      sample();
    }
    return { order, terminal, children, updates, samples, marketVolume, marketNotional, restored };
  }
}

/** The venue's report of a child as the parent's `ChildUpdate`; undefined for reports that say nothing new. */
export function toChildUpdate(update: SimUpdate, nowNs: bigint): ChildUpdate | undefined {
  if (update.kind === 'fill') {
    const f = update.fill;
    return { clientOrderId: f.clientOrderId, kind: 'fill', fillQuantity: f.quantity, fillPrice: f.price, tradeId: f.tradeId, nowNs };
  }
  const o = update.order;
  switch (o.status) {
    case 'new':
      return { clientOrderId: o.clientOrderId, kind: 'ack', nowNs };
    case 'cancelled':
    case 'expired':
      return { clientOrderId: o.clientOrderId, kind: 'cancel', reason: o.reason, nowNs };
    case 'rejected':
      return { clientOrderId: o.clientOrderId, kind: 'reject', reason: o.reason, nowNs };
    default:
      // pending_new, partially_filled, filled: the fills themselves carry the news.
      return undefined;
  }
}
