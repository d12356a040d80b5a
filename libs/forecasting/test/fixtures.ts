import { calendarFeatures, createModel, nbeatsGenericConfig } from '@meridian/models';
import type { ModelConfig } from '@meridian/models';
import { exportModel } from '@meridian/onnx';
import type { WindowScaling } from '@meridian/models';
import { featureMatrix, fitNormalisation } from '@meridian/signals';
import type { Bar, FeatureSpec, FeatureSpecInput } from '@meridian/signals';
import { seededRandom } from '@meridian/testkit';

export const STEP_MS = 60_000;
export const LOOKBACK = 12;
export const HORIZON = 3;
export const QUANTILES = [0.1, 0.5, 0.9];
export type Kind = 'lstm' | 'tft' | 'nbeats';

export const SPEC_INPUT: FeatureSpecInput = {
  version: 1,
  features: [
    { name: 'logret_1', kind: 'logReturn', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore' } },
    { name: 'rvol_6', kind: 'realizedVol', input: 'close', params: { period: 6 }, normalisation: { kind: 'zscore' } },
    { name: 'rsi_5', kind: 'rsi', input: 'close', params: { period: 5 }, normalisation: { kind: 'zscore' } },
  ],
};

/** A seeded random walk of one-minute bars from a Wednesday 22:00 UTC, so the calendar crosses midnight. */
export function walkBars(n: number, seed: number): Bar[] {
  const rng = seededRandom(seed);
  const base = Date.UTC(2026, 0, 7, 22);
  const out: Bar[] = [];
  let close = 100;
  for (let i = 0; i < n; i++) {
    const open = close;
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    close = open * Math.exp(0.002 * z);
    out.push({ startMs: base + i * STEP_MS, endMs: base + (i + 1) * STEP_MS, open, high: Math.max(open, close) * 1.0005, low: Math.min(open, close) * 0.9995, close, volume: 1 + 5 * rng(), trades: 3 });
  }
  return out;
}

export function fitted(bars: readonly Bar[]): { spec: FeatureSpec; sigma: number } {
  const r = bars.slice(1).map((b, i) => Math.log(b.close / bars[i]!.close));
  const mean = r.reduce((a, x) => a + x, 0) / r.length;
  return { spec: fitNormalisation(SPEC_INPUT, bars), sigma: Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / r.length) };
}

function configFor(kind: Kind, pastFeatures: number): ModelConfig {
  switch (kind) {
    case 'lstm':
      return { kind, lookback: LOOKBACK, horizon: HORIZON, pastFeatures, hiddenSizes: [6], headUnits: 0, quantiles: QUANTILES, dropout: 0 } as ModelConfig;
    case 'tft':
      return { kind, lookback: LOOKBACK, horizon: HORIZON, pastFeatures, futureFeatures: 4, staticFeatures: 0, hidden: 8, heads: 2, quantiles: QUANTILES, dropout: 0 } as ModelConfig;
    case 'nbeats':
      return nbeatsGenericConfig(LOOKBACK, HORIZON, { blocks: 2, layers: 2, units: 8 });
  }
}

/** A small model of seeded random weights, exported by libs/onnx: its file's bytes. */
export function exportSeeded(kind: Kind, seed: number, spec: FeatureSpec, targetScaling: WindowScaling): Uint8Array {
  const model = createModel(configFor(kind, kind === 'nbeats' ? 1 : spec.features.length + 1), seed);
  try {
    return exportModel(model, { name: `${kind}-t`, version: 'v1', featureSpec: spec, targetScaling }).bytes;
  } finally {
    model.dispose();
  }
}

/**
 * The inputs of a forecast from bar k, computed without the library: libs/signals' featureMatrix
 * over the bars up to k, ln(close) shifted by the origin and divided by σ, libs/models' calendar.
 */
export function expectedInputs(kind: Kind, spec: FeatureSpec, sigma: number, bars: readonly Bar[], k: number): { past: Float32Array; future: Float32Array } {
  const upTo = bars.slice(0, k + 1);
  const C = kind === 'nbeats' ? 0 : spec.features.length;
  const P = C + 1;
  const m = featureMatrix(spec, upTo);
  const past = new Float32Array(LOOKBACK * P);
  const origin = Math.log(upTo[k]!.close);
  for (let l = 0; l < LOOKBACK; l++) {
    const bar = k - LOOKBACK + 1 + l;
    const row = bar - m.firstBar;
    if (C > 0) past.set(m.data.subarray(row * C, (row + 1) * C), l * P);
    past[l * P + C] = (Math.log(upTo[bar]!.close) - origin) / sigma;
  }
  const times = Array.from({ length: HORIZON }, (_, h) => upTo[k]!.startMs + (h + 1) * STEP_MS);
  return { past, future: kind === 'tft' ? calendarFeatures(times) : new Float32Array(0) };
}
