import { Decimal } from '@meridian/domain';
import { COST_METHODS } from '@meridian/portfolio';
import type { CostMethod } from '@meridian/portfolio';
import { CircuitBreaker, InvalidLimitsError, InvalidRiskInputError, PositionStops, stopSpecToJson, validateLimits } from '@meridian/risk-rules';
import type { CircuitBreakerConfig, LimitsBook, StopSpec } from '@meridian/risk-rules';
import { QUEUE_MODELS, fixedLatency, lognormalLatency, uniformLatency } from '@meridian/venue-sim';
import type { AccountMode, FeeSchedule, LatencyModel, QueueModel, SimInstrument, SlippageModel } from '@meridian/venue-sim';
import { BacktestConfigError } from './errors';
import type { PostTradeConfig } from './post-trade';

/**
 * A latency as data (so a configuration stays JSON), turned into venue-sim's models: every draw
 * comes from the venue's seeded RNG, as the paper venue draws it.
 */
export type LatencySpec =
  | { readonly kind: 'fixed'; readonly ns: number }
  | { readonly kind: 'uniform'; readonly minNs: number; readonly maxNs: number }
  | { readonly kind: 'lognormal'; readonly medianNs: number; readonly sigma: number; readonly maxNs?: number };

/**
 * How the venue's book is made for a symbol the data gives no L2 book for (bars, trades or quotes
 * only): levels one tick apart around the last price (bar close, last trade), or the quote's two
 * levels. Built when the symbol is traded, and after every event while an order of ours rests
 * there (a bar also prints its low and high, so resting limits are filled when the bar trades
 * through them).
 */
export interface SyntheticBookConfig {
  /** Ticks from the last price to the best bid and to the best ask (default 1: a two-tick spread). */
  readonly halfSpreadTicks?: number;
  /** Levels per side (default 5). */
  readonly levels?: number;
  /** Size of every level. Default: `volumeShare` of the bar's volume (of the last trade's size for trades), at least one lot. */
  readonly levelSize?: Decimal;
  /** Default 0.25. */
  readonly volumeShare?: number;
}

export interface VenueConfig {
  /** The venue name on orders and reports (default `paper`). */
  readonly name?: string;
  readonly fees: FeeSchedule;
  /** How a shrinking level is shared between the liquidity ahead of our orders and behind (default pro_rata, as PAPER_QUEUE_MODEL). */
  readonly queueModel?: QueueModel;
  /** Adverse ticks on every taker fill against the market's liquidity (PAPER_SLIPPAGE_TICKS; default 0). */
  readonly slippageTicks?: number;
  /** A slippage model of your own instead of `slippageTicks` (the configuration JSON then says `custom`). */
  readonly slippage?: SlippageModel;
  /** The account: margin (as the paper venue's) or cash, and its opening balances (only the account currency). */
  readonly account: { readonly mode: AccountMode; readonly balances: Readonly<Record<string, Decimal>>; readonly leverage?: Decimal };
  readonly syntheticBook?: SyntheticBookConfig;
}

export interface RiskConfig {
  /** The limits risk applies (`RISK_MAX_*`, `RISK_LIMITS`): validated with risk-rules' `validateLimits`. */
  readonly limits: LimitsBook;
  /** Kill switches engaged for the whole run. */
  readonly kill?: { readonly global?: boolean; readonly symbols?: readonly string[]; readonly strategies?: readonly string[] };
  /** Intents older than this are refused (INTENT_MAX_AGE_MS; default 10,000). */
  readonly intentMaxAgeMs?: number;
  /** When the trading day starts after 00:00 UTC, ms (RISK_DAY_START_UTC; default 0). */
  readonly dayStartOffsetMs?: number;
  /** RISK_MARK_SOURCE: marks from the BBO mid (default) or the last trade. Bars mark a symbol that has neither. */
  readonly markSource?: 'mid' | 'last';
  /** RISK_COST_METHOD (default WAC). */
  readonly costMethod?: CostMethod;
  /** RISK_STOPS: the stop each new position of a symbol gets; its close goes through the checks like any intent. */
  readonly stops?: Readonly<Record<string, StopSpec>>;
  /** RISK_STOP_STRATEGY: strategy id of the stops' closing intents (default risk-stop). */
  readonly stopStrategy?: string;
  /** The circuit breaker (RISK_BREAKER_*); none when absent. */
  readonly breaker?: BreakerSettings;
}

