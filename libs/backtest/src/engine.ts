import { Decimal } from '@meridian/domain';
import { ManagedOrder } from '@meridian/orders';
import type { OrderEvent, OrderTerms, OrderTransition } from '@meridian/orders';
import { Portfolio } from '@meridian/portfolio';
import type { Ledger } from '@meridian/portfolio';
import { EquityTracker, tradingDayStart } from '@meridian/risk-rules';
import { SlippageGuard } from '@meridian/venue-trading';
import type { SimOrder, SimResult, SimUpdate } from '@meridian/venue-sim';
import type { ResolvedConfig } from './config';
import { configToJson } from './config';
import { InvalidIntentError, UnknownSymbolEventError } from './errors';
import type { MarketEvent } from './events';
import { computeMetrics } from './metrics';
import { BACKTEST_RESULT_VERSION } from './result';
import type { BacktestResult, FillRecord, OrderRecord, RiskOutcome, RoundTrip, SymbolSummary } from './result';
import { RiskGate } from './risk-gate';
import type { RiskMarketHandle } from './risk-gate';
import { RoundTripBuilder } from './round-trips';
import { BacktestPostTrade } from './post-trade';
import type { StopClose } from './post-trade';
import { Scheduler } from './scheduler';
import { mergeSources } from './sources/merge';
import type { EventSource } from './sources/source';
import type { IntentRequest, OrderUpdate, ParentRequest, Strategy, StrategyContext } from './strategy';
import { EngineParent, childIntent, childUpdateOf, createParent, parentRecord, perform } from './parents';
import type { ParentWork } from './parents';
import type { AlgoAction, ChildOrder, ChildUpdate, FailReason, FinishReason, MarketUpdate } from '@meridian/exec-algos';
import { tradeStatistics } from './metrics';
import { BACKTEST_ACCOUNT, VenueSide } from './venue-side';
import type { VenueSymbolHandle } from './venue-side';

/** One symbol's bookkeeping in the engine. */
class EngineSymbol {
  readonly builder: RoundTripBuilder;
  lastFill: Decimal | undefined;
  fills = 0;
  orders = 0;
  riskRejections = 0;
  turnover = Decimal.ZERO;
  /** A position is open (the equity curve revalues it when its price moves). */
  open = false;
  /** Listed in the engine's `dirty`: revalued at the next curve point. */
  dirty = false;
  /** The venue side's and risk's entries for the symbol, looked up once rather than by name on every event. */
  venue!: VenueSymbolHandle;
  risk!: RiskMarketHandle;
  /** Last BBO prices told to risk for a symbol with a book (risk hears of a BBO only when it changes). */
  bookBid: Decimal | undefined;
  bookAsk: Decimal | undefined;
  /** Parent orders still working in the symbol: a run without any pays one length check per event. */
  readonly parents: EngineParent[] = [];

  constructor(
    readonly symbol: string,
    readonly ledger: Ledger,
    readonly grid: { readonly tickSize: Decimal; readonly lotSize: Decimal },
  ) {
    this.builder = new RoundTripBuilder(symbol);
  }
}

/**
 * A strategy's context. The clock is two plain fields the engine sets whenever event time moves
 * (`setNow`), not getters: strategies read it on every event.
 */
class EngineContext implements StrategyContext {
  constructor(
    public nowNs: bigint,
    public nowMs: number,
    readonly submit: (intent: IntentRequest) => string,
    readonly submitParent: (request: ParentRequest) => string,
    readonly cancel: (clientOrderId: string) => void,
  ) {}
}

/** Everything about one intent: its terms, risk's outcome, the order state machine once approved. */
interface OrderEntry {
  /** Its place among the run's intents (the result lists orders in intent order). */
  readonly seq: number;
  readonly clientOrderId: string;
  readonly strategy: string;
  readonly request: IntentRequest;
  readonly timeInForce: 'GTC' | 'IOC' | 'FOK' | 'DAY';
  readonly intentNs: bigint;
  readonly symbol: EngineSymbol;
  risk: RiskOutcome | undefined;
  order: ManagedOrder | undefined;
  arrivedNs: bigint | undefined;
  /** Counted among the venue's open orders of its symbol. */
  atVenue: boolean;
  /** The parent order it is a child of. */
  readonly parent: EngineParent | undefined;
  /** Its parent cancelled it before risk decided: cancelled once approved, as execution does (`cancelBeforeVenue`). */
  cancelBeforeVenue: boolean;
}

/**
 * The event loop of a backtest: the clock is event time; each market event reaches the venue, risk's
 * marks and the strategies; strategies' intents pass risk (`RiskGate`), execution's slippage guard
 * and the order latency, then the simulated venue (`VenueSide`); the venue's updates move each
 * order through the order state machine (`@meridian/orders`), and fills reach the portfolio (under
 * the configured cost method), risk's state and, after the report latency, the strategies. The
 * equity curve is sampled at fixed intervals of event time.
 */
/** How far a run has got: events processed, and the event time reached (ms since the epoch; 0 before the first event). */
export interface BacktestProgress {
  readonly events: number;
  readonly eventTimeMs: number;
}

/** A progress report every `every` events, and once at the end. */
export interface ProgressReporter {
  readonly every: number;
  readonly onProgress: (p: BacktestProgress) => void;
}

