import { InvalidDatasetError } from './errors';

/** Rows [start, end) of one series. */
export interface Segment {
  readonly start: number;
  readonly end: number;
}

/**
 * One walk-forward fold: the model trains on targets in `train`, early-stops on `validation`,
 * and is scored on `test`, each strictly after the one before. Inputs of a validation or test
 * window may reach back into earlier segments (the past is known); targets never cross forward.
 */
export interface Fold {
  readonly index: number;
  readonly train: Segment;
  readonly validation: Segment;
  readonly test: Segment;
}

export interface WalkForwardOptions {
  /** Rows in the series. */
  readonly length: number;
  readonly folds: number;
  /** Rows per test segment; the folds' test segments tile the end of the series. */
  readonly testSize: number;
  /** Rows of the validation segment just before each test segment. */
  readonly validationSize: number;
  /** The first fold's training segment must hold at least this many rows. */
  readonly minTrainSize: number;
}

/**
 * Expanding-window walk-forward folds: fold k (0-based, of n) tests on
 * [length − (n − k)·testSize, + testSize), validates on the validationSize rows before that, and
 * trains on everything before the validation segment. The last fold tests on the end of the series.
 */
export function walkForwardSplits(o: WalkForwardOptions): Fold[] {
  const int = (key: keyof WalkForwardOptions, min: number) => {
    const v = o[key];
    if (!Number.isSafeInteger(v) || v < min) throw new InvalidDatasetError(`splits.${key}`, v, `must be an integer ≥ ${min}`);
  };
  int('length', 1);
  int('folds', 1);
  int('testSize', 1);
  int('validationSize', 1);
  int('minTrainSize', 1);
  const firstTest = o.length - o.folds * o.testSize;
  const firstTrainEnd = firstTest - o.validationSize;
  if (firstTrainEnd < o.minTrainSize) {
    throw new InvalidDatasetError('splits.length', o.length, `is too short for ${o.folds} folds of ${o.testSize} test rows, ${o.validationSize} validation rows and ≥ ${o.minTrainSize} training rows`);
  }
  const folds: Fold[] = [];
  for (let k = 0; k < o.folds; k++) {
    const testStart = firstTest + k * o.testSize;
    const valStart = testStart - o.validationSize;
    folds.push({ index: k, train: { start: 0, end: valStart }, validation: { start: valStart, end: testStart }, test: { start: testStart, end: testStart + o.testSize } });
  }
  return folds;
}
