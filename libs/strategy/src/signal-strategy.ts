import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { WorkingOrders } from '@meridian/portfolio';
import { InvalidSignalError, InvalidSizingConfigError } from './errors';
import { planOrder, targetPosition, validateSizingConfig } from './sizing';
import type { SizingConfig } from './sizing';

/** The coordinator's strategy settings (its `STRATEGY_ID`, `POSITION_NOTIONAL`, … keys). */
export interface SignalStrategyConfig {
  /** Stamped on every intent; fills and intents of other strategies are not this one's. */
  readonly strategyId: string;
  /** Quote-currency size of a full-conviction (|score| = 1) position. */
  readonly positionNotional: Decimal;
  /** Largest single order, in quote currency (at least one lot). */
  readonly maxOrderNotional: Decimal;
  /** Quantity increment of targets and orders. */
  readonly orderLot: Decimal;
  /** Scores closer to 0 than this target a flat position. */
  readonly entryThreshold: number;
  /** Signals older than this (against the caller's clock) are ignored. */
  readonly signalMaxAgeMs: number;
  /** Least time between two intents of one symbol. */
  readonly intentIntervalMs: number;
}

/** One signal as the strategy reads it: the model's score and the price it was computed at. */
export interface SignalInput {
  readonly score: number;
  /** The reference price (a bar's close): a Decimal, or its wire text, parsed only if sizing needs it. */
  readonly referencePrice: Decimal | string;
  /** When the signal was made, ms since the epoch. */
  readonly tsMs: number;
}

export type SkipReason = 'stale' | 'order_working' | 'throttled' | 'on_target';

/** What to do about one signal: nothing (and why), or one order toward the target. */
export type SignalDecision =
  | { readonly kind: 'skip'; readonly reason: SkipReason }
  | { readonly kind: 'order'; readonly side: Side; readonly quantity: Decimal; readonly target: Decimal; readonly referencePrice: Decimal };

/**
 * One symbol's strategy state: the filled position and the working orders of this strategy, the
 * last score and target, and when it last sent an intent. It is the fold of the strategy's
 * intents, risk's rejections and the executions, in whatever order they come (the coordinator
 * replays them from separate streams at start; a backtest feeds them as they happen).
 */
export class SignalState {
  position = Decimal.ZERO;
  readonly working = new WorkingOrders();
  lastScore = 0;
  target = Decimal.ZERO;
  intentsSent = 0n;
  /** Clock of the last intent, ms (-Infinity: none yet, so the first is never throttled whatever the clock). */
  lastIntentMs = Number.NEGATIVE_INFINITY;

  constructor(readonly symbol: string) {}

  /** An intent of this strategy for the symbol (read back from the intents stream, or just sent). */
  intentOpened(clientOrderId: string, side: Side, quantity: Decimal): void {
    this.working.open(clientOrderId, side, quantity);
  }

  /** Risk refused the intent, or the venue rejected, cancelled or expired the order: what did not fill never will. */
  ended(clientOrderId: string): void {
    this.working.close(clientOrderId);
  }

  /** A fill of an order of the symbol. */
  filled(clientOrderId: string, side: Side, quantity: Decimal): void {
    this.position = side === 'BUY' ? this.position.add(quantity) : this.position.sub(quantity);
    this.working.fill(clientOrderId, quantity);
  }

  /** The intent `decide` asked for was sent at `nowMs` under `clientOrderId`. */
  intentSent(clientOrderId: string, side: Side, quantity: Decimal, nowMs: number): void {
    this.working.open(clientOrderId, side, quantity);
    this.lastIntentMs = nowMs;
    this.intentsSent += 1n;
  }
}

/**
 * The momentum coordinator's decision: a fresh signal, with no order of the symbol working and the
 * last intent far enough back, sets a target position (`positionNotional` × score at the reference
 * price, in whole lots) and asks for one market order toward it (at most `maxOrderNotional`). The
 * coordinator service and the backtester call this one class, so a backtest decides exactly as
 * production does.
 */
export class SignalStrategy {
  readonly config: SignalStrategyConfig;
  /** Sizing of the last reference price: consecutive signals often share it. */
  private cachedReference: Decimal | undefined;
  private cachedSizing: SizingConfig | undefined;