export class BacktestEngine {
  private now = 0n;
  private nowMsValue = 0;
  private readonly portfolio: Portfolio;
  private gate: RiskGate | undefined;
  private readonly venue: VenueSide;
  private readonly guard: SlippageGuard | undefined;
  /** Risk's stops and circuit breaker, when the configuration has any. */
  private readonly post: BacktestPostTrade | undefined;
  private readonly symbols = new Map<string, EngineSymbol>();
  private readonly orders = new Map<string, OrderEntry>();
  /** Orders that ended, as records (when recorded), in the order they ended. */
  private readonly finished: { seq: number; record: OrderRecord }[] = [];
  private readonly record: { readonly orders: boolean; readonly fills: boolean };
  private readonly fills: FillRecord[] = [];
  private readonly scheduler = new Scheduler();
  private readonly intents: OrderEntry[] = [];
  private readonly updates: OrderUpdate[] = [];
  /** Each strategy's context, at the strategy's index in `strategies`. */
  private readonly contexts: EngineContext[] = [];
  private nextId = 0;
  private lastArrivalNs = 0n;
  // The equity curve: one running value per symbol (realized − fees + unrealized at its mark).
  private readonly curve = new EquityTracker();
  /** Symbols to revalue at the next curve point, in the order they first changed (each once: `EngineSymbol.dirty`). */
  private readonly dirty: EngineSymbol[] = [];
  private readonly points: { tsMs: number; equity: string }[] = [];
  private nextSampleMs = 0;
  private nextSampleNs = 0n;
  private openPositions = 0;
  /** Event time with a position open, up to `exposedSinceNs` (while one is open, the time since counts too). */
  private exposedNs = 0n;
  /** When the account last went from flat to holding a position (undefined while flat). */
  private exposedSinceNs: bigint | undefined;
  private firstNs: bigint | undefined;
  private dayOrders = 0;
  private currentDay = Number.NEGATIVE_INFINITY;
  private readonly counts = { events: 0, bars: 0, trades: 0, quotes: 0, bookUpdates: 0, intents: 0, riskRejections: 0, orders: 0, fills: 0, parents: 0 };
  /** Every parent order by id, in the order they were started (ended ones too: the result lists them). */
  private readonly parents = new Map<string, EngineParent>();
  /** Parents' work (market updates, child updates, timers, cancels) waiting for the drain, in the order it arose. */
  private readonly parentWork: ParentWork[] = [];
  /** The data has ended: parents' timers no longer fire (orders already travelling still arrive). */
  private dataEnded = false;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly strategies: readonly Strategy[],
  ) {
    const ids = new Set<string>();
    for (const s of strategies) {
      if (ids.has(s.id)) throw new InvalidIntentError(s.id, 'strategy id', s.id, 'is used by two strategies of the run');
      ids.add(s.id);
    }
    this.portfolio = new Portfolio({ costMethod: config.costMethod });
    this.record = { orders: config.recordOrders, fills: config.recordFills };
    this.venue = new VenueSide(config, () => this.now, (u) => this.onVenueUpdate(u));
    this.guard = config.slippageLimitBps.isZero() ? undefined : new SlippageGuard(config.slippageLimitBps);
    const post = new BacktestPostTrade(config.postTrade);
    this.post = post.active ? post : undefined;
    for (const i of config.instruments) {
      const s = new EngineSymbol(i.symbol, this.portfolio.position(i.symbol), { tickSize: i.tickSize, lotSize: i.lotSize });
      s.venue = this.venue.handle(i.symbol);
      this.symbols.set(i.symbol, s);
    }
    for (const st of strategies) this.contexts.push(this.contextFor(st));
  }

  /** The simulated venue, to read (tests compare its balances with the books). */
  get exchange(): VenueSide['venue'] {
    return this.venue.venue;
  }

  /** The portfolio fills are booked in (as risk books them). */
  get positions(): Portfolio {
    return this.portfolio;
  }

  /** Risk's state and P&L as the gate keeps them. */
  get risk(): RiskGate | undefined {
    return this.gate;
  }

  /** Runs every event of the sources through the strategies; the result is the same for the same inputs and seed. */
  async run(sources: readonly EventSource[], progress?: ProgressReporter): Promise<BacktestResult> {
    // Counted down rather than `events % every` per event: one decrement on the hot path.
    let untilReport = progress?.every ?? Number.POSITIVE_INFINITY;
    let reportedAt = -1;
    for await (const chunk of mergeSources(sources)) {
      for (let i = 0; i < chunk.length; i++) {
        const e = chunk[i]!;
        const s = this.symbols.get(e.symbol);
        if (s === undefined) throw new UnknownSymbolEventError(e.symbol, [...this.symbols.keys()]);
        if (this.firstNs === undefined) this.start(e.tsNs);
        if (e.tsNs !== this.now) this.advanceTo(e.tsNs);
        this.onMarket(e, s);
        for (let k = 0; k < this.strategies.length; k++) {
          const r = this.strategies[k]!.onEvent(e, this.contexts[k]!);
          if (r !== undefined) await r;
        }
        if (this.intents.length > 0 || this.updates.length > 0 || this.parentWork.length > 0) this.drain();
        if (--untilReport === 0) {
          untilReport = progress!.every;
          reportedAt = this.counts.events;
          progress!.onProgress({ events: reportedAt, eventTimeMs: this.nowMsValue });
        }
      }
    }
    const lastEventMs = this.nowMsValue;
    if (this.firstNs !== undefined) {
      for (let k = 0; k < this.strategies.length; k++) {
        const r = this.strategies[k]!.onEnd?.(this.contexts[k]!);
        if (r !== undefined) await r;
      }
      this.drain();
    }
    // Orders still on their way arrive after the data ends (the market as it last was); parents'
    // timers do not fire any more (`dataEnded`), and one left at the head does not move the clock.
    this.dataEnded = true;
    for (let next = this.scheduler.peekItem(); next !== undefined; next = this.scheduler.peekItem()) {
      if (next.weak) this.scheduler.pop();
      else this.advanceTo(next.atNs);
    }
    if (progress !== undefined && reportedAt !== this.counts.events) progress.onProgress({ events: this.counts.events, eventTimeMs: lastEventMs });
    return this.result();
  }

  // ---- Time

  private start(tsNs: bigint): void {
    this.firstNs = tsNs;
    this.setNow(tsNs);
    this.gate = new RiskGate(this.config, this.portfolio, this.nowMsValue);
    for (const s of this.symbols.values()) s.risk = this.gate.handle(s.symbol);
    this.points.push({ tsMs: this.nowMsValue, equity: this.config.initialEquity.toString() });
    const interval = this.config.equityIntervalMs;
    this.nextSampleMs = (Math.floor(this.nowMsValue / interval) + 1) * interval;
    this.nextSampleNs = BigInt(this.nextSampleMs) * 1_000_000n;
    this.currentDay = tradingDayStart(this.nowMsValue, this.config.dayStartOffsetMs);
  }

  private setNow(tsNs: bigint): void {
    this.now = tsNs;
    const ms = Number(tsNs / 1_000_000n);
    this.nowMsValue = ms;
    for (let k = 0; k < this.contexts.length; k++) {
      const c = this.contexts[k]!;
      c.nowNs = tsNs;
      c.nowMs = ms;
    }
  }

  /** Moves the clock to `tsNs`: what is scheduled before it happens first, and the curve's points in between are taken in time order. */
  private advanceTo(tsNs: bigint): void {
    for (;;) {
      const due = this.scheduler.peek();
      const sampleNs = this.nextSampleNs;
      if (due !== undefined && due <= tsNs && due <= sampleNs) {
        this.setNow(due);
        this.rollDay();
        this.scheduler.pop()!.run();
        this.drain();
        continue;
      }
      if (sampleNs <= tsNs) {
        this.setNow(sampleNs > this.now ? sampleNs : this.now);
        this.sample(this.nextSampleMs);
        this.nextSampleMs += this.config.equityIntervalMs;
        this.nextSampleNs = BigInt(this.nextSampleMs) * 1_000_000n;
        continue;
      }
      break;
    }
    this.setNow(tsNs);
    this.rollDay();
  }

  /** A new trading day ends the DAY orders still open at the venue. */
  private rollDay(): void {
    const day = tradingDayStart(this.nowMsValue, this.config.dayStartOffsetMs);
    if (day <= this.currentDay) return;
    this.currentDay = day;
    if (this.dayOrders > 0) this.venue.venue.expireDayOrders();
  }

  private markDirty(s: EngineSymbol): void {
    s.dirty = true;
    this.dirty.push(s);
  }

  private sample(tsMs: number): void {
    const gate = this.gate!;
    for (const s of this.dirty) {
      s.dirty = false;
      const mark = gate.markOf(s.symbol) ?? s.lastFill;
      if (mark !== undefined) this.curve.set(s.symbol, s.ledger.netPnl(mark));
    }
    this.dirty.length = 0;
    this.points.push({ tsMs, equity: this.config.initialEquity.add(this.curve.equity).toString() });
  }

  // ---- Market events

  private onMarket(e: MarketEvent, s: EngineSymbol): void {
    this.counts.events++;
    const gate = this.gate!;
    switch (e.kind) {
      case 'bar':
        this.counts.bars++;
        this.venue.onBar(e, s.venue);
        gate.bar(e.symbol, e.close, this.nowMsValue, s.risk);
        break;
      case 'trade':
        this.counts.trades++;
        this.venue.onTrade(e, s.venue);
        gate.trade(e.symbol, e.price, this.nowMsValue, s.risk);
        break;
      case 'quote':
        this.counts.quotes++;
        this.venue.onQuote(e, s.venue);
        gate.quote(e.symbol, e.bid?.price, e.ask?.price, this.nowMsValue, s.risk);
        break;
      case 'book': {
        this.counts.bookUpdates++;
        this.venue.onBook(e, s.venue);
        // The order-book service publishes the BBO when it changes; risk reads it from there.
        const md = this.venue.guardBook(e.symbol);
        const bid = md?.bestBid()?.price;
        const ask = md?.bestAsk()?.price;
        if (!sameDecimal(bid, s.bookBid) || !sameDecimal(ask, s.bookAsk)) {
          s.bookBid = bid;
          s.bookAsk = ask;
          gate.quote(e.symbol, bid, ask, this.nowMsValue, s.risk);
        }
        break;
      }
    }
    // A flag rather than a Set: this runs on every event while a position is open.
    if (s.open && !s.dirty) this.markDirty(s);
    if (s.parents.length > 0) this.parentsMarket(e, s);
    if (this.post !== undefined) this.postTrade(s);
  }

  /**
   * Risk's post-trade side after a market event, as the service runs it on each mark and on its
   * breaker timer: market-data arrival, the symbol's stop against its new mark (a close joins the
   * intents), and the breaker's equity sample once its interval has passed in event time.
   */
  private postTrade(s: EngineSymbol): void {
    const post = this.post!;
    const gate = this.gate!;
    const nowMs = this.nowMsValue;
    if (post.watchesMarketData) post.onMarketData(s.symbol, nowMs);
    if (post.watches(s.symbol)) {
      const mark = gate.markOf(s.symbol);
      const close = mark === undefined ? undefined : post.onMark(s.symbol, mark, nowMs);
      if (close !== undefined) this.submitClose(close, s);
    }
    if (nowMs >= post.dueMs) post.tick(nowMs, post.needsEquity ? gate.pnl.state(nowMs).equity : Decimal.ZERO);
  }

  /** A triggered stop's close: a market IOC intent under risk's stop strategy, decided like any other. */
  private submitClose(close: StopClose, s: EngineSymbol): void {
    const seq = ++this.nextId;
    const request: IntentRequest = { symbol: close.symbol, side: close.side, type: 'market', quantity: close.quantity, referencePrice: close.referencePrice, timeInForce: 'IOC' };
    const entry: OrderEntry = { seq, clientOrderId: close.clientOrderId, strategy: close.strategy, request, timeInForce: 'IOC', intentNs: this.now, symbol: s, risk: undefined, order: undefined, arrivedNs: undefined, atVenue: false, parent: undefined, cancelBeforeVenue: false };
    this.orders.set(close.clientOrderId, entry);
    this.intents.push(entry);
    this.counts.orders++;
    s.orders++;
  }

  // ---- Strategies

  private contextFor(strategy: Strategy): EngineContext {
    return new EngineContext(
      this.now,
      this.nowMsValue,
      (intent) => this.submit(strategy, intent),
      (request) => this.submitParent(strategy, request),
      (clientOrderId) => this.requestCancel(strategy, clientOrderId),
    );
  }

  private submit(strategy: Strategy, r: IntentRequest): string {
    const bad = (field: string, value: unknown, reason: string) => new InvalidIntentError(strategy.id, field, value, reason);
    if (r === null || typeof r !== 'object') throw bad('intent', r, 'must be an object');
    const s = this.symbols.get(r.symbol);
    if (s === undefined) throw bad('symbol', r.symbol, `is not one of the run's instruments (${[...this.symbols.keys()].join(', ')})`);
    if (r.side !== 'BUY' && r.side !== 'SELL') throw bad('side', r.side, 'must be BUY or SELL');
    if (!['market', 'limit', 'stop', 'stop_limit'].includes(r.type)) throw bad('type', r.type, 'must be market, limit, stop or stop_limit');
    if (!(r.quantity instanceof Decimal) || !r.quantity.isPositive()) throw bad('quantity', r.quantity, 'must be a positive Decimal');
    const tif = r.timeInForce ?? (r.type === 'market' || r.type === 'stop' ? 'IOC' : 'GTC');
    if (!['GTC', 'IOC', 'FOK', 'DAY'].includes(tif)) throw bad('timeInForce', tif, 'must be GTC, IOC, FOK or DAY');
    const seq = ++this.nextId;
    const clientOrderId = `${strategy.id}-${seq}`;
    const entry: OrderEntry = { seq, clientOrderId, strategy: strategy.id, request: r, timeInForce: tif, intentNs: this.now, symbol: s, risk: undefined, order: undefined, arrivedNs: undefined, atVenue: false, parent: undefined, cancelBeforeVenue: false };
    this.orders.set(clientOrderId, entry);
    this.intents.push(entry);
    this.counts.orders++;
    this.counts.intents++;
    s.orders++;
    return clientOrderId;
  }

  private requestCancel(strategy: Strategy, clientOrderId: string): void {
    const parent = this.parents.get(clientOrderId);
    if (parent !== undefined) {
      if (parent.strategy !== strategy.id) throw new InvalidIntentError(strategy.id, 'cancel', clientOrderId, 'is not an order of this strategy');
      // The parent cancels its working children and ends once they are confirmed (a no-op once ended).
      if (parent.ended === undefined) this.parentWork.push({ parent, kind: 'cancel' });
      return;
    }
    const entry = this.orders.get(clientOrderId);
    if (entry === undefined) {
      // An order of this strategy that has ended already: nothing to cancel, as a venue would answer.
      const n = clientOrderId.startsWith(`${strategy.id}-`) ? Number(clientOrderId.slice(strategy.id.length + 1)) : Number.NaN;
      if (Number.isSafeInteger(n) && n >= 1 && n <= this.nextId) return;
      const dash = clientOrderId.lastIndexOf('-');
      if (dash > 0 && this.parents.get(clientOrderId.slice(0, dash))?.strategy === strategy.id) return; // an ended child of its parent
      throw new InvalidIntentError(strategy.id, 'cancel', clientOrderId, 'is not an order of this strategy');
    }
    if (entry.strategy !== strategy.id) throw new InvalidIntentError(strategy.id, 'cancel', clientOrderId, 'is not an order of this strategy');
    this.cancelAtVenue(entry);
  }

  /** A cancel request after the order latency (never before the order it cancels: one connection). */
  private cancelAtVenue(entry: OrderEntry): void {
    const clientOrderId = entry.clientOrderId;
    const arrival = this.arrivalTime();
    this.scheduler.at(arrival, () => {
      if (entry.order === undefined || entry.order.isTerminal || entry.arrivedNs === undefined) return;
      // A refused cancel (the order filled meanwhile) changes nothing, as execution only logs it.
      this.venue.cancel(entry.symbol.symbol, clientOrderId);
    });
  }

  // ---- Parent orders of execution algorithms (as execution's ParentManager drives them)

  /** A strategy's parent order: validated and created at once, its first actions taken (the service's `create`). */
  private submitParent(strategy: Strategy, r: ParentRequest): string {
    if (r === null || typeof r !== 'object') throw new InvalidIntentError(strategy.id, 'parent', r, 'must be an object');
    const s = this.symbols.get(r.symbol);
    if (s === undefined) throw new InvalidIntentError(strategy.id, 'parent.symbol', r.symbol, `is not one of the run's instruments (${[...this.symbols.keys()].join(', ')})`);
    const seq = this.nextId + 1;
    const { spec, order } = createParent(strategy.id, `${strategy.id}-${seq}`, r, s.grid, this.now);
    this.nextId = seq;
    const p = new EngineParent(this.parents.size, strategy.id, spec, order, this.now);
    this.parents.set(p.id, p);
    s.parents.push(p);
    this.counts.parents++;
    this.counts.intents++;
    // Priced from execution's book now, then the first slice (the service: onMarket(touch), onTimer(now)).
    const md = this.venue.guardBook(s.symbol);
    const touch = this.touchUpdate(md);
    if (touch.bid !== undefined) p.bid = touch.bid;
    if (touch.ask !== undefined) p.ask = touch.ask;
    this.runParent(p, [...order.onMarket(touch), ...order.onTimer(this.now)]);
    return p.id;
  }

  /** The market update of execution's book now: its touch once it has one. */
  private touchUpdate(md: ReturnType<VenueSide['guardBook']>): { nowNs: bigint; bid?: Decimal; ask?: Decimal } {
    const bid = md?.bestBid()?.price;
    const ask = md?.bestAsk()?.price;
    return { nowNs: this.now, ...(bid !== undefined ? { bid } : {}), ...(ask !== undefined ? { ask } : {}) };
  }

  /**
   * A market event of a symbol with working parents, as the service feeds them: the touch of
   * execution's book, and what traded (a trade's price and size; a bar's close and volume, the
   * trades it sums up).
   */
  private parentsMarket(e: MarketEvent, s: EngineSymbol): void {
    const touch = this.touchUpdate(this.venue.guardBook(s.symbol));
    let update: MarketUpdate = touch;
    if (e.kind === 'trade') update = { ...touch, tradePrice: e.price, tradeVolume: e.size };
    else if (e.kind === 'bar') update = { ...touch, tradePrice: e.close, tradeVolume: e.volume };
    for (const parent of s.parents) this.parentWork.push({ parent, kind: 'market', update });
  }

  private toParent(parent: EngineParent, update: ChildUpdate): void {
    if (parent.ended === undefined) this.parentWork.push({ parent, kind: 'child', update });
  }

  /** What a parent decided: children sent, children cancelled, or its end; then its next wake-up. */
  private runParent(p: EngineParent, actions: readonly AlgoAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'submit':
          this.submitChild(p, a.child);
          break;
        case 'cancel':
          this.cancelChild(a.clientOrderId);
          break;
        case 'finished':
        case 'failed':
          this.endParent(p, a.type, a.reason, a.filled, a.detail);
          return;
      }
    }
    this.scheduleWake(p);
  }

  /** A child as an intent of the parent's strategy, decided like any other (risk, guard, latency, venue). */
  private submitChild(p: EngineParent, c: ChildOrder): void {
    const s = this.symbols.get(c.symbol)!;
    const seq = ++this.nextId;
    const request = childIntent(p, c);
    const entry: OrderEntry = { seq, clientOrderId: c.clientOrderId, strategy: p.strategy, request, timeInForce: c.timeInForce, intentNs: this.now, symbol: s, risk: undefined, order: undefined, arrivedNs: undefined, atVenue: false, parent: p, cancelBeforeVenue: false };
    p.children++;
    this.orders.set(c.clientOrderId, entry);
    this.intents.push(entry);
    this.counts.orders++;
    s.orders++;
  }

  /** The service's `cancelChild`: before risk's decision, cancelled once approved; otherwise a cancel to the venue. */
  private cancelChild(clientOrderId: string): void {
    const entry = this.orders.get(clientOrderId);
    if (entry === undefined || entry.order?.isTerminal === true) return;
    if (entry.order === undefined) {
      entry.cancelBeforeVenue = true;
      return;
    }
    this.cancelAtVenue(entry);
  }

  private endParent(p: EngineParent, outcome: 'finished' | 'failed', reason: FinishReason | FailReason, filled: Decimal, detail: string): void {
    p.ended = { outcome, reason, detail, atNs: this.now };
    const list = this.symbols.get(p.spec.symbol)!.parents;
    list.splice(list.indexOf(p), 1);
    this.report({ kind: 'parent_finished', clientOrderId: p.id, strategy: p.strategy, symbol: p.spec.symbol, outcome, reason, filled, detail });
  }

  /** The parent's next wake-up in event time (its timer); a wake-up it no longer wants does nothing. */
  private scheduleWake(p: EngineParent): void {
    const wake = p.order.nextWakeNs();
    if (wake === undefined || wake === p.wakeNs || this.dataEnded) return;
    p.wakeNs = wake;
    this.scheduler.at(
      wake > this.now ? wake : this.now,
      () => {
        if (p.wakeNs !== wake || p.ended !== undefined || this.dataEnded) return;
        p.wakeNs = undefined;
        this.parentWork.push({ parent: p, kind: 'timer' });
      },
      true,
    );
  }

  /** Parents' work, intents, then reports to the strategies, until none is left (each may lead to the others). */
  private drain(): void {
    for (;;) {
      if (this.parentWork.length > 0) {
        const batch = this.parentWork.splice(0);
        for (const w of batch) if (w.parent.ended === undefined) this.runParent(w.parent, perform(w, this.now));
        continue;
      }
      if (this.intents.length > 0) {
        const batch = this.intents.splice(0);
        for (const entry of batch) this.decide(entry);
        continue;
      }
      if (this.updates.length > 0) {
        const batch = this.updates.splice(0);
        for (const u of batch) for (let k = 0; k < this.strategies.length; k++) this.strategies[k]!.onOrder?.(u, this.contexts[k]!);
        continue;
      }
      // Orders due now (no latency) reach the venue before the next event.
      const due = this.scheduler.peek();
      if (due !== undefined && due <= this.now) {
        this.scheduler.pop()!.run();
        continue;
      }
      return;
    }
  }

  /** Risk's decision, then execution's guard and the trip to the venue. */
  private decide(entry: OrderEntry): void {
    const r = entry.request;
    const decision = this.gate!.decide(
      { clientOrderId: entry.clientOrderId, strategy: entry.strategy, symbol: r.symbol, side: r.side, quantity: r.quantity, limitPrice: r.limitPrice, referencePrice: r.referencePrice, tsNs: entry.intentNs },
      this.nowMsValue,
      this.post?.view(),
    );
    if (decision === undefined) return;
    if (!decision.approved) {
      entry.risk = { approved: false, reason: decision.reason, detail: decision.detail };
      entry.symbol.riskRejections++;
      this.counts.riskRejections++;
      this.post?.onReject(this.nowMsValue);
      this.report({ kind: 'risk_rejected', clientOrderId: entry.clientOrderId, strategy: entry.strategy, symbol: r.symbol, reason: decision.reason, detail: decision.detail });
      this.finish(entry);
      // A child refused by risk never reached the venue: its parent hears a rejection (counted toward maxChildRejects).
      if (entry.parent !== undefined) this.toParent(entry.parent, { clientOrderId: entry.clientOrderId, kind: 'reject', reason: decision.reason, nowNs: this.now });
      return;
    }
    entry.risk = { approved: true, reason: null, detail: null };
    const terms: OrderTerms = {
      clientOrderId: entry.clientOrderId,
      venue: this.config.venueName,
      symbol: r.symbol,
      strategy: entry.strategy,
      side: r.side,
      kind: r.type,
      quantity: r.quantity,
      ...(r.limitPrice !== undefined ? { limitPrice: r.limitPrice } : {}),
      ...(r.stopPrice !== undefined ? { stopPrice: r.stopPrice } : {}),
      timeInForce: entry.timeInForce,
      ...(r.postOnly ? { postOnly: true } : {}),
      ...(entry.parent !== undefined ? { parentId: entry.parent.id } : {}),
    };
    const order = new ManagedOrder(terms, this.now);
    entry.order = order;
    if (entry.cancelBeforeVenue) {
      this.apply(entry, { type: 'cancel', reason: 'PARENT_CANCELLED: cancelled before it reached the venue', tsNs: this.now });
      return;
    }
    if (this.guard !== undefined && (r.type === 'market' || r.type === 'limit')) {
      const verdict = this.guard.check(this.venue.guardBook(r.symbol), { side: r.side, quantity: r.quantity, limitPrice: r.limitPrice, referencePrice: r.referencePrice });
      if (!verdict.ok) {
        this.apply(entry, { type: 'reject', reason: `${verdict.reason}: ${verdict.detail}`, tsNs: this.now });
        return;
      }
    }
    this.scheduler.at(this.arrivalTime(), () => this.arrive(entry));
  }

  /** When a request sent now reaches the venue: after the order latency, never before an earlier request (one connection). */
  private arrivalTime(): bigint {
    const model = this.config.orderLatency;
    const sent = this.now + (model === undefined ? 0n : this.venue.venue.sampleLatency(model));
    const at = sent > this.lastArrivalNs ? sent : this.lastArrivalNs;
    this.lastArrivalNs = at;
    return at;
  }

  private arrive(entry: OrderEntry): void {
    const r = entry.request;
    entry.arrivedNs = this.now;
    if (entry.timeInForce === 'DAY') this.dayOrders++;
    const outcome: SimResult<SimOrder> = this.venue.place({
      account: BACKTEST_ACCOUNT,
      clientOrderId: entry.clientOrderId,
      symbol: r.symbol,
      side: r.side,
      type: r.type,
      quantity: r.quantity,
      ...(r.limitPrice !== undefined ? { price: r.limitPrice } : {}),
      ...(r.stopPrice !== undefined ? { stopPrice: r.stopPrice } : {}),
      timeInForce: entry.timeInForce,
      ...(r.postOnly ? { postOnly: true } : {}),
    });
    if (!outcome.ok) this.apply(entry, { type: 'reject', reason: `${outcome.rejection.code}: ${outcome.rejection.message}`, tsNs: this.now });
    // The venue's updates came first (an IOC may have ended already); its answer settles what they did not.
    else if (entry.order !== undefined) this.applyState(entry, outcome.value);
  }

  // ---- Venue updates → the order state machine (as execution's venue-sync applies them)

  private onVenueUpdate(u: SimUpdate): void {
    const entry = this.orders.get(u.order.clientOrderId);
    if (entry === undefined) return;
    if (u.kind === 'fill') {
      const f = u.fill;
      this.ensureAcked(entry, f.orderId, f.tsNs);
      this.apply(entry, { type: 'fill', tradeId: f.tradeId, quantity: f.quantity, price: f.price, fee: f.fee, feeCurrency: f.feeCurrency, liquidity: f.liquidity, venueOrderId: f.orderId, tsNs: f.tsNs });
    }
    this.applyState(entry, u.order);
  }

  private ensureAcked(entry: OrderEntry, venueOrderId: string, tsNs: bigint): void {
    if (entry.order?.state === 'new') this.apply(entry, { type: 'ack', venueOrderId, tsNs });
  }

  private applyState(entry: OrderEntry, o: SimOrder): void {
    if (o.status === 'pending_new') return;
    if (o.status === 'rejected') {
      if (entry.order?.state === 'new') this.apply(entry, { type: 'reject', reason: o.reason ?? 'REJECTED_BY_VENUE', tsNs: o.updatedNs });
      return;
    }
    this.ensureAcked(entry, o.orderId, o.updatedNs);
    if (o.status === 'cancelled') this.apply(entry, { type: 'cancel', reason: o.reason ?? 'CANCELLED_BY_VENUE', tsNs: o.updatedNs });
    if (o.status === 'expired') this.apply(entry, { type: 'expire', reason: o.reason ?? 'EXPIRED', tsNs: o.updatedNs });
  }

  private apply(entry: OrderEntry, event: OrderEvent): void {
    // An order that ended is let go; a venue says nothing more about it.
    if (entry.order === undefined) return;
    const t = entry.order.apply(event);
    if (t !== undefined) this.onTransition(entry, t);
  }

  /** What one transition of an order means for the venue's open orders, the books and the strategies. */
  private onTransition(entry: OrderEntry, t: OrderTransition): void {
    const e = t.event;
    const s = entry.symbol;
    const base = { clientOrderId: entry.clientOrderId, strategy: entry.strategy, symbol: s.symbol };
    switch (e.type) {
      case 'ack':
        entry.atVenue = true;
        this.venue.opened(s.symbol);
        this.report({ kind: 'ack', ...base });
        break;
      case 'fill':
        this.book(entry, e.quantity, e.price, e.fee, e.feeCurrency, e.liquidity, e.tradeId, e.tsNs);
        this.report({ kind: 'fill', ...base, side: entry.request.side, quantity: e.quantity, price: e.price, fee: e.fee, liquidity: e.liquidity });
        break;
      case 'cancel':
      case 'expire':
      case 'reject':
        this.gate!.ended(entry.clientOrderId, s.symbol);
        if (e.type === 'reject') this.post?.onReject(this.nowMsValue);
        this.report({ kind: 'ended', ...base, state: t.to as 'cancelled' | 'rejected' | 'expired', reason: e.reason });
        break;
      case 'amend':
        break;
    }
    if (entry.atVenue && entry.order!.isTerminal) {
      entry.atVenue = false;
      this.venue.closed(s.symbol);
      if (entry.timeInForce === 'DAY') this.dayOrders--;
    }
    if (entry.order!.isTerminal) this.finish(entry);
    if (entry.parent !== undefined) {
      const update = childUpdateOf(entry.clientOrderId, t);
      if (update !== undefined) this.toParent(entry.parent, update);
    }
  }

  /** An order that ended: kept as a record (or not at all), its state machine let go. */
  private finish(entry: OrderEntry): void {
    this.orders.delete(entry.clientOrderId);
    this.gate!.forget(entry.clientOrderId);
    if (this.post !== undefined) {
      const s = entry.symbol;
      this.post.onOrderEnded(s.symbol, entry.clientOrderId, s.ledger.quantity, this.gate!.markOf(s.symbol), this.nowMsValue);
    }
    if (this.record.orders) this.finished.push({ seq: entry.seq, record: orderRecord(entry) });
    entry.order = undefined;
  }

  /** A fill, booked as risk books it: the portfolio, risk's state and P&L; then the curve and the round trips. */
  private book(entry: OrderEntry, quantity: Decimal, price: Decimal, fee: Decimal, feeCurrency: string, liquidity: 'maker' | 'taker', tradeId: string, tsNs: bigint): void {
    const s = entry.symbol;
    const side = entry.request.side;
    this.portfolio.applyFill(s.symbol, { side, quantity, price, fee });
    this.gate!.filled(entry.clientOrderId, s.symbol, side, quantity, price, this.nowMsValue);
    s.lastFill = price;
    s.fills++;
    s.turnover = s.turnover.add(price.mul(quantity));
    s.builder.fill(side, quantity, price, fee, tsNs);
    const open = !s.ledger.isFlat();
    if (open !== s.open) {
      // Exposure is counted when the account turns flat (and at the end), not with every event.
      if (this.openPositions === 0) this.exposedSinceNs = this.now;
      this.openPositions += open ? 1 : -1;
      if (this.openPositions === 0) {
        this.exposedNs += this.now - this.exposedSinceNs!;
        this.exposedSinceNs = undefined;
      }
      s.open = open;
    }
    if (!s.dirty) this.markDirty(s);
    this.post?.onPosition(s.symbol, s.ledger.quantity, this.gate!.markOf(s.symbol), this.nowMsValue);
    this.counts.fills++;
    if (this.record.fills) this.fills.push({
      tradeId,
      clientOrderId: entry.clientOrderId,
      symbol: s.symbol,
      side,
      price: price.toString(),
      quantity: quantity.toString(),
      fee: fee.toString(),
      feeCurrency,
      liquidity,
      tsNs: tsNs.toString(),
    });
  }

  /** Tells the strategies, now or after the report latency. */
  private report(u: OrderUpdate): void {
    const model = this.config.reportLatency;
    if (model === undefined) {
      this.updates.push(u);
      return;
    }
    this.scheduler.at(this.now + this.venue.venue.sampleLatency(model), () => this.updates.push(u));
  }

  // ---- The result

  private orderRecords(): OrderRecord[] {
    return this.record.orders ? sortedRecords(this.finished, this.orders.values()) : [];
  }

  private result(): BacktestResult {
    const end = this.now;
    const endMs = this.nowMsValue;
    if (this.firstNs !== undefined) {
      if (this.points[this.points.length - 1]!.tsMs < endMs) this.sample(endMs);
      else {
        // The last point is at the end already; refresh it with what happened at that instant.
        this.points.pop();
        this.sample(endMs);
      }
    }
    const gate = this.gate;
    const trips: RoundTrip[] = [];
    const perSymbol: Record<string, SymbolSummary> = {};
    let fees = Decimal.ZERO;
    let turnover = Decimal.ZERO;
    for (const s of this.symbols.values()) {
      const symbolTrips = s.builder.trips();
      trips.push(...symbolTrips);
      const mark = gate?.markOf(s.symbol) ?? s.lastFill;
      const unrealized = mark === undefined ? Decimal.ZERO : s.ledger.unrealizedPnl(mark);
      fees = fees.add(s.ledger.fees);
      turnover = turnover.add(s.turnover);
      perSymbol[s.symbol] = {
        symbol: s.symbol,
        position: s.ledger.quantity.toString(),
        realizedPnl: s.ledger.realizedPnl.toString(),
        unrealizedPnl: unrealized.toString(),
        fees: s.ledger.fees.toString(),
        netPnl: s.ledger.realizedPnl.sub(s.ledger.fees).add(unrealized).toString(),
        lastMark: mark?.toString() ?? null,
        orders: s.orders,
        riskRejections: s.riskRejections,
        fills: s.fills,
        turnover: s.turnover.toString(),
        trades: tradeStatistics(symbolTrips),
      };
    }
    trips.sort((a, b) => compareNs(a.exitNs, b.exitNs) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    const metrics = computeMetrics({
      equity: this.points,
      trips,
      initialEquity: this.config.initialEquity,
      fees,
      turnover,
      exposedNs: this.exposedSinceNs === undefined ? this.exposedNs : this.exposedNs + (this.now - this.exposedSinceNs),
      spanNs: this.firstNs === undefined ? 0n : end - this.firstNs,
      periodsPerYear: this.config.periodsPerYear,
      minAnnualisedSpanMs: this.config.minAnnualisedDays * 86_400_000,
    });
    const params: Record<string, string | number | boolean> = { ...(this.config.source.params ?? {}) };
    if (this.config.source.params === undefined) {
      for (const st of this.strategies) for (const [k, v] of Object.entries(st.params)) params[this.strategies.length === 1 ? k : `${st.id}.${k}`] = v;
    }
    return {
      version: BACKTEST_RESULT_VERSION,
      config: configToJson(this.config),
      params,
      seed: this.config.seed,
      currency: this.config.currency,
      startNs: this.firstNs?.toString() ?? null,
      endNs: this.firstNs === undefined ? null : end.toString(),
      equity: this.points,
      orders: this.orderRecords(),
      fills: this.fills,
      trades: trips,
      metrics,
      perSymbol,
      counts: { ...this.counts, stopsArmed: this.post?.counts.stopsArmed ?? 0, stopsTriggered: this.post?.counts.stopsTriggered ?? 0, breakerTrips: this.post?.counts.breakerTrips ?? 0 },
      riskEvents: this.post?.events ?? [],
      parents: [...this.parents.values()].map(parentRecord),
    };
  }
}

