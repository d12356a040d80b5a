import { DomainError } from '@meridian/domain';

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value !== null && typeof value === 'object' && typeof (value as { toString?: unknown }).toString === 'function') {
    const text = String(value);
    if (text !== '[object Object]') return text;
  }
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    // A cyclic object cannot be printed as JSON; its type is still worth naming.
    return Object.prototype.toString.call(value);
  }
}

/** A parent order (or its algorithm's parameters) that cannot be run; `field` is the offending key, e.g. `algo.profile[3]`. */
export class InvalidParentOrderError extends DomainError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_PARENT_ORDER', `${field} ${reason}, got ${shown(value)}`);
  }
}

/** An input handed to a running parent order (market update, child update, bars) that cannot be used; names the field. */
export class InvalidAlgoInputError extends DomainError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('INVALID_ALGO_INPUT', `${field} ${reason}, got ${shown(value)}`);
  }
}

/** A child update or restored child that names a client order id this parent never sent. */
export class UnknownChildOrderError extends DomainError {
  constructor(
    readonly parentId: string,
    readonly clientOrderId: string,
  ) {
    super('UNKNOWN_CHILD_ORDER', `parent ${parentId} has no child ${JSON.stringify(clientOrderId)}`);
  }
}

/**
 * A child update that contradicts what the parent knows of the child (a fill beyond its quantity,
 * a fill after it ended): the venue and the parent disagree, which must stop the parent, not be
 * averaged away.
 */
export class ChildUpdateConflictError extends DomainError {
  constructor(
    readonly clientOrderId: string,
    message: string,
  ) {
    super('CHILD_UPDATE_CONFLICT', `child ${clientOrderId}: ${message}`);
  }
}

/** An algorithm asked for something its guarantees forbid (more than the parent quantity): a bug, never sent. */
export class AlgoInvariantError extends DomainError {
  constructor(
    readonly parentId: string,
    message: string,
  ) {
    super('ALGO_INVARIANT', `parent ${parentId}: ${message}`);
  }
}
