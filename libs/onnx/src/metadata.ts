import type { WindowScaling } from '@meridian/models';
import { featureSpecHash, requireFeatureSpecHash, validateFeatureSpec, type FeatureSpec, type Normalisation } from '@meridian/signals';
import { ModelMetadataError } from './errors';
import type { MetadataEntry } from './serialize';

/** The version of the key set below; a reader refuses a model written with another. */
export const METADATA_FORMAT_VERSION = '1';

/** The `metadata_props` keys every exported model carries. */
export const METADATA_KEYS = {
  format: 'meridian.metadata_format',
  name: 'meridian.model.name',
  version: 'meridian.model.version',
  kind: 'meridian.model.kind',
  config: 'meridian.model.config',
  featureSpec: 'meridian.feature_spec',
  featureSpecHash: 'meridian.feature_spec_hash',
  normalisation: 'meridian.normalisation',
} as const;

/** How the model's inputs were scaled (from the feature spec) and how its outputs map back to target units. */
export interface ModelNormalisation {
  /** Per input feature, in input column order: the spec's own normalisation, repeated for readers that do not parse specs. */
  readonly features: readonly { readonly name: string; readonly normalisation: Normalisation }[];
  /**
   * How each window's target history and forecast are scaled (libs/models' WindowScaling:
   * original = scaled · scale + center per window); `{ kind: 'none' }` for raw values.
   */
  readonly target: WindowScaling;
}

export interface ModelMetadata {
  readonly name: string;
  readonly version: string;
  /** The architecture: `lstm`, `nbeats` or `tft`. */
  readonly kind: string;
  /** The model's configuration as libs/models defines it (JSON), so the graph can be traced back to it. */
  readonly config: unknown;
  readonly featureSpec: FeatureSpec;
  readonly featureSpecHash: string;
  readonly normalisation: ModelNormalisation;
}

export interface ModelMetadataInput {
  readonly name: string;
  readonly version: string;
  readonly kind: string;
  readonly config: unknown;
  /** Validated here; the hash written is computed from the canonical spec. */
  readonly featureSpec: unknown;
  /** When given (the hash stored with a trained model), it must match the spec. */
  readonly featureSpecHash?: string;
  readonly targetScaling?: WindowScaling;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Checks the metadata and renders it as `metadata_props` entries. */
export function metadataEntries(input: ModelMetadataInput): MetadataEntry[] {
  if (!NAME.test(input.name)) throw new ModelMetadataError(METADATA_KEYS.name, input.name, 'must be 1-128 of A-Z a-z 0-9 _ . - starting with a letter or digit');
  if (!NAME.test(input.version)) throw new ModelMetadataError(METADATA_KEYS.version, input.version, 'must be 1-128 of A-Z a-z 0-9 _ . - starting with a letter or digit');
  if (!NAME.test(input.kind)) throw new ModelMetadataError(METADATA_KEYS.kind, input.kind, 'is not a model kind');
  let spec: FeatureSpec;
  try {
    spec = validateFeatureSpec(input.featureSpec);
  } catch (e) {
    throw new ModelMetadataError(METADATA_KEYS.featureSpec, JSON.stringify(input.featureSpec), 'is not a valid feature spec', { cause: e });
  }
  const hash = featureSpecHash(spec);
  const target = input.targetScaling ?? { kind: 'none' };
  checkTargetScaling(target);
  if (input.featureSpecHash !== undefined) requireFeatureSpecHash(spec, input.featureSpecHash);
  const normalisation: ModelNormalisation = {
    features: spec.features.map((f) => ({ name: f.name, normalisation: f.normalisation })),
    target,
  };
  return [
    { key: METADATA_KEYS.format, value: METADATA_FORMAT_VERSION },
    { key: METADATA_KEYS.name, value: input.name },
    { key: METADATA_KEYS.version, value: input.version },
    { key: METADATA_KEYS.kind, value: input.kind },
    { key: METADATA_KEYS.config, value: JSON.stringify(input.config) },
    { key: METADATA_KEYS.featureSpec, value: JSON.stringify(spec) },
    { key: METADATA_KEYS.featureSpecHash, value: hash },
    { key: METADATA_KEYS.normalisation, value: JSON.stringify(normalisation) },
  ];
}

/**
 * Reads the metadata back: every key present, the spec valid, its hash equal to the stored one
 * (`requireFeatureSpecHash`, which throws signals' FeatureSpecMismatchError), and the
 * normalisation equal to the spec's.
 */
export function parseMetadata(entries: readonly MetadataEntry[]): ModelMetadata {
  const map = new Map(entries.map((e) => [e.key, e.value]));
  const get = (key: string): string => {
    const v = map.get(key);
    if (v === undefined) throw new ModelMetadataError(key, undefined, 'is missing');
    return v;
  };
  const json = (key: string): unknown => {
    const text = get(key);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ModelMetadataError(key, text, 'is not JSON', { cause: e });
    }
  };
  const format = get(METADATA_KEYS.format);
  if (format !== METADATA_FORMAT_VERSION) throw new ModelMetadataError(METADATA_KEYS.format, format, `is not the supported format ${METADATA_FORMAT_VERSION}`);
  let spec: FeatureSpec;
  try {
    spec = validateFeatureSpec(json(METADATA_KEYS.featureSpec));
  } catch (e) {
    if (e instanceof ModelMetadataError) throw e;
    throw new ModelMetadataError(METADATA_KEYS.featureSpec, get(METADATA_KEYS.featureSpec), 'is not a valid feature spec', { cause: e });
  }
  const hash = get(METADATA_KEYS.featureSpecHash);
  requireFeatureSpecHash(spec, hash);
  const normalisation = json(METADATA_KEYS.normalisation) as ModelNormalisation;
  const expected = spec.features.map((f) => ({ name: f.name, normalisation: f.normalisation }));
  if (typeof normalisation !== 'object' || normalisation === null || JSON.stringify(normalisation.features) !== JSON.stringify(expected)) {
    throw new ModelMetadataError(METADATA_KEYS.normalisation, get(METADATA_KEYS.normalisation), 'does not match the feature spec');
  }
  checkTargetScaling(normalisation.target);
  return {
    name: get(METADATA_KEYS.name),
    version: get(METADATA_KEYS.version),
    kind: get(METADATA_KEYS.kind),
    config: json(METADATA_KEYS.config),
    featureSpec: spec,
    featureSpecHash: hash,
    normalisation,
  };
}

function checkTargetScaling(t: unknown): asserts t is WindowScaling {
  const bad = (reason: string) => new ModelMetadataError(`${METADATA_KEYS.normalisation} target`, JSON.stringify(t), reason);
  if (typeof t !== 'object' || t === null) throw bad('must be an object');
  const s = t as { kind?: unknown; scale?: unknown };
  const keys = Object.keys(s).sort().join(',');
  if (s.kind === 'none' || s.kind === 'meanAbs') {
    if (keys !== 'kind') throw bad(`must have only a kind for ${s.kind}`);
  } else if (s.kind === 'shift') {
    if (keys !== 'kind,scale' || typeof s.scale !== 'number' || !Number.isFinite(s.scale) || s.scale <= 0) throw bad('needs a finite positive scale');
  } else throw bad('has a kind that is not none, shift or meanAbs');
}
