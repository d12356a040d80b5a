import { Decimal, nowNanos } from '@meridian/domain';
import type { Bus } from '@meridian/bus';
import { OrderIntent, OrderType, RiskEvent, RiskEventType, RiskStop, RiskStopKind, RiskStopState, TimeInForce, sideToWire } from '@meridian/proto';
import { InvalidRiskInputError, PositionStops, stopOrderId, stopPriceOf } from '@meridian/risk-rules';
import type { StopSpec, StopTrigger } from '@meridian/risk-rules';
import type { Mark } from './marks';
import type { MarkSource } from './post-trade-config';

/** What the stop manager reads of the rest of risk. */
export interface StopHost {
  /** The account's signed position in `symbol`. */
  position(symbol: string): Decimal;
  /** The venue of the symbol's last fill: where a closing order goes. */
  venue(symbol: string): string | undefined;
  mark(symbol: string): Mark | undefined;
  /** Whether an order may still fill: not decided yet, or approved and not ended. */
  working(clientOrderId: string): boolean;
}

export interface StopLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface StopOptions {
  markSource: MarkSource;
  /** Strategy id of closing intents. */
  strategy: string;
  /** RISK_STOPS: the stop a newly opened position of a symbol gets. */
  defaults: ReadonlyMap<string, StopSpec>;
  /** Observers for metrics. */
  onTrigger?(kind: StopSpec['kind']): void;
  onPublishFailure?(what: string): void;
}

/** A stop request that cannot be armed; `code` tells the gRPC status. */
export class StopRequestError extends Error {
  constructor(
    readonly code: 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'StopRequestError';
  }
}

interface ArmedMeta {
  revision: bigint;
  actor: string;
  reason: string;
  /** MARKET sequence of the last mark folded, and of the one the last checkpoint carried. */
  markSeq: number;
  checkpointedSeq: number;
  tsNs: bigint;
}


const stopEventId = (symbol: string, revision: bigint, what: 'armed' | 'triggered' | 'cleared') => `stop-${symbol}-${revision}-${what}`;

/** The wire form of a stop spec. */
function specFields(spec: StopSpec): Pick<RiskStop, 'kind' | 'price' | 'distance' | 'distanceBps'> {
  if (spec.kind === 'static') return { kind: RiskStopKind.RISK_STOP_KIND_STATIC, price: spec.price.toString(), distance: '', distanceBps: '' };
  return 'distance' in spec
    ? { kind: RiskStopKind.RISK_STOP_KIND_TRAILING, price: '', distance: spec.distance.toString(), distanceBps: '' }
    : { kind: RiskStopKind.RISK_STOP_KIND_TRAILING, price: '', distance: '', distanceBps: spec.distanceBps.toString() };
}

/** The stop spec of a checkpoint or a request; throws a sentence naming the field. */
export function specOf(kind: RiskStopKind | undefined, fields: { price: string; distance: string; distanceBps: string }): StopSpec {
  const set = (['price', 'distance', 'distanceBps'] as const).filter((k) => fields[k] !== '');
  if (set.length !== 1) throw new InvalidRiskInputError('stop', JSON.stringify(fields), 'must set exactly one of price, distance, distance_bps');
  const key = set[0]!;
  let value: Decimal;
  try {
    value = Decimal.parse(fields[key]);
  } catch {
    throw new InvalidRiskInputError(key, fields[key], 'must be a decimal');
  }
  if (!value.isPositive()) throw new InvalidRiskInputError(key, fields[key], 'must be positive');
  if (kind !== undefined && (key === 'price') !== (kind === RiskStopKind.RISK_STOP_KIND_STATIC)) throw new InvalidRiskInputError('kind', kind, `does not match ${key}`);
  if (key === 'price') return { kind: 'static', price: value };
  return key === 'distance' ? { kind: 'trailing', distance: value } : { kind: 'trailing', distanceBps: value };
}

/**
 * Static and trailing stops on the account's positions (`PositionStops`), made durable and acted
 * on: every arming, trigger and clearing is checkpointed on `ctl.stop.<symbol>` (CONTROL, last
 * value) and published as an event on `risk.event.stop`; a trigger sends a closing market IOC
 * intent on `ord.intent.<symbol>` with strategy RISK_STOP_STRATEGY and client order id
 * `risk-stop-<symbol>-<revision>`, which risk's own intent consumer then checks like any other.
 *
 * A trailing stop's best mark moves with the marks; its checkpoint is refreshed (at most every
 * RISK_STOP_CHECKPOINT_MS) with the MARKET sequence of the last mark folded, and a restarted risk
 * replays the marks from there, so the best mark comes back exactly.
 *
 * Every publish goes through one queue, so checkpoints reach the stream in the order the state
 * changed.
 */
