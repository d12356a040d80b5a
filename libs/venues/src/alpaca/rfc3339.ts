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

/** Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days), exact in integers. */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * Nanoseconds since the epoch as RFC 3339 in UTC, exactly, the way Alpaca writes its timestamps
 * (`2021-03-16T18:38:01.942282Z`): the fraction keeps its significant digits (none when whole
 * seconds). The inverse of `parseRfc3339Nanos` for every time from year 0 to 9999.
 */
export function formatRfc3339Nanos(ns: bigint): string {
  let seconds = ns / 1_000_000_000n;
  let fraction = ns % 1_000_000_000n;
  if (fraction < 0n) {
    fraction += 1_000_000_000n;
    seconds -= 1n;
  }
  let days = seconds / 86_400n;
  let secondOfDay = seconds % 86_400n;
  if (secondOfDay < 0n) {
    secondOfDay += 86_400n;
    days -= 1n;
  }
  const { year, month, day } = civilFromDays(Number(days));
  const s = Number(secondOfDay);
  const time = `${pad(Math.floor(s / 3_600), 2)}:${pad(Math.floor((s % 3_600) / 60), 2)}:${pad(s % 60, 2)}`;
  const digits = fraction === 0n ? '' : `.${fraction.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}${digits}Z`;
}

/** A frame field holding an RFC 3339 timestamp, as ns; a counted `schema` rejection otherwise. */
export function rfc3339Nanos(value: unknown, what: string): bigint {
  const ns = typeof value === 'string' ? parseRfc3339Nanos(value) : undefined;
  if (ns === undefined) throw new FrameRejectedError('schema', `${what}: expected an RFC 3339 timestamp, got ${describe(value)}`);
  return ns;
}
