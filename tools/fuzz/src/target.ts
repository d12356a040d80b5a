import type { Arbitrary } from 'fast-check';

/**
 * How one generated input fared against a decoder:
 * - `accepted`: it returned a value, and the value keeps the decoder's own invariants;
 * - `rejected`: it refused the input the documented way (one of the project's typed errors with a
 *   code the decoder documents, or the transport's refusal, e.g. a gRPC INVALID_ARGUMENT);
 * - `crash`: anything else: an untyped exception, an undocumented error code, an accepted value
 *   that breaks an invariant, a refusal of the wrong kind (a message that would be retried forever);
 * - `hang`: the call took longer than the time budget.
 */
export type OutcomeKind = 'accepted' | 'rejected' | 'crash' | 'hang';

export const OUTCOME_KINDS: readonly OutcomeKind[] = ['accepted', 'rejected', 'crash', 'hang'];

/**
 * Thrown by a target to say the handler refused the input in its documented way when that refusal
 * is not a `PlatformError` (a gRPC status, the bus terminating a message): `key` is what the table
 * tallies, e.g. `grpc:INVALID_ARGUMENT`.
 */
export class Refused extends Error {
  constructor(readonly key: string, detail = key) {
    super(detail);
    this.name = 'Refused';
  }
}

/** Thrown by a target when the handler's answer is wrong (an invariant broken, a refusal of the wrong kind). */
export class Broken extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'Broken';
  }
}

/** Thrown by a target's `setup` when a server it needs is not reachable: the target is reported as skipped. */
export class Unavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unavailable';
  }
}

/** What a target's `run` returns: nothing when the accepted value holds, or what it broke. */
export type Verdict = string | undefined | void;

/** Servers a target needs; without them it is skipped with a message (CI has both). */
export type Requirement = 'nats' | 'postgres';

/**
 * One decoder or handler under fuzz. `run` calls the real code with one generated input and checks
 * what it accepted; throwing is how the code under test refuses (the runner classifies the throw).
 */
export interface FuzzTarget<T = unknown, C = unknown> {
  /** `<area>.<decoder>`, e.g. `okx.frame`: what `--target` selects (a prefix selects a group). */
  readonly name: string;
  /** What is called, for the report: `libs/venues okx/protocol decodeFrame`. */
  readonly calls: string;
  /** Share of the on-demand total; slow targets (sockets, servers) weigh less. */
  readonly weight: number;
  /** Runs of this target in the CI subset. */
  readonly ciRuns: number;
  /** The `code` values of `PlatformError`s that count as a documented refusal. */
  readonly codes: readonly string[];
  readonly requires?: readonly Requirement[];
  /** `run` returns a promise (a socket, a server): the runner awaits it under the time budget. */
  readonly async?: true;
  readonly arbitrary: Arbitrary<T>;
  /** Once per target run, before the first input (servers, services). */
  setup?(): Promise<C>;
  teardown?(context: C): Promise<void>;
  run(input: T, context: C): Verdict | Promise<Verdict>;
}

/** Erases a target's types for lists of targets (each target stays typed inside its own module). */
export function target<T, C = undefined>(t: FuzzTarget<T, C>): FuzzTarget {
  return t as unknown as FuzzTarget;
}
