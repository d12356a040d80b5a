import { PlatformError } from '@meridian/domain';

/** Base of history errors: a stable code; messages name the series, field or value involved. */
export class HistoryError extends PlatformError {}

/** A query the store refuses before asking the database (an empty symbol, a limit out of range). */
export class InvalidHistoryQueryError extends HistoryError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('HISTORY_INVALID_QUERY', `${field} ${typeof value === 'string' ? JSON.stringify(value) : String(value)} ${reason}`);
  }
}

/** A bulk write that the database refused or could not take; nothing of it was committed. */
export class HistoryWriteError extends HistoryError {
  constructor(table: string, rows: number, cause: unknown) {
    super('HISTORY_WRITE', `writing ${rows} rows to ${table} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}
