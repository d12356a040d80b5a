import { forecastBatch } from '@meridian/forecasting';
import type { WindowInput } from '@meridian/forecasting';
import type { OnnxModel } from '@meridian/onnx';
import { MicroBatcher } from './batcher';
import type { BatchObserver } from './batcher';
import type { ModelDescriptor } from './model-file';

export type { WindowInput };

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

  constructor(
    readonly descriptor: ModelDescriptor,
    private readonly model: OnnxModel,
    settings: BatchSettings,
    observer?: BatchObserver,
  ) {
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
  run(inputs: readonly WindowInput[]): Promise<Float32Array[]> {
    return forecastBatch(this.model, this.descriptor, inputs);
  }

  /** Lets the forecasts already queued finish, then releases the session. */
  async retire(): Promise<void> {
    await this.batcher.drain();
    await this.model.dispose();
  }
}
