// What each feature kind reads, which parameters it takes and how it becomes a streaming node: the
// one table that the spec validator, the warm-up derivation and the pipeline all read.
import { Atr, Vwap } from './bar-indicators';
import { BollingerBands, RollingZScore } from './bands';
import { BookImbalance } from './book-imbalance';
import type { BookDepth } from './book-imbalance';
import type { Bar } from './bars';
import { Ema, Rsi, Sma } from './indicators';
import type { Indicator } from './indicators';
import { Macd } from './macd';
import { LogReturns, RealizedVolatility, Returns } from './returns';

export const FEATURE_KINDS = [
  'return',
  'logReturn',
  'realizedVol',
  'sma',
  'ema',
  'rsi',
  'macd',
  'bollinger',
  'atr',
  'vwap',
  'zScore',
  'bookImbalance',
] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** Which part of a bar (or the book) a feature reads: one field, high/low/close, high/low/close/volume, or the book. */
export const FEATURE_INPUTS = ['open', 'high', 'low', 'close', 'volume', 'hlc', 'hlcv', 'book'] as const;
export type FeatureInput = (typeof FEATURE_INPUTS)[number];

const PRICES: readonly FeatureInput[] = ['open', 'high', 'low', 'close'];
const SERIES: readonly FeatureInput[] = [...PRICES, 'volume'];

/** A parameter: a positive integer (windows, lags, levels, ms), a non-negative integer, or a positive real. */
type ParamType = 'period' | 'offset' | 'positive';
interface ParamRule {
  readonly type: ParamType;
  readonly optional?: boolean;
}

/** A streaming feature source: one bar (and book) in, its outputs out. */
export interface FeatureNode {
  /** Feeds one bar; true once the node has values. */
  update(bar: Bar, book: BookDepth | undefined): boolean;
  /** Outputs in the kind's `outputs` order (one for single-output kinds). */
  readonly values: Float64Array;
  /** Bars until the first values, that one included. */
  readonly warmup: number;
}

export interface KindRule {
  readonly inputs: readonly FeatureInput[];
  readonly params: Readonly<Record<string, ParamRule>>;
  /** Named outputs of a multi-output kind; a feature picks one with `output`. */
  readonly outputs?: readonly string[];
  /** Outputs in price units, which `scale: 'perClose'` may divide by the close (when the input is a price). */
  readonly priceOutputs: readonly string[];
  /** Constraints between parameters; a message for the first one broken, keyed by parameter. */
  readonly check?: (params: Readonly<Record<string, number>>) => { param: string; reason: string } | undefined;
  readonly create: (params: Readonly<Record<string, number>>, input: FeatureInput) => FeatureNode;
}

const VALUE = 'value';

type Field = 'open' | 'high' | 'low' | 'close' | 'volume';

/** A one-number-in indicator on one bar field; a record-valued one writes its fields in `outputs` order. */
class SeriesNode implements FeatureNode {
  readonly values: Float64Array;
  readonly warmup: number;

  constructor(
    private readonly indicator: Indicator<number, unknown>,
    private readonly field: Field,
    private readonly outputs: readonly string[] | undefined,
  ) {
    this.values = new Float64Array(outputs?.length ?? 1);
    this.warmup = indicator.warmup;
  }

  update(bar: Bar): boolean {
    const v = this.indicator.update(bar[this.field]);
    if (v === undefined) return false;
    const outputs = this.outputs;
    if (outputs === undefined) this.values[0] = v as number;
    else for (let i = 0; i < outputs.length; i++) this.values[i] = (v as Record<string, number>)[outputs[i]!]!;
    return true;
  }
}

class BarNode implements FeatureNode {
  readonly values = new Float64Array(1);
  readonly warmup: number;

  constructor(private readonly indicator: Indicator<Bar>) {
    this.warmup = indicator.warmup;
  }

  update(bar: Bar): boolean {
    const v = this.indicator.update(bar);
    if (v === undefined) return false;
    this.values[0] = v;
    return true;
  }
}

class BookNode implements FeatureNode {
  readonly values = new Float64Array(1);
  readonly warmup = 1;

  constructor(private readonly levels: number) {}

  update(_bar: Bar, book: BookDepth | undefined): boolean {
    // The pipeline refuses a missing book before any node runs.
    this.values[0] = BookImbalance.ofDepth(book!, this.levels);
    return true;
  }
}

