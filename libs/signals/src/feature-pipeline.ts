import type { BookDepth } from './book-imbalance';
import type { Bar } from './bars';
import { InvalidSignalInputError } from './errors';
import { FeatureFitError, InvalidFeatureSpecError } from './feature-errors';
import { KIND_RULES } from './feature-kinds';
import type { FeatureNode } from './feature-kinds';
import { featureSpecHash, validateFeatureSpec } from './feature-spec';
import type { FeatureDefinition, FeatureSpec, Normalisation } from './feature-spec';

/** Parameters, input and kind: features that agree on these share one indicator (macd line and histogram). */
function nodeKey(f: FeatureDefinition): string {
  const params = Object.keys(f.params)
    .sort()
    .map((k) => `${k}=${f.params[k]}`)
    .join(',');
  return `${f.kind}|${f.input}|${params}`;
}

function requirePositivePrice(what: string, x: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw new InvalidSignalInputError(what, x, 'must be a positive finite number');
}

/**
 * The one implementation of a spec's features: the streaming pipeline, the batch matrix and the
 * fitting all run `step`, so training, backtests and live inference cannot compute differently.
 */
class FeatureEngine {
  readonly spec: FeatureSpec;
  readonly width: number;
  private readonly nodes: FeatureNode[];
  private readonly columnNode: Int32Array;
  private readonly columnOutput: Int32Array;
  private readonly perClose: Uint8Array;
  private readonly center: Float64Array;
  private readonly divisor: Float64Array;
  /** A feature that reads the book, named when a bar comes without one. */
  private readonly bookFeature: string | undefined;
  private lastStartMs = Number.NEGATIVE_INFINITY;
  private warm = false;

  constructor(spec: unknown, normalise: boolean) {
    this.spec = validateFeatureSpec(spec);
    const features = this.spec.features;
    this.width = features.length;
    this.columnNode = new Int32Array(this.width);
    this.columnOutput = new Int32Array(this.width);
    this.perClose = new Uint8Array(this.width);
    this.center = new Float64Array(this.width);
    this.divisor = new Float64Array(this.width).fill(1);

    // Book nodes first: they keep no state, so a malformed book is refused before any indicator
    // has taken the bar, and a refused bar leaves the pipeline as it was.
    const order = [...features.keys()].sort((a, b) => Number(features[b]!.input === 'book') - Number(features[a]!.input === 'book'));
    const byKey = new Map<string, number>();
    this.nodes = [];
    for (const j of order) {
      const f = features[j]!;
      const key = nodeKey(f);
      let node = byKey.get(key);
      if (node === undefined) {
        node = this.nodes.push(KIND_RULES[f.kind].create(f.params, f.input)) - 1;
        byKey.set(key, node);
      }
      this.columnNode[j] = node;
      const outputs = KIND_RULES[f.kind].outputs;
      this.columnOutput[j] = outputs && f.output !== undefined ? outputs.indexOf(f.output) : 0;
      this.perClose[j] = f.scale === 'perClose' ? 1 : 0;
      if (normalise) this.setNormalisation(j, f.normalisation);
    }
    this.bookFeature = features.find((f) => f.input === 'book')?.name;
  }

  private setNormalisation(j: number, n: Normalisation): void {
    const at = `features[${j}].normalisation`;
    if (n.kind === 'zscore') {
      if (n.mean === undefined || n.std === undefined) throw new InvalidFeatureSpecError(`${at}.mean`, n.mean, 'and std must be fitted before features are computed (fitNormalisation)');
      this.center[j] = n.mean;
      this.divisor[j] = n.std;
    } else if (n.kind === 'minmax') {
      if (n.min === undefined || n.max === undefined) throw new InvalidFeatureSpecError(`${at}.min`, n.min, 'and max must be fitted before features are computed (fitNormalisation)');
      this.center[j] = n.min;
      this.divisor[j] = n.max - n.min;
    }
  }