/** RISK_BREAKER_*: a cause is watched when its threshold is set. */
export interface BreakerSettings {
  /** RISK_BREAKER_MAX_LOSS: trip when equity falls more than this within `lossWindowMs` (default 60,000). */
  readonly maxLoss?: Decimal;
  readonly lossWindowMs?: number;
  /** RISK_BREAKER_MAX_REJECTS: trip on this many rejections (risk and venue) within `rejectWindowMs` (default 10,000). */
  readonly maxRejects?: number;
  readonly rejectWindowMs?: number;
  /** RISK_BREAKER_MAX_MARKET_DATA_AGE_MS: trip when a symbol's market data is older than this (event time). */
  readonly maxMarketDataAgeMs?: number;
  /** RISK_BREAKER_COOL_DOWN_MS (default 60,000). */
  readonly coolDownMs?: number;
  /** RISK_BREAKER_AUTO_RESET (default true): false keeps a trip for the rest of the run. */
  readonly autoReset?: boolean;
  /** RISK_BREAKER_CHECK_INTERVAL_MS: event time between equity samples (default 250). */
  readonly checkIntervalMs?: number;
}

export interface BacktestConfig {
  /** The instruments traded; they share one quote currency, the account's. */
  readonly instruments: readonly SimInstrument[];
  /** Seeds the venue's RNG (latency, slippage, pro-rata queues): same inputs and seed, same result. */
  readonly seed: number;
  readonly venue: VenueConfig;
  readonly risk: RiskConfig;
  /** Request latency from the decision to the venue (the paper venue's PAPER_LATENCY_*), and of reports back to strategies. Default none. */
  readonly latency?: { readonly order?: LatencySpec | LatencyModel; readonly report?: LatencySpec | LatencyModel };
  /** Execution's slippage guard (SLIPPAGE_LIMIT_BPS; default 100, 0 turns it off). */
  readonly slippageLimitBps?: Decimal;
  /** Interval of the equity curve's points, ms of event time (default 60,000). */
  readonly equityIntervalMs?: number;
  /** How many curve intervals make a year, to annualise (default: calendar time, 365.25 days / interval). */
  readonly periodsPerYear?: number;
  /**
   * Shortest run, in days of equity curve, whose return is annualised (default
   * DEFAULT_MIN_ANNUALISED_DAYS, 30; 0 always annualises): a shorter run reports
   * annualisedReturn and calmar as null rather than compound a few hours into a year.
   */
  readonly minAnnualisedDays?: number;
  /** Strategy parameters to carry into the result (what a search varies); the strategies' own when omitted. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Whether the result lists every order and every fill (default true). A long run that trades a
   * lot can leave them out: the counts, round trips, metrics and curve are kept either way.
   */
  readonly recordOrders?: boolean;
  readonly recordFills?: boolean;
}

/** Everything defaulted and checked, with the models built. */
export interface ResolvedConfig {
  readonly source: BacktestConfig;
  readonly instruments: readonly SimInstrument[];
  readonly currency: string;
  readonly seed: number;
  readonly venueName: string;
  readonly queueModel: QueueModel;
  readonly slippageTicks: number;
  readonly initialEquity: Decimal;
  readonly syntheticBook: { readonly halfSpreadTicks: number; readonly levels: number; readonly levelSize: Decimal | undefined; readonly volumeShare: number };
  readonly limits: LimitsBook;
  readonly intentMaxAgeMs: number;
  readonly dayStartOffsetMs: number;
  readonly markSource: 'mid' | 'last';
  readonly costMethod: CostMethod;
  readonly orderLatency: LatencyModel | undefined;
  readonly reportLatency: LatencyModel | undefined;
  readonly slippageLimitBps: Decimal;
  readonly equityIntervalMs: number;
  readonly periodsPerYear: number;
  readonly minAnnualisedDays: number;
  readonly recordOrders: boolean;
  readonly recordFills: boolean;
  readonly postTrade: PostTradeConfig;
}

const YEAR_MS = 365.25 * 86_400_000;
export const DEFAULT_MIN_ANNUALISED_DAYS = 30;

