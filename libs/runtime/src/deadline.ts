const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * What `work` settles to, or what `onTimeout` returns (or throws) if `ms` pass first. The timer is
 * cleared either way: one left pending holds the process, or a test runner, until it fires. `work`
 * is not cancelled; what it does after the deadline is the caller's to ignore or stop.
 */
export async function withDeadline<T, U>(work: PromiseLike<T>, ms: number, onTimeout: () => U | PromiseLike<U>): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    const outcome = await Promise.race([work, deadline]);
    return outcome === TIMED_OUT ? await onTimeout() : outcome;
  } finally {
    clearTimeout(timer);
  }
}
