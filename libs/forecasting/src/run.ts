import { Tensor } from 'onnxruntime-node';
import { INPUT_FUTURE, INPUT_PAST, OUTPUT_FORECAST } from '@meridian/onnx';
import type { OnnxModel } from '@meridian/onnx';
import type { ForecastDescriptor } from './descriptor';
import type { WindowInput } from './window';

/**
 * Runs windows already shaped for the model (BarWindow's, or checked by the caller) as one
 * batch, straight on the session (OnnxModel.run would check every feed again, on the hot path):
 * one forecast row [horizon, outputs] per window, in the model's units.
 */
export async function forecastBatch(model: OnnxModel, d: ForecastDescriptor, inputs: readonly WindowInput[]): Promise<Float32Array[]> {
  const B = inputs.length;
  const feeds: Record<string, Tensor> = { [INPUT_PAST]: new Tensor('float32', concat(inputs, 'past', d.lookback * d.pastFeatures), [B, d.lookback, d.pastFeatures]) };
  if (d.futureFeatures > 0) feeds[INPUT_FUTURE] = new Tensor('float32', concat(inputs, 'future', d.horizon * d.futureFeatures), [B, d.horizon, d.futureFeatures]);
  const out = (await model.session.run(feeds))[OUTPUT_FORECAST]!;
  const data = out.data as Float32Array;
  const n = d.horizon * d.outputs;
  const rows: Float32Array[] = new Array(B);
  for (let b = 0; b < B; b++) rows[b] = data.subarray(b * n, (b + 1) * n);
  return rows;
}

function concat(inputs: readonly WindowInput[], key: 'past' | 'future', n: number): Float32Array {
  if (inputs.length === 1) return inputs[0]![key];
  const out = new Float32Array(inputs.length * n);
  inputs.forEach((x, b) => out.set(x[key], b * n));
  return out;
}
