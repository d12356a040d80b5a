import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadModel, SeededRandom } from '@meridian/models';
import { loadOnnxModel } from '@meridian/onnx';
import { featureSpecHash } from '@meridian/signals';
import { BarFileError, readBarsCsv } from '../src';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../dist/cli.js');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bars-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Hourly bars whose returns carry a daily cycle (a learnable signal), as a CSV in the Binance layout. */
function csv(n: number): string {
  const rng = new SeededRandom(3);
  let close = 1000;
  const rows = ['open_time_ms,open_time_utc,open,high,low,close,volume_BTC,volume_USDT,trade_count'];
  for (let i = 0; i < n; i++) {
    const t = 1_600_000_000_000 + i * 3_600_000;
    const open = close;
    close = open * Math.exp(0.004 * Math.sin((2 * Math.PI * i) / 24) + 0.002 * rng.normal());
    rows.push(`${t},${new Date(t).toISOString().replace('T', ' ').slice(0, 19)},${open},${Math.max(open, close) * 1.001},${Math.min(open, close) * 0.999},${close},${10 + rng.next()},0,${i % 50}`);
  }
  return rows.join('\n') + '\n';
}

test('readBarsCsv: any row order, end = start + the usual spacing; a bad cell names file and line', async () => {
  const file = join(dir, 'small.csv');
  const lines = csv(5).trim().split('\n');
  await writeFile(file, [lines[0], lines[3], lines[1], lines[2], lines[5], lines[4]].join('\n'));
  const bars = await readBarsCsv(file);
  expect(bars.map((b) => b.startMs)).toEqual([0, 1, 2, 3, 4].map((i) => 1_600_000_000_000 + i * 3_600_000));
  expect(bars[0]!.endMs - bars[0]!.startMs).toBe(3_600_000);
  await writeFile(file, `${lines[0]}\n${lines[1]!.replace(/,([\d.]+),([\d.]+),([\d.]+),([\d.]+),/, ',$1,abc,$3,$4,')}\n`);
  await expect(readBarsCsv(file)).rejects.toThrow(BarFileError);
  await expect(readBarsCsv(file)).rejects.toThrow(/small.csv:2: high "abc"/);
  await writeFile(file, 'when,open,high,low,close,volume\n1,1,1,1,1,1\n');
  await expect(readBarsCsv(file)).rejects.toThrow(/no time column/);
});

test.each(['lstm', 'tft'])('bars command end to end (%s): folds, report with learning curves, a model that loads with its FeatureSpec', async (model) => {
  const file = join(dir, 'bars.csv');
  await writeFile(file, csv(1400));
  const out = join(dir, `out-${model}`);
  const { stdout } = await run(
    process.execPath,
    [CLI, 'bars', '--csv', file, '--model', model, '--out', out, '--lookback', '24', '--horizon', '6', '--folds', '2', '--test-size', '150', '--validation-size', '150', '--min-train-size', '600', '--epochs', '2', '--hidden', '8', '--heads', '2', '--batch-size', '256', '--backend', 'cpu', '--quiet', '--name', `bars-${model}`, '--version', '1', '--model-dir', join(out, 'models')],
    { timeout: 280_000 },
  );
  expect(stdout).toMatch(/fold 1: .* MAE [\d.]+ bp vs naive [\d.]+ bp/);
  expect(stdout).toMatch(/fold 2: /);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  expect(report.folds).toHaveLength(2);
  expect(report.folds[0].accuracy.map((r: { name: string }) => r.name)).toEqual([model, 'naive', 'seasonalNaive', 'movingAverage']);
  expect(report.folds[1].times.testTo).toBe(new Date(1_600_000_000_000 + 1399 * 3_600_000).toISOString());
  const html = await readFile(join(out, 'report.html'), 'utf8');
  expect(html).toMatch(/<svg[\s\S]*<path d="M/);
  const { model: loaded, metadata } = await loadModel(out);
  expect(metadata.columns.past.at(-1)).toBe('target');
  expect(metadata.featureSpec!.features.every((f) => f.normalisation.kind === 'zscore' && f.normalisation.std! > 0)).toBe(true);
  expect(metadata.scaling.kind).toBe('shift');
  if (model === 'tft') expect(metadata.columns.future).toEqual(['hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos']);
  loaded.dispose();

  // The ONNX export in the inference registry's layout carries the same spec and scaling.
  const onnxPath = join(out, 'models', `bars-${model}`, '1.onnx');
  expect(stdout).toContain(`ONNX model: ${onnxPath}`);
  const onnx = await loadOnnxModel(onnxPath);
  try {
    expect(onnx.metadata).toMatchObject({ name: `bars-${model}`, version: '1', kind: model, featureSpecHash: featureSpecHash(metadata.featureSpec!) });
    expect(onnx.metadata.normalisation.target).toEqual(metadata.scaling);
  } finally {
    await onnx.dispose();
  }
}, 300_000);

test('--version or --model-dir without --name is refused before any training', async () => {
  const file = join(dir, 'bars.csv');
  await writeFile(file, csv(50));
  await expect(run(process.execPath, [CLI, 'bars', '--csv', file, '--version', '1', '--quiet'], { timeout: 60_000 })).rejects.toMatchObject({ stderr: expect.stringMatching(/--name/) });
});
