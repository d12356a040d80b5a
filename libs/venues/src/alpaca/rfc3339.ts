import { describe } from '../decode';
import { FrameRejectedError } from '../errors';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), exact in integers. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * An RFC 3339 timestamp (`2024-03-05T14:30:00.123456789Z`, or with a `±hh:mm` offset) as
 * nanoseconds since the epoch, exactly: `Date` keeps milliseconds only, and Alpaca's SIP
 * timestamps carry nanoseconds. Undefined when the text is not a valid timestamp (bad field
 * ranges included; a leap second `:60` cannot be represented and is refused).
 */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, fraction = '', sign, ohs, oms] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (month < 1 || month > 12) return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const oh = Number(ohs);
    const om = Number(oms);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Local time minus the offset is UTC.
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60;
  return BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
}

/** A frame field holding an RFC 3339 timestamp, as ns; a counted `schema` rejection otherwise. */
export function rfc3339Nanos(value: unknown, what: string): bigint {
  const ns = typeof value === 'string' ? parseRfc3339Nanos(value) : undefined;
  if (ns === undefined) throw new FrameRejectedError('schema', `${what}: expected an RFC 3339 timestamp, got ${describe(value)}`);
  return ns;
}
