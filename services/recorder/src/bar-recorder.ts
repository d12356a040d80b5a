import type { Bus, ConsumerHandle, DurableDeclaration } from '@meridian/bus';
import type { BarStore, StoredBar } from '@meridian/history';
import { Bar } from '@meridian/proto';
import { barFromWire } from './bar-records';
import { BatchWriter } from './batch-writer';
import type { BatchWriterHooks } from './batch-writer';

export interface BarRecorderOptions {
  /** Most bars in one bulk write; also how many bar messages are in hand at once. */
  readonly maxBatch: number;
  /** Longest a bar waits for its batch to fill, ms. */
  readonly maxWaitMs: number;
}

export interface BarRecorderHooks extends BatchWriterHooks {
  /** After a successful bulk write: bars handed in, and rows that changed (new, or a higher revision). */
  stored(received: number, written: number): void;
}

/**
 * Records bars from the `recorder-bars` durable consumer into the history store, in batches.
 *
 * The bus handles a consumer's messages one at a time and acks each when its handler returns, so
 * batching runs `maxBatch` consumer loops on the one durable: each loop validates its message
 * (an invalid bar is a PoisonMessageError, terminated and counted by the bus), hands it to the
 * batch writer and waits for the batch to be written before returning. A message is therefore
 * acked only after the write that holds it committed; a failed write fails its messages, which the
 * bus naks for redelivery with the consumer's backoff. Bars are upserted keeping the highest
 * revision, so order and redelivery do not matter.
 */
export async function recordBars(
  bus: Bus,
  decl: DurableDeclaration,
  store: BarStore,
  options: BarRecorderOptions,
  hooks: BarRecorderHooks,
): Promise<{ handles: ConsumerHandle[]; writer: BatchWriter<StoredBar> }> {
  const writer = new BatchWriter<StoredBar>(
    async (bars) => {
      const r = await store.write(bars);
      hooks.stored(r.received, r.written);
    },
    { maxItems: options.maxBatch, maxWaitMs: options.maxWaitMs },
    hooks,
  );
  // bus.consume pulls min(max_ack_pending, 256) messages per loop; one per loop keeps every pulled
  // message in a loop's hands (in the batch being gathered) instead of queued behind another
  // message of the same loop. The durable's own max_ack_pending (4096) still bounds the total.
  const oneAtATime: DurableDeclaration = { ...decl, config: { ...decl.config, max_ack_pending: 1 } };
  const expectedSubject = (venue: string, symbol: string, interval: string) => bus.subjects.bars(venue, symbol, interval);
  const handles: ConsumerHandle[] = [];
  try {
    for (let i = 0; i < options.maxBatch; i++) {
      handles.push(
        await bus.consume(oneAtATime, Bar, (bar, delivery) => writer.add(barFromWire(bar, delivery.subject, expectedSubject))),
      );
    }
  } catch (err) {
    await Promise.all(handles.map((h) => h.stop()));
    throw err;
  }
  return { handles, writer };
}
