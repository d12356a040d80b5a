import { PlatformError } from '@meridian/domain';

/** Every error the backtest CLI and server raise on purpose. */
export class BacktestToolError extends PlatformError {}

/**
 * A request (a config file, a command-line option, an API body) that cannot be run; `field` is the
 * path of the offending value (`config.instruments[0].tickSize`, `data[1].path`, `--trials`), so the
 * CLI prints it and the API answers 400 naming it.
 */
export class InvalidRequestError extends BacktestToolError {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('BACKTEST_INVALID_REQUEST', `${field}: ${message}`, options);
  }
}

/** A run that was stopped before its end (cancelled through the API, or its worker terminated). */
export class RunCancelledError extends BacktestToolError {
  constructor(readonly id: string) {
    super('BACKTEST_RUN_CANCELLED', `run ${id} was cancelled`);
  }
}

/** A run id that the store does not know. */
export class RunNotFoundError extends BacktestToolError {
  constructor(readonly id: string) {
    super('BACKTEST_RUN_NOT_FOUND', `no run with id ${JSON.stringify(id)}`);
  }
}

/** The value as a message quotes it: strings quoted, objects as (short) JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}`;
  try {
    const s = JSON.stringify(value);
    if (s === undefined) return String(value);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
