import type { FeatureSpecInput } from '@meridian/signals';

/**
 * The features the bars command uses without --spec: returns, volatility, momentum and volume,
 * each z-scored with statistics fitted on the training bars of each fold.
 */
export const DEFAULT_FEATURE_SPEC: FeatureSpecInput = {
  version: 1,
  features: [
    { name: 'logret_1', kind: 'logReturn', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore' } },
    { name: 'logret_6', kind: 'logReturn', input: 'close', params: { period: 6 }, normalisation: { kind: 'zscore' } },
    { name: 'logret_24', kind: 'logReturn', input: 'close', params: { period: 24 }, normalisation: { kind: 'zscore' } },
    { name: 'rvol_24', kind: 'realizedVol', input: 'close', params: { period: 24 }, normalisation: { kind: 'zscore' } },
    { name: 'rsi_14', kind: 'rsi', input: 'close', params: { period: 14 }, normalisation: { kind: 'zscore' } },
    { name: 'macd_hist', kind: 'macd', input: 'close', params: { fast: 12, slow: 26, signal: 9 }, output: 'histogram', scale: 'perClose', normalisation: { kind: 'zscore' } },
    { name: 'bb_pctb', kind: 'bollinger', input: 'close', params: { period: 20, stdDevs: 2 }, output: 'percentB', normalisation: { kind: 'zscore' } },
    { name: 'atr_14', kind: 'atr', input: 'hlc', params: { period: 14 }, scale: 'perClose', normalisation: { kind: 'zscore' } },
    { name: 'vol_z_24', kind: 'zScore', input: 'volume', params: { period: 24 }, normalisation: { kind: 'zscore' } },
  ],
};
