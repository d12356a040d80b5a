import { Decimal } from '@meridian/domain';
import { MomentumModel, createBarAggregator, parseBarInterval } from '@meridian/signals';
import type { BarAggregator, ExactBar, MomentumConfig } from '@meridian/signals';
import { InvalidSizingConfigError, SignalStrategy } from '@meridian/strategy';
import type { SignalDecision, SignalInput, SignalState, SignalStrategyConfig } from '@meridian/strategy';

type SignalOrder = Extract<SignalDecision, { kind: 'order' }>;
import { BacktestConfigError } from '../errors';
import type { MarketEvent } from '../events';
import type { OrderUpdate, Strategy, StrategyContext } from '../strategy';

/** The coordinator's defaults (services/coordinator: STRATEGY_ID, POSITION_NOTIONAL, …). */
export const COORDINATOR_DEFAULTS: SignalStrategyConfig = {
  strategyId: 'momentum-v1',
  positionNotional: Decimal.parse('10000'),
  maxOrderNotional: Decimal.parse('4000'),
  orderLot: Decimal.parse('0.001'),
  entryThreshold: 0.15,
  signalMaxAgeMs: 5_000,
  intentIntervalMs: 1_000,
};

export interface MomentumStrategyOptions {
  /** The coordinator's settings; each defaults to the coordinator's. */
  readonly strategy?: Partial<SignalStrategyConfig>;
  /** The inference service's MOMENTUM_FAST / _SLOW / _VOL (defaults 8, 32, 32). */
  readonly model?: MomentumConfig;
  /** BAR_INTERVAL: the bars the model reads (default `1s`); bars of other intervals are ignored. */
  readonly interval?: string;
  /** Build those bars from trade events, as ingestion does (for trade or book data without bars). Default false. */
  readonly barsFromTrades?: boolean;
  /** Only these symbols (default: every symbol with bars of the interval). */
  readonly symbols?: readonly string[];
  /** Told each signal the model makes (what inference would publish on sig.momentum.<symbol>). */
  readonly onSignal?: (signal: { readonly symbol: string; readonly score: number; readonly referencePrice: Decimal; readonly tsNs: bigint }) => void;
}

/** A symbol's model (inference) and strategy state (coordinator). */
interface SymbolSide {
  readonly model: MomentumModel;
  readonly state: SignalState;
  readonly bars: BarAggregator | undefined;
}

/**
 * The platform's rule-based strategy end to end, on the production code: the inference service's
 * momentum signal (`MomentumModel` of `@meridian/signals` on each revision-0 bar of the interval,
 * the bar's float view taken from its exact decimal text as the service takes it from the wire,
 * a signal referenced at the bar's close) and the coordinator's decision (`SignalStrategy` of
 * `@meridian/strategy`: target position, one market IOC order toward it, nothing while one
 * works, throttled), its state folded from fills, risk rejections and ends of orders as the
 * coordinator folds them from the streams.
 */
export class MomentumStrategy implements Strategy {
  readonly id: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  private readonly decider: SignalStrategy;
  private readonly modelConfig: MomentumConfig;
  private readonly interval: string;
  private readonly barsFromTrades: boolean;
  private readonly only: ReadonlySet<string> | undefined;
  private readonly sides = new Map<string, SymbolSide>();
  private readonly onSignal: MomentumStrategyOptions['onSignal'];
  /** The decision's input, refilled on every bar (`decide` reads it and keeps nothing of it). */
  private readonly input: { score: number; referencePrice: Decimal; tsMs: number } = { score: 0, referencePrice: Decimal.ZERO, tsMs: 0 };
  /** Signals acted on or skipped, by outcome (the coordinator's intents and skipped-signal counters). */
  readonly decisions = { order: 0, stale: 0, order_working: 0, throttled: 0, on_target: 0, unsizable: 0 };

  constructor(options: MomentumStrategyOptions = {}) {
    const config = { ...COORDINATOR_DEFAULTS, ...(options.strategy ?? {}) };
    this.decider = new SignalStrategy(config);
    this.id = config.strategyId;
    this.modelConfig = { fastPeriod: 8, slowPeriod: 32, volPeriod: 32, ...(options.model ?? {}) };
    // Checked once here: the model refuses fast >= slow.
    new MomentumModel(this.modelConfig);
    const interval = parseBarInterval(options.interval ?? '1s');
    if (interval.kind !== 'time') throw new BacktestConfigError('momentum.interval', interval.token, 'must be a time bar interval (the momentum model reads time bars)');
    this.interval = interval.token;
    this.barsFromTrades = options.barsFromTrades ?? false;
    this.only = options.symbols === undefined ? undefined : new Set(options.symbols);
    this.onSignal = options.onSignal;
    this.params = {
      strategyId: config.strategyId,
      positionNotional: config.positionNotional.toString(),
      maxOrderNotional: config.maxOrderNotional.toString(),
      orderLot: config.orderLot.toString(),
      entryThreshold: config.entryThreshold,
      signalMaxAgeMs: config.signalMaxAgeMs,
      intentIntervalMs: config.intentIntervalMs,
      fastPeriod: this.modelConfig.fastPeriod!,
      slowPeriod: this.modelConfig.slowPeriod!,
      volPeriod: this.modelConfig.volPeriod!,
      interval: this.interval,
      barsFromTrades: this.barsFromTrades,
    };
  }

