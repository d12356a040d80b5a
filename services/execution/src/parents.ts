import { Decimal, nowNanos } from '@meridian/domain';
import { ParentOrder } from '@meridian/exec-algos';
import type { AlgoAction, AlgoParams, ChildOrder, ChildUpdate, MarketUpdate, ParentOrderSpec, ParentSnapshot } from '@meridian/exec-algos';
import type { Bus } from '@meridian/bus';
import type { ManagedOrder, OrderTransition } from '@meridian/orders';
import { OrderIntent, OrderType, ParentOrderEvent, TimeInForce, decimalField, optionalDecimalField, sideFromWire, sideToWire } from '@meridian/proto';
import type { ExecutionAlgo, Order } from '@meridian/proto';
import type { Logger } from '@meridian/runtime';
import { SettledIds } from '@meridian/portfolio';
import { ORDER_TYPE_WIRE, TIME_IN_FORCE_WIRE } from './reports';
import { SerialQueue } from './serial-queue';

/** A parent order request that cannot make a parent (a bad algorithm parameter, a quantity off the lot grid). */
export class ParentRequestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ParentRequestError';
  }
}

/** The trading grid of a symbol, which children are rounded to. */
export interface Grid {
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
}

export interface ParentDeps {
  readonly bus: Bus;
  readonly venue: string;
  readonly logger: Logger;
  /** Cancels a child at the venue, or before it gets there. */
  cancelChild(clientOrderId: string): void;
  /** Counts ended parents by outcome and reason. */
  ended(outcome: 'finished' | 'failed', reason: string): void;
}

interface Parent {
  readonly spec: ParentOrderSpec;
  readonly strategy: string;
  readonly algo: string;
  readonly createdNs: bigint;
  order: ParentOrder;
  timer: NodeJS.Timeout | undefined;
  ended: boolean;
  /** How a parent restored as ended had ended (its state machine, rebuilt from the children, does not say). */
  final?: ParentEnd;
}

/** A parent's `ended` record, as the parent stream holds it. */
export interface ParentEnd {
  readonly outcome: 'finished' | 'failed';
  readonly reason: string;
  readonly tsNs: bigint;
}

/** What the parent stream and the children's reports say about a parent, for `restore`. */
export interface ParentHistory {
  created?: { intent: OrderIntent; algo: ExecutionAlgo; grid: Grid; tsNs: bigint };
  children: ChildOrder[];
  updates: ChildUpdate[];
  pendingCancels: Set<string>;
  cancelRequestedNs?: bigint;
  ended?: ParentEnd;
}

/** The algorithm's parameters from the wire, validated by `ParentOrder.create`. */
export function algoParamsOf(a: ExecutionAlgo): AlgoParams {
  const opt = (field: string, v: string) => optionalDecimalField(field, v);
  switch (a.algo?.$case) {
    case 'twap':
      return { kind: 'twap', slices: a.algo.value.slices, ...(a.algo.value.seed !== 0 ? { seed: a.algo.value.seed } : {}) };
    case 'vwap':
      return { kind: 'vwap', profile: a.algo.value.profile.map((p, i) => decimalField(`profile[${i}]`, p)) };
    case 'iceberg': {
      const variance = opt('display_variance', a.algo.value.displayVariance);
      return {
        kind: 'iceberg',
        displayQuantity: decimalField('display_quantity', a.algo.value.displayQuantity),
        ...(variance ? { displayVariance: variance } : {}),
        ...(a.algo.value.seed !== 0 ? { seed: a.algo.value.seed } : {}),
      };
    }
    case 'pov': {
      const min = opt('min_child_quantity', a.algo.value.minChildQuantity);
      const max = opt('max_child_quantity', a.algo.value.maxChildQuantity);
      return { kind: 'pov', rate: decimalField('rate', a.algo.value.rate), ...(min ? { minChildQuantity: min } : {}), ...(max ? { maxChildQuantity: max } : {}) };
    }
    default:
      throw new ParentRequestError('algo: one of twap, vwap, iceberg or pov is required');
  }
}

