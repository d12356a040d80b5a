import fc from 'fast-check';
import { parseBarInterval, timeBarInterval, volumeBarInterval } from '@meridian/signals';
import { anyText, decimalText, mangledText } from '../arbitraries';
import { target } from '../target';

const token = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2_000_000_000 }), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'S', 'M', 'us', '')).map(([n, u]) => `${n}${u}`),
  fc.tuple(fc.constantFrom('1', '5', '15', '60', '90', '100', '1000', '999999999', '0', '01'), fc.constantFrom('ms', 's', 'm', 'h', 'd')).map(([n, u]) => n + u),
  decimalText.map((t) => `v${t.replace('.', 'p')}`),
  fc.constantFrom('v', 'vp', 'v0', 'v0p', 'v0p0', 'v01', 'v1p50', 'v-1', `v0p${'0'.repeat(40)}1`, `v${'9'.repeat(60)}`, `v1p${'1'.repeat(37)}`),
);

/** `parseBarInterval` (libs/signals): bar subjects' last token, GetBars requests, recorder messages. */
export const barInterval = target<string>({
  name: 'signals.bar-interval',
  calls: 'libs/signals parseBarInterval',
  weight: 40,
  ciRuns: 300,
  codes: ['INVALID_BAR_INTERVAL'],
  arbitrary: fc.oneof({ weight: 4, arbitrary: token }, { weight: 1, arbitrary: mangledText(token) }, { weight: 1, arbitrary: anyText }),
  run(text) {
    const interval = parseBarInterval(text);
    if (interval.token !== text) return `${JSON.stringify(text)} accepted as token ${interval.token}`;
    if (interval.kind === 'time') {
      if (interval.ns <= 0n) return `${text}: non-positive interval ${interval.ns} ns`;
      if (timeBarInterval(interval.ns).token !== text) return `${text}: not the canonical spelling of ${interval.ns} ns`;
    } else {
      if (!interval.size.isPositive()) return `${text}: non-positive volume ${interval.size}`;
      if (volumeBarInterval(interval.size).token !== text) return `${text}: not the canonical spelling of volume ${interval.size}`;
    }
    return undefined;
  },
});