function seriesNode(indicator: Indicator, input: FeatureInput): FeatureNode {
  return new SeriesNode(indicator, input as Field, undefined);
}

function recordNode(indicator: Indicator<number, object>, input: FeatureInput, outputs: readonly string[]): FeatureNode {
  return new SeriesNode(indicator, input as Field, outputs);
}

function barNode(indicator: Indicator<Bar>): FeatureNode {
  return new BarNode(indicator);
}

const period = { type: 'period' } as const;
const MACD_OUTPUTS = ['macd', 'signal', 'histogram'] as const;
const BOLLINGER_OUTPUTS = ['middle', 'upper', 'lower', 'percentB', 'bandwidth'] as const;

export const KIND_RULES: Readonly<Record<FeatureKind, KindRule>> = {
  return: { inputs: PRICES, params: { period }, priceOutputs: [], create: (p, input) => seriesNode(new Returns(p.period!), input) },
  logReturn: { inputs: PRICES, params: { period }, priceOutputs: [], create: (p, input) => seriesNode(new LogReturns(p.period!), input) },
  realizedVol: {
    inputs: PRICES,
    params: { period, periodsPerYear: { type: 'positive', optional: true } },
    priceOutputs: [],
    create: (p, input) => seriesNode(new RealizedVolatility(p.period!, p.periodsPerYear), input),
  },
  sma: { inputs: SERIES, params: { period }, priceOutputs: [VALUE], create: (p, input) => seriesNode(new Sma(p.period!), input) },
  ema: { inputs: SERIES, params: { period }, priceOutputs: [VALUE], create: (p, input) => seriesNode(new Ema(p.period!), input) },
  rsi: { inputs: SERIES, params: { period }, priceOutputs: [], create: (p, input) => seriesNode(new Rsi(p.period!), input) },
  macd: {
    inputs: SERIES,
    params: { fast: period, slow: period, signal: period },
    outputs: MACD_OUTPUTS,
    priceOutputs: MACD_OUTPUTS,
    check: (p) => (p.fast! >= p.slow! ? { param: 'fast', reason: `must be shorter than slow ${p.slow}` } : undefined),
    create: (p, input) => recordNode(new Macd(p.fast!, p.slow!, p.signal!), input, MACD_OUTPUTS),
  },
  bollinger: {
    inputs: SERIES,
    params: { period, stdDevs: { type: 'positive' } },
    outputs: BOLLINGER_OUTPUTS,
    priceOutputs: ['middle', 'upper', 'lower'],
    create: (p, input) => recordNode(new BollingerBands(p.period!, p.stdDevs), input, BOLLINGER_OUTPUTS),
  },
  atr: { inputs: ['hlc'], params: { period }, priceOutputs: [VALUE], create: (p) => barNode(new Atr(p.period!)) },
  vwap: {
    inputs: ['hlcv'],
    params: { period: { type: 'period', optional: true }, sessionMs: { type: 'period', optional: true }, sessionOffsetMs: { type: 'offset', optional: true } },
    priceOutputs: [VALUE],
    check: (p) => {
      if ((p.period === undefined) === (p.sessionMs === undefined)) {
        return { param: 'period', reason: 'or sessionMs: exactly one of the two (a rolling window or sessions)' };
      }
      if (p.sessionOffsetMs !== undefined && (p.sessionMs === undefined || p.sessionOffsetMs >= p.sessionMs)) {
        return { param: 'sessionOffsetMs', reason: `must come with sessionMs and be below it (${p.sessionMs})` };
      }
      return undefined;
    },
    create: (p) => barNode(p.period !== undefined ? new Vwap({ period: p.period }) : new Vwap({ sessionMs: p.sessionMs!, sessionOffsetMs: p.sessionOffsetMs ?? 0 })),
  },
  zScore: { inputs: SERIES, params: { period }, priceOutputs: [], create: (p, input) => seriesNode(new RollingZScore(p.period!), input) },
  bookImbalance: {
    inputs: ['book'],
    params: { levels: period },
    priceOutputs: [],
    create: (p) => new BookNode(p.levels!),
  },
};

/** The name a single-output kind's only output goes by in `priceOutputs`. */
export const SINGLE_OUTPUT = VALUE;
