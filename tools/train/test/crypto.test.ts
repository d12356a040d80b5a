import { existsSync } from 'node:fs';
import { useBackend } from '@meridian/models';
import { sharedDataPath } from '@meridian/testkit';
import { DEFAULT_FEATURE_SPEC, readBarsCsv, runBars } from '../src';
import type { ModelChoice } from '../src';

/**
 * Real bars: Binance BTCUSDT hourly (../shared/data/crypto_bars), the last 6,000 hours, one
 * walk-forward fold. Hourly crypto returns are close to a random walk, so the honest expectation
 * is a model about as good as the last value, not better: the test prints the table and only
 * checks that a trained model is not clearly worse than the naive forecast (within 5 % of its
 * MAE) and beats the seasonal naive and moving-average forecasts, which add noise to a random walk.
 * The full numbers come from `npm run train -- bars` (tools/train README).
 */
const FILE = sharedDataPath('crypto_bars', 'binance_BTCUSDT_1h_20170817_20210610.clean.csv');
const present = existsSync(FILE);
if (!present) process.stdout.write(`${FILE} not found: the real-bars accuracy test is skipped\n`);
const withData = present ? test : test.skip;

beforeAll(() => useBackend('wasm'));
afterAll(() => useBackend('cpu'));

withData.each(['nbeats-g', 'lstm'] as ModelChoice[])('%s on BTCUSDT 1h against naive baselines', async (model) => {
  const bars = (await readBarsCsv(FILE)).slice(-6000);
  const run = await runBars(bars, {
    model,
    sizes: { units: 64, blocks: 2, layers: 2, hidden: 16 },
    training: { epochs: 4, batchSize: 256, batchesPerEpoch: 8, learningRate: 1e-3, patience: 2, seed: 1 },
    spec: DEFAULT_FEATURE_SPEC,
    lookback: 24,
    horizon: 6,
    folds: 1,
    testSize: 1000,
    validationSize: 1000,
    minTrainSize: 2000,
    season: 24,
    movingAverage: 24,
  });
  run.model.dispose();
  const rows = run.folds[0]!.accuracy;
  process.stdout.write(`${model} BTCUSDT 1h, MAE of ln(close) in bp: ${rows.map((r) => `${r.name} ${r.mae.toFixed(1)} (×${r.maeVsNaive.toFixed(3)})`).join(', ')}\n`);
  const mae = Object.fromEntries(rows.map((r) => [r.name, r.mae]));
  for (const v of Object.values(mae)) expect(Number.isFinite(v)).toBe(true);
  expect(mae[model]!).toBeLessThan(1.05 * mae.naive!);
  expect(mae[model]!).toBeLessThan(mae.seasonalNaive!);
  expect(mae[model]!).toBeLessThan(mae.movingAverage!);
}, 600_000);
