import { Decimal } from '@meridian/domain';
import type { Bus } from '@meridian/bus';
import { ReplayGate } from '@meridian/bus';
import type { Delivery } from '@meridian/bus';
import { Bar, Bbo, ExecutionKind, RiskBreakerState, RiskEquitySnapshot, RiskStop, TradeBatch } from '@meridian/proto';
import type { ExecutionReport, GetRiskSnapshotResponse, OrderRejection, RiskVarEstimate } from '@meridian/proto';
import { StrategyBook, valuePortfolio } from '@meridian/portfolio';
import type { CostMethod, FillInput, PnlFigures, Portfolio } from '@meridian/portfolio';
import type { AccountPnl, BreakerView, CircuitBreakerConfig, RiskState, StopSpec } from '@meridian/risk-rules';
import type { Metrics } from '@meridian/runtime';
import type { Logger } from 'pino';
import { BarHistory } from './bar-history';
import { BreakerManager } from './breaker-manager';
import { EquityCurve, drawdownToWire, pnlToWire } from './equity-curve';
import type { Mark, Marks } from './marks';
import type { BarInterval, MarkSource } from './post-trade-config';
import { StopManager } from './stop-manager';

/** The configuration the post-trade side reads (validated at start-up by the service's schema). */
export interface PostTradeConfig {
  MARKET_VENUE: string;
  RISK_COST_METHOD: CostMethod;
  RISK_ACCOUNT: string;
  RISK_MARK_SOURCE: MarkSource;
  RISK_EQUITY_INTERVAL_MS: number;
  RISK_STOPS: ReadonlyMap<string, StopSpec>;
  RISK_STOP_STRATEGY: string;
  RISK_STOP_CHECKPOINT_MS: number;
  RISK_BREAKER_CHECK_INTERVAL_MS: number;
  RISK_VAR_CONFIDENCE: number;
  RISK_VAR_HORIZON: number;
  RISK_VAR_BAR_INTERVAL: BarInterval;
  RISK_VAR_LOOKBACK: number;
}

export interface PostTradeDeps {
  bus: Bus;
  /** The marks this side keeps (the service values P&L with them too). */
  marks: Marks;
  config: PostTradeConfig;
  breaker: CircuitBreakerConfig;
  logger: Logger;
  metrics: Metrics;
  symbols: readonly string[];
  portfolio: Portfolio;
  state: RiskState;
  pnl: AccountPnl;
  /** Whether an order may still fill: not decided yet, or approved and not ended. */
  working(clientOrderId: string): boolean;
}

const msOf = (ns: bigint) => Number(ns / 1_000_000n);
/** The breaker's own refusals would keep it tripped, and a kill switch's are the operator's will: neither counts toward a burst. */
const countsAsReject = (reason: string) => reason !== 'CIRCUIT_BREAKER' && reason !== 'KILL_SWITCH';

/**
 * Risk's post-trade side, wired into the service: marks from the configured source, P&L per
 * symbol, strategy and account, the published equity curve and its drawdown, Value at Risk over
 * the market's bars, stops (`StopManager`) and the circuit breaker (`BreakerManager`). The service
 * feeds it the events it folds (fills, ends of orders, decisions) and calls the start-up steps in
 * order (`readCheckpoints`, `followBars`, `restoreStops`, `followMarks`, `goLive`).
 */
export class PostTrade {
  readonly marks: Marks;
  readonly strategies: StrategyBook;
  readonly bars: BarHistory;
  readonly curve = new EquityCurve();
  readonly breaker: BreakerManager;
  readonly stops: StopManager;
  private readonly venues = new Map<string, string>();
  private readonly shard: ReadonlySet<string>;
  private stopRecords: RiskStop[] = [];
  private lastBreaker: RiskBreakerState | undefined;
  private lastEquity: RiskEquitySnapshot | undefined;
  private varCache: RiskVarEstimate[] = [];
  private timers: NodeJS.Timeout[] = [];
  private publishing: Promise<void> | undefined;
  private live = false;
  /** Times of the rejections replayed at start (risk's and the venues'), for the breaker's reject window. */
  private replayedRejects: number[] = [];
  private readonly snapshots;
  private readonly publishFailures;

