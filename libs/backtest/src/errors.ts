import { DomainError } from '@meridian/domain';

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value !== null && typeof value === 'object') {
    const text = String(value);
    if (text !== '[object Object]' && !Array.isArray(value)) return text;
    try {
      return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? text;
    } catch {
      return text;
    }
  }
  return String(value);
}

/** Every error the backtester throws on purpose. */
export class BacktestError extends DomainError {}

/**
 * A configuration value the backtester cannot run with; `key` is its path, e.g.
 * `risk.limits.global.maxPosition`. `omitValue` when the reason already shows the value (a
 * checker's own message).
 */
export class BacktestConfigError extends BacktestError {
  constructor(
    readonly key: string,
    readonly value: unknown,
    reason: string,
    options?: { readonly cause?: unknown; readonly omitValue?: boolean },
  ) {
    super('BACKTEST_INVALID_CONFIG', `backtest ${key}: ${options?.omitValue ? '' : `${shown(value)} `}${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A row or record of an input that does not follow its format; names the source, the line (or record) and the field. */
export class EventFormatError extends BacktestError {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly field: string,
    readonly value: unknown,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('BACKTEST_EVENT_FORMAT', `${source} line ${line}: ${field} ${shown(value)} ${reason}`, options);
  }
}

/** A source whose events go back in time: the merge relies on each source being in time order. */
export class EventOrderError extends BacktestError {
  constructor(
    readonly source: string,
    readonly index: number,
    readonly tsNs: bigint,
    readonly previousNs: bigint,
  ) {
    super('BACKTEST_EVENT_ORDER', `${source}: event ${index} at ${tsNs} ns comes after one at ${previousNs} ns: a source must be in time order`);
  }
}

/** An event for a symbol the run was not configured with. */
export class UnknownSymbolEventError extends BacktestError {
  constructor(
    readonly symbol: string,
    readonly known: readonly string[],
  ) {
    super('BACKTEST_UNKNOWN_SYMBOL', `event for symbol ${JSON.stringify(symbol)}, not one of the run's instruments (${known.join(', ')})`);
  }
}

/** A strategy asked for something the engine cannot do (an intent without a quantity, an unknown symbol…). */
export class InvalidIntentError extends BacktestError {
  constructor(
    readonly strategy: string,
    readonly field: string,
    readonly value: unknown,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('BACKTEST_INVALID_INTENT', `strategy ${JSON.stringify(strategy)}: intent ${field} ${shown(value)} ${reason}`, options);
  }
}

/** A model that cannot be used as asked (wrong width, non-finite output, nothing to fit). */
export class ModelError extends BacktestError {
  constructor(
    readonly model: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('BACKTEST_MODEL', `model ${JSON.stringify(model)}: ${reason}`, options);
  }
}