export class StopManager {
  private readonly stops = new PositionStops();
  private readonly meta = new Map<string, ArmedMeta>();
  /** The highest revision used per symbol, armed or not. */
  private readonly revisions = new Map<string, bigint>();
  /** Symbols whose stop close is still working (no default stop is armed meanwhile). */
  private readonly closing = new Map<string, string>();
  /** Checkpoints read at start: where each symbol's marks must be replayed from. */
  private readonly replayFrom = new Map<string, number>();
  /** Symbols whose arming is being published: a second one would take another revision. */
  private readonly arming = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private live = false;

  constructor(
    private readonly bus: Bus,
    private readonly host: StopHost,
    private readonly options: StopOptions,
    private readonly log: StopLog,
  ) {}

  // ---- Start-up

  /**
   * Resumes the checkpoints read from `ctl.stop.*` once positions are rebuilt: armed stops are
   * armed again on the position they protected with their best mark, then told the position now
   * (a fill while risk was down may have closed or flipped it). Returns nothing to replay for a
   * static stop; a trailing stop's marks are replayed from its checkpoint (`replayStart`).
   */
  restore(records: readonly RiskStop[]): void {
    for (const r of records) {
      const prev = this.revisions.get(r.symbol) ?? 0n;
      if (r.revision > prev) this.revisions.set(r.symbol, r.revision);
      if (r.state === RiskStopState.RISK_STOP_STATE_TRIGGERED && r.clientOrderId !== '' && this.host.working(r.clientOrderId)) this.closing.set(r.symbol, r.clientOrderId);
      if (r.state !== RiskStopState.RISK_STOP_STATE_ARMED) continue;
      try {
        const spec = specOf(r.kind, r);
        const position = Decimal.parse(r.position);
        const extreme = spec.kind === 'trailing' && r.extreme !== '' ? Decimal.parse(r.extreme) : undefined;
        this.stops.set(r.symbol, spec, position, extreme);
        this.meta.set(r.symbol, { revision: r.revision, actor: r.actor, reason: r.reason, markSeq: Number(r.markSeq), checkpointedSeq: Number(r.markSeq), tsNs: r.tsNs });
        if (spec.kind === 'trailing' && r.markSeq > 0n && r.markSource === this.options.markSource) this.replayFrom.set(r.symbol, Number(r.markSeq));
        else if (spec.kind === 'trailing' && r.markSeq > 0n) {
          this.log.warn({ symbol: r.symbol, checkpointed: r.markSource, now: this.options.markSource }, 'trailing stop checkpointed with another mark source: its best mark continues from the checkpoint without replay');
        }
      } catch (err) {
        this.log.error({ symbol: r.symbol, revision: r.revision.toString(), err }, 'stop checkpoint cannot be restored: the symbol has no stop');
      }
    }
    for (const symbol of this.stops.symbols()) this.onPosition(symbol, this.host.position(symbol));
  }

  /** Where the marks of `symbol` must be read from (inclusive) to bring its trailing stop's best mark back, if anywhere. */
  replayStart(symbol: string): number | undefined {
    return this.replayFrom.get(symbol);
  }

  /** Start-up is over: positions opened without a stop get their default one from now on. */
  async goLive(symbols: readonly string[]): Promise<void> {
    this.live = true;
    this.replayFrom.clear();
    for (const symbol of symbols) this.ensureDefault(symbol);
    await this.queue;
  }

  // ---- Events

  /** A new mark of `symbol`: folds it into a trailing stop, and fires a stop it went through. */
  onMark(symbol: string, mark: Mark): Promise<void> | undefined {
    const meta = this.meta.get(symbol);
    if (meta === undefined) return undefined;
    const before = this.stops.get(symbol);
    const trigger = this.stops.onMark(symbol, mark.price);
    if (mark.seq > meta.markSeq) meta.markSeq = mark.seq;
    if (trigger === undefined) return undefined;
    return this.fire(symbol, trigger, before!, mark);
  }

