import type { LatencyModel } from '@meridian/venue-sim';
import { PaperConfigError } from './errors';

interface Pending {
  readonly label: string;
  readonly atNs: bigint;
  readonly run: () => void;
  readonly fail: (error: Error) => void;
}

/**
 * Delivers requests to the exchange after the modelled latency, in the order they were sent (as
 * one connection would: a request never overtakes an earlier one, so a cancel cannot reach the
 * engine before the order it cancels). Each request arrives at max(sent + latency, previous
 * arrival); one timer waits for the head of the line. Node's timers can fire up to a millisecond
 * early against the monotonic clock, so a due time is checked against it and the timer re-armed
 * when early: a request never arrives before its modelled latency has passed.
 */
export class LatencyLine {
  private readonly line: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  private lastArrivalNs = 0n;

  constructor(
    private readonly latency: LatencyModel | undefined,
    private readonly random: () => number,
    private readonly clock: () => bigint,
  ) {}

  /** Runs `work` once the request (`label` names it in errors) has arrived; the promise settles with what it returns or throws. */
  send<T>(label: string, work: () => T): Promise<T> {
    const delay = this.latency === undefined ? 0n : this.latency.sample(this.random);
    if (typeof delay !== 'bigint' || delay < 0n) throw new PaperConfigError('latency.sample()', delay, 'must return a non-negative bigint of nanoseconds');
    const sent = this.clock();
    const atNs = sent + delay > this.lastArrivalNs ? sent + delay : this.lastArrivalNs;
    this.lastArrivalNs = atNs;
    return new Promise<T>((resolve, reject) => {
      this.line.push({
        label,
        atNs,
        run: () => {
          try {
            resolve(work());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
        fail: reject,
      });
      this.arm();
    });
  }

  /** Requests still on their way. */
  get pending(): number {
    return this.line.length;
  }

  /** Fails every request still on its way and stops the timer. */
  abort(error: (label: string) => Error): void {
    this.disarm();
    for (const p of this.line.splice(0)) p.fail(error(p.label));
  }

  private arm(): void {
    if (this.timer !== undefined || this.line.length === 0) return;
    const waitNs = this.line[0]!.atNs - this.clock();
    if (waitNs <= 0n) {
      this.timer = setImmediate(() => this.deliver());
    } else {
      this.timer = setTimeout(() => this.deliver(), Math.ceil(Number(waitNs) / 1e6));
    }
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as ReturnType<typeof setTimeout>);
    clearImmediate(this.timer as ReturnType<typeof setImmediate>);
    this.timer = undefined;
  }

  private deliver(): void {
    this.timer = undefined;
    const now = this.clock();
    while (this.line.length > 0 && this.line[0]!.atNs <= now) this.line.shift()!.run();
    this.arm();
  }
}
