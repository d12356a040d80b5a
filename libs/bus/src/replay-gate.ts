/**
 * Waits until every replay registered with it has caught up: services rebuild their state by
 * following several streams from the start and must not act before all of them are done.
 */
export class ReplayGate {
  private pending = 0;
  private waiting = false;
  private release!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.release = resolve));

  /** A callback for one replay's `onCaughtUp`; calling it more than once counts once. */
  expect(): () => void {
    this.pending += 1;
    let called = false;
    return () => {
      if (called) return;
      called = true;
      this.pending -= 1;
      this.check();
    };
  }

  /** Resolves once every expected replay has caught up (call after registering them all). */
  wait(): Promise<void> {
    this.waiting = true;
    this.check();
    return this.done;
  }

  private check(): void {
    if (this.waiting && this.pending === 0) this.release();
  }
}