function specOf(intent: OrderIntent, algo: ExecutionAlgo, grid: Grid, createdNs: bigint): ParentOrderSpec {
  const limitPrice = intent.type === OrderType.ORDER_TYPE_LIMIT ? decimalField('limit_price', intent.limitPrice) : undefined;
  return {
    id: intent.clientOrderId,
    symbol: intent.symbol,
    side: sideFromWire(intent.side),
    quantity: decimalField('quantity', intent.quantity),
    ...(limitPrice ? { limitPrice } : {}),
    startNs: algo.startTsNs > 0n ? algo.startTsNs : createdNs,
    ...(algo.endTsNs > 0n ? { endNs: algo.endTsNs } : {}),
    lotSize: grid.lotSize,
    tickSize: grid.tickSize,
    algo: algoParamsOf(algo),
  };
}

/**
 * The parent orders of execution algorithms on this shard: each a `ParentOrder` from
 * libs/exec-algos (the backtester drives the same one), driven by timers, the book, the trades and
 * its children's transitions. Children are ordinary intents (`<parent>-<n>`), so they pass risk
 * like every order; everything the parent decides is first written to `ord.parent.*`.
 */
export class ParentManager {
  private readonly parents = new Map<string, Parent>();
  /** Child client order id → parent id. */
  private readonly childParent = new Map<string, string>();
  /**
   * Parents that ended, kept a while for GetOrder and CancelOrder (which answers with the ended
   * parent) and then forgotten with their children's ids, as a restart forgets them (it restores
   * only working parents).
   */
  private readonly ended = new SettledIds();
  /** Every parent decision happens in order: a child's fill and a timer never interleave. */
  private readonly queue = new SerialQueue();

  constructor(private readonly deps: ParentDeps) {}

  has(id: string): boolean {
    return this.parents.has(id);
  }

  isChild(clientOrderId: string): boolean {
    return this.childParent.has(clientOrderId);
  }

  /** Whether parent `id` is here and has not ended. */
  isWorking(id: string): boolean {
    const p = this.parents.get(id);
    return p !== undefined && !p.ended;
  }

  /** Parents held: working, or ended within the retention. */
  get size(): number {
    return this.parents.size;
  }

  /**
   * Forgets the parents that ended before the previous call (between one and two calls after they
   * ended) and their children's ids; returns how many. Run on the owner's retention timer.
   */
  forgetEnded(): number {
    let forgotten = 0;
    for (const id of this.ended.sweep()) {
      const p = this.parents.get(id);
      if (!p?.ended) continue;
      for (const c of p.order.snapshot().children) this.childParent.delete(c.order.clientOrderId);
      this.parents.delete(id);
      forgotten++;
    }
    return forgotten;
  }

  /** Validates and starts a parent; throws (with the field named) when the spec is not valid. */
  /** `touch`: the book's best bid and ask now, so the first children are priced (and risk can value them). */
  create(intent: OrderIntent, algo: ExecutionAlgo, grid: Grid, touch: { bid?: Decimal; ask?: Decimal }): Promise<void> {
    return this.queue.run(() => this.createNow(intent, algo, grid, touch));
  }

  private async createNow(intent: OrderIntent, algo: ExecutionAlgo, grid: Grid, touch: { bid?: Decimal; ask?: Decimal }): Promise<void> {
    if (this.parents.has(intent.clientOrderId)) throw new ParentRequestError(`parent order ${intent.clientOrderId} exists already`);
    const createdNs = nowNanos();
    let spec: ParentOrderSpec;
    let order: ParentOrder;
    try {
      spec = specOf(intent, algo, grid, createdNs);
      order = ParentOrder.create(spec);
    } catch (err) {
      throw new ParentRequestError(`parent order ${intent.clientOrderId}: ${(err as Error).message}`, { cause: err });
    }
    await this.write(spec.id, 'created', {
      $case: 'created',
      value: { intent, algo, tickSize: grid.tickSize.toString(), lotSize: grid.lotSize.toString() },
    });
    const p: Parent = { spec, strategy: intent.strategy, algo: spec.algo.kind, createdNs, order, timer: undefined, ended: false };
    this.parents.set(spec.id, p);
    await this.run(p, [...order.onMarket({ nowNs: createdNs, ...touch }), ...order.onTimer(createdNs)]);
  }

