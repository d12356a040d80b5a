export { PlatformRun } from './platform-run';
export type { PlatformRunOptions, StreamHistory } from './platform-run';
export { checkInvariants, streamInvariants } from './invariants';
export type { Invariant } from './invariants';
export { runScenario, formatReport } from './runner';
export type { ScenarioReport } from './runner';
export type { Scenario, ScenarioOptions } from './scenario';
export { SCENARIOS } from './scenarios';
