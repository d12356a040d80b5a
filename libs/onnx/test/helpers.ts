import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '@meridian/testkit';
import type { OnnxGraph } from '../src/graph';
import { serializeModel } from '../src/serialize';

// The pure-JS CPU backend, the one libs/models trains and predicts with.
void tf.setBackend('cpu');
export { tf };

export async function ortSession(graph: OnnxGraph): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(serializeModel(graph, []), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
}

/** Runs `graph` once in onnxruntime-node and returns every output's values. */
export async function runOrt(graph: OnnxGraph, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ortSession(graph);
  try {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) tensors[k] = new ort.Tensor('float32', v.data, v.dims);
    const out = await session.run(tensors);
    const res: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const [k, v] of Object.entries(out)) res[k] = { data: v.data as Float32Array, dims: v.dims };
    return res;
  } finally {
    await session.release();
  }
}

export function randomArray(rng: () => number, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng() * 2 - 1) * scale;
  return a;
}

export function rngFor(seed: number): () => number {
  return seededRandom(seed);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** The values of a tfjs tensor, disposing it. */
export function values(t: tf.Tensor): Float32Array {
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return Float32Array.from(v);
}