  get ready(): boolean {
    return this.warm;
  }

  /** Feeds one bar; once every feature is warm writes the vector at out[offset…] and returns true. */
  step(bar: Bar, book: BookDepth | undefined, out: Float32Array | Float64Array, offset: number): boolean {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + this.width > out.length) {
      throw new InvalidSignalInputError('output offset', offset, `leaves no room for ${this.width} features in an array of ${out.length}`);
    }
    const { startMs, open, high, low, close, volume } = bar;
    if (typeof startMs !== 'number' || !Number.isFinite(startMs)) throw new InvalidSignalInputError('bar startMs', startMs, 'is not a finite number');
    if (!(startMs > this.lastStartMs)) throw new InvalidSignalInputError('bar startMs', startMs, `is not after the previous bar's ${this.lastStartMs}`);
    requirePositivePrice('bar open', open);
    requirePositivePrice('bar high', high);
    requirePositivePrice('bar low', low);
    requirePositivePrice('bar close', close);
    if (high < low) throw new InvalidSignalInputError('bar high', high, `is below low ${low}`);
    if (typeof volume !== 'number' || !Number.isFinite(volume) || volume < 0) {
      throw new InvalidSignalInputError('bar volume', volume, 'must be a non-negative finite number');
    }
    if (this.bookFeature !== undefined && book === undefined) {
      throw new InvalidSignalInputError('book', book, `is required: feature ${JSON.stringify(this.bookFeature)} reads the book`);
    }

    let ready = true;
    for (let i = 0; i < this.nodes.length; i++) {
      if (!this.nodes[i]!.update(bar, book)) ready = false;
    }
    this.lastStartMs = startMs;
    if (!ready) return false;
    this.warm = true;
    for (let j = 0; j < this.width; j++) {
      let x = this.nodes[this.columnNode[j]!]!.values[this.columnOutput[j]!]!;
      if (this.perClose[j] === 1) x /= close;
      out[offset + j] = (x - this.center[j]!) / this.divisor[j]!;
    }
    return true;
  }
}

/**
 * Turns bars (and book snapshots, when the spec reads the book) into feature vectors, one bar at a
 * time in O(1): the same object in a backtest, in training (through `featureMatrix`) and live.
 * Vectors are Float32Array, what a model reads. Bars must come in time order (startMs strictly
 * increasing), with positive prices, high >= low and a non-negative volume; a bar that breaks
 * this, or a missing or malformed book, throws `InvalidSignalInputError` before any indicator
 * has taken it.
 */
export class FeaturePipeline {
  /** The canonical spec (see `validateFeatureSpec`). */
  readonly spec: FeatureSpec;
  /** `featureSpecHash(spec)`: compare it with the hash stored beside a model. */
  readonly hash: string;
  readonly names: readonly string[];
  private readonly engine: FeatureEngine;

  /** Throws `InvalidFeatureSpecError` for an invalid spec, or one whose normalisation is not fitted. */
  constructor(spec: unknown) {
    this.engine = new FeatureEngine(spec, true);
    this.spec = this.engine.spec;
    this.hash = featureSpecHash(this.spec);
    this.names = this.spec.features.map((f) => f.name);
  }

  /** Features per vector. */
  get width(): number {
    return this.engine.width;
  }

  get warmupBars(): number {
    return this.spec.warmupBars;
  }

  /** True once a vector has been produced; it stays true. */
  get ready(): boolean {
    return this.engine.ready;
  }

  /** Feeds one bar; a new vector once warm (from bar `warmupBars` on), otherwise undefined. */
  update(bar: Bar, book?: BookDepth): Float32Array | undefined {
    const out = new Float32Array(this.engine.width);
    return this.engine.step(bar, book, out, 0) ? out : undefined;
  }