  /** Rebuilds a parent from its history and carries on. */
  restore(id: string, h: ParentHistory, touch: { bid?: Decimal; ask?: Decimal }): Promise<void> {
    return this.queue.run(() => this.restoreNow(id, h, touch));
  }

  private async restoreNow(id: string, h: ParentHistory, touch: { bid?: Decimal; ask?: Decimal }): Promise<void> {
    if (!h.created) return;
    const spec = specOf(h.created.intent, h.created.algo, h.created.grid, h.created.tsNs);
    const now = nowNanos();
    const order = ParentOrder.restore(spec, {
      children: h.children,
      updates: h.updates,
      ...(h.cancelRequestedNs !== undefined ? { cancelRequestedNs: h.cancelRequestedNs } : {}),
      ...touch,
      pendingCancels: [...h.pendingCancels].filter((cid) => !h.updates.some((u) => u.clientOrderId === cid && (u.kind === 'cancel' || u.kind === 'reject')) && !filledOut(h, cid)),
      nowNs: now,
    });
    for (const c of h.children) this.childParent.set(c.clientOrderId, id);
    const p: Parent = { spec, strategy: h.created.intent.strategy, algo: spec.algo.kind, createdNs: h.created.tsNs, order, timer: undefined, ended: h.ended !== undefined };
    this.parents.set(id, p);
    if (h.ended !== undefined) {
      // Ended before the restart: GetOrder still answers for it until the retention forgets it, as
      // it would have without the restart. Nothing is sent and nothing runs.
      p.final = h.ended;
      this.ended.mark(id);
      return;
    }
    // A child written down but never heard of may have been lost before its intent was published:
    // publishing it again is safe (its client order id is the Nats-Msg-Id and risk's key).
    const heard = new Set(h.updates.map((u) => u.clientOrderId));
    for (const c of h.children) if (!heard.has(c.clientOrderId)) await this.publishChild(p, c);
    await this.run(p, order.onTimer(now));
  }

  cancel(id: string): Promise<boolean> {
    return this.queue.run(() => this.cancelNow(id));
  }

  private async cancelNow(id: string): Promise<boolean> {
    const p = this.parents.get(id);
    if (!p || p.ended) return false;
    const now = nowNanos();
    await this.write(id, 'cancel', { $case: 'cancelRequested', value: {} });
    await this.run(p, p.order.cancel(now));
    return true;
  }

  /** A transition of one of this shard's orders; children's go to their parent. */
  onChildTransition(order: ManagedOrder, t: OrderTransition): Promise<void> {
    return this.queue.run(() => this.childTransitionNow(order, t));
  }

  private async childTransitionNow(order: ManagedOrder, t: OrderTransition): Promise<void> {
    const parentId = order.terms.parentId;
    const p = parentId === undefined ? undefined : this.parents.get(parentId);
    if (!p || p.ended) return;
    const e = t.event;
    let update: ChildUpdate | undefined;
    switch (e.type) {
      case 'ack':
        update = { clientOrderId: order.clientOrderId, kind: 'ack', nowNs: e.tsNs };
        break;
      case 'fill':
        update = { clientOrderId: order.clientOrderId, kind: 'fill', fillQuantity: e.quantity, fillPrice: e.price, tradeId: e.tradeId, nowNs: e.tsNs };
        break;
      case 'cancel':
      case 'expire':
        update = { clientOrderId: order.clientOrderId, kind: 'cancel', reason: e.reason, nowNs: e.tsNs };
        break;
      case 'reject':
        update = { clientOrderId: order.clientOrderId, kind: 'reject', reason: e.reason, nowNs: e.tsNs };
        break;
      case 'amend':
        return;
    }
    await this.run(p, p.order.onChildUpdate(update));
  }

  /** Risk refused a child: it never reached the venue. */
  onRiskRejection(clientOrderId: string, reason: string): Promise<void> {
    return this.queue.run(() => this.riskRejectionNow(clientOrderId, reason));
  }

  private async riskRejectionNow(clientOrderId: string, reason: string): Promise<void> {
    const p = this.parents.get(this.childParent.get(clientOrderId) ?? '');
    if (!p || p.ended) return;
    await this.run(p, p.order.onChildUpdate({ clientOrderId, kind: 'reject', reason, nowNs: nowNanos() }));
  }

