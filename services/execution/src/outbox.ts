import type { Bus } from '@meridian/bus';
import { ExecutionReport } from '@meridian/proto';

interface Pending {
  readonly subject: string;
  readonly report: ExecutionReport;
}

export interface OutboxObserver {
  published(): void;
  failed(err: unknown, attempt: number): void;
  pending(count: number): void;
}

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 5_000;

/**
 * Publishes execution reports in the order the transitions happened, retrying each until
 * JetStream stores it: a fill the venue made must reach risk and the recorder even when NATS is
 * away for a while. The report's execution id is the Nats-Msg-Id, so a retry whose first attempt
 * was stored after all is dropped by the server's duplicate window.
 */
export class ReportOutbox {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly bus: Bus,
    private readonly observer: OutboxObserver,
  ) {}

  enqueue(subject: string, report: ExecutionReport): void {
    this.queue.push({ subject, report });
    this.observer.pending(this.queue.length);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  get size(): number {
    return this.queue.length;
  }

  /** Resolves once everything queued so far is stored (or the outbox was stopped). */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /** Stops retrying; what is still queued is reported by `size` (and logged by the caller). */
  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    let attempt = 0;
    while (this.queue.length > 0 && !this.stopped) {
      const next = this.queue[0]!;
      try {
        await this.bus.publish(next.subject, ExecutionReport, next.report, { msgId: next.report.executionId });
        this.queue.shift();
        attempt = 0;
        this.observer.published();
        this.observer.pending(this.queue.length);
      } catch (err) {
        attempt += 1;
        this.observer.failed(err, attempt);
        await new Promise((r) => setTimeout(r, Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1))));
      }
    }
  }
}