  constructor(private readonly d: PostTradeDeps) {
    const { config, metrics } = d;
    this.marks = d.marks;
    this.shard = new Set(d.symbols);
    this.strategies = new StrategyBook(config.RISK_COST_METHOD);
    this.bars = new BarHistory(config.RISK_VAR_LOOKBACK);
    this.publishFailures = metrics.counter({ name: 'risk_post_trade_publish_failures_total', help: 'Publishes of stops, breaker and equity that failed, by what', labelNames: ['what'] });
    this.snapshots = metrics.counter({ name: 'risk_equity_snapshots_total', help: 'Points of the equity curve, by outcome (published, failed)', labelNames: ['outcome'] });
    const trips = metrics.counter({ name: 'risk_breaker_trips_total', help: 'Circuit breaker trips by cause', labelNames: ['cause'] });
    const resets = metrics.counter({ name: 'risk_breaker_resets_total', help: 'Circuit breaker resets by who reset it (cool-down, operator)', labelNames: ['by'] });
    const stopTriggers = metrics.counter({ name: 'risk_stop_triggers_total', help: 'Stops triggered (closing intents sent), by kind', labelNames: ['kind'] });
    this.breaker = new BreakerManager(
      d.bus,
      config.RISK_ACCOUNT,
      d.breaker,
      { tripped: (cause) => trips.inc({ cause }), reset: (by) => resets.inc({ by }), publishFailed: () => this.publishFailures.inc({ what: 'breaker' }) },
      d.logger,
    );
    for (const symbol of config.RISK_STOPS.keys()) if (!this.shard.has(symbol)) d.logger.info({ symbol }, 'RISK_STOPS names a symbol outside this shard: ignored here');
    this.stops = new StopManager(
      d.bus,
      {
        position: (symbol) => (d.portfolio.has(symbol) ? d.portfolio.position(symbol).quantity : Decimal.ZERO),
        venue: (symbol) => this.venues.get(symbol),
        mark: (symbol) => this.marks.get(symbol),
        working: d.working,
      },
      {
        markSource: config.RISK_MARK_SOURCE,
        strategy: config.RISK_STOP_STRATEGY,
        defaults: config.RISK_STOPS,
        onTrigger: (kind) => stopTriggers.inc({ kind }),
        onPublishFailure: (what) => this.publishFailures.inc({ what }),
      },
      d.logger,
    );
    this.registerGauges();
  }

  // ---- Start-up, in this order

  /** Reads the checkpoints: each symbol's stop (ctl.stop.*), the breaker, the last equity point. */
  async readCheckpoints(): Promise<void> {
    const { bus, config } = this.d;
    const gate = new ReplayGate();
    const records = new Map<string, RiskStop>();
    const follow = await bus.follow('CONTROL', bus.subjects.stopsAll(), RiskStop, (r) => void (this.shard.has(r.symbol) && records.set(r.symbol, r)), {
      deliver: 'last_per_subject',
      onCaughtUp: gate.expect(),
    });
    await gate.wait();
    await follow.stop();
    this.stopRecords = [...records.values()];
    this.lastBreaker = await bus.lastValue('CONTROL', bus.subjects.breaker(config.RISK_ACCOUNT), RiskBreakerState);
    this.lastEquity = await bus.lastValue('RISK', bus.subjects.riskEquity(config.RISK_ACCOUNT), RiskEquitySnapshot);
  }

  /** The bar closes of the last RISK_VAR_LOOKBACK bars still on the MARKET stream, then live (one follow for the venue). */
  async followBars(gate: ReplayGate): Promise<void> {
    const { bus, config } = this.d;
    const interval = config.RISK_VAR_BAR_INTERVAL;
    const since = new Date(Date.now() - (config.RISK_VAR_LOOKBACK + 2) * interval.ms);
    await bus.follow(
      'MARKET',
      bus.subjects.barsOfVenue(config.MARKET_VENUE, interval.token),
      Bar,
      (b) => {
        if (this.shard.has(b.symbol)) this.bars.add(b.symbol, b.startTsNs, Number(b.close), b.revision);
      },
      { deliver: { startTime: since }, onCaughtUp: gate.expect() },
    );
  }

