// Conversions between the wire's decimal strings and the book's exact levels.
import { Decimal } from '@meridian/domain';
import type { Level } from '@meridian/book';
import type { PriceLevel } from '@meridian/proto';
import { UndecodableLevelError } from './errors';

export function levelsFromWire(side: 'bids' | 'asks', levels: readonly PriceLevel[]): Level[] {
  return levels.map((l, i) => {
    try {
      return { price: Decimal.parse(l.price), size: Decimal.parse(l.size) };
    } catch (err) {
      throw new UndecodableLevelError(side, i, err);
    }
  });
}

export function levelsToWire(levels: readonly Level[]): PriceLevel[] {
  return levels.map((l) => ({ price: l.price.toString(), size: l.size.toString() }));
}

export function levelToWire(level: Level | undefined): PriceLevel | undefined {
  return level ? { price: level.price.toString(), size: level.size.toString() } : undefined;
}
