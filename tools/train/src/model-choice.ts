import { nbeatsGenericConfig, nbeatsInterpretableConfig, validateModelConfig } from '@meridian/models';
import type { ModelConfig } from '@meridian/models';
import { TrainCliError } from './errors';

/** The architectures the CLI trains: N-BEATS generic or interpretable, LSTM, TFT. */
export type ModelChoice = 'nbeats-g' | 'nbeats-i' | 'lstm' | 'tft';
export const MODEL_CHOICES: readonly ModelChoice[] = ['nbeats-g', 'nbeats-i', 'lstm', 'tft'];

export interface ModelSizes {
  /** N-BEATS: units per fully connected layer. */
  readonly units?: number;
  /** N-BEATS: blocks per stack. */
  readonly blocks?: number;
  /** N-BEATS: layers per block; LSTM: stacked layers. */
  readonly layers?: number;
  /** LSTM units per layer; TFT d_model. */
  readonly hidden?: number;
  readonly heads?: number;
  readonly dropout?: number;
  /** Quantile levels (LSTM, TFT); N-BEATS is a point forecaster. */
  readonly quantiles?: readonly number[];
}

export interface InputShape {
  readonly lookback: number;
  readonly horizon: number;
  readonly pastFeatures: number;
  readonly futureFeatures: number;
  readonly staticFeatures: number;
}

export function parseModelChoice(value: string): ModelChoice {
  if (!(MODEL_CHOICES as readonly string[]).includes(value)) throw new TrainCliError('--model', `${JSON.stringify(value)} is not one of ${MODEL_CHOICES.join(', ')}`);
  return value as ModelChoice;
}

/** Whether the architecture reads covariates and known inputs (N-BEATS reads the target history only). */
export function readsCovariates(choice: ModelChoice): boolean {
  return choice === 'lstm' || choice === 'tft';
}

export function modelConfigFor(choice: ModelChoice, shape: InputShape, sizes: ModelSizes): ModelConfig {
  const { lookback, horizon } = shape;
  switch (choice) {
    case 'nbeats-g':
      return nbeatsGenericConfig(lookback, horizon, { blocks: sizes.blocks ?? 4, layers: sizes.layers ?? 4, units: sizes.units ?? 256 });
    case 'nbeats-i':
      return nbeatsInterpretableConfig(lookback, horizon, {
        trendBlocks: sizes.blocks ?? 3,
        seasonalityBlocks: sizes.blocks ?? 3,
        trendUnits: sizes.units ?? 256,
        seasonalityUnits: sizes.units ?? 256,
        layers: sizes.layers ?? 4,
      });
    case 'lstm':
      return validateModelConfig({
        kind: 'lstm',
        lookback,
        horizon,
        pastFeatures: shape.pastFeatures,
        hiddenSizes: new Array<number>(sizes.layers ?? 1).fill(sizes.hidden ?? 64),
        headUnits: sizes.hidden ?? 64,
        quantiles: sizes.quantiles ?? [],
        dropout: sizes.dropout ?? 0,
      });
    case 'tft':
      return validateModelConfig({
        kind: 'tft',
        lookback,
        horizon,
        pastFeatures: shape.pastFeatures,
        futureFeatures: shape.futureFeatures,
        staticFeatures: shape.staticFeatures,
        hidden: sizes.hidden ?? 32,
        heads: sizes.heads ?? 4,
        quantiles: sizes.quantiles ?? [0.1, 0.5, 0.9],
        dropout: sizes.dropout ?? 0.1,
      });
  }
}