  constructor(config: SignalStrategyConfig) {
    this.config = validateSignalStrategyConfig(config);
  }

  newState(symbol: string): SignalState {
    return new SignalState(symbol);
  }

  /**
   * Decides on one signal at `nowMs` (the caller's clock: the wall clock live, event time in a
   * backtest). Records the score and, when it gets that far, the target; the caller records an
   * order it sends with `state.intentSent`. A reference price that is not a positive decimal
   * throws `InvalidSignalError`; so does a score that is not finite (`InvalidScoreError`).
   */
  decide(state: SignalState, signal: SignalInput, nowMs: number): SignalDecision {
    const c = this.config;
    state.lastScore = signal.score;
    if (nowMs - signal.tsMs > c.signalMaxAgeMs) return SKIP.stale;
    if (state.working.openCount > 0) return SKIP.order_working;
    if (nowMs - state.lastIntentMs < c.intentIntervalMs) return SKIP.throttled;
    const reference = referenceOf(signal.referencePrice);
    const sizing = this.sizingAt(reference);
    state.target = targetPosition(signal.score, sizing);
    const plan = planOrder(state.target, state.position, state.working.signed(), sizing);
    if (!plan) return SKIP.on_target;
    return { kind: 'order', side: plan.side, quantity: plan.quantity, target: state.target, referencePrice: reference };
  }

  /** The sizing a reference price implies: full position and largest order in whole lots (at least one lot per order). */
  sizingAt(reference: Decimal): SizingConfig {
    if (this.cachedSizing !== undefined && this.cachedReference !== undefined && this.cachedReference.eq(reference)) return this.cachedSizing;
    const c = this.config;
    const sizing = validateSizingConfig({
      maxPosition: c.positionNotional.div(reference, 12, 'down').quantize(c.orderLot, 'down'),
      maxOrderQuantity: Decimal.max(c.maxOrderNotional.div(reference, 12, 'down').quantize(c.orderLot, 'down'), c.orderLot),
      minOrderQuantity: c.orderLot,
      lotSize: c.orderLot,
      entryThreshold: c.entryThreshold,
    });
    this.cachedReference = reference;
    this.cachedSizing = sizing;
    return sizing;
  }
}

const SKIP = {
  stale: { kind: 'skip', reason: 'stale' },
  order_working: { kind: 'skip', reason: 'order_working' },
  throttled: { kind: 'skip', reason: 'throttled' },
  on_target: { kind: 'skip', reason: 'on_target' },
} as const satisfies Record<SkipReason, SignalDecision>;

function referenceOf(value: Decimal | string): Decimal {
  let reference: Decimal;
  if (value instanceof Decimal) reference = value;
  else {
    try {
      reference = Decimal.parse(value);
    } catch (err) {
      throw new InvalidSignalError('referencePrice', value, (err as Error).message);
    }
  }
  if (!reference.isPositive()) throw new InvalidSignalError('referencePrice', reference.toString(), 'is not positive');
  return reference;
}

/** Checks the strategy settings once (the decisions trust them afterwards) and returns them unchanged. */
export function validateSignalStrategyConfig(config: SignalStrategyConfig): SignalStrategyConfig {
  if (config === null || typeof config !== 'object') throw new InvalidSizingConfigError('config', `must be an object, got ${String(config)}`);
  if (typeof config.strategyId !== 'string' || config.strategyId === '') throw new InvalidSizingConfigError('strategyId', `must be a non-empty string, got ${String(config.strategyId)}`);
  for (const key of ['positionNotional', 'maxOrderNotional', 'orderLot'] as const) {
    const value: unknown = config[key];
    if (!(value instanceof Decimal) || !value.isPositive()) throw new InvalidSizingConfigError(key, `must be a positive Decimal, got ${String(value)}`);
  }
  const t: unknown = config.entryThreshold;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 1) throw new InvalidSizingConfigError('entryThreshold', `must be a number in [0, 1], got ${String(t)}`);
  for (const key of ['signalMaxAgeMs', 'intentIntervalMs'] as const) {
    const v: unknown = config[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidSizingConfigError(key, `must be a non-negative number of ms, got ${String(v)}`);
  }
  return config;
}