  /** Once positions are rebuilt: the stops checkpointed, armed again on the positions now. */
  restoreStops(): void {
    this.stops.restore(this.stopRecords);
  }

  /**
   * The BBO of every symbol (the price band; and the marks when RISK_MARK_SOURCE is mid), and its
   * trades when it is last. A symbol whose trailing stop was checkpointed replays its marks from
   * the checkpoint's sequence; the others start at the last one.
   */
  async followMarks(gate: ReplayGate): Promise<void> {
    const { bus, config, state } = this.d;
    const mid = config.RISK_MARK_SOURCE === 'mid';
    for (const symbol of this.d.symbols) {
      const from = this.stops.replayStart(symbol);
      await bus.follow(
        'MARKET',
        bus.subjects.marketData(config.MARKET_VENUE, symbol, 'bbo'),
        Bbo,
        (b, delivery) => {
          const bid = b.bid ? Decimal.parse(b.bid.price) : undefined;
          const ask = b.ask ? Decimal.parse(b.ask.price) : undefined;
          this.breaker.onMarketData(symbol, msOf(delivery.timestampNanos));
          state.setMarket(symbol, bid, ask, mid);
          if (mid && bid && ask) return this.mark(symbol, bid.add(ask).div(2n, 12), delivery);
          return undefined;
        },
        { deliver: mid && from !== undefined ? { startSeq: from } : 'last_per_subject', onCaughtUp: gate.expect() },
      );
      if (mid) continue;
      await bus.follow(
        'MARKET',
        bus.subjects.marketData(config.MARKET_VENUE, symbol, 'trades'),
        TradeBatch,
        async (batch, delivery) => {
          this.breaker.onMarketData(symbol, msOf(delivery.timestampNanos));
          // Every trade of the batch, so a trailing stop sees the best and a stop the worst of them.
          for (const t of batch.trades) {
            const price = Decimal.parse(t.price);
            if (price.isPositive()) await this.mark(symbol, price, delivery);
          }
        },
        { deliver: from !== undefined ? { startSeq: from } : 'last_per_subject', onCaughtUp: gate.expect() },
      );
    }
  }

  /** Every stream has caught up: P&L, the curve and the breaker resume from their checkpoints; timers start. */
  async goLive(): Promise<void> {
    const { config, pnl, symbols, logger } = this.d;
    const last = this.lastEquity;
    const checkpoint =
      last !== undefined && last.limitPeakEquity !== '' && last.dayOpenEquity !== ''
        ? { atMs: msOf(last.tsNs), peak: Decimal.parse(last.limitPeakEquity), dayOpen: Decimal.parse(last.dayOpenEquity) }
        : undefined;
    pnl.caughtUp(Date.now(), symbols, checkpoint);
    if (last !== undefined && this.curve.restore(last)) logger.info({ peak: last.drawdown?.peakEquity, maxDrawdown: last.drawdown?.maxDrawdown, at: new Date(msOf(last.tsNs)).toISOString() }, 'equity curve resumed from its last point');
    this.breaker.restore(this.lastBreaker, this.replayedRejects);
    this.replayedRejects = [];
    await this.stops.goLive(symbols);
    this.live = true;
    this.varCache = this.estimateVar();
    this.timers.push(
      setInterval(() => this.publishPoint(), config.RISK_EQUITY_INTERVAL_MS),
      setInterval(() => this.breaker.tick(Date.now(), pnl.state(Date.now()).equity), config.RISK_BREAKER_CHECK_INTERVAL_MS),
      setInterval(() => this.stops.checkpointMoved(), config.RISK_STOP_CHECKPOINT_MS),
    );
  }

  // ---- Events the service folds

  /** A fill the account's portfolio has booked. */
  filled(symbol: string, e: ExecutionReport, fill: FillInput): void {
    this.strategies.applyFill(e.strategy, symbol, fill);
    if (e.venue !== '') this.venues.set(symbol, e.venue);
    this.stops.onPosition(symbol, this.d.portfolio.position(symbol).quantity);
    this.stops.onOrderSettled(symbol, e.clientOrderId);
  }