  /** Whether a parent on `symbol` still works: the market-data path skips the rest when none does. */
  working(symbol: string): boolean {
    for (const p of this.parents.values()) if (!p.ended && p.spec.symbol === symbol) return true;
    return false;
  }

  onMarket(symbol: string, update: MarketUpdate): Promise<void> {
    return this.queue.run(() => this.marketNow(symbol, update));
  }

  private async marketNow(symbol: string, update: MarketUpdate): Promise<void> {
    for (const p of this.parents.values()) if (!p.ended && p.spec.symbol === symbol) await this.run(p, p.order.onMarket(update));
  }

  snapshot(id: string): ParentSnapshot | undefined {
    return this.parents.get(id)?.order.snapshot();
  }

  /** A parent as an `Order` (its children are orders of their own). */
  wire(id: string): Order | undefined {
    const p = this.parents.get(id);
    if (!p) return undefined;
    const s = p.order.snapshot();
    const outcome = s.outcome;
    return {
      clientOrderId: id,
      venueOrderId: '',
      venue: this.deps.venue,
      symbol: s.symbol,
      strategy: p.strategy,
      side: sideToWire(s.side),
      type: p.spec.limitPrice ? ORDER_TYPE_WIRE.limit : ORDER_TYPE_WIRE.market,
      status: 0,
      quantity: s.quantity.toString(),
      limitPrice: p.spec.limitPrice?.toString() ?? '',
      stopPrice: '',
      timeInForce: TIME_IN_FORCE_WIRE.GTC,
      filledQuantity: s.filled.toString(),
      averageFillPrice: s.averagePrice?.toString() ?? '',
      fees: '',
      createdTsNs: p.createdNs,
      updatedTsNs: p.final?.tsNs ?? s.nowNs,
      parentOrderId: '',
      reason: p.final ? `${p.final.outcome}: ${p.final.reason}` : outcome ? `${outcome.type}: ${outcome.reason}` : s.status,
      algo: p.algo,
    };
  }

  stop(): void {
    for (const p of this.parents.values()) clearTimeout(p.timer);
  }

  private async run(p: Parent, actions: readonly AlgoAction[]): Promise<void> {
    for (const a of actions) {
      switch (a.type) {
        case 'submit':
          this.childParent.set(a.child.clientOrderId, p.spec.id);
          await this.write(p.spec.id, `child-${a.child.seq}`, {
            $case: 'childSubmitted',
            value: {
              clientOrderId: a.child.clientOrderId,
              seq: a.child.seq,
              quantity: a.child.quantity.toString(),
              type: a.child.type === 'limit' ? OrderType.ORDER_TYPE_LIMIT : OrderType.ORDER_TYPE_MARKET,
              limitPrice: a.child.limitPrice?.toString() ?? '',
              timeInForce: a.child.timeInForce === 'GTC' ? TimeInForce.TIME_IN_FORCE_GTC : TimeInForce.TIME_IN_FORCE_IOC,
            },
          });
          await this.publishChild(p, a.child);
          break;
        case 'cancel':
          await this.write(p.spec.id, `cancel-${a.clientOrderId}`, { $case: 'childCancelRequested', value: { clientOrderId: a.clientOrderId } });
          this.deps.cancelChild(a.clientOrderId);
          break;
        case 'finished':
        case 'failed':
          p.ended = true;
          this.ended.mark(p.spec.id);
          clearTimeout(p.timer);
          await this.write(p.spec.id, 'ended', {
            $case: 'ended',
            value: { outcome: a.type === 'finished' ? 'FINISHED' : 'FAILED', reason: a.reason, detail: a.detail, filledQuantity: a.filled.toString() },
          });
          this.deps.ended(a.type, a.reason);
          this.deps.logger.info({ parentOrderId: p.spec.id, outcome: a.type, reason: a.reason, filled: a.filled.toString(), detail: a.detail }, 'parent order ended');
          return;
      }
    }
    this.schedule(p);
  }

  private schedule(p: Parent): void {
    clearTimeout(p.timer);
    const wake = p.order.nextWakeNs();
    if (wake === undefined || p.ended) return;
    const delayMs = Math.max(0, Number((wake - nowNanos()) / 1_000_000n));
    p.timer = setTimeout(() => {
      void this.queue.run(() => this.run(p, p.order.onTimer(nowNanos()))).catch((err) => this.deps.logger.error({ err, parentOrderId: p.spec.id }, 'parent order timer failed'));
    }, Math.min(delayMs, 2 ** 31 - 1));
    p.timer.unref();
  }