function latencyModel(key: string, spec: LatencySpec | LatencyModel | undefined): LatencyModel | undefined {
  if (spec === undefined) return undefined;
  if (spec !== null && typeof spec === 'object' && typeof (spec as LatencyModel).sample === 'function') return spec as LatencyModel;
  const s = spec as LatencySpec;
  try {
    switch (s?.kind) {
      case 'fixed':
        return fixedLatency(s.ns);
      case 'uniform':
        return uniformLatency(s.minNs, s.maxNs);
      case 'lognormal':
        return lognormalLatency(s.medianNs, s.sigma, s.maxNs);
      default:
        throw new BacktestConfigError(`${key}.kind`, (s as { kind?: unknown })?.kind, 'must be fixed, uniform or lognormal (or a LatencyModel)');
    }
  } catch (err) {
    if (err instanceof BacktestConfigError) throw err;
    throw new BacktestConfigError(key, spec, (err as Error).message);
  }
}

/** An instrument's identity and exact increments: a tick or lot of 0 or below would make every price or size invalid. */
function checkInstrument(i: SimInstrument, n: number): void {
  const key = `instruments[${n}]`;
  if (i === null || typeof i !== 'object') throw new BacktestConfigError(key, i, 'must be an object');
  for (const f of ['symbol', 'baseCurrency', 'quoteCurrency'] as const) {
    if (typeof i[f] !== 'string' || i[f] === '') throw new BacktestConfigError(`${key}.${f}`, i[f], 'must be a non-empty string');
  }
  for (const f of ['tickSize', 'lotSize', 'minQuantity', 'minNotional'] as const) {
    const v = i[f];
    if (v === undefined && (f === 'minQuantity' || f === 'minNotional')) continue;
    if (!(v instanceof Decimal) || !v.isPositive()) throw new BacktestConfigError(`${key}.${f}`, v, 'must be a positive Decimal');
  }
}

function nonNegativeInt(key: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new BacktestConfigError(key, v, 'must be a non-negative integer');
  return v as number;
}

