import { InvalidSideError } from './errors';

export type Side = 'BUY' | 'SELL';

export function parseSide(raw: string): Side {
  const s = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  if (s === 'BUY' || s === 'SELL') return s;
  throw new InvalidSideError(raw);
}

/** +1 for a buy, -1 for a sell: the sign a fill adds to a position. */
export function sideSign(side: Side): 1 | -1 {
  return side === 'BUY' ? 1 : -1;
}

export function oppositeSide(side: Side): Side {
  return side === 'BUY' ? 'SELL' : 'BUY';
}
