import { InvalidModelConfigError } from './errors';
import { LstmForecaster, validateLstmConfig } from './lstm';
import type { LstmConfig } from './lstm';
import type { ForecastModel, ModelKind } from './model';
import { NBeatsForecaster, validateNBeatsConfig } from './nbeats';
import type { NBeatsConfig } from './nbeats';
import { TemporalFusionTransformer, validateTftConfig } from './tft';
import type { TftConfig } from './tft';
import { isRecord } from './validate';

export type ModelConfig = LstmConfig | NBeatsConfig | TftConfig;
export type AnyForecastModel = LstmForecaster | NBeatsForecaster | TemporalFusionTransformer;

export const MODEL_KINDS: readonly ModelKind[] = ['lstm', 'nbeats', 'tft'];

/** Validates any model config by its `kind`, filling in defaults; InvalidModelConfigError names the bad key. */
export function validateModelConfig(value: unknown): ModelConfig {
  const kind = isRecord(value) ? value.kind : undefined;
  switch (kind) {
    case 'lstm':
      return validateLstmConfig(value);
    case 'nbeats':
      return validateNBeatsConfig(value);
    case 'tft':
      return validateTftConfig(value);
    default:
      throw new InvalidModelConfigError('config.kind', kind, `must be one of ${MODEL_KINDS.join(', ')}`);
  }
}

/** A new model with weights initialised from `seed` (same config and seed → identical weights). */
export function createModel(config: unknown, seed: number): AnyForecastModel & ForecastModel<ModelConfig> {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidModelConfigError('seed', seed, 'must be an integer in [0, 2^32)');
  const c = validateModelConfig(config);
  switch (c.kind) {
    case 'lstm':
      return new LstmForecaster(c, seed);
    case 'nbeats':
      return new NBeatsForecaster(c, seed);
    case 'tft':
      return new TemporalFusionTransformer(c, seed);
  }
}
