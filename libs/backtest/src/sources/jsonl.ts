import { EventFormatError } from '../errors';
import { eventFromJson, eventToJson } from '../events';
import type { MarketEvent } from '../events';
import { lineChunks } from './lines';
import type { EventSource } from './source';

/** A file of events, one JSON object per line (`eventToJson`'s form); blank lines are skipped. */
export function jsonlSource(path: string, chunkSize = 4096): EventSource {
  return {
    name: path,
    async *chunks() {
      let out: MarketEvent[] = [];
      for await (const { lines, firstLine } of lineChunks(path)) {
        for (let i = 0; i < lines.length; i++) {
          const text = lines[i]!;
          if (text.trim() === '') continue;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (err) {
            throw new EventFormatError(path, firstLine + i, 'line', text.slice(0, 80), 'is not JSON', { cause: err });
          }
          out.push(eventFromJson(value, path, firstLine + i));
          if (out.length >= chunkSize) {
            yield out;
            out = [];
          }
        }
      }
      if (out.length > 0) yield out;
    },
  };
}

/** Events as JSON lines (with the final newline), for `jsonlSource` to read back. */
export function eventsToJsonl(events: Iterable<MarketEvent>): string {
  let out = '';
  for (const e of events) out += `${JSON.stringify(eventToJson(e))}\n`;
  return out;
}
