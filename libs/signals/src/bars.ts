/**
 * The models' floating-point view of one time bar (trades with `startMs <= ts < endMs`): statistics,
 * not money. The exact bars themselves are built once, by ingestion (`createBarAggregator`), and
 * published; consumers convert the wire bar to this.
 */
export interface Bar {
  readonly startMs: number;
  /** Exclusive. */
  readonly endMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly trades: number;
}
