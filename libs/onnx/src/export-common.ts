import type { WindowScaling } from '@meridian/models';
import type { GraphBuilder } from './builder';
import type { OnnxGraph } from './graph';
import { metadataEntries } from './metadata';
import { serializeModel, type MetadataEntry } from './serialize';
import type { NamedWeightLike, WeightSet } from './weights';

/** The graph's input and output names: those of libs/models' ModelInputs and its forecast. */
export const INPUT_PAST = 'past';
export const INPUT_FUTURE = 'future';
export const INPUT_STATIC = 'static';
export const OUTPUT_FORECAST = 'forecast';
/** The symbolic batch dimension of every input and output. */
export const BATCH = 'batch';

export interface ExportOptions {
  /** Model name and version, written to the metadata (and checked by `loadOnnxModel`'s expectations). */
  readonly name: string;
  readonly version: string;
  /** The FeatureSpec the model was trained on (validated; its hash is written beside it). */
  readonly featureSpec: unknown;
  /** The hash stored with the trained model, when there is one: it must match the spec. */
  readonly featureSpecHash?: string;
  /** How each window's target was scaled in training (libs/models' WindowScaling); `{ kind: 'none' }` when absent. */
  readonly targetScaling?: WindowScaling;
  /** ModelProto.model_version (an integer); 0 when absent. */
  readonly modelVersion?: number;
  readonly docString?: string;
}

/** What libs/models' ForecastModel gives an exporter: its kind, validated config and named weights. */
export interface ExportableModel<C> {
  readonly kind: string;
  readonly config: C;
  getWeights(): readonly NamedWeightLike[];
}

export interface ExportedModel {
  /** The ONNX file. */
  readonly bytes: Uint8Array;
  readonly graph: OnnxGraph;
  readonly metadata: readonly MetadataEntry[];
}

export function finishExport(b: GraphBuilder, weights: WeightSet, kind: string, config: unknown, options: ExportOptions): ExportedModel {
  weights.requireAllUsed();
  const metadata = metadataEntries({
    name: options.name,
    version: options.version,
    kind,
    config,
    featureSpec: options.featureSpec,
    ...(options.featureSpecHash !== undefined ? { featureSpecHash: options.featureSpecHash } : {}),
    ...(options.targetScaling !== undefined ? { targetScaling: options.targetScaling } : {}),
  });
  const graph = b.build();
  const bytes = serializeModel(graph, metadata, {
    ...(options.modelVersion !== undefined ? { modelVersion: options.modelVersion } : {}),
    docString: options.docString ?? `${kind} forecaster ${options.name} ${options.version}`,
  });
  return { bytes, graph, metadata };
}
