import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { InvalidRiskInputError } from './risk-input-error';

/**
 * A stop on a position: static at a price, or trailing the best mark since it was set by a
 * distance (absolute, or in basis points of that mark). A long's stop sits below the market, a
 * short's above.
 */
export type StopSpec =
  | { kind: 'static'; price: Decimal }
  | { kind: 'trailing'; distance: Decimal }
  | { kind: 'trailing'; distanceBps: Decimal };

/** What a triggered stop asks for: an intent that closes the position. */
export interface StopTrigger {
  symbol: string;
  /** The side that closes: SELL for a long, BUY for a short. */
  side: Side;
  quantity: Decimal;
  stopPrice: Decimal;
  mark: Decimal;
  kind: StopSpec['kind'];
}

interface StopEntry {
  spec: StopSpec;
  /** Best mark since the stop was set (highest for a long, lowest for a short); trailing only. */
  extreme: Decimal | undefined;
  /** The position the stop protects, as last told; 0 disarms it. */
  position: Decimal;
}

/**
 * The client order id of the close of a stop's revision (each arming of a symbol's stop is one):
 * deterministic, so a restarted risk cannot send a second close, and a backtest names its closes
 * as the service does.
 */
export const stopOrderId = (symbol: string, revision: bigint): string => `risk-stop-${symbol}-${revision}`;

/** Fraction digits a trailing stop's price is kept to. */
const STOP_SCALE = 12;

/**
 * Static and trailing stops per symbol, exact. The caller reports positions (`onPosition`) and
 * marks (`onMark`); a mark through the stop returns one `StopTrigger` to turn into a closing
 * intent (through risk, like any order), and the stop stays disarmed until re-set, so a mark
 * storm cannot send the close twice. A position that goes flat, or flips side, drops its stop.
 */
export class PositionStops {
  private readonly stops = new Map<string, StopEntry>();

  /**
   * Arms `symbol`'s stop on `position`, replacing any. `extreme` resumes a trailing stop's best
   * mark from a checkpoint (a restarted caller); a new stop starts without one.
   */
  set(symbol: string, spec: StopSpec, position: Decimal, extreme?: Decimal): void {
    if (!(position instanceof Decimal) || position.isZero()) throw new InvalidRiskInputError('position', position, 'must be a non-zero Decimal: a stop protects an open position');
    if (spec.kind === 'static' && !(spec.price instanceof Decimal && spec.price.isPositive())) throw new InvalidRiskInputError('price', spec.kind === 'static' ? spec.price : undefined, 'must be a positive Decimal');
    if (spec.kind === 'trailing') {
      const distance = 'distance' in spec ? spec.distance : spec.distanceBps;
      if (!(distance instanceof Decimal && distance.isPositive())) throw new InvalidRiskInputError('distance' in spec ? 'distance' : 'distanceBps', distance, 'must be a positive Decimal');
    }
    if (extreme !== undefined && !(spec.kind === 'trailing' && extreme instanceof Decimal && extreme.isPositive())) {
      throw new InvalidRiskInputError('extreme', extreme, 'must be a positive Decimal, and only for a trailing stop');
    }
    this.stops.set(symbol, { spec, extreme, position });
  }

  /** The stop armed on `symbol`: its spec, the position it protects and a trailing stop's best mark. */
  get(symbol: string): { spec: StopSpec; position: Decimal; extreme: Decimal | undefined } | undefined {
    const e = this.stops.get(symbol);
    return e === undefined ? undefined : { spec: e.spec, position: e.position, extreme: e.extreme };
  }

  /** Symbols with an armed stop. */
  symbols(): string[] {
    return [...this.stops.keys()];
  }

  clear(symbol: string): void {
    this.stops.delete(symbol);
  }

  /** The price the stop would trigger at now (undefined before a trailing stop's first mark). */
  stopPrice(symbol: string): Decimal | undefined {
    const e = this.stops.get(symbol);
    return e === undefined ? undefined : priceOf(e);
  }

  onPosition(symbol: string, position: Decimal): void {
    const e = this.stops.get(symbol);
    if (e === undefined) return;
    if (position.isZero() || position.sign() !== e.position.sign()) this.stops.delete(symbol);
    else e.position = position;
  }

  onMark(symbol: string, mark: Decimal): StopTrigger | undefined {
    const e = this.stops.get(symbol);
    if (e === undefined) return undefined;
    if (!(mark instanceof Decimal) || !mark.isPositive()) throw new InvalidRiskInputError('mark', mark, 'must be a positive Decimal');
    const long = e.position.isPositive();
    if (e.spec.kind === 'trailing' && (e.extreme === undefined || (long ? mark.gt(e.extreme) : mark.lt(e.extreme)))) e.extreme = mark;
    const stop = priceOf(e)!;
    if (long ? mark.gt(stop) : mark.lt(stop)) return undefined;
    this.stops.delete(symbol);
    return { symbol, side: long ? 'SELL' : 'BUY', quantity: e.position.abs(), stopPrice: stop, mark, kind: e.spec.kind };
  }
}

function priceOf(e: StopEntry): Decimal | undefined {
  return stopPriceOf(e.spec, e.position, e.extreme);
}

/**
 * The price a stop on `position` triggers at: a static stop's price, or a trailing stop's best
 * mark less (long) or plus (short) its distance; undefined before a trailing stop's first mark.
 */
export function stopPriceOf(spec: StopSpec, position: Decimal, extreme: Decimal | undefined): Decimal | undefined {
  if (spec.kind === 'static') return spec.price;
  if (extreme === undefined) return undefined;
  const long = position.isPositive();
  const distance = 'distance' in spec ? spec.distance : extreme.mul(spec.distanceBps).div(10_000n, STOP_SCALE, 'half-even');
  return long ? extreme.sub(distance) : extreme.add(distance);
}
