import { tf } from '../src/tf';
import {
  InvalidModelConfigError,
  LstmForecaster,
  NBeatsForecaster,
  TemporalFusionTransformer,
  WeightMismatchError,
  createModel,
  nbeatsGenericConfig,
  nbeatsInterpretableConfig,
  seasonalityBasis,
  trendBasis,
} from '../src';
import { addVec, inputs, randomArray, relu, sigmoid, vecMat, weightMap } from './helpers';

afterEach(() => {
  // Every test disposes what it creates: a leak here would be a leak in a server.
  expect(tf.memory().numTensors).toBe(0);
});

describe('forward shapes and the weight contract', () => {
  test('LSTM: [B, H, Q] out, weights named and shaped as documented', () => {
    const m = new LstmForecaster({ kind: 'lstm', lookback: 5, horizon: 3, pastFeatures: 4, hiddenSizes: [6, 7], headUnits: 8, quantiles: [0.1, 0.5, 0.9] }, 1);
    const shapes = Object.fromEntries(m.getWeights().map((w) => [w.name, w.shape]));
    expect(shapes).toEqual({
      'lstm0.kernel': [4, 24],
      'lstm0.recurrent': [6, 24],
      'lstm0.bias': [24],
      'lstm1.kernel': [6, 28],
      'lstm1.recurrent': [7, 28],
      'lstm1.bias': [28],
      'head.hidden.kernel': [7, 8],
      'head.hidden.bias': [8],
      'head.out.kernel': [8, 9],
      'head.out.bias': [9],
    });
    const x = inputs(2, m.io);
    const y = m.forward(x);
    expect(y.shape).toEqual([2, 3, 3]);
    tf.dispose([y, x.past]);
    m.dispose();
  });

  test('N-BEATS generic and interpretable: names, shapes, constant bases, shared blocks', () => {
    const g = new NBeatsForecaster(nbeatsGenericConfig(10, 4, { blocks: 2, layers: 2, units: 8, thetaSize: 5 }), 1);
    expect(g.getWeights().map((w) => `${w.name}:${w.shape.join('x')}:${w.trainable ? 't' : 'c'}`)).toEqual(
      [0, 1].flatMap((b) => [
        `stack0.block${b}.fc0.kernel:10x8:t`,
        `stack0.block${b}.fc0.bias:8:t`,
        `stack0.block${b}.fc1.kernel:8x8:t`,
        `stack0.block${b}.fc1.bias:8:t`,
        `stack0.block${b}.theta_b.kernel:8x5:t`,
        `stack0.block${b}.theta_f.kernel:8x5:t`,
        `stack0.block${b}.basis_b.kernel:5x10:t`,
        `stack0.block${b}.basis_b.bias:10:t`,
        `stack0.block${b}.basis_f.kernel:5x4:t`,
        `stack0.block${b}.basis_f.bias:4:t`,
      ]),
    );
    const i = new NBeatsForecaster(nbeatsInterpretableConfig(12, 6, { trendBlocks: 3, seasonalityBlocks: 2, trendUnits: 8, seasonalityUnits: 8, layers: 2, degree: 2, harmonics: 2 }), 1);
    const w = weightMap(i.getWeights());
    // Shared weights: one block's tensors per stack.
    expect([...w.keys()].filter((n) => n.includes('block1'))).toEqual([]);
    expect(w.get('stack0.block0.basis_f')!.shape).toEqual([3, 6]);
    expect(w.get('stack0.block0.basis_f')!.trainable).toBe(false);
    expect(w.get('stack1.block0.basis_b')!.shape).toEqual([5, 12]);
    expect(Array.from(w.get('stack0.block0.basis_f')!.data)).toEqual(Array.from(trendBasis(2, 6)));
    expect(Array.from(w.get('stack1.block0.basis_b')!.data)).toEqual(Array.from(seasonalityBasis(2, 12, 6, -12)));
    const x = inputs(3, i.io);
    const y = i.forward(x);
    expect(y.shape).toEqual([3, 6, 1]);
    tf.dispose([y, x.past]);
    g.dispose();
    i.dispose();
  });

  test('TFT: [B, H, Q] out with and without static and future inputs', () => {
    for (const [s, f] of [
      [0, 0],
      [3, 2],
    ] as const) {
      const m = new TemporalFusionTransformer({ kind: 'tft', lookback: 7, horizon: 4, pastFeatures: 3, futureFeatures: f, staticFeatures: s, hidden: 8, heads: 2 }, 1);
      const names = m.getWeights().map((w) => w.name);
      expect(names.includes('decoder.position')).toBe(f === 0);
      expect(names.includes('static.state_h.fc1.kernel')).toBe(s > 0);
      expect(names.includes('vsn.past.weights.context.kernel')).toBe(s > 0);
      const shapes = Object.fromEntries(m.getWeights().map((w) => [w.name, w.shape]));
      expect(shapes['embed.past.kernel']).toEqual([3, 8]);
      expect(shapes['vsn.past.weights.fc1.kernel']).toEqual([24, 8]);
      expect(shapes['vsn.past.weights.skip.kernel']).toEqual([24, 3]);
      expect(shapes['vsn.past.vars.gate.kernel']).toEqual([3, 8, 8]);
      expect(shapes['vsn.past.vars.norm.gamma']).toEqual([3, 8]);
      expect(shapes['encoder.kernel']).toEqual([8, 32]);
      expect(shapes['attention.query.kernel']).toEqual([8, 8]);
      expect(shapes['attention.value.kernel']).toEqual([8, 4]);
      expect(shapes['attention.output.kernel']).toEqual([4, 8]);
      expect(shapes['attention.mask']).toEqual([4, 11]);
      expect(shapes['output.kernel']).toEqual([8, 3]);
      const x = inputs(2, m.io);
      const y = m.forward(x);
      expect(y.shape).toEqual([2, 4, 3]);
      tf.dispose([y, x.past, x.future, x.static].filter((t) => t !== undefined));
      m.dispose();
    }
  });
});

