import { BarWindow, describeForecaster, forecastBatch, scoreOf } from '@meridian/forecasting';
import type { ForecastDescriptor } from '@meridian/forecasting';
import { loadOnnxModel } from '@meridian/onnx';
import type { LoadOptions, OnnxModel } from '@meridian/onnx';
import type { Bar } from '@meridian/signals';
import type { BarScoreModel, BarScorer } from './model';

/**
 * An LSTM, N-BEATS or TFT forecaster exported by libs/onnx, scored as the inference service
 * scores it: the same descriptor checks, the same input windows from bars (the model's own
 * feature spec, shift-scaled ln(close) target, calendar), the same onnxruntime batch run and the
 * same score (the central forecast to the horizon in horizon-σ, clipped) — all libs/forecasting.
 * What the service adds around it (the registry, gRPC, NATS, micro-batching across symbols) does
 * not change a score.
 */
export class OnnxScoreModel implements BarScoreModel {
  readonly input = 'bars';
  readonly name: string;
  readonly descriptor: ForecastDescriptor;
  readonly params: Readonly<Record<string, string | number | boolean>>;

  /** Loads an exported .onnx (libs/onnx's checks and options: expected name, version, kind, feature spec hash, threads). */
  static async load(path: string, options: LoadOptions = {}): Promise<OnnxScoreModel> {
    const model = await loadOnnxModel(path, options);
    try {
      return new OnnxScoreModel(model);
    } catch (err) {
      await model.dispose();
      throw err;
    }
  }

  /** Wraps a loaded model; refuses one the bar path cannot feed (ModelShapeError, ModelNotServableError). */
  constructor(private readonly model: OnnxModel) {
    const d = describeForecaster(model);
    this.descriptor = d;
    this.name = d.name;
    this.params = { modelVersion: d.version, architecture: d.kind, lookback: d.lookback, horizon: d.horizon, modelFeatureSpecHash: d.featureSpecHash };
  }

  /** A symbol's window: each bar after the warm-up is forecast and scored (a promise: onnxruntime runs asynchronously). */
  scorer(): BarScorer {
    const window = new BarWindow(this.descriptor);
    return {
      onBar: (bar: Bar) => {
        // The service drops a bar that does not start after the previous one (a repeat, or out of order).
        if (bar.startMs <= window.lastStartMs) return undefined;
        if (!window.push(bar)) return undefined;
        return this.score(window);
      },
    };
  }

  private async score(window: BarWindow): Promise<number> {
    const [row] = await forecastBatch(this.model, this.descriptor, [window.input()!]);
    return scoreOf(this.descriptor, row!);
  }

  /** Releases the onnxruntime session. */
  dispose(): Promise<void> {
    return this.model.dispose();
  }
}
