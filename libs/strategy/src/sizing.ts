import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { InvalidScoreError, InvalidSizingConfigError } from './errors';

export interface SizingConfig {
  /** Largest absolute position a score of ±1 asks for. */
  maxPosition: Decimal;
  /** Every target and order quantity is a whole multiple of this. */
  lotSize: Decimal;
  /** Smaller moves are not worth an order (fees, venue minimums). */
  minOrderQuantity: Decimal;
  /** Larger moves are split across successive orders. */
  maxOrderQuantity: Decimal;
  /** Scores with |score| below this target a flat position. */
  entryThreshold: number;
}

export interface OrderPlan {
  side: Side;
  quantity: Decimal;
}

/**
 * Digits kept from a float score before it meets exact arithmetic: enough for any position size,
 * few enough that float noise (0.3 arriving as 0.29999999999999998) is rounded away.
 */
const SCORE_SCALE = 12;

/**
 * The signed position a score asks for: score × maxPosition, rounded toward zero to a whole lot,
 * so rounding never takes on more risk than the score asked for. Scores outside [-1, 1] are
 * clipped, so a misbehaving model cannot exceed maxPosition.
 */
export function targetPosition(score: number, cfg: SizingConfig): Decimal {
  if (typeof score !== 'number' || !Number.isFinite(score)) throw new InvalidScoreError(score);
  const clipped = Math.min(1, Math.max(-1, score));
  if (Math.abs(clipped) < cfg.entryThreshold) return Decimal.ZERO;
  const exactScore = Decimal.fromNumber(clipped, SCORE_SCALE, 'down');
  return cfg.maxPosition.mul(exactScore).quantize(cfg.lotSize, 'down');
}

/**
 * The next order toward `target`, counting working orders as if filled so that a strategy
 * re-evaluating before its last order fills does not send it twice. Large moves are capped at
 * maxOrderQuantity and completed by later calls; undefined when the remaining gap is too small to
 * be worth an order.
 *
 * @param working signed quantity of open orders: buys positive, sells negative.
 */
export function planOrder(target: Decimal, position: Decimal, working: Decimal, cfg: SizingConfig): OrderPlan | undefined {
  const gap = target.sub(position.add(working));
  if (gap.isZero()) return undefined;
  const quantity = Decimal.min(gap.abs(), cfg.maxOrderQuantity).quantize(cfg.lotSize, 'down');
  if (quantity.isZero() || quantity.lt(cfg.minOrderQuantity)) return undefined;
  return { side: gap.isPositive() ? 'BUY' : 'SELL', quantity };
}

const DECIMAL_FIELDS = ['maxPosition', 'lotSize', 'minOrderQuantity', 'maxOrderQuantity'] as const;

/**
 * Checks a sizing config once at start-up (the sizing functions trust it afterwards) and returns
 * it unchanged; the error names the field and the value.
 */
export function validateSizingConfig(cfg: SizingConfig): SizingConfig {
  if (cfg === null || typeof cfg !== 'object') {
    throw new InvalidSizingConfigError('config', `must be an object, got ${String(cfg)}`);
  }
  for (const field of DECIMAL_FIELDS) {
    const value: unknown = cfg[field];
    if (!(value instanceof Decimal)) {
      throw new InvalidSizingConfigError(field, `must be a Decimal, got ${describe(value)}`);
    }
    if (!value.isPositive()) throw new InvalidSizingConfigError(field, `must be positive, got ${value}`);
  }
  const t: unknown = cfg.entryThreshold;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 1) {
    throw new InvalidSizingConfigError('entryThreshold', `must be a number in [0, 1], got ${describe(t)}`);
  }
  if (cfg.minOrderQuantity.gt(cfg.maxOrderQuantity)) {
    throw new InvalidSizingConfigError(
      'minOrderQuantity',
      `${cfg.minOrderQuantity} must not exceed maxOrderQuantity ${cfg.maxOrderQuantity}`,
    );
  }
  if (cfg.lotSize.gt(cfg.maxOrderQuantity)) {
    throw new InvalidSizingConfigError('lotSize', `${cfg.lotSize} must not exceed maxOrderQuantity ${cfg.maxOrderQuantity}`);
  }
  if (cfg.lotSize.gt(cfg.maxPosition)) {
    throw new InvalidSizingConfigError('lotSize', `${cfg.lotSize} must not exceed maxPosition ${cfg.maxPosition}`);
  }
  // The largest whole-lot order must still reach the minimum, or no order could ever be sent.
  const largestOrder = cfg.maxOrderQuantity.quantize(cfg.lotSize, 'down');
  if (largestOrder.lt(cfg.minOrderQuantity)) {
    throw new InvalidSizingConfigError(
      'minOrderQuantity',
      `${cfg.minOrderQuantity} exceeds the largest whole-lot order ${largestOrder} (maxOrderQuantity ${cfg.maxOrderQuantity}, lotSize ${cfg.lotSize})`,
    );
  }
  return cfg;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