describe('the documented equations are the forward pass (what an exporter rebuilds)', () => {
  test('LSTM: a plain-JS implementation of the README equations from getWeights() matches', () => {
    const m = new LstmForecaster({ kind: 'lstm', lookback: 6, horizon: 2, pastFeatures: 3, hiddenSizes: [5, 4], headUnits: 3 }, 9);
    const w = weightMap(m.getWeights());
    const xs = randomArray(6 * 3, 4);
    let seq: Float64Array[] = [];
    for (let t = 0; t < 6; t++) seq.push(Float64Array.from(xs.subarray(t * 3, t * 3 + 3)));
    for (const [k, n] of [5, 4].entries()) {
      let h: Float64Array = new Float64Array(n);
      let c: Float64Array = new Float64Array(n);
      const out: Float64Array[] = [];
      for (const x of seq) {
        const z = addVec(addVec(vecMat(x, w.get(`lstm${k}.kernel`)!), vecMat(h, w.get(`lstm${k}.recurrent`)!)), w.get(`lstm${k}.bias`)!.data);
        const nc = new Float64Array(n);
        const nh = new Float64Array(n);
        for (let j = 0; j < n; j++) {
          const i = sigmoid(z[j]!);
          const f = sigmoid(z[n + j]!);
          const g = Math.tanh(z[2 * n + j]!);
          const o = sigmoid(z[3 * n + j]!);
          nc[j] = f * c[j]! + i * g;
          nh[j] = o * Math.tanh(nc[j]!);
        }
        h = nh;
        c = nc;
        out.push(h);
      }
      seq = out;
    }
    const hidden = addVec(vecMat(seq[5]!, w.get('head.hidden.kernel')!), w.get('head.hidden.bias')!.data).map(relu);
    const expected = addVec(vecMat(hidden, w.get('head.out.kernel')!), w.get('head.out.bias')!.data);
    const past = tf.tensor3d(xs, [1, 6, 3]);
    const y = m.forward({ past });
    const got = y.dataSync();
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
    tf.dispose([past, y]);
    m.dispose();
  });

  test('N-BEATS: doubly residual stacking from getWeights() matches, and the forecast is the sum of the blocks', () => {
    const m = new NBeatsForecaster(
      { kind: 'nbeats', lookback: 8, horizon: 4, stacks: [{ type: 'trend', blocks: 2, layers: 2, units: 6, degree: 2 }, { type: 'seasonality', blocks: 1, layers: 1, units: 5, harmonics: 1 }, { type: 'generic', blocks: 2, layers: 2, units: 6, thetaSize: 3 }] },
      3,
    );
    const w = weightMap(m.getWeights());
    const x = randomArray(8, 11);
    let residual = Float64Array.from(x);
    const forecast = new Float64Array(4);
    const blocks: [number, number, boolean, number][] = [
      [0, 0, true, 2],
      [0, 1, true, 2],
      [1, 0, true, 1],
      [2, 0, false, 2],
      [2, 1, false, 2],
    ];
    for (const [s, b, shared, layers] of blocks) {
      const pre = `stack${s}.block${shared ? 0 : b}`;
      let h: Float64Array = residual;
      for (let l = 0; l < layers; l++) h = addVec(vecMat(h, w.get(`${pre}.fc${l}.kernel`)!), w.get(`${pre}.fc${l}.bias`)!.data).map(relu);
      const tb = vecMat(h, w.get(`${pre}.theta_b.kernel`)!);
      const tfw = vecMat(h, w.get(`${pre}.theta_f.kernel`)!);
      const generic = s === 2;
      const back = generic ? addVec(vecMat(tb, w.get(`${pre}.basis_b.kernel`)!), w.get(`${pre}.basis_b.bias`)!.data) : vecMat(tb, w.get(`${pre}.basis_b`)!);
      const fore = generic ? addVec(vecMat(tfw, w.get(`${pre}.basis_f.kernel`)!), w.get(`${pre}.basis_f.bias`)!.data) : vecMat(tfw, w.get(`${pre}.basis_f`)!);
      residual = residual.map((r, i) => r - back[i]!);
      fore.forEach((f, i) => (forecast[i]! += f));
    }
    const past = tf.tensor3d(x, [1, 8, 1]);
    const y = m.forward({ past });
    const got = y.dataSync();
    forecast.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
    const parts = m.decompose({ past });
    expect(parts.map((p) => `${p.stack}.${p.block}`)).toEqual(['0.0', '0.1', '1.0', '2.0', '2.1']);
    for (let i = 0; i < 4; i++) expect(parts.reduce((a, p) => a + p.forecast[i]!, 0)).toBeCloseTo(got[i]!, 5);
    tf.dispose([past, y]);
    m.dispose();
  });

  test('TFT: a decoder step never reads a later known input (causal LSTM decoder and attention mask)', () => {
    const m = new TemporalFusionTransformer({ kind: 'tft', lookback: 5, horizon: 4, pastFeatures: 2, futureFeatures: 2, hidden: 8, heads: 2 }, 2);
    const x = inputs(1, m.io, 5);
    const a = tf.tidy(() => m.forward(x).arraySync()[0]!);
    const future = x.future!.arraySync();
    future[0]![2] = [9, -9];
    const changed = tf.tensor3d(future);
    const b = tf.tidy(() => m.forward({ past: x.past, future: changed }).arraySync()[0]!);
    for (let tau = 0; tau < 2; tau++) expect(b[tau]).toEqual(a[tau]);
    expect(b[2]).not.toEqual(a[2]);
    const ex = m.explain(x);
    // Selection weights are softmaxes; attention rows sum to 1 and are 0 past their own position.
    for (let t = 0; t < 5; t++) expect(ex.past[t * 2]! + ex.past[t * 2 + 1]!).toBeCloseTo(1, 5);
    for (let tau = 0; tau < 4; tau++) {
      const row = ex.attention.subarray(tau * 9, tau * 9 + 9);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      for (let k = 5 + tau + 1; k < 9; k++) expect(row[k]).toBe(0);
    }
    tf.dispose([x.past, x.future!, changed]);
    m.dispose();
  });
});

