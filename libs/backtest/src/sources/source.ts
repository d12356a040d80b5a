import type { MarketEvent } from '../events';

/**
 * A stream of market events in time order, delivered in chunks: a file or a database is read a
 * page at a time, and the engine pays for an `await` once per chunk rather than once per event.
 * Sources that are already in memory (or generated) may be synchronous; the merge takes both.
 */
export interface EventSource {
  /** Names the source in errors (a path, a table and series). */
  readonly name: string;
  chunks(): AsyncIterable<readonly MarketEvent[]> | Iterable<readonly MarketEvent[]>;
}

/** A source over events already in memory, in chunks of `chunkSize`. */
export function arraySource(name: string, events: readonly MarketEvent[], chunkSize = 4096): EventSource {
  return {
    name,
    *chunks() {
      for (let i = 0; i < events.length; i += chunkSize) yield events.slice(i, i + chunkSize);
    },
  };
}

/** Groups a stream of single events into chunks of up to `size`. */
export async function* chunked<T>(items: AsyncIterable<T>, size = 4096): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
