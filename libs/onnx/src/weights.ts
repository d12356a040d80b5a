import type { GraphBuilder } from './builder';
import { UnsupportedModelError } from './errors';
import type { TensorRef } from './graph';

/** One tensor of a trained model as libs/models gives it (`getWeights()`): row-major float32. */
export interface NamedWeightLike {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * A model's named weights as the exporter reads them: each read states the shape the config
 * implies, and at the end every weight must have been read, so a weight the exporter forgot
 * (a layer it does not know) fails the export instead of silently changing the model.
 */
export class WeightSet {
  private readonly byName = new Map<string, NamedWeightLike>();
  private readonly used = new Set<string>();
  private readonly refs = new Map<string, TensorRef>();

  constructor(
    private readonly model: string,
    weights: readonly NamedWeightLike[],
  ) {
    for (const w of weights) {
      if (this.byName.has(w.name)) throw new UnsupportedModelError(`${model} weight ${JSON.stringify(w.name)}`, 'is given twice');
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.data.length !== n) throw new UnsupportedModelError(`${model} weight ${JSON.stringify(w.name)}`, `holds ${w.data.length} values for shape [${w.shape.join(', ')}]`);
      this.byName.set(w.name, w);
    }
  }

  /** The values of `name`, which must have `shape`. */
  data(name: string, shape: readonly number[]): Float32Array {
    const w = this.byName.get(name);
    if (w === undefined) throw new UnsupportedModelError(`${this.model} weight ${JSON.stringify(name)}`, `is missing: the config needs it (the model gives ${this.byName.size} weights)`);
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new UnsupportedModelError(`${this.model} weight ${JSON.stringify(name)}`, `has shape [${w.shape.join(', ')}], the config implies [${shape.join(', ')}]`);
    }
    this.used.add(name);
    return w.data;
  }

  /** The weight as an initializer of `b` under its own name, created on first use. */
  ref(b: GraphBuilder, name: string, shape: readonly number[]): TensorRef {
    const known = this.refs.get(name);
    if (known !== undefined) return known;
    const t = b.namedWeight(name, this.data(name, shape), shape);
    this.refs.set(name, t);
    return t;
  }

  /** The weight under its own name with another shape of the same size (a broadcastable view). */
  refAs(b: GraphBuilder, name: string, shape: readonly number[], asShape: readonly number[]): TensorRef {
    const known = this.refs.get(name);
    if (known !== undefined) return known;
    const t = b.namedWeight(name, this.data(name, shape), asShape);
    this.refs.set(name, t);
    return t;
  }

  /** Fails on any weight the export did not read. */
  requireAllUsed(): void {
    const unused = [...this.byName.keys()].filter((n) => !this.used.has(n));
    if (unused.length > 0) throw new UnsupportedModelError(this.model, `weights ${unused.join(', ')} are not read by the exported graph`);
  }
}
