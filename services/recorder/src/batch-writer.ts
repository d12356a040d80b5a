export interface BatchWriterOptions {
  /** A batch is written as soon as it holds this many items. */
  readonly maxItems: number;
  /** …or when its first item has waited this long, ms. */
  readonly maxWaitMs: number;
}

export interface BatchWriterHooks {
  /** A batch was written whole. */
  written(items: number, seconds: number): void;
  /** A batch write failed; its items are being retried one by one so a bad one cannot sink the rest. */
  split(items: number, err: unknown): void;
}

interface Entry<T> {
  readonly item: T;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Gathers items from concurrent callers into one bulk write. `add` resolves once the item's batch
 * is written and rejects if it was not, so a caller acks its message only after the write
 * succeeded. A failed batch is retried item by item: the items that are fine resolve, each bad
 * one rejects with its own error.
 */
export class BatchWriter<T> {
  private batch: Entry<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly options: BatchWriterOptions,
    private readonly hooks: BatchWriterHooks,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.batch.push({ item, resolve, reject });
      if (this.batch.length >= this.options.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  /** Writes what is gathered now and waits for every write in flight. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entries = this.batch;
    if (entries.length === 0) return;
    this.batch = [];
    const done = this.writeBatch(entries).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  /** Never rejects: every outcome goes to the entries' promises. */
  private async writeBatch(entries: Entry<T>[]): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await this.write(entries.map((e) => e.item));
      this.hooks.written(entries.length, Number(process.hrtime.bigint() - started) / 1e9);
      for (const e of entries) e.resolve();
      return;
    } catch (err) {
      if (entries.length === 1) {
        entries[0]!.reject(err);
        return;
      }
      this.hooks.split(entries.length, err);
    }
    for (const e of entries) {
      try {
        await this.write([e.item]);
        e.resolve();
      } catch (err) {
        e.reject(err);
      }
    }
  }
}
