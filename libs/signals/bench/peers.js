// The benchmark's 12 features (features-12.json) computed by the peer libraries, each with its own
// streaming objects, then scaled and normalised with the same statistics as ours, into a Float32Array
// row: the same work as FeaturePipeline.updateInto, done with their indicators.
'use strict';
const ts = require('trading-signals');
const ti = require('technicalindicators');

/** Statistics of the fitted spec, in feature order: x → (x - center) / divisor. */
function normaliser(spec) {
  const center = new Float64Array(spec.features.length);
  const divisor = new Float64Array(spec.features.length).fill(1);
  spec.features.forEach((f, j) => {
    const n = f.normalisation;
    if (n.kind === 'zscore') [center[j], divisor[j]] = [n.mean, n.std];
    if (n.kind === 'minmax') [center[j], divisor[j]] = [n.min, n.max - n.min];
  });
  return { center, divisor };
}

function write(out, offset, raw, norm) {
  for (let j = 0; j < raw.length; j++) out[offset + j] = (raw[j] - norm.center[j]) / norm.divisor[j];
}

/** trading-signals 8.3.0: `add` per bar on each indicator, results read once all are stable. */
function tradingSignals(spec) {
  const norm = normaliser(spec);
  return {
    name: 'trading-signals 8.3.0',
    create() {
      const s = {
        ret1: new ts.ROC(1),
        ret24: new ts.ROC(24),
        prev: undefined,
        rv: new ts.BollingerBands(24, 1),
        sma: new ts.SMA(20),
        ema: new ts.EMA(50),
        rsi: new ts.RSI(14),
        macd: new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9)),
        bb: new ts.BollingerBands(20, 2),
        atr: new ts.ATR(14),
        vwma: new ts.VWMA(24),
        vol: new ts.BollingerBands(20, 1),
        raw: new Float64Array(12),
      };
      return s;
    },
    updateInto(s, bar, out, offset) {
      const c = bar.close;
      const r1 = s.ret1.add(c);
      const r24 = s.ret24.add(c);
      const rv = s.prev === undefined ? null : s.rv.add(Math.log(c / s.prev));
      s.prev = c;
      const sma = s.sma.add(c);
      const ema = s.ema.add(c);
      const rsi = s.rsi.add(c);
      const macd = s.macd.add(c);
      const bb = s.bb.add(c);
      const atr = s.atr.add(bar);
      const vwma = s.vwma.add({ high: bar.high, low: bar.low, close: (bar.high + bar.low + bar.close) / 3, volume: bar.volume });
      const vol = s.vol.add(bar.volume);
      if (!s.ema.isStable || r24 === null || rv === null || !s.rv.isStable || macd === null || !s.macd.isStable || rsi === null || atr === null || bb === null || vol === null) return false;
      const raw = s.raw;
      raw[0] = r1; // trading-signals' ROC is a fraction
      raw[1] = Math.log1p(r24);
      raw[2] = (rv.upper - rv.middle) * Math.sqrt(8760);
      raw[3] = sma / c;
      raw[4] = ema / c;
      raw[5] = rsi;
      raw[6] = macd.histogram / c;
      const width = bb.upper - bb.lower;
      raw[7] = width === 0 ? 0.5 : (c - bb.lower) / width;
      raw[8] = width === 0 ? 0 : width / bb.middle;
      raw[9] = atr / c;
      raw[10] = (vwma ?? (bar.high + bar.low + bar.close) / 3) / c;
      const sigma = vol.upper - vol.middle;
      raw[11] = sigma === 0 ? 0 : (bar.volume - vol.middle) / sigma;
      write(out, offset, raw, norm);
      return true;
    },
  };
}

/**
 * technicalindicators 3.1.0: `nextValue` per bar (its streaming form, a generator per indicator).
 * Its SD stops at the first exact 0 in a window, so realised volatility and the volume z-score
 * read wrong values where returns or volumes are 0 (see README); the work per bar is the same.
 */
function technicalIndicators(spec) {
  const norm = normaliser(spec);
  const none = { values: [] };
  return {
    name: 'technicalindicators 3.1.0',
    create() {
      return {
        ret1: new ti.ROC({ period: 1, values: [] }),
        ret24: new ti.ROC({ period: 24, values: [] }),
        prev: undefined,
        rv: new ti.SD({ period: 24, values: [] }),
        sma: new ti.SMA({ period: 20, values: [] }),
        ema: new ti.EMA({ period: 50, values: [] }),
        rsi: new ti.RSI({ period: 14, values: [] }),
        macd: new ti.MACD({ ...none, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
        bb: new ti.BollingerBands({ period: 20, stdDev: 2, values: [] }),
        atr: new ti.ATR({ period: 14, high: [], low: [], close: [] }),
        vwapPv: new ti.SMA({ period: 24, values: [] }),
        vwapV: new ti.SMA({ period: 24, values: [] }),
        volMean: new ti.SMA({ period: 20, values: [] }),
        volSd: new ti.SD({ period: 20, values: [] }),
        raw: new Float64Array(12),
      };
    },
    updateInto(s, bar, out, offset) {
      const c = bar.close;
      const r1 = s.ret1.nextValue(c);
      const r24 = s.ret24.nextValue(c);
      const rv = s.prev === undefined ? undefined : s.rv.nextValue(Math.log(c / s.prev));
      s.prev = c;
      const sma = s.sma.nextValue(c);
      const ema = s.ema.nextValue(c);
      const rsi = s.rsi.nextValue(c);
      const macd = s.macd.nextValue(c);
      const bb = s.bb.nextValue(c);
      const atr = s.atr.nextValue(bar);
      const tp = (bar.high + bar.low + bar.close) / 3;
      // A rolling VWAP as the ratio of two rolling means (technicalindicators' VWAP is cumulative).
      const pv = s.vwapPv.nextValue(tp * bar.volume);
      const v = s.vwapV.nextValue(bar.volume);
      const volMean = s.volMean.nextValue(bar.volume);
      const volSd = s.volSd.nextValue(bar.volume);
      if (ema === undefined || r24 === undefined || rv === undefined || macd === undefined || macd.histogram === undefined || atr === undefined || volSd === undefined) return false;
      const raw = s.raw;
      raw[0] = r1 / 100; // technicalindicators' ROC is in percent
      raw[1] = Math.log1p(r24 / 100);
      raw[2] = rv * Math.sqrt(8760);
      raw[3] = sma / c;
      raw[4] = ema / c;
      raw[5] = rsi;
      raw[6] = macd.histogram / c;
      const width = bb.upper - bb.lower;
      raw[7] = width === 0 ? 0.5 : bb.pb;
      raw[8] = width === 0 ? 0 : width / bb.middle;
      raw[9] = atr / c;
      raw[10] = (v > 0 ? pv / v : tp) / c;
      raw[11] = volSd === 0 ? 0 : (bar.volume - volMean) / volSd;
      write(out, offset, raw, norm);
      return true;
    },
  };
}

module.exports = { tradingSignals, technicalIndicators };