  /** A cancel or reject of an order at the venue: a reject counts toward the reject burst. */
  ended(symbol: string, e: ExecutionReport): void {
    this.stops.onOrderSettled(symbol, e.clientOrderId);
    if (e.kind !== ExecutionKind.EXECUTION_KIND_REJECT) return;
    if (this.live) this.breaker.onReject(Date.now());
    else this.replayedRejects.push(msOf(e.tsNs));
  }

  /** Risk's rejection of an intent read back from ord.rejected; while replaying, it refills the reject window. */
  rejectedOnStream(symbol: string, r: OrderRejection): void {
    const id = r.intent?.clientOrderId ?? '';
    this.stops.onOrderSettled(symbol, id);
    if (!this.live && countsAsReject(r.reason)) this.replayedRejects.push(msOf(r.rejectedTsNs));
  }

  /** This process refused an intent: counts toward the reject burst, unless the breaker or a kill switch refused it. */
  refused(reason: string): void {
    if (countsAsReject(reason)) this.breaker.onReject(Date.now());
  }

  breakerView(): BreakerView {
    return this.breaker.view();
  }

  // ---- Reads

  account(): PnlFigures {
    return valuePortfolio(this.d.portfolio, (s) => this.marks.price(s), (s) => this.d.pnl.lastFillPrice(s));
  }

  /** What GetRiskSnapshot adds to the pre-trade view. */
  snapshotFields(): Pick<GetRiskSnapshotResponse, 'pnl' | 'strategies' | 'drawdown' | 'valueAtRisk' | 'stops' | 'breaker' | 'markSource'> {
    return {
      pnl: pnlToWire(this.account()),
      strategies: this.strategyPnl(),
      drawdown: drawdownToWire(this.curve.state()),
      valueAtRisk: this.estimateVar(),
      stops: this.stops.list(),
      breaker: this.breaker.state(),
      markSource: this.d.config.RISK_MARK_SOURCE,
    };
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.publishing;
    await this.stops.idle();
    await this.breaker.idle();
  }

  // ---- Internals

  private mark(symbol: string, price: Decimal, delivery: Delivery): Promise<void> | undefined {
    const mark: Mark = { price, seq: delivery.streamSequence, atMs: msOf(delivery.timestampNanos) };
    this.marks.set(symbol, mark);
    if (this.d.config.RISK_MARK_SOURCE === 'last') this.d.state.setMark(symbol, price);
    this.d.pnl.marked(symbol, Date.now());
    return this.stops.onMark(symbol, mark);
  }

  private strategyPnl() {
    return this.strategies.value((s) => this.marks.price(s), (s) => this.d.pnl.lastFillPrice(s)).map(({ strategy, figures }) => ({ strategy, pnl: pnlToWire(figures) }));
  }

  private estimateVar(): RiskVarEstimate[] {
    const { config, portfolio } = this.d;
    const positions: Record<string, number> = {};
    for (const p of portfolio.positions()) if (!p.quantity.isZero()) positions[p.symbol] = p.quantity.toNumber();
    const options = { confidence: config.RISK_VAR_CONFIDENCE, horizon: config.RISK_VAR_HORIZON };
    return this.bars.estimate(positions, options).map((e) => ({
      method: e.method,
      confidence: e.confidence,
      horizon: e.horizon,
      barInterval: config.RISK_VAR_BAR_INTERVAL.token,
      valueAtRisk: e.valueAtRisk,
      expectedShortfall: e.expectedShortfall,
      observations: e.observations,
    }));
  }

