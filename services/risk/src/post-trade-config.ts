import { parseSymbol } from '@meridian/domain';
import { InvalidRiskInputError, stopSpecFromJson } from '@meridian/risk-rules';
import type { StopSpec } from '@meridian/risk-rules';
import { field } from '@meridian/runtime';
import type { Field } from '@meridian/runtime';

/** Where marks come from: the BBO mid, or the last trade. */
export const MARK_SOURCES = ['mid', 'last'] as const;
export type MarkSource = (typeof MARK_SOURCES)[number];

const TOKEN = /^[A-Za-z0-9_-]+$/;
const TIME_BAR = /^([1-9]\d*)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A subject token (account, strategy): what a subject or a client order id may carry. */
function tokenField(doc: string, def: string): Field<string> {
  return {
    doc,
    default: def,
    parse: (raw) => {
      if (!TOKEN.test(raw)) throw new Error(`expected letters, digits, "-" or "_" only, got ${JSON.stringify(raw)}`);
      return raw;
    },
  };
}

/** A time bar interval of the market data (`1s`, `1m`, `5m`, `1h`) and its length. */
export interface BarInterval {
  readonly token: string;
  readonly ms: number;
}

export function parseTimeBar(raw: string): BarInterval {
  const m = TIME_BAR.exec(raw);
  if (!m) throw new Error(`expected a time bar interval such as 1s, 1m, 5m or 1h, got ${JSON.stringify(raw)}`);
  return { token: raw, ms: Number(m[1]) * UNIT_MS[m[2]!]! };
}

/** The one key of a default stop and its value: `{price}`, `{distance}` or `{distanceBps}`. */
/** RISK_STOPS: the stop every position of a symbol gets, `{"BTC-USDT":{"distanceBps":"200"}}`. */
function stopsField(doc: string): Field<ReadonlyMap<string, StopSpec>> {
  return {
    doc,
    default: new Map(),
    parse: (raw) => {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (err) {
        throw new Error(`not JSON: ${(err as Error).message}`);
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`expected an object of symbol -> {price | distance | distanceBps}, got ${JSON.stringify(json)}`);
      const out = new Map<string, StopSpec>();
      for (const [symbol, spec] of Object.entries(json)) {
        try {
          parseSymbol(symbol);
        } catch (err) {
          throw new Error(`${JSON.stringify(symbol)}: ${(err as Error).message}`);
        }
        try {
          out.set(symbol, stopSpecFromJson(symbol, spec));
        } catch (err) {
          // A field parser refuses with a sentence; loadConfig names the key.
          if (err instanceof InvalidRiskInputError) throw new Error(err.message);
          throw err;
        }
      }
      return out;
    },
  };
}

/** A confidence strictly between 0.5 and 1. */
function confidenceField(doc: string, def: number): Field<number> {
  return {
    doc,
    default: def,
    parse: (raw) => {
      const n = Number(raw);
      if (raw.trim() === '' || !(n > 0.5 && n < 1)) throw new Error(`expected a number strictly between 0.5 and 1, got ${JSON.stringify(raw)}`);
      return n;
    },
  };
}

/** The keys of marks, the equity curve, stops, the circuit breaker and Value at Risk. */
export const postTradeSchema = {
  RISK_ACCOUNT: tokenField('Account id of this risk workload: risk.equity.<account> and ctl.breaker.<account> (one per risk workload)', 'main'),
  RISK_MARK_SOURCE: field.oneOf('What marks positions (P&L, exposures, stops, equity): mid (the BBO of MARKET_VENUE) or last (its last trade)', MARK_SOURCES, 'mid'),
  RISK_EQUITY_INTERVAL_MS: field.int('Time between points of the equity curve published on risk.equity.<account>, ms', 1_000, { min: 50, max: 3_600_000 }),
  RISK_STOPS: stopsField('JSON: the stop each position of a symbol gets when it opens, {"BTC-USDT":{"distanceBps":"200"}}: price (static), distance or distanceBps (trailing)'),
  RISK_STOP_STRATEGY: tokenField('Strategy id of the closing intents of triggered stops', 'risk-stop'),
  RISK_STOP_CHECKPOINT_MS: field.int('Longest a trailing stop\'s moved best mark waits before its checkpoint on ctl.stop.<symbol> is refreshed, ms', 1_000, { min: 50, max: 60_000 }),
  RISK_BREAKER_MAX_LOSS: field.decimal('Circuit breaker: trip when equity falls more than this within RISK_BREAKER_LOSS_WINDOW_MS (quote currency; 0: off)', '0', { nonNegative: true }),
  RISK_BREAKER_LOSS_WINDOW_MS: field.int('Circuit breaker: the loss-velocity window, ms', 60_000, { min: 1 }),
  RISK_BREAKER_MAX_REJECTS: field.int('Circuit breaker: trip on this many rejections (risk and venue) within RISK_BREAKER_REJECT_WINDOW_MS (0: off)', 0, { min: 0 }),
  RISK_BREAKER_REJECT_WINDOW_MS: field.int('Circuit breaker: the reject-burst window, ms', 10_000, { min: 1 }),
  RISK_BREAKER_MAX_MARKET_DATA_AGE_MS: field.int('Circuit breaker: trip when a symbol\'s market data (marks, BBO) is older than this, ms; it also stands for a lost venue feed (0: off)', 0, { min: 0 }),
  RISK_BREAKER_COOL_DOWN_MS: field.int('Circuit breaker: a trip resets once every cause has cleared and this long has passed, ms', 60_000, { min: 1 }),
  RISK_BREAKER_AUTO_RESET: field.bool('Circuit breaker: false: only ResetCircuitBreaker (gRPC) resets a trip', true),
  RISK_BREAKER_CHECK_INTERVAL_MS: field.int('Circuit breaker: time between evaluations (equity sample, stale data, cool-down), ms', 250, { min: 10, max: 60_000 }),
  RISK_VAR_CONFIDENCE: confidenceField('Value at Risk and expected shortfall: one-sided confidence', 0.99),
  RISK_VAR_HORIZON: field.int('Value at Risk: horizon, in bars of RISK_VAR_BAR_INTERVAL', 1, { min: 1, max: 10_000 }),
  RISK_VAR_BAR_INTERVAL: { doc: 'Value at Risk: the time bars (md.<venue>.<symbol>.bars.<interval>) whose closes are the price history', default: parseTimeBar('1m'), parse: parseTimeBar } as Field<BarInterval>,
  RISK_VAR_LOOKBACK: field.int('Value at Risk: bars of history kept per symbol (read back from the MARKET stream at start)', 60, { min: 3, max: 100_000 }),
};
