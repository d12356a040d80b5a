/** Every failure of the chaos runner itself (not an invariant that broke: those are reported, not thrown). */
export class ChaosError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChaosError';
  }
}

/** The platform (or what a scenario hosts beside it) did not come up. */
export class PlatformStartError extends ChaosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'CHAOS_PLATFORM_START', options);
    this.name = 'PlatformStartError';
  }
}

/** Something a scenario waited for on the running platform did not happen in time. */
export class PlatformWaitError extends ChaosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'CHAOS_WAIT_TIMEOUT', options);
    this.name = 'PlatformWaitError';
  }
}

/** A scenario was asked to run without what it needs (its host, a cluster). */
export class ScenarioSetupError extends ChaosError {
  constructor(scenario: string, missing: string) {
    super(`${scenario} needs ${missing}`, 'CHAOS_SCENARIO_SETUP');
    this.name = 'ScenarioSetupError';
  }
}
