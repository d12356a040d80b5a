import { INPUT_FUTURE, INPUT_PAST, INPUT_STATIC, OUTPUT_FORECAST } from '@meridian/onnx';
import type { OnnxModel, ValueInfo } from '@meridian/onnx';
import type { FeatureSpec } from '@meridian/signals';
import { CALENDAR_COLUMNS } from './calendar';
import { ModelNotServableError, ModelShapeError } from './errors';

/** The batch dimension every exported graph declares. */
const BATCH = 'batch';

/** A tensor of the graph as the inference registry stores it. */
export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly (number | string)[];
}

/** What the bar path needs to know about one model version, read from its file and checked. */
export interface ForecastDescriptor {
  readonly name: string;
  readonly version: string;
  readonly kind: string;
  readonly lookback: number;
  readonly horizon: number;
  /** Columns of `past`: the covariates (the feature spec's columns, or none) then the target. */
  readonly pastFeatures: number;
  /** 0, or the spec's width: the columns before the target in `past`. */
  readonly covariates: number;
  /** 0, or CALENDAR_COLUMNS. */
  readonly futureFeatures: number;
  /** Quantile levels of the output, increasing; empty for a point forecast. */
  readonly quantiles: readonly number[];
  /** Output channels per step: max(1, quantiles). */
  readonly outputs: number;
  readonly featureSpec: FeatureSpec;
  readonly featureSpecHash: string;
  /** The one-bar log-return σ the target was scaled by (shift scaling). */
  readonly targetScale: number;
  readonly targetScaling: unknown;
  readonly config: unknown;
  readonly inputTensors: readonly TensorSpec[];
  readonly outputTensors: readonly TensorSpec[];
}

function label(name: string, version: string): string {
  return `${name} ${version}`;
}

function tensorSpec(v: ValueInfo): TensorSpec {
  return { name: v.name, dims: [...v.shape] };
}

/** dims of a graph tensor: [batch, ...positive sizes], or a ModelShapeError. */
function sizes(model: string, t: ValueInfo, rank: number): number[] {
  const [first, ...rest] = t.shape;
  if (t.shape.length !== rank || first !== BATCH || rest.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1)) {
    throw new ModelShapeError(model, `tensor ${JSON.stringify(t.name)}`, `has shape [${t.shape.join(', ')}], expected [${BATCH}, ${new Array(rank - 1).fill('n').join(', ')}] with fixed sizes`);
  }
  if (t.dtype !== 'float32') throw new ModelShapeError(model, `tensor ${JSON.stringify(t.name)}`, `is ${t.dtype}, not float32`);
  return rest as number[];
}

