/** Messages from a backtest worker thread to the server. */
export type FromRunWorker =
  | { type: 'progress'; events: number; total: number | null }
  | { type: 'done'; result: string; summary: RunSummary }
  | { type: 'error'; name: string; message: string; field?: string };

/** The headline of a backtest's result, kept beside it for listings. */
export interface RunSummary {
  readonly currency: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly startNs: string | null;
  readonly endNs: string | null;
  readonly metrics: unknown;
  readonly counts: unknown;
}