/** Every order's record in intent order: those that ended, then those still open at the end. */
function sortedRecords(finished: readonly { seq: number; record: OrderRecord }[], open: Iterable<OrderEntry>): OrderRecord[] {
  const all = [...finished];
  for (const e of open) all.push({ seq: e.seq, record: orderRecord(e) });
  all.sort((a, b) => a.seq - b.seq);
  return all.map((x) => x.record);
}

function orderRecord(e: OrderEntry): OrderRecord {
  const r = e.request;
  const snap = e.order?.snapshot();
  return {
    clientOrderId: e.clientOrderId,
    strategy: e.strategy,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    timeInForce: e.timeInForce,
    quantity: r.quantity.toString(),
    limitPrice: r.limitPrice?.toString() ?? null,
    stopPrice: r.stopPrice?.toString() ?? null,
    referencePrice: r.referencePrice?.toString() ?? null,
    intentNs: e.intentNs.toString(),
    risk: e.risk ?? { approved: false, reason: null, detail: 'never decided' },
    status: snap?.state ?? 'rejected',
    reason: snap === undefined ? (e.risk?.reason ?? null) : (snap.reason ?? null),
    venueOrderId: snap?.venueOrderId ?? null,
    arrivedNs: e.arrivedNs?.toString() ?? null,
    filledQuantity: (snap?.filledQuantity ?? Decimal.ZERO).toString(),
    averagePrice: snap?.averagePrice?.toString() ?? null,
    fees: (snap?.fees ?? Decimal.ZERO).toString(),
    updatedNs: (snap?.updatedNs ?? e.intentNs).toString(),
  };
}

function compareNs(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function sameDecimal(a: Decimal | undefined, b: Decimal | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.eq(b));
}