  /** The account's position in `symbol` moved: the stop is resized, or dropped when it went flat or flipped. */
  onPosition(symbol: string, position: Decimal): void {
    const before = this.stops.get(symbol);
    if (before !== undefined) {
      this.stops.onPosition(symbol, position);
      const after = this.stops.get(symbol);
      const meta = this.meta.get(symbol)!;
      if (after === undefined) {
        this.meta.delete(symbol);
        const why = position.isZero() ? 'the position went flat' : `the position flipped to ${position}`;
        this.enqueueLogged(symbol, () => this.transition(symbol, meta, before, RiskStopState.RISK_STOP_STATE_CLEARED, 'position', why, {}));
      } else if (!after.position.eq(before.position)) {
        this.enqueueLogged(symbol, () => this.checkpoint(symbol, meta, after, RiskStopState.RISK_STOP_STATE_ARMED));
      }
    }
    this.ensureDefault(symbol);
  }

  /** An order ended or was decided: a stop close no longer working lets a default stop arm again. */
  onOrderSettled(symbol: string, clientOrderId: string): void {
    if (this.closing.get(symbol) !== clientOrderId || this.host.working(clientOrderId)) return;
    this.closing.delete(symbol);
    this.ensureDefault(symbol);
  }

  /** Refreshes the checkpoints of trailing stops that folded marks since their last one. */
  checkpointMoved(): void {
    for (const [symbol, meta] of this.meta) {
      const stop = this.stops.get(symbol);
      if (stop === undefined || stop.spec.kind !== 'trailing' || meta.markSeq === meta.checkpointedSeq) continue;
      this.enqueueLogged(symbol, () => this.checkpoint(symbol, meta, this.stops.get(symbol), RiskStopState.RISK_STOP_STATE_ARMED));
    }
  }

  // ---- Requests (gRPC)

  async set(symbol: string, spec: StopSpec, actor: string, reason: string): Promise<RiskStop> {
    const position = this.host.position(symbol);
    if (position.isZero()) throw new StopRequestError('FAILED_PRECONDITION', `${symbol} has no open position to protect`);
    const mark = this.host.mark(symbol);
    if (spec.kind === 'static' && mark !== undefined && (position.isPositive() ? mark.price.lte(spec.price) : mark.price.gte(spec.price))) {
      throw new StopRequestError('INVALID_ARGUMENT', `stop price ${spec.price} is at or through the mark ${mark.price} of the ${position.isPositive() ? 'long' : 'short'} position: it would trigger at once`);
    }
    return this.arm(symbol, spec, position, actor, reason);
  }

  async clear(symbol: string, actor: string, reason: string): Promise<RiskStop> {
    const stop = this.stops.get(symbol);
    const meta = this.meta.get(symbol);
    if (stop === undefined || meta === undefined) throw new StopRequestError('NOT_FOUND', `${symbol} has no armed stop`);
    let record: RiskStop | undefined;
    await this.enqueue(symbol, async () => {
      record = await this.transition(symbol, meta, stop, RiskStopState.RISK_STOP_STATE_CLEARED, actor, reason, {});
    });
    // Dropped once the clearing is on the stream: a restart never finds it armed again.
    if (this.meta.get(symbol) === meta) {
      this.stops.clear(symbol);
      this.meta.delete(symbol);
    }
    return record!;
  }

  // ---- Reads

  /** The armed stops, by symbol. */
  list(): RiskStop[] {
    return this.stops
      .symbols()
      .sort()
      .map((symbol) => this.record(symbol, this.meta.get(symbol)!, this.stops.get(symbol), RiskStopState.RISK_STOP_STATE_ARMED));
  }

  get armedCount(): number {
    return this.meta.size;
  }

  /** Waits for every queued publish. */
  async idle(): Promise<void> {
    await this.queue;
  }

  // ---- Internals

  private ensureDefault(symbol: string): void {
    if (!this.live || this.stops.get(symbol) !== undefined || this.closing.has(symbol) || this.arming.has(symbol)) return;
    const spec = this.options.defaults.get(symbol);
    const position = this.host.position(symbol);
    if (spec === undefined || position.isZero()) return;
    const mark = this.host.mark(symbol);
    if (spec.kind === 'static' && mark !== undefined && (position.isPositive() ? mark.price.lte(spec.price) : mark.price.gte(spec.price))) {
      // Armed, it would fire at once, and again after every refused close: leave it to the operator.
      this.log.warn({ symbol, price: spec.price.toString(), mark: mark.price.toString(), position: position.toString() }, 'default stop not armed: the mark is already through it');
      return;
    }
    this.arm(symbol, spec, position, 'config', 'RISK_STOPS').catch((err: unknown) => {
      this.options.onPublishFailure?.('stop_checkpoint');
      this.log.error({ symbol, err }, 'default stop not armed: its checkpoint was not published');
    });
  }

