import type { BatchItem, Bus, ConsumerHandle, DurableDeclaration } from '@meridian/bus';
import type { BarStore, StoredBar } from '@meridian/history';
import { Bar } from '@meridian/proto';
import { barFromWire } from './bar-records';

export interface BarRecorderOptions {
  /** Most bars in one bulk write. */
  readonly maxBatch: number;
  /** Longest a bar waits for its batch to fill, ms. */
  readonly maxWaitMs: number;
}

export interface BarRecorderHooks {
  /** After a successful bulk write: bars handed in, and rows that changed (new, or a higher revision). */
  stored(received: number, written: number): void;
  /** A bulk write committed. */
  written(items: number, seconds: number): void;
  /** A bulk write failed; its bars are being written one by one so a bad one cannot sink the rest. */
  split(items: number, err: unknown): void;
}

/**
 * Records bars from the `recorder-bars` durable consumer into the history store in bulk writes.
 *
 * Each batch from the bus is validated bar by bar (a bar that can never be stored is a
 * PoisonMessageError: terminated and counted), written in one call, and only then acked. If the
 * bulk write fails, its bars are written one at a time, so the good ones are acked and each bad
 * one fails alone (retried with the consumer's backoff, then dead-lettered). Bars are upserted
 * keeping the highest revision, so order and redelivery do not matter.
 */
export function recordBars(bus: Bus, decl: DurableDeclaration, store: BarStore, options: BarRecorderOptions, hooks: BarRecorderHooks): Promise<ConsumerHandle> {
  const expectedSubject = (venue: string, symbol: string, interval: string) => bus.subjects.bars(venue, symbol, interval);
  const write = async (bars: readonly StoredBar[]): Promise<void> => {
    const started = process.hrtime.bigint();
    const r = await store.write(bars);
    hooks.written(bars.length, Number(process.hrtime.bigint() - started) / 1e9);
    hooks.stored(r.received, r.written);
  };
  return bus.consumeBatches(
    decl,
    Bar,
    async (items: readonly BatchItem<Bar>[]) => {
      const errors: unknown[] = new Array(items.length).fill(undefined);
      const valid: { index: number; bar: StoredBar }[] = [];
      items.forEach(({ message, delivery }, index) => {
        try {
          valid.push({ index, bar: barFromWire(message, delivery.subject, expectedSubject) });
        } catch (err) {
          errors[index] = err;
        }
      });
      if (valid.length === 0) return errors;
      try {
        await write(valid.map((v) => v.bar));
      } catch (err) {
        hooks.split(valid.length, err);
        for (const v of valid) {
          try {
            await write([v.bar]);
          } catch (one) {
            errors[v.index] = one;
          }
        }
      }
      return errors;
    },
    options,
  );
}
