import { Decimal } from '@meridian/domain';
import type { OkxBookData } from '@meridian/venues';

/** Checks shared by the venue targets: what every decoded level and book promises. */

interface LevelLike {
  readonly price: Decimal;
  readonly size: Decimal;
  readonly px?: string;
  readonly sz?: string;
}

/** Prices positive; sizes positive (snapshot) or not negative (delta); the venue's text reads as the decoded value. */
export function levelsProblem(levels: readonly LevelLike[], side: string, sizes: 'positive' | 'non_negative'): string | undefined {
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (!(l.price instanceof Decimal) || !(l.size instanceof Decimal)) return `${side}[${i}] is not decimal`;
    if (!l.price.isPositive()) return `${side}[${i}] price ${l.price} accepted`;
    if (sizes === 'positive' ? !l.size.isPositive() : l.size.isNegative()) return `${side}[${i}] size ${l.size} accepted in a ${sizes === 'positive' ? 'snapshot' : 'delta'}`;
    if (l.px !== undefined && !Decimal.parse(l.px).eq(l.price)) return `${side}[${i}] text ${l.px} is not price ${l.price}`;
    if (l.sz !== undefined && !Decimal.parse(l.sz).eq(l.size)) return `${side}[${i}] text ${l.sz} is not size ${l.size}`;
  }
  return undefined;
}

export function bookProblem(book: OkxBookData, kind: 'snapshot' | 'delta'): string | undefined {
  const sizes = kind === 'snapshot' ? 'positive' : 'non_negative';
  const problem = levelsProblem(book.bids, 'bids', sizes) ?? levelsProblem(book.asks, 'asks', sizes);
  if (problem !== undefined) return problem;
  if (book.tsNs < 0n) return `negative ts ${book.tsNs}`;
  if (book.checksum !== undefined && (!Number.isInteger(book.checksum) || book.checksum < -0x80000000 || book.checksum > 0x7fffffff)) return `checksum ${book.checksum} is no signed 32-bit integer`;
  return undefined;
}

/** A canonical text of decoded values: decimals by value and scale, bigints marked, for comparing two decoders. */
export function decodedKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Decimal) return `D(${v.coef}e-${v.scale})`;
    if (typeof v === 'bigint') return `${v}n`;
    return v;
  });
}
