export interface DatabaseReadinessOptions {
  /** Time between probes, ms. */
  intervalMs: number;
  /** A probe not answered within this is a failure (a partition holds connections open), ms. */
  timeoutMs: number;
}

export interface DatabaseReadinessHooks {
  /** The database went from reachable to not (with the probe's error) or back. */
  changed(up: boolean, err?: unknown): void;
}

/**
 * Whether the database answers, for readiness: a probe (`SELECT 1` through the writers' pool)
 * every `intervalMs`, one at a time, failed when it errs or is not answered within `timeoutMs`.
 * Readiness checks are synchronous, so this keeps the last verdict for `up` to return.
 *
 * A recorder that cannot write is not ready: it still holds its consumers (messages wait in the
 * stream and are retried with the consumer's backoff), but a probe or an operator sees the outage.
 */
export class DatabaseReadiness {
  private state = true;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly options: DatabaseReadinessOptions,
    private readonly hooks: DatabaseReadinessHooks = { changed: () => undefined },
  ) {}

  /** The last verdict: true until a probe fails. */
  get up(): boolean {
    return this.state;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Probes now (unless a probe is already running) and resolves with the verdict. */
  async check(): Promise<boolean> {
    this.inFlight ??= this.runProbe().finally(() => {
      this.inFlight = undefined;
    });
    await this.inFlight;
    return this.state;
  }

  private async runProbe(): Promise<void> {
    // Down as soon as the probe is late; the next probe waits for this one to settle, so a
    // partition never piles probes up in the pool.
    const late = setTimeout(() => this.set(false, new Error(`database did not answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    try {
      await this.probe();
      this.set(true);
    } catch (err) {
      this.set(false, err);
    } finally {
      clearTimeout(late);
    }
  }

  private set(up: boolean, err?: unknown): void {
    if (up === this.state) return;
    this.state = up;
    this.hooks.changed(up, err);
  }
}
