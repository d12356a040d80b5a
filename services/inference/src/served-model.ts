import { Tensor } from 'onnxruntime-node';
import { INPUT_FUTURE, INPUT_PAST, OUTPUT_FORECAST } from '@meridian/onnx';
import type { OnnxModel } from '@meridian/onnx';
import { MicroBatcher } from './batcher';
import type { BatchObserver } from './batcher';
import type { ModelDescriptor } from './model-file';

/** One forecast's inputs, already checked against the model's shapes. */
export interface WindowInput {
  /** [lookback, pastFeatures] row-major. */
  readonly past: Float32Array;
  /** [horizon, futureFeatures] row-major; empty when the model reads none. */
  readonly future: Float32Array;
}

export interface BatchSettings {
  readonly maxBatch: number;
  readonly maxWaitNs: bigint;
}

/**
 * A loaded, checked model version and its micro-batcher: every forecast of this version (Predict
 * calls, explicit windows, live bars) goes through `forecast`, so they share batches.
 */
export class ServedModel {
  readonly loadedAtNs = BigInt(Date.now()) * 1_000_000n;
  private readonly batcher: MicroBatcher<WindowInput, Float32Array>;
  private readonly rowValues: number;

  constructor(
    readonly descriptor: ModelDescriptor,
    private readonly model: OnnxModel,
    settings: BatchSettings,
    observer?: BatchObserver,
  ) {
    this.rowValues = descriptor.horizon * descriptor.outputs;
    this.batcher = new MicroBatcher(settings.maxBatch, settings.maxWaitNs, (inputs) => this.run(inputs), observer);
  }

  get name(): string {
    return this.descriptor.name;
  }

  get version(): string {
    return this.descriptor.version;
  }

  /** The forecast of one window: [horizon, outputs] row-major, in the model's units. */
  forecast(input: WindowInput): Promise<Float32Array> {
    return this.batcher.submit(input);
  }

  /** Runs the inputs as one batch; exported for the benchmark's in-process path, not for callers (use `forecast`). */
  async run(inputs: readonly WindowInput[]): Promise<Float32Array[]> {
    const d = this.descriptor;
    const B = inputs.length;
    const feeds: Record<string, Tensor> = { [INPUT_PAST]: new Tensor('float32', concat(inputs, 'past', d.lookback * d.pastFeatures), [B, d.lookback, d.pastFeatures]) };
    if (d.futureFeatures > 0) feeds[INPUT_FUTURE] = new Tensor('float32', concat(inputs, 'future', d.horizon * d.futureFeatures), [B, d.horizon, d.futureFeatures]);
    const out = (await this.model.session.run(feeds))[OUTPUT_FORECAST]!;
    const data = out.data as Float32Array;
    const rows: Float32Array[] = new Array(B);
    for (let b = 0; b < B; b++) rows[b] = data.subarray(b * this.rowValues, (b + 1) * this.rowValues);
    return rows;
  }

  /** Lets the forecasts already queued finish, then releases the session. */
  async retire(): Promise<void> {
    await this.batcher.drain();
    await this.model.dispose();
  }
}

function concat(inputs: readonly WindowInput[], key: 'past' | 'future', n: number): Float32Array {
  if (inputs.length === 1) return inputs[0]![key];
  const out = new Float32Array(inputs.length * n);
  inputs.forEach((x, b) => out.set(x[key], b * n));
  return out;
}
