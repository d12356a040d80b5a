import { Decimal, InvalidDecimalError, InvalidSideError } from '@meridian/domain';
import type { Side as DomainSide } from '@meridian/domain';
import { Side } from './gen/meridian/v1/common';

/** Domain side of a wire side; SIDE_UNSPECIFIED and unknown values are refused. */
export function sideFromWire(side: Side): DomainSide {
  if (side === Side.SIDE_BUY) return 'BUY';
  if (side === Side.SIDE_SELL) return 'SELL';
  throw new InvalidSideError(side);
}

export function sideToWire(side: DomainSide): Side {
  return side === 'BUY' ? Side.SIDE_BUY : Side.SIDE_SELL;
}

/** Parses a decimal string field, naming the field when it is not one. */
export function decimalField(field: string, value: string): Decimal {
  try {
    return Decimal.parse(value);
  } catch {
    throw new InvalidDecimalError(value, `field ${field} must be a decimal string`);
  }
}

/** Like decimalField, but an empty string means absent. */
export function optionalDecimalField(field: string, value: string): Decimal | undefined {
  return value === '' ? undefined : decimalField(field, value);
}