describe('seeded initialisation', () => {
  test.each([
    { kind: 'lstm', lookback: 4, horizon: 2, pastFeatures: 2, hiddenSizes: [3] },
    nbeatsGenericConfig(6, 2, { blocks: 2, units: 4 }),
    { kind: 'tft', lookback: 4, horizon: 2, pastFeatures: 2, hidden: 4, heads: 2 },
  ])('same seed, same weights; another seed, other weights ($kind)', (config) => {
    const a = createModel(config, 42);
    const b = createModel(config, 42);
    const c = createModel(config, 43);
    const wa = a.getWeights();
    const wb = b.getWeights();
    const wc = c.getWeights();
    wa.forEach((w, i) => expect(Buffer.from(w.data.buffer).equals(Buffer.from(wb[i]!.data.buffer))).toBe(true));
    expect(wa.some((w, i) => w.trainable && w.data.some((v, j) => v !== 0 && v !== wc[i]!.data[j]))).toBe(true);
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('config validation names the bad key', () => {
  test.each([
    [{ kind: 'lstm', lookback: 0, horizon: 2, pastFeatures: 1 }, 'config.lookback'],
    [{ kind: 'lstm', lookback: 3, horizon: 2, pastFeatures: 1, hiddenSize: [4] }, 'config.hiddenSize'],
    [{ kind: 'lstm', lookback: 3, horizon: 2, pastFeatures: 1, hiddenSizes: [4, 0] }, 'config.hiddenSizes[1]'],
    [{ kind: 'lstm', lookback: 3, horizon: 2, pastFeatures: 1, quantiles: [0.1, 0.9] }, 'config.quantiles'],
    [{ kind: 'lstm', lookback: 3, horizon: 2, pastFeatures: 1, quantiles: [0.5, 0.1] }, 'config.quantiles[1]'],
    [{ kind: 'lstm', lookback: 3, horizon: 2, pastFeatures: 1, dropout: 1 }, 'config.dropout'],
    [{ kind: 'nbeats', lookback: 3, horizon: 2, stacks: [] }, 'config.stacks'],
    [{ kind: 'nbeats', lookback: 3, horizon: 2, stacks: [{ type: 'fourier' }] }, 'config.stacks[0].type'],
    [{ kind: 'nbeats', lookback: 3, horizon: 2, stacks: [{ type: 'trend', harmonics: 3 }] }, 'config.stacks[0].harmonics'],
    [{ kind: 'tft', lookback: 3, horizon: 2, pastFeatures: 1, hidden: 10, heads: 4 }, 'config.heads'],
    [{ kind: 'tft', lookback: 3, horizon: 2, pastFeatures: 1, staticFeatures: -1 }, 'config.staticFeatures'],
    [{ kind: 'arima', lookback: 3, horizon: 2 }, 'config.kind'],
  ])('%j → %s', (config, field) => {
    let error: unknown;
    try {
      createModel(config, 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidModelConfigError);
    expect((error as InvalidModelConfigError).code).toBe('MODEL_INVALID_CONFIG');
    expect((error as InvalidModelConfigError).field).toBe(field);
    expect((error as Error).message).toContain(field);
  });

  test('defaults are filled in and the seed is checked', () => {
    const m = createModel({ kind: 'tft', lookback: 3, horizon: 2, pastFeatures: 1 }, 0);
    expect(m.config).toMatchObject({ hidden: 32, heads: 4, quantiles: [0.1, 0.5, 0.9], dropout: 0.1, futureFeatures: 0, staticFeatures: 0 });
    m.dispose();
    expect(() => createModel({ kind: 'tft', lookback: 3, horizon: 2, pastFeatures: 1 }, -1)).toThrow(InvalidModelConfigError);
  });

  test('setWeights refuses a missing, unknown or misshapen tensor and a NaN', () => {
    const m = createModel({ kind: 'lstm', lookback: 3, horizon: 2, pastFeatures: 1, hiddenSizes: [2] }, 1);
    const w = m.getWeights();
    expect(() => m.setWeights(w.slice(1))).toThrow(WeightMismatchError);
    expect(() => m.setWeights([...w, { ...w[0]!, name: 'extra' }])).toThrow(/not a weight/);
    expect(() => m.setWeights([{ ...w[0]!, shape: [8, 1] }, ...w.slice(1)])).toThrow(/shape \[8, 1\]/);
    const nan = Float32Array.from(w[0]!.data);
    nan[1] = Number.NaN;
    expect(() => m.setWeights([{ ...w[0]!, data: nan }, ...w.slice(1)])).toThrow(/non-finite/);
    m.dispose();
  });
});
