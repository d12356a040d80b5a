import { FeaturePipeline } from '@meridian/signals';
import type { Bar } from '@meridian/signals';
import { calendarFeatures } from './calendar';
import type { ForecastDescriptor } from './descriptor';

/** One forecast's inputs, shaped as the model's graph reads them. */
export interface WindowInput {
  /** [lookback, pastFeatures] row-major. */
  readonly past: Float32Array;
  /** [horizon, futureFeatures] row-major; empty when the model reads none. */
  readonly future: Float32Array;
}

/** A window ready to run, with what turns the forecast back into prices. */
export interface BarWindowInput extends WindowInput {
  /** ln(close) of the last bar: the forecast origin. */
  readonly originLogClose: number;
  readonly lastBar: Bar;
}

/**
 * One model's view of one symbol: the FeaturePipeline built from the model's stored spec (so the
 * features are computed exactly as in training), and the last `lookback` rows of features and
 * ln(close) in ring buffers. Row t holds the features after bar t and ln(close_t), as
 * libs/models' prepareBarFold lays out `past`; the target column is scaled per window, shift
 * scaling: (ln close − ln close at the origin) / σ. The inference service and the backtester
 * both feed bars through it.
 */
export class BarWindow {
  private readonly pipeline: FeaturePipeline | undefined;
  private readonly rows: Float32Array;
  private readonly logClose: Float64Array;
  /** Rows written so far (the ring's head is count % lookback). */
  private count = 0;
  /** Bars pushed, warm or not. */
  private bars = 0;
  private last: Bar | undefined;

  constructor(private readonly d: ForecastDescriptor) {
    this.pipeline = d.covariates > 0 ? new FeaturePipeline(d.featureSpec) : undefined;
    this.rows = new Float32Array(Math.max(1, d.lookback * d.covariates));
    this.logClose = new Float64Array(d.lookback);
  }

  /** Rows still missing before the first forecast: the pipeline's warm-up, then the lookback. */
  get missingBars(): number {
    const warmup = this.pipeline ? this.pipeline.warmupBars - 1 : 0;
    return Math.max(0, warmup + this.d.lookback - this.bars);
  }

  get ready(): boolean {
    return this.count >= this.d.lookback;
  }

  get lastStartMs(): number {
    return this.last?.startMs ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * Feeds one bar (in time order, after the previous one: the caller drops repeats). Returns
   * true when the window is full. A bar the pipeline refuses (InvalidSignalInputError) throws
   * before any state changed.
   */
  push(bar: Bar): boolean {
    const slot = this.count % this.d.lookback;
    const warm = this.pipeline ? this.pipeline.updateInto(bar, undefined, this.rows, slot * this.d.covariates) : true;
    this.bars += 1;
    if (!warm) {
      this.last = bar;
      return false;
    }
    this.logClose[slot] = Math.log(bar.close);
    this.last = bar;
    this.count += 1;
    return this.ready;
  }

  /** The model's inputs for a forecast from the last bar, or undefined before the window is full. */
  input(): BarWindowInput | undefined {
    if (!this.ready || !this.last) return undefined;
    const { lookback: L, covariates: C, pastFeatures: P, horizon: H, futureFeatures: F, targetScale } = this.d;
    const past = new Float32Array(L * P);
    const head = this.count % L;
    const origin = this.logClose[(this.count - 1) % L]!;
    for (let l = 0; l < L; l++) {
      const slot = (head + l) % L;
      if (C > 0) past.set(this.rows.subarray(slot * C, (slot + 1) * C), l * P);
      past[l * P + C] = (this.logClose[slot]! - origin) / targetScale;
    }
    let future: Float32Array = new Float32Array(0);
    if (F > 0) {
      const bar = this.last;
      const step = bar.endMs - bar.startMs;
      const times = new Float64Array(H);
      for (let h = 0; h < H; h++) times[h] = bar.startMs + (h + 1) * step;
      future = calendarFeatures(times);
    }
    return { past, future, originLogClose: origin, lastBar: this.last };
  }
}
