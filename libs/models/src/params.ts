import { WeightMismatchError } from './errors';
import { SeededRandom, deriveSeed } from './random';
import { tf } from './tf';

/** One tensor of a model, as saved and as an exporter reads it: row-major float32. */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** False for constants the forward pass reads but training never changes (N-BEATS bases, fixed masks). */
  readonly trainable: boolean;
}

/** How a trainable tensor starts. */
export type Initializer =
  /** U(-l, l), l = sqrt(6 / (fanIn + fanOut)) (Glorot/Xavier uniform). */
  | { readonly kind: 'glorot'; readonly fanIn: number; readonly fanOut: number }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  /** Every element the same value (an LSTM's forget-gate bias of 1 is written with `values`). */
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'values'; readonly data: Float32Array };

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function initialValues(name: string, shape: readonly number[], init: Initializer, seed: number): Float32Array {
  const n = size(shape);
  switch (init.kind) {
    case 'zeros':
      return new Float32Array(n);
    case 'ones':
      return new Float32Array(n).fill(1);
    case 'constant':
      return new Float32Array(n).fill(init.value);
    case 'values':
      if (init.data.length !== n) throw new WeightMismatchError(name, `has ${init.data.length} initial values for shape [${shape.join(', ')}]`);
      return Float32Array.from(init.data);
    case 'glorot': {
      // Each tensor draws from its own stream seeded by its name, so adding a layer does not
      // change the initial values of the others.
      const rng = new SeededRandom(deriveSeed(seed, name));
      const limit = Math.sqrt(6 / (init.fanIn + init.fanOut));
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = (2 * rng.next() - 1) * limit;
      return out;
    }
  }
}

interface Entry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  readonly tensor: tf.Variable | tf.Tensor;
}

/**
 * The named tensors of one model, in creation order (the order of `getWeights` and of the saved
 * weights file). Names are stable across versions: they are the contract with the ONNX exporter.
 * tfjs variables are left unnamed (tfjs names must be unique per process, and two copies of a
 * model must coexist); our names live here.
 */
export class ParamStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly seed: number) {}

  /** A trainable tensor. */
  variable(name: string, shape: readonly number[], init: Initializer): tf.Variable {
    this.requireNew(name);
    const data = initialValues(name, shape, init, this.seed);
    const initial = tf.tensor(data, [...shape], 'float32');
    const v = tf.variable(initial, true);
    initial.dispose();
    this.entries.set(name, { name, shape: [...shape], trainable: true, tensor: v });
    return v;
  }

  /** A constant the forward pass reads (saved with the weights so that an exporter needs no formula). */
  constant(name: string, shape: readonly number[], data: Float32Array): tf.Tensor {
    this.requireNew(name);
    const t = tf.keep(tf.tensor(initialValues(name, shape, { kind: 'values', data }, this.seed), [...shape], 'float32'));
    this.entries.set(name, { name, shape: [...shape], trainable: false, tensor: t });
    return t;
  }

  private requireNew(name: string): void {
    if (this.entries.has(name)) throw new WeightMismatchError(name, 'is declared twice');
  }

  get(name: string): tf.Tensor {
    const e = this.entries.get(name);
    if (!e) throw new WeightMismatchError(name, 'is not a weight of this model');
    return e.tensor;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  trainableVariables(): tf.Variable[] {
    return [...this.entries.values()].filter((e) => e.trainable).map((e) => e.tensor as tf.Variable);
  }

  /** Total trainable scalars. */
  parameterCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.trainable) n += size(e.shape);
    return n;
  }

  /** Copies of every tensor, in creation order. */
  getWeights(): NamedWeight[] {
    return [...this.entries.values()].map((e) => ({
      name: e.name,
      shape: e.shape,
      data: Float32Array.from(e.tensor.dataSync() as Float32Array),
      trainable: e.trainable,
    }));
  }

  /**
   * Replaces every tensor's values. The set must match exactly (every name, no extra, same
   * shapes): a partial load would leave a half-initialised model that still runs.
   */
  setWeights(weights: readonly NamedWeight[]): void {
    const given = new Map<string, NamedWeight>();
    for (const w of weights) {
      if (given.has(w.name)) throw new WeightMismatchError(w.name, 'is given twice');
      const e = this.entries.get(w.name);
      if (!e) throw new WeightMismatchError(w.name, `is not a weight of this model (known: ${this.names().join(', ')})`);
      if (w.shape.length !== e.shape.length || w.shape.some((d, i) => d !== e.shape[i])) {
        throw new WeightMismatchError(w.name, `has shape [${w.shape.join(', ')}], the model needs [${e.shape.join(', ')}]`);
      }
      if (w.data.length !== size(e.shape)) throw new WeightMismatchError(w.name, `has ${w.data.length} values for shape [${e.shape.join(', ')}]`);
      for (let i = 0; i < w.data.length; i++) {
        if (!Number.isFinite(w.data[i]!)) throw new WeightMismatchError(w.name, `holds a non-finite value ${w.data[i]} at ${i}`);
      }
      given.set(w.name, w);
    }
    for (const name of this.entries.keys()) if (!given.has(name)) throw new WeightMismatchError(name, 'is missing');
    for (const [name, w] of given) {
      const e = this.entries.get(name)!;
      if (e.trainable) {
        tf.tidy(() => (e.tensor as tf.Variable).assign(tf.tensor(w.data, [...e.shape], 'float32')));
      } else {
        const t = tf.keep(tf.tensor(Float32Array.from(w.data), [...e.shape], 'float32'));
        e.tensor.dispose();
        this.entries.set(name, { ...e, tensor: t });
      }
    }
  }

  dispose(): void {
    for (const e of this.entries.values()) e.tensor.dispose();
    this.entries.clear();
  }
}