  /** Publishes the armed checkpoint, then arms it in memory with the marks seen meanwhile. */
  private async arm(symbol: string, spec: StopSpec, position: Decimal, actor: string, reason: string): Promise<RiskStop> {
    const revision = (this.revisions.get(symbol) ?? 0n) + 1n;
    this.revisions.set(symbol, revision);
    const mark = this.host.mark(symbol);
    const extreme = spec.kind === 'trailing' ? mark?.price : undefined;
    const meta: ArmedMeta = { revision, actor, reason, markSeq: mark?.seq ?? 0, checkpointedSeq: mark?.seq ?? 0, tsNs: nowNanos() };
    const view = { spec, position, extreme };
    let record: RiskStop | undefined;
    this.arming.add(symbol);
    try {
      await this.enqueue(symbol, async () => {
        record = await this.transition(symbol, meta, view, RiskStopState.RISK_STOP_STATE_ARMED, actor, reason, {});
      });
    } finally {
      this.arming.delete(symbol);
    }
    this.stops.set(symbol, spec, position, extreme);
    this.meta.set(symbol, meta);
    // A mark that arrived while the checkpoint was in flight, or a fill that moved the position.
    const now = this.host.position(symbol);
    if (!now.eq(position)) this.onPosition(symbol, now);
    const latest = this.host.mark(symbol);
    if (latest !== undefined && latest.seq > meta.markSeq) await this.onMark(symbol, latest);
    return record!;
  }

  /**
   * A mark went through the stop: the closing intent first (its id makes a repeat harmless), then
   * the checkpoint and the event. If the intent cannot be published the stop is armed again as it
   * was, so the next mark through it tries again with the same id.
   */
  private fire(symbol: string, trigger: StopTrigger, before: { spec: StopSpec; position: Decimal; extreme: Decimal | undefined }, mark: Mark): Promise<void> {
    const meta = this.meta.get(symbol)!;
    this.meta.delete(symbol);
    const id = stopOrderId(symbol, meta.revision);
    this.closing.set(symbol, id);
    this.options.onTrigger?.(trigger.kind);
    return this.enqueue(symbol, async () => {
      const venue = this.host.venue(symbol);
      const intent = OrderIntent.fromPartial({
        clientOrderId: id,
        strategy: this.options.strategy,
        venue: venue ?? '',
        symbol,
        side: sideToWire(trigger.side),
        type: OrderType.ORDER_TYPE_MARKET,
        timeInForce: TimeInForce.TIME_IN_FORCE_IOC,
        quantity: trigger.quantity.toString(),
        referencePrice: trigger.mark.toString(),
        tsNs: nowNanos(),
      });
      try {
        if (venue === undefined) throw new Error(`no venue is known for ${symbol} (no fill seen)`);
        await this.bus.publish(this.bus.subjects.intent(symbol), OrderIntent, intent, { msgId: id });
      } catch (err) {
        this.closing.delete(symbol);
        if (this.stops.get(symbol) === undefined) {
          this.stops.set(symbol, before.spec, before.position, before.extreme);
          this.meta.set(symbol, meta);
        }
        this.options.onPublishFailure?.('stop_intent');
        this.log.error({ symbol, clientOrderId: id, err }, 'stop triggered but its closing intent was not published: armed again');
        return;
      }
      this.log.warn({ symbol, clientOrderId: id, side: trigger.side, quantity: trigger.quantity.toString(), stopPrice: trigger.stopPrice.toString(), mark: trigger.mark.toString() }, 'stop triggered: closing intent sent');
      meta.markSeq = Math.max(meta.markSeq, mark.seq);
      await this.transition(symbol, meta, before, RiskStopState.RISK_STOP_STATE_TRIGGERED, 'stop', `mark ${trigger.mark} went through the stop at ${trigger.stopPrice}`, {
        clientOrderId: id,
        triggerMark: trigger.mark.toString(),
        stopPrice: trigger.stopPrice.toString(),
      });
    });
  }

