import { PlatformError } from '@meridian/domain';

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Base of the research tools' errors: a stable code; messages name the offending key and value. */
export class ResearchError extends PlatformError {}

/** A parameter space, or parameters checked against one, that cannot be used; `field` is e.g. `space.fast.low`. */
export class InvalidSpaceError extends ResearchError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('RESEARCH_INVALID_SPACE', `${field} ${reason}, got ${shown(value)}`);
  }
}

/** Options of a study, a sampler, a pool or a walk-forward run that cannot be used; names the key. */
export class InvalidOptionError extends ResearchError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('RESEARCH_INVALID_OPTION', `${field} ${reason}, got ${shown(value)}`);
  }
}

/** A study resumed by name with a definition that differs from the stored one in `field`. */
export class StudyMismatchError extends ResearchError {
  constructor(
    readonly study: string,
    readonly field: string,
    readonly stored: unknown,
    readonly requested: unknown,
  ) {
    super(
      'RESEARCH_STUDY_MISMATCH',
      `study ${JSON.stringify(study)} is stored with ${field} ${shown(stored)} but was resumed with ${shown(requested)}; use a new name to change it`,
    );
  }
}

/** Another process is running the same study right now. */
export class StudyBusyError extends ResearchError {
  constructor(readonly study: string) {
    super('RESEARCH_STUDY_BUSY', `study ${JSON.stringify(study)} is being run by another process`);
  }
}

/** The objective module could not be loaded, or its export is not a function. */
export class ObjectiveLoadError extends ResearchError {
  constructor(
    readonly modulePath: string,
    readonly exportName: string,
    reason: string,
    cause?: unknown,
  ) {
    super('RESEARCH_OBJECTIVE_LOAD', `objective ${modulePath}#${exportName}: ${reason}`, { cause });
  }
}

/** A pool used after close, or a study whose run was aborted. */
export class PoolClosedError extends ResearchError {
  constructor(reason: string) {
    super('RESEARCH_POOL_CLOSED', reason);
  }
}

/** A study or walk-forward window in which no trial completed, so there is no best parameter set. */
export class NoCompletedTrialError extends ResearchError {
  constructor(
    readonly study: string,
    readonly failed: number,
    firstError: string | undefined,
  ) {
    super(
      'RESEARCH_NO_COMPLETED_TRIAL',
      `study ${JSON.stringify(study)} has no completed trial (${failed} failed${firstError ? `, first: ${firstError}` : ''})`,
    );
  }
}

/** A test-window evaluation in a walk-forward run that failed or returned no equity curve. */
export class WalkForwardEvaluationError extends ResearchError {
  constructor(
    readonly window: number,
    reason: string,
  ) {
    super('RESEARCH_WALK_FORWARD_EVALUATION', `walk-forward window ${window}: ${reason}`);
  }
}

/** Report input that cannot be drawn (a non-decimal equity, unordered timestamps); names the field. */
export class InvalidReportInputError extends ResearchError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('RESEARCH_INVALID_REPORT_INPUT', `${field} ${reason}, got ${shown(value)}`);
  }
}