  /** One point of the equity curve: sampled, then published (a point still in flight skips the next tick). */
  private publishPoint(): void {
    if (this.publishing !== undefined) return;
    const { bus, config, pnl } = this.d;
    const nowMs = Date.now();
    const account = this.account();
    const drawdown = this.curve.sample(account.equity, nowMs);
    const limits = pnl.state(nowMs);
    this.varCache = this.estimateVar();
    const point = RiskEquitySnapshot.fromPartial({
      account: config.RISK_ACCOUNT,
      tsNs: BigInt(nowMs) * 1_000_000n,
      pnl: pnlToWire(account),
      drawdown: drawdownToWire(drawdown),
      strategies: this.strategyPnl(),
      valueAtRisk: this.varCache,
      limitPeakEquity: limits.peakEquity.toString(),
      dailyPnl: limits.dailyPnl.toString(),
      dayOpenEquity: limits.equity.sub(limits.dailyPnl).toString(),
      markSource: config.RISK_MARK_SOURCE,
    });
    this.publishing = bus
      .publish(bus.subjects.riskEquity(config.RISK_ACCOUNT), RiskEquitySnapshot, point, { msgId: `risk-equity-${config.RISK_ACCOUNT}-${nowMs}` })
      .then(
        () => void this.snapshots.inc({ outcome: 'published' }),
        (err: unknown) => {
          this.snapshots.inc({ outcome: 'failed' });
          this.d.logger.error({ err }, 'equity snapshot not published');
        },
      )
      .finally(() => {
        this.publishing = undefined;
      });
  }

  private registerGauges(): void {
    const { metrics } = this.d;
    // prom-client calls collect() with the metric as `this`: the post-trade state is reached through these.
    const { breaker, stops, curve, strategies, marks } = this;
    const varCache = () => this.varCache;
    const account = () => this.account();
    const lastFill = (symbol: string) => this.d.pnl.lastFillPrice(symbol);
    metrics.gauge({
      name: 'risk_breaker_tripped',
      help: '1 while the circuit breaker is tripped (only orders that reduce a position pass)',
      collect() {
        this.set(breaker.tripped ? 1 : 0);
      },
    });
    metrics.gauge({
      name: 'risk_stops_armed',
      help: 'Stops armed on open positions',
      collect() {
        this.set(stops.armedCount);
      },
    });
    metrics.gauge({
      name: 'risk_value_at_risk_quote',
      help: 'Value at Risk (measure="var") and expected shortfall (measure="es") of the positions, by method, at the configured confidence and horizon; estimates as of the last equity point',
      labelNames: ['method', 'measure'],
      collect() {
        for (const e of varCache()) {
          this.set({ method: e.method, measure: 'var' }, e.valueAtRisk);
          this.set({ method: e.method, measure: 'es' }, e.expectedShortfall);
        }
      },
    });
    metrics.gauge({
      name: 'risk_equity_curve_quote',
      help: 'The published equity curve: its last point (equity), peak, drawdown from the peak and the largest drawdown',
      labelNames: ['kind'],
      collect() {
        const s = curve.state();
        this.set({ kind: 'peak' }, s.peak.toNumber());
        this.set({ kind: 'drawdown' }, s.drawdown.toNumber());
        this.set({ kind: 'max_drawdown' }, s.maxDrawdown.toNumber());
      },
    });
    metrics.gauge({
      name: 'risk_equity_curve_drawdown_ratio',
      help: 'Drawdown of the published equity curve as a fraction of its peak',
      collect() {
        this.set(curve.state().drawdownFraction.toNumber());
      },
    });
    metrics.gauge({
      name: 'risk_equity_curve_underwater_max_seconds',
      help: 'Longest time the published equity curve stayed below a peak',
      collect() {
        this.set(curve.state().maxDurationMs / 1000);
      },
    });
    metrics.gauge({
      name: 'risk_account_pnl_quote',
      help: 'Account P&L at the marks, computed when scraped: equity, realized (gross of fees), unrealized, fees, and the positions\' gross and net exposure',
      labelNames: ['kind'],
      collect() {
        const a = account();
        for (const [kind, v] of Object.entries({ equity: a.equity, realized: a.realized, unrealized: a.unrealized, fees: a.fees, gross_exposure: a.gross, net_exposure: a.net })) this.set({ kind }, v.toNumber());
      },
    });
    metrics.gauge({
      name: 'risk_strategy_pnl_quote',
      help: 'P&L per strategy at the marks, computed when scraped: equity, realized, unrealized, fees',
      labelNames: ['strategy', 'kind'],
      collect() {
        for (const { strategy, figures } of strategies.value((s) => marks.price(s), lastFill)) {
          for (const [kind, v] of Object.entries({ equity: figures.equity, realized: figures.realized, unrealized: figures.unrealized, fees: figures.fees })) this.set({ strategy, kind }, v.toNumber());
        }
      },
    });
  }
}