  private side(symbol: string): SymbolSide | undefined {
    let s = this.sides.get(symbol);
    if (s === undefined) {
      if (this.only !== undefined && !this.only.has(symbol)) return undefined;
      s = {
        model: new MomentumModel(this.modelConfig),
        state: this.decider.newState(symbol),
        bars: this.barsFromTrades ? createBarAggregator(this.interval, { graceNs: 0n }) : undefined,
      };
      this.sides.set(symbol, s);
    }
    return s;
  }

  onEvent(e: MarketEvent, ctx: StrategyContext): void {
    if (e.kind === 'bar') {
      if (this.barsFromTrades || e.interval !== this.interval || e.revision !== 0) return;
      const s = this.side(e.symbol);
      if (s !== undefined) this.onBar(s, e.symbol, e.open, e.high, e.low, e.close, e.volume, ctx);
      return;
    }
    if (!this.barsFromTrades) return;
    if (e.kind !== 'trade') return;
    const s = this.side(e.symbol);
    if (s === undefined) return;
    for (const bar of s.bars!.addTrade({ price: e.price, size: e.size, tsNs: e.tsNs })) this.onExactBar(s, e.symbol, bar, ctx);
  }

  private onExactBar(s: SymbolSide, symbol: string, b: ExactBar, ctx: StrategyContext): void {
    if (b.revision !== 0) return;
    this.onBar(s, symbol, b.open, b.high, b.low, b.close, b.volume, ctx);
  }

  private onBar(s: SymbolSide, symbol: string, open: Decimal, high: Decimal, low: Decimal, close: Decimal, volume: Decimal, ctx: StrategyContext): void {
    // The inference service ignores a bar with a non-positive price, a negative volume or a high below its low.
    if (!(open.isPositive() && high.isPositive() && low.isPositive() && close.isPositive()) || volume.isNegative() || high.lt(low)) return;
    // `advance` and the reused input: nothing is allocated on a bar that orders nothing.
    if (!s.model.advance(close.toNumber())) return;
    const score = s.model.last.score;
    this.onSignal?.({ symbol, score, referencePrice: close, tsNs: ctx.nowNs });
    const nowMs = ctx.nowMs;
    const input = this.input;
    input.score = score;
    input.referencePrice = close;
    input.tsMs = nowMs;
    const d = decideOrSkip(this.decider, s.state, input, nowMs);
    if (d === 'unsizable' || d.kind === 'skip') {
      this.decisions[d === 'unsizable' ? d : d.reason]++;
      return;
    }
    this.send(s, symbol, d, nowMs, ctx);
  }

  // Apart from `onBar`, which runs on every bar: kept small, it stays optimised as a whole once orders start.
  private send(s: SymbolSide, symbol: string, d: SignalOrder, nowMs: number, ctx: StrategyContext): void {
    this.decisions.order++;
    const id = ctx.submit({ symbol, side: d.side, type: 'market', timeInForce: 'IOC', quantity: d.quantity, referencePrice: d.referencePrice });
    s.state.intentSent(id, d.side, d.quantity, nowMs);
  }

  onOrder(u: OrderUpdate): void {
    const s = this.sides.get(u.symbol);
    if (s === undefined) return;
    if (u.kind === 'fill') s.state.filled(u.clientOrderId, u.side, u.quantity);
    else if (u.kind === 'ended' || u.kind === 'risk_rejected') s.state.ended(u.clientOrderId);
  }

  /** The strategy state of a symbol (position, working orders, target), as GetStrategyState shows it. */
  stateOf(symbol: string): SignalState | undefined {
    return this.sides.get(symbol)?.state;
  }
}


/**
 * The coordinator's decision, except that a reference price at which not even one lot fits the
 * position (positionNotional / price below orderLot) gives no order instead of an error: the
 * coordinator throws on such a signal, and after its retries the message is dead-lettered, so
 * production sends nothing either; a backtest counts it (`unsizable`) and goes on.
 */
export function decideOrSkip(decider: SignalStrategy, state: SignalState, signal: SignalInput, nowMs: number): SignalDecision | 'unsizable' {
  try {
    return decider.decide(state, signal, nowMs);
  } catch (err) {
    if (err instanceof InvalidSizingConfigError) return 'unsizable';
    throw err;
  }
}
