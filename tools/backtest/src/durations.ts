import { InvalidRequestError } from './errors';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `90d`, `12h`, `30m`, `2w`, `500ms` (or a bare number of ms) as milliseconds. */
export function parseDuration(field: string, text: string | undefined, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new InvalidRequestError(field, 'is required (e.g. 90d, 12h, 30m)');
    return fallback;
  }
  const m = /^(\d+)(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new InvalidRequestError(field, `must be a duration such as 90d, 12h, 30m, 2w or 500ms, got ${JSON.stringify(text)}`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 'ms']!;
  if (!Number.isSafeInteger(ms)) throw new InvalidRequestError(field, `${text} is too long`);
  return ms;
}