/** Checks a configuration and fills in its defaults; the error names the key. */
export function resolveConfig(config: BacktestConfig): ResolvedConfig {
  if (config === null || typeof config !== 'object') throw new BacktestConfigError('config', config, 'must be an object');
  const { instruments, venue, risk } = config;
  if (!Array.isArray(instruments) || instruments.length === 0) throw new BacktestConfigError('instruments', instruments, 'must be a non-empty array');
  instruments.forEach(checkInstrument);
  const quotes = new Set(instruments.map((i) => i?.quoteCurrency));
  if (quotes.size !== 1) throw new BacktestConfigError('instruments', [...quotes], 'must share one quote currency (the account currency)');
  const currency = [...quotes][0]!;
  if (!Number.isSafeInteger(config.seed)) throw new BacktestConfigError('seed', config.seed, 'must be a safe integer');
  if (venue === null || typeof venue !== 'object') throw new BacktestConfigError('venue', venue, 'must be an object');
  const account = venue.account;
  if (account?.mode !== 'margin' && account?.mode !== 'cash') throw new BacktestConfigError('venue.account.mode', account?.mode, 'must be margin or cash');
  for (const [c, amount] of Object.entries(account.balances ?? {})) {
    if (!(amount instanceof Decimal) || amount.isNegative()) throw new BacktestConfigError(`venue.account.balances.${c}`, amount, 'must be a non-negative Decimal');
    // Opening holdings of another currency would be equity the P&L ledgers (as risk keeps them) never see.
    if (c !== currency && !amount.isZero()) throw new BacktestConfigError(`venue.account.balances.${c}`, amount.toString(), `must be 0: the account opens in ${currency} only`);
  }
  const initialEquity = account.balances?.[currency] ?? Decimal.ZERO;
  const queueModel = venue.queueModel ?? 'pro_rata';
  if (!QUEUE_MODELS.includes(queueModel)) throw new BacktestConfigError('venue.queueModel', queueModel, `must be one of ${QUEUE_MODELS.join(', ')}`);
  const slippageTicks = nonNegativeInt('venue.slippageTicks', venue.slippageTicks, 0);
  const sb = venue.syntheticBook ?? {};
  const halfSpreadTicks = nonNegativeInt('venue.syntheticBook.halfSpreadTicks', sb.halfSpreadTicks, 1);
  if (halfSpreadTicks < 1) throw new BacktestConfigError('venue.syntheticBook.halfSpreadTicks', halfSpreadTicks, 'must be at least 1 (0 would lock the book)');
  const levels = nonNegativeInt('venue.syntheticBook.levels', sb.levels, 5);
  if (levels < 1) throw new BacktestConfigError('venue.syntheticBook.levels', levels, 'must be at least 1');
  if (sb.levelSize !== undefined && (!(sb.levelSize instanceof Decimal) || !sb.levelSize.isPositive())) {
    throw new BacktestConfigError('venue.syntheticBook.levelSize', sb.levelSize, 'must be a positive Decimal');
  }
  const volumeShare = sb.volumeShare ?? 0.25;
  if (typeof volumeShare !== 'number' || !(volumeShare > 0) || !Number.isFinite(volumeShare)) throw new BacktestConfigError('venue.syntheticBook.volumeShare', volumeShare, 'must be a positive number');
  if (risk === null || typeof risk !== 'object') throw new BacktestConfigError('risk', risk, 'must be an object');
  let limits: LimitsBook;
  try {
    limits = validateLimits(risk.limits);
  } catch (err) {
    // risk-rules' message starts with its own path: the key says it once, from the configuration's root.
    if (err instanceof InvalidLimitsError) throw new BacktestConfigError(`risk.limits.${err.path}`, undefined, err.message.startsWith(`${err.path} `) ? err.message.slice(err.path.length + 1) : err.message, { cause: err, omitValue: true });
    throw err;
  }
  const costMethod = risk.costMethod ?? 'WAC';
  if (!COST_METHODS.includes(costMethod)) throw new BacktestConfigError('risk.costMethod', costMethod, `must be one of ${COST_METHODS.join(', ')}`);
  const markSource = risk.markSource ?? 'mid';
  if (markSource !== 'mid' && markSource !== 'last') throw new BacktestConfigError('risk.markSource', markSource, 'must be mid or last');
  const slippageLimitBps = config.slippageLimitBps ?? Decimal.parse('100');
  if (!(slippageLimitBps instanceof Decimal) || slippageLimitBps.isNegative()) throw new BacktestConfigError('slippageLimitBps', slippageLimitBps, 'must be a non-negative Decimal');
  const equityIntervalMs = config.equityIntervalMs ?? 60_000;
  if (!Number.isSafeInteger(equityIntervalMs) || equityIntervalMs < 1) throw new BacktestConfigError('equityIntervalMs', equityIntervalMs, 'must be a positive integer of ms');
  const periodsPerYear = config.periodsPerYear ?? YEAR_MS / equityIntervalMs;
  if (typeof periodsPerYear !== 'number' || !(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) throw new BacktestConfigError('periodsPerYear', periodsPerYear, 'must be a positive number');
  const minAnnualisedDays = config.minAnnualisedDays ?? DEFAULT_MIN_ANNUALISED_DAYS;
  if (typeof minAnnualisedDays !== 'number' || !(minAnnualisedDays >= 0) || !Number.isFinite(minAnnualisedDays)) throw new BacktestConfigError('minAnnualisedDays', minAnnualisedDays, 'must be a non-negative number of days');
  const venueName = venue.name ?? 'paper';
  if (!/^[a-zA-Z0-9_-]+$/.test(venueName)) throw new BacktestConfigError('venue.name', venueName, 'must be a subject token (a-z, A-Z, 0-9, - and _)');
  return {
    source: config,
    instruments,
    currency,
    seed: config.seed,
    venueName,
    queueModel,
    slippageTicks,
    initialEquity,
    syntheticBook: { halfSpreadTicks, levels, levelSize: sb.levelSize, volumeShare },
    limits,
    intentMaxAgeMs: nonNegativeInt('risk.intentMaxAgeMs', risk.intentMaxAgeMs, 10_000),
    dayStartOffsetMs: nonNegativeInt('risk.dayStartOffsetMs', risk.dayStartOffsetMs, 0),
    markSource,
    costMethod,
    orderLatency: latencyModel('latency.order', config.latency?.order),
    reportLatency: latencyModel('latency.report', config.latency?.report),
    slippageLimitBps,
    equityIntervalMs,
    periodsPerYear,
    minAnnualisedDays,
    recordOrders: flag('recordOrders', config.recordOrders),
    recordFills: flag('recordFills', config.recordFills),
    postTrade: postTrade(risk, new Set(instruments.map((i) => i.symbol))),
  };
}

/** `risk.stops`, `risk.stopStrategy` and `risk.breaker`, checked by the classes that will run them. */
function postTrade(risk: RiskConfig, symbols: ReadonlySet<string>): PostTradeConfig {
  const stops = new Map<string, StopSpec>();
  if (risk.stops !== undefined) {
    if (risk.stops === null || typeof risk.stops !== 'object') throw new BacktestConfigError('risk.stops', risk.stops, 'must be an object of symbol -> stop');
    const probe = new PositionStops();
    for (const [symbol, spec] of Object.entries(risk.stops)) {
      if (!symbols.has(symbol)) throw new BacktestConfigError(`risk.stops.${symbol}`, undefined, 'is not one of the instruments', { omitValue: true });
      try {
        probe.set(symbol, spec, Decimal.ONE);
      } catch (err) {
        if (err instanceof InvalidRiskInputError) throw new BacktestConfigError(`risk.stops.${symbol}.${err.field}`, err.value, err.message.slice(err.field.length + 1), { cause: err, omitValue: true });
        throw err;
      }
      stops.set(symbol, spec);
    }
  }
  const stopStrategy = risk.stopStrategy ?? 'risk-stop';
  if (typeof stopStrategy !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(stopStrategy)) throw new BacktestConfigError('risk.stopStrategy', stopStrategy, 'must be a subject token (A-Z, a-z, 0-9, - and _)');
  const b = risk.breaker;
  if (b === undefined) return { stops, stopStrategy, breaker: undefined };
  if (b === null || typeof b !== 'object') throw new BacktestConfigError('risk.breaker', b, 'must be an object');
  const positive = (key: keyof BreakerSettings, fallback: number | undefined): number | undefined => {
    const v = b[key] ?? fallback;
    if (v === undefined) return undefined;
    if (!Number.isSafeInteger(v) || (v as number) < 1) throw new BacktestConfigError(`risk.breaker.${key}`, v, 'must be a positive integer');
    return v as number;
  };
  if (b.maxLoss !== undefined && !(b.maxLoss instanceof Decimal && b.maxLoss.isPositive())) throw new BacktestConfigError('risk.breaker.maxLoss', b.maxLoss, 'must be a positive Decimal');
  if (b.autoReset !== undefined && typeof b.autoReset !== 'boolean') throw new BacktestConfigError('risk.breaker.autoReset', b.autoReset, 'must be true or false');
  const maxRejects = positive('maxRejects', undefined);
  const maxMarketDataAgeMs = positive('maxMarketDataAgeMs', undefined);
  const config: CircuitBreakerConfig & { checkIntervalMs: number } = {
    ...(b.maxLoss === undefined ? {} : { maxLossInWindow: b.maxLoss, lossWindowMs: positive('lossWindowMs', 60_000)! }),
    ...(maxRejects === undefined ? {} : { maxRejects, rejectWindowMs: positive('rejectWindowMs', 10_000)! }),
    ...(maxMarketDataAgeMs === undefined ? {} : { maxMarketDataAgeMs }),
    coolDownMs: positive('coolDownMs', 60_000)!,
    autoReset: b.autoReset ?? true,
    checkIntervalMs: positive('checkIntervalMs', 250)!,
  };
  new CircuitBreaker(config); // its own checks, before the run
  return { stops, stopStrategy, breaker: config };
}

function flag(key: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw new BacktestConfigError(key, value, 'must be true or false');
  return value;
}

function toJson(value: unknown): unknown {
  if (value instanceof Decimal) return value.toString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return 'custom';
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    if (typeof (value as LatencyModel).sample === 'function' || typeof (value as SlippageModel).ticks === 'function') return 'custom';
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = toJson(v);
    }
    return out;
  }
  return value;
}

/** The configuration as JSON (decimals as strings, keys sorted, models of your own as `custom`), as the result carries it. */
export function configToJson(config: ResolvedConfig): Record<string, unknown> {
  const c = config.source;
  return toJson({
    instruments: c.instruments,
    seed: c.seed,
    venue: { ...c.venue, name: config.venueName, queueModel: config.queueModel, slippageTicks: config.slippageTicks, syntheticBook: config.syntheticBook },
    risk: {
      ...c.risk,
      intentMaxAgeMs: config.intentMaxAgeMs,
      dayStartOffsetMs: config.dayStartOffsetMs,
      markSource: config.markSource,
      costMethod: config.costMethod,
      stops: Object.fromEntries([...config.postTrade.stops].map(([symbol, spec]) => [symbol, stopSpecToJson(spec)])),
      stopStrategy: config.postTrade.stopStrategy,
    },
    latency: c.latency ?? {},
    slippageLimitBps: config.slippageLimitBps,
    equityIntervalMs: config.equityIntervalMs,
    periodsPerYear: config.periodsPerYear,
    minAnnualisedDays: config.minAnnualisedDays,
    recordOrders: config.recordOrders,
    recordFills: config.recordFills,
  }) as Record<string, unknown>;
}
