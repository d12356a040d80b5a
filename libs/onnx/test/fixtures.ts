import type { FeatureSpecInput } from '@meridian/signals';

/** A small fitted FeatureSpec, as training would store it beside a model. */
export const SPEC: FeatureSpecInput = {
  version: 1,
  features: [
    { name: 'ret_1', kind: 'return', input: 'close', params: { period: 1 }, scale: 'raw', normalisation: { kind: 'zscore', mean: 0.000077, std: 0.0103 } },
    { name: 'ema_20', kind: 'ema', input: 'close', params: { period: 20 }, scale: 'perClose', normalisation: { kind: 'zscore', mean: 1.0002, std: 0.021 } },
    { name: 'rsi_14', kind: 'rsi', input: 'close', params: { period: 14 }, normalisation: { kind: 'minmax', min: 3.5, max: 97.1 } },
  ],
} as unknown as FeatureSpecInput;