  private async publishChild(p: Parent, c: ChildOrder): Promise<void> {
    const snap = p.order.snapshot();
    const touch = c.side === 'BUY' ? snap.ask : snap.bid;
    const reference = c.limitPrice ?? touch ?? p.spec.limitPrice;
    const intent = OrderIntent.fromPartial({
      clientOrderId: c.clientOrderId,
      strategy: p.strategy,
      venue: this.deps.venue,
      symbol: c.symbol,
      side: sideToWire(c.side),
      type: c.type === 'limit' ? OrderType.ORDER_TYPE_LIMIT : OrderType.ORDER_TYPE_MARKET,
      timeInForce: c.timeInForce === 'GTC' ? TimeInForce.TIME_IN_FORCE_GTC : TimeInForce.TIME_IN_FORCE_IOC,
      quantity: c.quantity.toString(),
      limitPrice: c.limitPrice?.toString() ?? '',
      referencePrice: reference?.toString() ?? '',
      tsNs: nowNanos(),
      parentOrderId: p.spec.id,
    });
    await this.deps.bus.publish(this.deps.bus.subjects.intent(c.symbol), OrderIntent, intent, { msgId: c.clientOrderId });
  }

  private async write(id: string, what: string, event: ParentOrderEvent['event']): Promise<void> {
    const p = this.parents.get(id);
    const symbol = p?.spec.symbol ?? (event?.$case === 'created' ? event.value.intent!.symbol : '');
    await this.deps.bus.publish(
      this.deps.bus.subjects.parents(this.deps.venue, symbol),
      ParentOrderEvent,
      ParentOrderEvent.fromPartial({ parentOrderId: id, tsNs: nowNanos(), event }),
      { msgId: `${id}-${what}` },
    );
  }
}

/** Folds one stored parent event into a parent's history (at start-up). */
export function foldParentEvent(h: ParentHistory, e: ParentOrderEvent, symbol: string): void {
  switch (e.event?.$case) {
    case 'created': {
      const v = e.event.value;
      h.created = { intent: v.intent!, algo: v.algo!, grid: { tickSize: Decimal.parse(v.tickSize), lotSize: Decimal.parse(v.lotSize) }, tsNs: e.tsNs };
      break;
    }
    case 'childSubmitted': {
      const v = e.event.value;
      const side = sideFromWire(h.created!.intent.side);
      h.children.push({
        clientOrderId: v.clientOrderId,
        parentId: e.parentOrderId,
        seq: v.seq,
        symbol,
        side,
        quantity: Decimal.parse(v.quantity),
        type: v.type === OrderType.ORDER_TYPE_LIMIT ? 'limit' : 'market',
        limitPrice: v.limitPrice === '' ? undefined : Decimal.parse(v.limitPrice),
        timeInForce: v.timeInForce === TimeInForce.TIME_IN_FORCE_GTC ? 'GTC' : 'IOC',
        submittedNs: e.tsNs,
      });
      break;
    }
    case 'childCancelRequested':
      h.pendingCancels.add(e.event.value.clientOrderId);
      break;
    case 'cancelRequested':
      h.cancelRequestedNs = e.tsNs;
      break;
    case 'ended':
      h.ended = { outcome: e.event.value.outcome === 'FINISHED' ? 'finished' : 'failed', reason: e.event.value.reason, tsNs: e.tsNs };
      break;
    default:
      break;
  }
}

export function emptyHistory(): ParentHistory {
  return { children: [], updates: [], pendingCancels: new Set() };
}

/** Whether a child's fills in the history add up to its whole quantity. */
function filledOut(h: ParentHistory, clientOrderId: string): boolean {
  const child = h.children.find((c) => c.clientOrderId === clientOrderId);
  if (!child) return false;
  const filled = Decimal.sum(h.updates.filter((u) => u.clientOrderId === clientOrderId && u.kind === 'fill').map((u) => u.fillQuantity ?? Decimal.ZERO));
  return filled.gte(child.quantity);
}
