import { InvalidOptionError } from './errors';

export interface TimeRange {
  /** Inclusive. */
  fromMs: number;
  /** Exclusive. */
  toMs: number;
}

export interface WindowSpec {
  fromMs: number;
  toMs: number;
  trainMs: number;
  testMs: number;
  /** How far each window moves; default testMs, so the test windows tile the range. Must be ≥ testMs. */
  stepMs?: number;
  /** Left out between train and test, so indicators warmed on train data do not leak into the test. Default 0. */
  gapMs?: number;
  /** rolling: the train window moves with the test window; anchored: it always starts at fromMs and grows. Default rolling. */
  mode?: 'rolling' | 'anchored';
}

export interface WalkWindow {
  index: number;
  train: TimeRange;
  test: TimeRange;
}

/**
 * The train/test windows over [fromMs, toMs): each test window starts at or after its train
 * window's end (plus the gap) and test windows never overlap one another, so stitching them is
 * out of sample throughout. A final window whose test would run past toMs is left out.
 */
export function walkForwardWindows(spec: WindowSpec): WalkWindow[] {
  const int = (key: keyof WindowSpec, v: unknown, min: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new InvalidOptionError(`windows.${key}`, v, `must be an integer ≥ ${min}`);
    return v;
  };
  const fromMs = int('fromMs', spec.fromMs, -8.64e15);
  const toMs = int('toMs', spec.toMs, -8.64e15);
  const trainMs = int('trainMs', spec.trainMs, 1);
  const testMs = int('testMs', spec.testMs, 1);
  const stepMs = int('stepMs', spec.stepMs ?? testMs, 1);
  const gapMs = int('gapMs', spec.gapMs ?? 0, 0);
  const mode = spec.mode ?? 'rolling';
  if (mode !== 'rolling' && mode !== 'anchored') throw new InvalidOptionError('windows.mode', mode, 'must be rolling or anchored');
  if (toMs <= fromMs) throw new InvalidOptionError('windows.toMs', toMs, `must be after fromMs (${fromMs})`);
  if (stepMs < testMs) throw new InvalidOptionError('windows.stepMs', stepMs, `must be ≥ testMs (${testMs}): overlapping test windows would count the same period twice`);
  const out: WalkWindow[] = [];
  for (let k = 0; ; k++) {
    const trainFrom = mode === 'rolling' ? fromMs + k * stepMs : fromMs;
    const trainTo = mode === 'rolling' ? trainFrom + trainMs : fromMs + trainMs + k * stepMs;
    const testFrom = trainTo + gapMs;
    const testTo = testFrom + testMs;
    if (testTo > toMs) break;
    out.push({ index: k, train: { fromMs: trainFrom, toMs: trainTo }, test: { fromMs: testFrom, toMs: testTo } });
  }
  if (out.length === 0) {
    throw new InvalidOptionError('windows', spec, `no window fits: train ${trainMs} + gap ${gapMs} + test ${testMs} ms is longer than the range of ${toMs - fromMs} ms`);
  }
  return out;
}
