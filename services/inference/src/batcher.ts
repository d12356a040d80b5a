/** What a batch run reports, for the metrics. */
export interface BatchObserver {
  ran(size: number, oldestWaitNs: number, runNs: number, failed: boolean): void;
}

interface Pending<I, O> {
  readonly input: I;
  readonly enqueuedNs: bigint;
  resolve(output: O): void;
  reject(err: unknown): void;
}

/**
 * Gathers single forecasts into batches: a batch runs when `maxBatch` are waiting, or when the
 * oldest has waited `maxWaitNs`, and never while the previous batch of the same model runs (what
 * arrives meanwhile forms the next batch). onnxruntime-node runs a session synchronously on the
 * event-loop thread, so a batch of 64 costs far less than 64 runs of one; each caller gets its
 * own row back, and a failed run fails every caller of that batch only.
 *
 * Waits under a millisecond cannot use a timer (Node's resolution is 1 ms): they yield with
 * setImmediate until the deadline, which lets I/O (more gRPC calls, more bars) in between.
 */
export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private running = false;
  private scheduled = false;
  private timer: { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate } | undefined;
  private idle: (() => void)[] = [];

  constructor(
    private readonly maxBatch: number,
    private readonly maxWaitNs: bigint,
    private readonly runBatch: (inputs: readonly I[]) => Promise<readonly O[]>,
    private readonly observer?: BatchObserver,
  ) {
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch ${maxBatch} must be a positive integer`);
    if (maxWaitNs < 0n) throw new RangeError(`maxWaitNs ${maxWaitNs} must not be negative`);
  }

  get pending(): number {
    return this.queue.length;
  }

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, enqueuedNs: process.hrtime.bigint(), resolve, reject });
      // A full batch need not wait out the timer another caller started.
      if (this.scheduled && !this.running && this.queue.length === this.maxBatch) this.cancelWait();
      this.schedule();
    });
  }

  /** Resolves once nothing is queued or running (a retired model's last callers have their answers). */
  drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    this.waitOrRun();
  }

  private cancelWait(): void {
    if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
    else if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
    this.timer = undefined;
    this.scheduled = false;
  }

  private waitOrRun(): void {
    const remainingNs = this.maxWaitNs === 0n ? 0n : this.queue[0]!.enqueuedNs + this.maxWaitNs - process.hrtime.bigint();
    if (this.queue.length >= this.maxBatch || remainingNs <= 0n) this.timer = { kind: 'immediate', handle: setImmediate(() => void this.flush()) };
    else if (remainingNs >= 1_000_000n) this.timer = { kind: 'timeout', handle: setTimeout(() => this.waitOrRun(), Number(remainingNs / 1_000_000n)) };
    else this.timer = { kind: 'immediate', handle: setImmediate(() => this.waitOrRun()) };
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.timer = undefined;
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return this.settle();
    this.running = true;
    const started = process.hrtime.bigint();
    const oldestWaitNs = Number(started - batch[0]!.enqueuedNs);
    let outputs: readonly O[] | undefined;
    let error: unknown;
    try {
      outputs = await this.runBatch(batch.map((p) => p.input));
      if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} gave ${outputs.length} outputs`);
    } catch (err) {
      error = err ?? new Error('batch failed');
    }
    this.running = false;
    this.observer?.ran(batch.length, oldestWaitNs, Number(process.hrtime.bigint() - started), error !== undefined);
    if (error !== undefined) for (const p of batch) p.reject(error);
    else batch.forEach((p, i) => p.resolve(outputs![i]!));
    this.settle();
  }

  private settle(): void {
    if (this.queue.length > 0) return this.schedule();
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}
