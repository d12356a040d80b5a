import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { formatRecordingLine } from './recording';
import type { RecordedEntry } from './recording';

/** Where adapters report the raw traffic of a live session (frames both ways, REST bodies). */
export interface FrameRecorder {
  record(entry: RecordedEntry): void;
}

/**
 * Appends a session to a file in the platform's JSON-lines recording format, which
 * `openReplayFeed` plays back through the same adapter. A live feed cannot pause, so a slow disk
 * is never waited for: the stream queues lines in memory and `close()` flushes them. A write error
 * stops the recording (see `error`), never the feed.
 */
export class RecordingWriter implements FrameRecorder {
  private readonly out: WriteStream;
  private failed: Error | undefined;
  private entries = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: 'a' });
    this.out.on('error', (err) => (this.failed = err));
  }

  get recorded(): number {
    return this.entries;
  }

  /** The write error that stopped the recording, if any (the feed itself carries on). */
  get error(): Error | undefined {
    return this.failed;
  }

  record(entry: RecordedEntry): void {
    if (this.failed) return;
    this.out.write(`${formatRecordingLine(entry)}\n`);
    this.entries++;
  }

  async close(): Promise<void> {
    if (this.out.closed) return;
    this.out.end();
    await once(this.out, 'close');
  }
}
