import { PlatformError } from '@meridian/domain';
import { Broken, Refused } from './target';
import type { FuzzTarget, OutcomeKind, Verdict } from './target';

/** One call's outcome: its kind, what the table tallies it under, and the detail for a failure. */
export interface Outcome {
  readonly kind: OutcomeKind;
  /** `accepted`, `rejected` by code (`FRAME_REJECTED/schema`, `grpc:INVALID_ARGUMENT`), or the crash's kind. */
  readonly key: string;
  readonly detail: string;
  readonly ms: number;
}

const ACCEPTED_KEY = 'accepted';

function firstLine(text: string, max = 160): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A PlatformError's tally key: its code, and the reason its class carries where it has one (FrameRejectedError, PoisonMessageError). */
function rejectionKey(err: PlatformError): string {
  const reason = (err as PlatformError & { reason?: unknown }).reason;
  return typeof reason === 'string' ? `${err.code}/${reason}` : err.code;
}

/** Classifies what a call returned or threw; `ms` is how long it took. */
export function classify(target: FuzzTarget, result: { verdict: Verdict } | { error: unknown }, ms: number, budgetMs: number): Outcome {
  if (ms > budgetMs) {
    const what = 'error' in result ? `threw after ${ms.toFixed(0)} ms` : `returned after ${ms.toFixed(0)} ms`;
    return { kind: 'hang', key: 'over budget', detail: `${what}, over the ${budgetMs} ms budget`, ms };
  }
  if (!('error' in result)) {
    const problem = result.verdict;
    if (typeof problem === 'string') return { kind: 'crash', key: 'invariant broken', detail: problem, ms };
    return { kind: 'accepted', key: ACCEPTED_KEY, detail: '', ms };
  }
  const err = result.error;
  if (err instanceof Refused) return { kind: 'rejected', key: err.key, detail: err.message, ms };
  if (err instanceof Broken) return { kind: 'crash', key: 'invariant broken', detail: err.message, ms };
  if (err instanceof PlatformError) {
    if (target.codes.includes(err.code)) return { kind: 'rejected', key: rejectionKey(err), detail: err.message, ms };
    return { kind: 'crash', key: `undocumented ${err.code}`, detail: `${err.name} ${err.code}: ${firstLine(err.message)}`, ms };
  }
  if (err instanceof Error) return { kind: 'crash', key: `untyped ${err.name}`, detail: `${err.name}: ${firstLine(err.message)}`, ms };
  return { kind: 'crash', key: 'non-error thrown', detail: `threw ${typeof err}: ${firstLine(String(err))}`, ms };
}
