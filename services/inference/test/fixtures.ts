import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { calendarFeatures, createModel, nbeatsGenericConfig } from '@meridian/models';
import type { ModelConfig } from '@meridian/models';
import { exportModel, loadOnnxModel } from '@meridian/onnx';
import { Bar as WireBar, InferenceServiceClient } from '@meridian/proto';
import { featureMatrix, fitNormalisation } from '@meridian/signals';
import type { Bar, FeatureSpec, FeatureSpecInput } from '@meridian/signals';
import { seededRandom } from '@meridian/testkit';

/** Monday 2026-01-05 00:00 UTC: bar i starts i seconds later. */
export const BASE_MS = Date.UTC(2026, 0, 5);
export const STEP_MS = 1_000;
export const LOOKBACK = 16;
export const HORIZON = 4;
export const QUANTILES = [0.1, 0.5, 0.9];

/** Four bar features, short warm-ups, z-scored on the fitting bars. */
export const SPEC_INPUT: FeatureSpecInput = {
  version: 1,
  features: [
    { name: 'logret_1', kind: 'logReturn', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore' } },
    { name: 'logret_5', kind: 'logReturn', input: 'close', params: { period: 5 }, normalisation: { kind: 'zscore' } },
    { name: 'rvol_10', kind: 'realizedVol', input: 'close', params: { period: 10 }, normalisation: { kind: 'zscore' } },
    { name: 'rsi_7', kind: 'rsi', input: 'close', params: { period: 7 }, normalisation: { kind: 'zscore' } },
  ],
};

/** A random walk of 1 s bars as ingestion publishes them (decimal strings). */
export function generatedBars(symbol: string, n: number, seed: number, start = 100): WireBar[] {
  const rng = seededRandom(seed);
  const bars: WireBar[] = [];
  let close = start;
  for (let i = 0; i < n; i++) {
    const open = close;
    // Box-Muller: a normal step of 0.1 %.
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    close = open * Math.exp(0.001 * z);
    const high = Math.max(open, close) * (1 + 0.0005 * rng());
    const low = Math.min(open, close) * (1 - 0.0005 * rng());
    const volume = 1 + 10 * rng();
    const startNs = BigInt(BASE_MS + i * STEP_MS) * 1_000_000n;
    bars.push(
      WireBar.fromPartial({
        venue: 'sim',
        symbol,
        interval: '1s',
        startTsNs: startNs,
        endTsNs: startNs + BigInt(STEP_MS) * 1_000_000n,
        open: open.toFixed(4),
        high: high.toFixed(4),
        low: low.toFixed(4),
        close: close.toFixed(4),
        volume: volume.toFixed(3),
        notional: (volume * close).toFixed(4),
        tradeCount: 10n,
        revision: 0,
      }),
    );
  }
  return bars;
}

/** The models' view of the wire bars, as the service converts them. */
export function modelBars(wire: readonly WireBar[]): Bar[] {
  return wire.map((b) => ({
    startMs: Number(b.startTsNs / 1_000_000n),
    endMs: Number(b.endTsNs / 1_000_000n),
    open: Number(b.open),
    high: Number(b.high),
    low: Number(b.low),
    close: Number(b.close),
    volume: Number(b.volume),
    trades: Number(b.tradeCount),
  }));
}

/** The spec fitted on `bars` and the one-bar log-return σ: what training stores beside a model. */
export function fitted(bars: readonly Bar[], spec: FeatureSpecInput = SPEC_INPUT): { spec: FeatureSpec; sigma: number } {
  const r = bars.slice(1).map((b, i) => Math.log(b.close / bars[i]!.close));
  const mean = r.reduce((a, x) => a + x, 0) / r.length;
  const sigma = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / r.length);
  return { spec: fitNormalisation(spec, bars), sigma };
}

export type Kind = 'lstm' | 'tft' | 'nbeats';

export function configFor(kind: Kind, pastFeatures: number): ModelConfig {
  switch (kind) {
    case 'lstm':
      return { kind, lookback: LOOKBACK, horizon: HORIZON, pastFeatures, hiddenSizes: [8], headUnits: 0, quantiles: QUANTILES, dropout: 0 } as ModelConfig;
    case 'tft':
      return { kind, lookback: LOOKBACK, horizon: HORIZON, pastFeatures, futureFeatures: 4, staticFeatures: 0, hidden: 8, heads: 2, quantiles: QUANTILES, dropout: 0 } as ModelConfig;
    case 'nbeats':
      return nbeatsGenericConfig(LOOKBACK, HORIZON, { blocks: 2, layers: 2, units: 16 });
  }
}

/**
 * A small model with seeded random weights exported with libs/onnx into MODEL_DIR as
 * <name>/<version>.onnx; returns the file's path and bytes.
 */
export function writeModel(
  modelDir: string,
  o: { kind: Kind; name: string; version: string; seed: number; spec: unknown; sigma: number; pastFeatures?: number; config?: ModelConfig },
): { path: string; bytes: Uint8Array } {
  const spec = o.spec as FeatureSpec;
  const pastFeatures = o.pastFeatures ?? (o.kind === 'nbeats' ? 1 : spec.features.length + 1);
  const model = createModel(o.config ?? configFor(o.kind, pastFeatures), o.seed);
  try {
    const { bytes } = exportModel(model, { name: o.name, version: o.version, featureSpec: o.spec, targetScaling: { kind: 'shift', scale: o.sigma } });
    mkdirSync(join(modelDir, o.name), { recursive: true });
    const path = join(modelDir, o.name, `${o.version}.onnx`);
    writeFileSync(path, bytes);
    return { path, bytes };
  } finally {
    model.dispose();
  }
}

/**
 * The model's inputs for a forecast from bar `k`, computed here independently of the service:
 * libs/signals' featureMatrix over every bar up to k, ln(close) shifted by the origin and divided
 * by σ, and libs/models' own calendar features for the forecast steps.
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

/** The forecast rows [B, H, Q] of onnxruntime on these windows, run here. */
export async function runDirect(path: string, kind: Kind, windows: readonly { past: Float32Array; future: Float32Array }[]): Promise<Float32Array[]> {
  const model = await loadOnnxModel(path);
  try {
    const B = windows.length;
    const P = windows[0]!.past.length / LOOKBACK;
    const past = new Float32Array(B * LOOKBACK * P);
    windows.forEach((w, b) => past.set(w.past, b * LOOKBACK * P));
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = { past: { data: past, dims: [B, LOOKBACK, P] } };
    if (kind === 'tft') {
      const future = new Float32Array(B * HORIZON * 4);
      windows.forEach((w, b) => future.set(w.future, b * HORIZON * 4));
      feeds.future = { data: future, dims: [B, HORIZON, 4] };
    }
    const out = (await model.run(feeds)).forecast!;
    const n = out.data.length / B;
    return windows.map((_, b) => out.data.slice(b * n, (b + 1) * n));
  } finally {
    await model.dispose();
  }
}

export function client(address: string): InferenceServiceClient {
  return new InferenceServiceClient(address, credentials.createInsecure());
}

type Unary<Req, Res> = (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null, res: Res) => void) => unknown;

/** A unary call, with `authorization: Bearer <token>` when a token is given. */
export function call<Req, Res>(fn: Unary<Req, Res>, req: Req, token?: string): Promise<Res> {
  const md = new Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => fn(req, md, { deadline: Date.now() + 20_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

/** The gRPC error of a call that must fail. */
export async function failure(p: Promise<unknown>): Promise<ServiceError> {
  return p.then(
    () => {
      throw new Error('the call succeeded');
    },
    (err: ServiceError) => err,
  );
}