function configNumber(model: string, config: Record<string, unknown>, key: string): number | undefined {
  const v = config[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ModelShapeError(model, `config.${key}`, `${JSON.stringify(v)} is not a non-negative integer`);
  return v;
}

/**
 * Reads a loaded model's graph and metadata into a descriptor, refusing (ModelShapeError,
 * ModelNotServableError) what is inconsistent or cannot be fed from bars: an architecture other
 * than lstm, nbeats or tft, static covariates, book features, known future inputs other than the
 * calendar, a target scaling other than shift.
 */
export function describeForecaster(model: OnnxModel): ForecastDescriptor {
  const m = model.metadata;
  const id = label(m.name, m.version);
  if (!['lstm', 'nbeats', 'tft'].includes(m.kind)) throw new ModelNotServableError(id, `architecture ${JSON.stringify(m.kind)} is not lstm, nbeats or tft`);

  const byName = new Map(model.inputs.map((i) => [i.name, i]));
  for (const i of model.inputs) {
    if (![INPUT_PAST, INPUT_FUTURE, INPUT_STATIC].includes(i.name)) throw new ModelShapeError(id, `input ${JSON.stringify(i.name)}`, `is not one of ${INPUT_PAST}, ${INPUT_FUTURE}, ${INPUT_STATIC}`);
  }
  const past = byName.get(INPUT_PAST);
  if (!past) throw new ModelShapeError(id, 'inputs', `have no ${JSON.stringify(INPUT_PAST)}`);
  const [lookback, pastFeatures] = sizes(id, past, 3) as [number, number];
  if (byName.has(INPUT_STATIC)) throw new ModelNotServableError(id, 'it reads static covariates, and bars carry none per symbol');
  const future = byName.get(INPUT_FUTURE);
  const [futureSteps, futureFeatures] = future ? (sizes(id, future, 3) as [number, number]) : [undefined, 0];

  if (model.outputs.length !== 1 || model.outputs[0]!.name !== OUTPUT_FORECAST) {
    throw new ModelShapeError(id, 'outputs', `are [${model.outputs.map((o) => o.name).join(', ')}], expected one ${JSON.stringify(OUTPUT_FORECAST)}`);
  }
  const [horizon, outputs] = sizes(id, model.outputs[0]!, 3) as [number, number];
  if (futureSteps !== undefined && futureSteps !== horizon) throw new ModelShapeError(id, `input ${JSON.stringify(INPUT_FUTURE)}`, `has ${futureSteps} steps, the forecast ${horizon}`);

  if (typeof m.config !== 'object' || m.config === null) throw new ModelShapeError(id, 'config', 'is not an object');
  const config = m.config as Record<string, unknown>;
  const agree = (key: string, actual: number, fallback?: number) => {
    const v = configNumber(id, config, key) ?? fallback;
    if (v !== actual) throw new ModelShapeError(id, `config.${key}`, `is ${String(v)}, the graph has ${actual}`);
  };
  agree('lookback', lookback);
  agree('horizon', horizon);
  agree('pastFeatures', pastFeatures, m.kind === 'nbeats' ? 1 : undefined);
  if (m.kind === 'tft') agree('futureFeatures', futureFeatures, 0);
  const rawQuantiles = config.quantiles ?? [];
  if (!Array.isArray(rawQuantiles) || rawQuantiles.some((q, i) => typeof q !== 'number' || !(q > 0 && q < 1) || (i > 0 && !(q > (rawQuantiles[i - 1] as number))))) {
    throw new ModelShapeError(id, 'config.quantiles', `${JSON.stringify(rawQuantiles)} are not increasing levels in (0, 1)`);
  }
  const quantiles = rawQuantiles as number[];
  if (outputs !== Math.max(1, quantiles.length)) throw new ModelShapeError(id, `output ${JSON.stringify(OUTPUT_FORECAST)}`, `has ${outputs} channels, config.quantiles ${JSON.stringify(quantiles)} need ${Math.max(1, quantiles.length)}`);

  const spec = m.featureSpec;
  const covariates = pastFeatures - 1;
  if (covariates !== 0 && covariates !== spec.features.length) {
    throw new ModelShapeError(id, `input ${JSON.stringify(INPUT_PAST)}`, `has ${covariates} covariate columns before the target, the feature spec ${spec.features.length} features (${spec.features.map((f) => f.name).join(', ')})`);
  }
  const book = spec.features.find((f) => f.input === 'book');
  if (covariates > 0 && book) throw new ModelNotServableError(id, `feature ${JSON.stringify(book.name)} reads the order book; the bar path computes features from bars`);
  if (futureFeatures !== 0 && futureFeatures !== CALENDAR_COLUMNS) throw new ModelNotServableError(id, `it reads ${futureFeatures} known future inputs; the bar path computes the ${CALENDAR_COLUMNS} calendar columns (hour and weekday, sin and cos) only`);
  const target = m.normalisation.target;
  if (target.kind !== 'shift') {
    throw new ModelNotServableError(id, `its target scaling is ${JSON.stringify(target)}; the bar path forecasts ln(close) as the bars training does, scaled by shift (x − x_origin) / σ`);
  }
  return {
    name: m.name,
    version: m.version,
    kind: m.kind,
    lookback,
    horizon,
    pastFeatures,
    covariates,
    futureFeatures,
    quantiles,
    outputs,
    featureSpec: spec,
    featureSpecHash: m.featureSpecHash,
    targetScale: target.scale,
    targetScaling: target,
    config: m.config,
    inputTensors: model.inputs.map(tensorSpec),
    outputTensors: model.outputs.map(tensorSpec),
  };
}
