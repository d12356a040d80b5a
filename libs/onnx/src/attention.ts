import type { GraphBuilder } from './builder';
import type { TensorRef } from './graph';

/** The additive mask value for a position that may not be attended: its exp underflows to exactly 0. */
export const MASKED = -1e9;

/** A [query, key] additive mask letting query t see keys 0..t + offset (causal when offset is 0). */
export function causalMask(queries: number, keys: number, offset = 0): Float32Array {
  const m = new Float32Array(queries * keys);
  for (let q = 0; q < queries; q++) for (let k = 0; k < keys; k++) m[q * keys + k] = k <= q + offset ? 0 : MASKED;
  return m;
}

/**
 * softmax(q·kᵀ / divisor + mask)·v, batched over the leading axes: q [..., Tq, d], k [..., Tk, d],
 * v [..., Tk, dv] (leading axes broadcast), mask [Tq, Tk] additive (0 or MASKED) or absent.
 * The scores are divided by √d_k as tfjs does, not multiplied by its inverse. Returns the attended
 * values [..., Tq, dv] and the attention weights [..., Tq, Tk].
 */
export function scaledDotProductAttention(b: GraphBuilder, name: string, q: TensorRef, k: TensorRef, v: TensorRef, divisor: number, mask?: TensorRef): { out: TensorRef; weights: TensorRef } {
  return b.scope(name, () => {
    const rank = k.shape.length;
    const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
    let scores = b.div(b.matMul(q, b.transpose(k, perm)), b.constant([divisor], []));
    if (mask !== undefined) scores = b.add(scores, mask);
    const weights = b.softmax(scores, -1);
    return { out: b.matMul(weights, v), weights };
  });
}
