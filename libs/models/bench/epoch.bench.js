// One training epoch of each model on the JS (cpu) and WebAssembly backends, same data, same run.
// Dataset: generatedSeries (4,000 points: daily cycle + AR(1) + noise, seed 11), lookback 48,
// horizon 12, batch 256; an epoch = every training window once (3,000 windows, 12 batches),
// plus the validation pass over 500 windows. `--quick` uses 1,000 training windows.
const m = require('../dist');

const quick = process.argv.includes('--quick');
const L = 48;
const H = 12;
const TRAIN = quick ? 1000 : 3000;
const { values } = m.generatedSeries({ length: TRAIN + 500 + L + 2 * H, seed: 11 });
const known = m.cyclicFeatures(values.length + H, [24]);
const models = {
  lstm: { kind: 'lstm', lookback: L, horizon: H, pastFeatures: 1, hiddenSizes: [64], headUnits: 64 },
  'nbeats-g': m.nbeatsGenericConfig(L, H, { blocks: 4, layers: 4, units: 256 }),
  'nbeats-i': m.nbeatsInterpretableConfig(L, H, { trendUnits: 256, seasonalityUnits: 256 }),
  tft: { kind: 'tft', lookback: L, horizon: H, pastFeatures: 1, futureFeatures: 2, hidden: 32, heads: 4 },
};

async function epoch(name, config, backend) {
  await m.useBackend(backend);
  const withKnown = config.kind === 'tft';
  const ds = new m.WindowDataset([{ id: 'g', target: values, ...(withKnown ? { known } : {}) }], { lookback: L, horizon: H, covariates: 0, known: withKnown ? 2 : 0, statics: 0 }, { kind: 'shift', scale: 1 });
  const trainEnd = L + H + TRAIN - 1;
  const train = ds.source(ds.windows(0, 0, trainEnd));
  const validation = ds.source(ds.windows(0, trainEnd, values.length));
  const model = m.createModel(config, 1);
  const result = await m.trainModel(model, train, validation, { epochs: 1, batchSize: 256, seed: 1 });
  const params = model.parameterCount();
  model.dispose();
  return { seconds: result.curve[0].seconds, windows: train.size, params };
}

(async () => {
  console.log(`one epoch: ${quick ? 1000 : 3000} training windows (+ validation), lookback ${L}, horizon ${H}, batch 256, node ${process.version}`);
  console.log('model      params     cpu s/epoch  wasm s/epoch  wasm speed-up  wasm windows/s');
  for (const [name, config] of Object.entries(models)) {
    const cpu = await epoch(name, config, 'cpu');
    const wasm = await epoch(name, config, 'wasm');
    console.log(`${name.padEnd(10)} ${String(cpu.params).padStart(9)}  ${cpu.seconds.toFixed(1).padStart(11)}  ${wasm.seconds.toFixed(1).padStart(12)}  ${(cpu.seconds / wasm.seconds).toFixed(2).padStart(12)}×  ${(wasm.windows / wasm.seconds).toFixed(0).padStart(14)}`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