  /** `update` without allocating: writes the vector at out[offset…] and returns true once warm. */
  updateInto(bar: Bar, book: BookDepth | undefined, out: Float32Array, offset = 0): boolean {
    return this.engine.step(bar, book, out, offset);
  }
}

/** Features of a bar series, row-major: row r holds the features after bar `firstBar + r`. */
export interface FeatureMatrix {
  readonly names: readonly string[];
  readonly rows: number;
  readonly columns: number;
  readonly data: Float32Array;
  /** Index in the bars of the bar whose features are row 0 (warmupBars - 1). */
  readonly firstBar: number;
}

function requireBooks(bars: readonly Bar[], books: readonly (BookDepth | undefined)[] | undefined): void {
  if (books !== undefined && books.length !== bars.length) {
    throw new InvalidSignalInputError('books length', books.length, `must equal the bars length ${bars.length}`);
  }
}

/**
 * The feature matrix of a bar series (`books[i]` is the book at the close of bar i), computed by
 * a fresh `FeaturePipeline` fed bar by bar: each row is bit for bit the vector that pipeline
 * returns live for the same bar.
 */
export function featureMatrix(spec: unknown, bars: readonly Bar[], books?: readonly (BookDepth | undefined)[]): FeatureMatrix {
  requireBooks(bars, books);
  const pipeline = new FeaturePipeline(spec);
  const columns = pipeline.width;
  // Room for one row at least: the offset check runs on every bar, warm or not.
  const data = new Float32Array(Math.max(1, bars.length - pipeline.warmupBars + 1) * columns);
  let rows = 0;
  for (let i = 0; i < bars.length; i++) {
    if (pipeline.updateInto(bars[i]!, books?.[i], data, rows * columns)) rows += 1;
  }
  return { names: pipeline.names, rows, columns, data: data.subarray(0, rows * columns), firstBar: pipeline.warmupBars - 1 };
}

/**
 * Fits the statistics of every zscore (mean, population std) and minmax (min, max) feature on the
 * given bars, which must be training data only: statistics that saw the test period would leak
 * it into the model. Features marked 'none' are left alone, fitted ones are refitted. Returns the
 * canonical spec with the statistics in it; `FeatureFitError` when there is no warm bar or a
 * feature is constant on these bars.
 */
export function fitNormalisation(spec: unknown, bars: readonly Bar[], books?: readonly (BookDepth | undefined)[]): FeatureSpec {
  requireBooks(bars, books);
  const engine = new FeatureEngine(spec, false);
  const canonical = engine.spec;
  const width = engine.width;
  const raw = new Float64Array(Math.max(1, bars.length - canonical.warmupBars + 1) * width);
  let rows = 0;
  for (let i = 0; i < bars.length; i++) {
    if (engine.step(bars[i]!, books?.[i], raw, rows * width)) rows += 1;
  }
  const features = canonical.features.map((f, j): FeatureDefinition => {
    if (f.normalisation.kind === 'none') return f;
    if (rows === 0) throw new FeatureFitError(f.name, `no warm bar: ${bars.length} bars given, the spec needs ${canonical.warmupBars}`);
    if (f.normalisation.kind === 'minmax') {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let r = 0; r < rows; r++) {
        const x = raw[r * width + j]!;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (!(max > min)) throw new FeatureFitError(f.name, `constant (${min}) over ${rows} bars`);
      return { ...f, normalisation: { kind: 'minmax', min, max } };
    }
    // Two passes: the mean first, then squared deviations from it (no cancellation).
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += raw[r * width + j]!;
    const mean = sum / rows;
    let ss = 0;
    for (let r = 0; r < rows; r++) ss += (raw[r * width + j]! - mean) ** 2;
    const std = Math.sqrt(ss / rows);
    if (!(std > 0)) throw new FeatureFitError(f.name, `constant (${mean}) over ${rows} bars`);
    return { ...f, normalisation: { kind: 'zscore', mean, std } };
  });
  return validateFeatureSpec({ ...canonical, features });
}
