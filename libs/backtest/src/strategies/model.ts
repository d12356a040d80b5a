import { FeaturePipeline, parseBarInterval, requireFeatureSpecHash } from '@meridian/signals';
import type { Bar, FeatureSpec } from '@meridian/signals';
import { SignalStrategy } from '@meridian/strategy';
import type { SignalState, SignalStrategyConfig } from '@meridian/strategy';
import { BacktestConfigError, ModelError } from '../errors';
import type { BarEvent, MarketEvent } from '../events';
import type { OrderUpdate, Strategy, StrategyContext } from '../strategy';
import { COORDINATOR_DEFAULTS, decideOrSkip } from './momentum';

/**
 * A model that scores the market from features: the pure-TypeScript `LinearScoreModel`, or your
 * own. It reads `window` feature vectors of its spec, oldest first, row after row, and answers a
 * score (clipped to [-1, 1] by the sizing; positive: go long). A model that reads bars itself
 * (`OnnxScoreModel`) is a `BarScoreModel`.
 */
export interface ScoreModel {
  readonly name: string;
  /** The features it was trained on: the strategy computes them with this spec's `FeaturePipeline`. */
  readonly featureSpec: FeatureSpec;
  /** The spec's hash stored with the model, when it has one: checked against the spec (`requireFeatureSpecHash`). */
  readonly featureSpecHash?: string;
  /** Feature vectors per prediction (1: the latest only). */
  readonly window: number;
  /** A score from `window × width` features; a promise for a model served asynchronously (onnxruntime). */
  predict(features: Float32Array): number | Promise<number>;
  /** Its parameters, for the result. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A model that builds its own inputs from bars: the forecasters of libs/onnx (`OnnxScoreModel`),
 * whose inputs are their own feature spec's features beside the window-scaled ln(close) target
 * and the calendar, computed by libs/forecasting as the inference service computes them.
 */
export interface BarScoreModel {
  readonly input: 'bars';
  readonly name: string;
  /** A scorer for one symbol, fed that symbol's bars in time order. */
  scorer(symbol: string): BarScorer;
  readonly params?: Readonly<Record<string, string | number | boolean>>;
}

export interface BarScorer {
  /** Takes one bar; the score on it once warm (a promise when served asynchronously), undefined before. */
  onBar(bar: Bar): number | Promise<number> | undefined;
}

export interface ModelStrategyOptions {
  readonly model: ScoreModel | BarScoreModel;
  /** The sizing and gates of the coordinator (`SignalStrategy`), defaulting to the coordinator's; strategyId defaults to the model's name. */
  readonly strategy?: Partial<SignalStrategyConfig>;
  /** The bars the features are computed on (default `1m`); other intervals are ignored. */
  readonly interval?: string;
  readonly symbols?: readonly string[];
}

interface SymbolSide {
  readonly state: SignalState;
  /** A bar model's scorer; else the feature path below. */
  readonly scorer: BarScorer | undefined;
  readonly pipeline: FeaturePipeline | undefined;
  /** The last `window` vectors, a ring of rows. */
  readonly ring: Float32Array;
  rows: number;
  next: number;
}

function isBarModel(m: ScoreModel | BarScoreModel): m is BarScoreModel {
  return (m as BarScoreModel).input === 'bars';
}

/** The float view of an exact bar the feature pipeline reads (statistics, not money). */
function modelBar(e: BarEvent): Bar {
  return {
    startMs: Number(e.startNs / 1_000_000n),
    endMs: Number(e.tsNs / 1_000_000n),
    open: e.open.toNumber(),
    high: e.high.toNumber(),
    low: e.low.toNumber(),
    close: e.close.toNumber(),
    volume: e.volume.toNumber(),
    trades: e.trades,
  };
}

/**
 * A model-driven strategy: features from a `FeatureSpec` through `FeaturePipeline` (the code
 * training and live inference use), a `ScoreModel` on the last `window` vectors, and the
 * coordinator's decision (`SignalStrategy`) on the score at the bar's close, so the sizing, the
 * gates and the orders are production's.
 */
export class ModelStrategy implements Strategy {
  readonly id: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  private readonly model: ScoreModel | BarScoreModel;
  private readonly decider: SignalStrategy;
  private readonly interval: string;
  private readonly only: ReadonlySet<string> | undefined;
  private readonly sides = new Map<string, SymbolSide>();
  private readonly width: number;
  private readonly input: Float32Array;
  /** Predictions made, and decisions by outcome. */
  readonly decisions = { predictions: 0, order: 0, stale: 0, order_working: 0, throttled: 0, on_target: 0, unsizable: 0 };