  private record(
    symbol: string,
    meta: ArmedMeta,
    stop: { spec: StopSpec; position: Decimal; extreme: Decimal | undefined } | undefined,
    state: RiskStopState,
    extra: Partial<RiskStop> = {},
  ): RiskStop {
    const stopPrice = stop === undefined ? undefined : stopPriceOf(stop.spec, stop.position, stop.extreme);
    return RiskStop.fromPartial({
      symbol,
      revision: meta.revision,
      state,
      ...(stop ? specFields(stop.spec) : {}),
      position: stop?.position.toString() ?? '',
      extreme: stop?.extreme?.toString() ?? '',
      stopPrice: stopPrice?.toString() ?? '',
      markSeq: BigInt(meta.markSeq),
      markSource: this.options.markSource,
      actor: meta.actor,
      reason: meta.reason,
      tsNs: nowNanos(),
      ...extra,
    });
  }

  /** A refreshed checkpoint of an armed stop (its best mark moved, or its position). */
  private async checkpoint(symbol: string, meta: ArmedMeta, stop: { spec: StopSpec; position: Decimal; extreme: Decimal | undefined } | undefined, state: RiskStopState): Promise<void> {
    if (stop === undefined || this.meta.get(symbol) !== meta) return;
    const seq = meta.markSeq;
    try {
      await this.bus.publish(this.bus.subjects.stop(symbol), RiskStop, this.record(symbol, meta, stop, state));
      meta.checkpointedSeq = Math.max(meta.checkpointedSeq, seq);
    } catch (err) {
      this.options.onPublishFailure?.('stop_checkpoint');
      this.log.error({ symbol, err }, 'stop checkpoint not published; retried at the next interval');
    }
  }

  /** A change of state: its checkpoint, then its event (deduplicated by its id, so a repeat after a restart records nothing twice). */
  private async transition(
    symbol: string,
    meta: ArmedMeta,
    stop: { spec: StopSpec; position: Decimal; extreme: Decimal | undefined },
    state: RiskStopState,
    actor: string,
    reason: string,
    extra: Partial<RiskStop>,
  ): Promise<RiskStop> {
    const what = state === RiskStopState.RISK_STOP_STATE_ARMED ? 'armed' : state === RiskStopState.RISK_STOP_STATE_TRIGGERED ? 'triggered' : 'cleared';
    const record = this.record(symbol, meta, stop, state, { ...extra, ...(what === 'armed' ? {} : { actor, reason }) });
    const id = stopEventId(symbol, meta.revision, what);
    // No message id on the checkpoint: a repeat must still become the last value (it is the same
    // state); the event, which the recorder keeps, is deduplicated by its id.
    await this.bus.publish(this.bus.subjects.stop(symbol), RiskStop, record);
    meta.checkpointedSeq = Math.max(meta.checkpointedSeq, meta.markSeq);
    const type =
      what === 'armed' ? RiskEventType.RISK_EVENT_TYPE_STOP_ARMED : what === 'triggered' ? RiskEventType.RISK_EVENT_TYPE_STOP_TRIGGERED : RiskEventType.RISK_EVENT_TYPE_STOP_CLEARED;
    const values: Record<string, string> = { revision: meta.revision.toString(), position: record.position };
    for (const key of ['price', 'distance', 'distanceBps', 'extreme', 'stopPrice', 'clientOrderId', 'triggerMark'] as const) if (record[key] !== '') values[key] = record[key];
    const event = RiskEvent.fromPartial({
      eventId: id,
      type,
      symbol,
      cause: stop.spec.kind,
      detail: `${stop.spec.kind} stop on ${symbol} ${what}: ${reason}`,
      actor,
      values,
      tsNs: record.tsNs,
    });
    try {
      await this.bus.publish(this.bus.subjects.riskEvent('stop'), RiskEvent, event, { msgId: id });
    } catch (err) {
      this.options.onPublishFailure?.('stop_event');
      this.log.error({ symbol, eventId: id, err }, 'stop event not published (the checkpoint was)');
    }
    return record;
  }

  /** Queues a publish behind the previous ones; the returned promise settles with it (the caller handles a failure). */
  private enqueue(symbol: string, task: () => Promise<unknown>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run.then(() => undefined);
  }

  /** Queues a publish nobody waits for: a failure is logged and counted here. */
  private enqueueLogged(symbol: string, task: () => Promise<unknown>): void {
    this.enqueue(symbol, task).catch((err: unknown) => {
      this.options.onPublishFailure?.('stop_checkpoint');
      this.log.error({ symbol, err }, 'stop checkpoint not published');
    });
  }
}
