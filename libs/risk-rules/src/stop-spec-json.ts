import { Decimal } from '@meridian/domain';
import type { StopSpec } from './position-stops';
import { InvalidRiskInputError } from './risk-input-error';

/**
 * A stop spec as configuration writes it, `{"price": "…"}` (static) or `{"distance": "…"}` /
 * `{"distanceBps": "…"}` (trailing): risk's RISK_STOPS and a backtest's `risk.stops` read the
 * same form. `where` names the entry in the error (e.g. the symbol).
 */
export function stopSpecFromJson(where: string, raw: unknown): StopSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidRiskInputError(where, raw, 'must be an object {price} or {distance} or {distanceBps}');
  const entries = Object.entries(raw);
  if (entries.length !== 1) throw new InvalidRiskInputError(where, raw, 'must set exactly one of price, distance, distanceBps');
  const [key, value] = entries[0]!;
  if (key !== 'price' && key !== 'distance' && key !== 'distanceBps') throw new InvalidRiskInputError(`${where}.${key}`, value, 'is not one of price, distance, distanceBps');
  let d: Decimal;
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError('not a decimal');
    d = Decimal.parse(String(value));
  } catch {
    throw new InvalidRiskInputError(`${where}.${key}`, value, 'is not a decimal');
  }
  if (!d.isPositive()) throw new InvalidRiskInputError(`${where}.${key}`, d, 'must be positive');
  if (key === 'price') return { kind: 'static', price: d };
  return key === 'distance' ? { kind: 'trailing', distance: d } : { kind: 'trailing', distanceBps: d };
}

/** The configuration JSON of a stop spec: `stopSpecFromJson`'s inverse. */
export function stopSpecToJson(spec: StopSpec): Record<string, string> {
  if (spec.kind === 'static') return { price: spec.price.toString() };
  return 'distance' in spec ? { distance: spec.distance.toString() } : { distanceBps: spec.distanceBps.toString() };
}