  constructor(options: ModelStrategyOptions) {
    const model = options?.model;
    if (model === null || typeof model !== 'object') throw new BacktestConfigError('model', model, 'must be a ScoreModel or a BarScoreModel');
    const bars = isBarModel(model);
    if (bars ? typeof model.scorer !== 'function' : typeof model.predict !== 'function') throw new BacktestConfigError('model', model, 'must be a ScoreModel or a BarScoreModel');
    let features: Record<string, string | number>;
    if (bars) {
      this.width = 0;
      features = {};
    } else {
      if (!Number.isSafeInteger(model.window) || model.window < 1) throw new ModelError(model.name, `window ${model.window} must be a positive integer`);
      const probe = new FeaturePipeline(model.featureSpec);
      if (model.featureSpecHash !== undefined) requireFeatureSpecHash(probe.spec, model.featureSpecHash);
      if (probe.spec.features.some((f) => f.input === 'book')) throw new ModelError(model.name, 'its features read the book, which bar data does not carry');
      this.width = probe.width;
      features = { window: model.window, features: this.width, featureSpecHash: probe.hash };
    }
    this.model = model;
    const config = { ...COORDINATOR_DEFAULTS, strategyId: model.name, ...(options.strategy ?? {}) };
    this.decider = new SignalStrategy(config);
    this.id = config.strategyId;
    const interval = parseBarInterval(options.interval ?? '1m');
    if (interval.kind !== 'time') throw new BacktestConfigError('model.interval', interval.token, 'must be a time bar interval');
    this.interval = interval.token;
    this.only = options.symbols === undefined ? undefined : new Set(options.symbols);
    this.input = new Float32Array(bars ? 0 : model.window * this.width);
    this.params = {
      strategyId: config.strategyId,
      model: model.name,
      ...features,
      positionNotional: config.positionNotional.toString(),
      maxOrderNotional: config.maxOrderNotional.toString(),
      orderLot: config.orderLot.toString(),
      entryThreshold: config.entryThreshold,
      intentIntervalMs: config.intentIntervalMs,
      interval: this.interval,
      ...(model.params ?? {}),
    };
  }

  private side(symbol: string): SymbolSide | undefined {
    let s = this.sides.get(symbol);
    if (s === undefined) {
      if (this.only !== undefined && !this.only.has(symbol)) return undefined;
      const m = this.model;
      s = isBarModel(m)
        ? { state: this.decider.newState(symbol), scorer: m.scorer(symbol), pipeline: undefined, ring: new Float32Array(0), rows: 0, next: 0 }
        : { state: this.decider.newState(symbol), scorer: undefined, pipeline: new FeaturePipeline(m.featureSpec), ring: new Float32Array(m.window * this.width), rows: 0, next: 0 };
      this.sides.set(symbol, s);
    }
    return s;
  }

  onEvent(e: MarketEvent, ctx: StrategyContext): void | Promise<void> {
    if (e.kind !== 'bar' || e.interval !== this.interval || e.revision !== 0) return;
    const s = this.side(e.symbol);
    if (s === undefined) return;
    if (s.scorer !== undefined) {
      const scored = s.scorer.onBar(modelBar(e));
      if (scored === undefined) return;
      this.decisions.predictions++;
      if (typeof scored === 'number') return this.act(s, e, scored, ctx);
      return scored.then((value) => this.act(s, e, value, ctx));
    }
    const model = this.model as ScoreModel;
    const w = this.width;
    const window = model.window;
    if (!s.pipeline!.updateInto(modelBar(e), undefined, s.ring, s.next * w)) return;
    s.next = (s.next + 1) % window;
    if (s.rows < window) s.rows++;
    if (s.rows < window) return;
    // Oldest first: the ring from its next slot on, then from its start.
    const input = this.input;
    input.set(s.ring.subarray(s.next * w), 0);
    input.set(s.ring.subarray(0, s.next * w), (window - s.next) * w);
    this.decisions.predictions++;
    const score = model.predict(input);
    if (typeof score === 'number') return this.act(s, e, score, ctx);
    return score.then((value) => this.act(s, e, value, ctx));
  }

  private act(s: SymbolSide, e: BarEvent, score: number, ctx: StrategyContext): void {
    if (!Number.isFinite(score)) throw new ModelError(this.model.name, `predicted ${score} for ${e.symbol} at ${e.tsNs} ns: a score must be finite`);
    const nowMs = ctx.nowMs;
    const d = decideOrSkip(this.decider, s.state, { score, referencePrice: e.close, tsMs: nowMs }, nowMs);
    if (d === 'unsizable' || d.kind === 'skip') {
      this.decisions[d === 'unsizable' ? d : d.reason]++;
      return;
    }
    this.decisions.order++;
    const id = ctx.submit({ symbol: e.symbol, side: d.side, type: 'market', timeInForce: 'IOC', quantity: d.quantity, referencePrice: d.referencePrice });
    s.state.intentSent(id, d.side, d.quantity, nowMs);
  }

  onOrder(u: OrderUpdate): void {
    const s = this.sides.get(u.symbol);
    if (s === undefined) return;
    if (u.kind === 'fill') s.state.filled(u.clientOrderId, u.side, u.quantity);
    else if (u.kind === 'ended' || u.kind === 'risk_rejected') s.state.ended(u.clientOrderId);
  }
}
