import type { Bus } from '@meridian/bus';
import { BookSnapshot, BookUpdateBatch } from '@meridian/proto';
import type { BookKeeper } from './book-keeper';
import { BookResumeError } from './errors';

/** Where a book starts following `md.<venue>.<symbol>.book`, and why. */
export interface ResumePlan {
  /**
   * `checkpoint`: the book was loaded from its last BOOKS checkpoint and continues right after it.
   * `venue_snapshot`: from the latest book message in the stream that holds a venue snapshot.
   * `now`: after the stream's end; the book syncs at the venue's next snapshot.
   */
  readonly from: 'checkpoint' | 'venue_snapshot' | 'now';
  /** MARKET stream sequence to follow from (inclusive). */
  readonly startSeq: number;
  /** Why a checkpoint was not used, when it was not. */
  readonly reason?: string;
}

/** First scan window below the stream's end, in stream sequences; each further one is 4× wider. */
const FIRST_SCAN_WINDOW = 1_024;

/**
 * Decides where one book resumes after a start, loading its checkpoint into `keeper` when the
 * stream still holds everything after it: so a restart needs neither a new venue snapshot nor a
 * replay of the whole stream.
 */
export async function planResume(bus: Bus, keeper: BookKeeper): Promise<ResumePlan> {
  try {
    return await decide(bus, keeper);
  } catch (err) {
    throw new BookResumeError(keeper.venue, keeper.symbol, err);
  }
}

async function decide(bus: Bus, keeper: BookKeeper): Promise<ResumePlan> {
  const stream = bus.topology.streamName('MARKET');
  const subject = bus.subjects.marketData(keeper.venue, keeper.symbol, 'book');
  const checkpoint = await bus.lastValue('BOOKS', bus.subjects.bookSnapshot(keeper.venue, keeper.symbol), BookSnapshot);
  const { state } = await bus.jsm.streams.info(stream);

  let reason: string;
  if (checkpoint === undefined) {
    reason = 'no checkpoint';
  } else {
    const last = Number(checkpoint.marketStreamSeq);
    if (last > state.last_seq) {
      // The stream was recreated or purged past the checkpoint: its sequences mean something else now.
      reason = `checkpoint at stream sequence ${last} is beyond the stream's last sequence ${state.last_seq}`;
    } else if (state.first_seq > last + 1) {
      // Limits retention dropped messages the checkpoint had not folded in yet.
      reason = `checkpoint at stream sequence ${last} is older than the stream's first sequence ${state.first_seq}`;
    } else {
      const restored = keeper.restore(checkpoint);
      if (restored.ok) return { from: 'checkpoint', startSeq: last + 1 };
      reason = `checkpoint refused (${restored.reason}): ${restored.detail}`;
    }
  }

  const snapshotSeq = await latestVenueSnapshot(bus, stream, subject, state.first_seq);
  if (snapshotSeq !== undefined) return { from: 'venue_snapshot', startSeq: snapshotSeq, reason };
  // Everything published from here on is followed, so a snapshot racing this start is not lost.
  return { from: 'now', startSeq: state.last_seq + 1, reason };
}

/**
 * The stream sequence of the newest message on `subject` holding a venue snapshot, or undefined.
 * JetStream reads forward only, so this scans windows below the subject's last message, each
 * four times wider than the one before: the cost is about twice the messages since the snapshot.
 */
async function latestVenueSnapshot(bus: Bus, stream: string, subject: string, firstSeq: number): Promise<number | undefined> {
  const lastMessage = await bus.jsm.streams.getMessage(stream, { last_by_subj: subject });
  if (lastMessage === null) return undefined;
  if (holdsSnapshot(lastMessage.data)) return lastMessage.seq;
  let end = lastMessage.seq;
  for (let width = FIRST_SCAN_WINDOW; end > firstSeq; width *= 4) {
    const start = Math.max(firstSeq, end - width);
    const found = await latestSnapshotBetween(bus, subject, start, end);
    if (found !== undefined) return found;
    end = start;
  }
  return undefined;
}

/** Newest snapshot-holding message on `subject` with a stream sequence in [start, end). */
async function latestSnapshotBetween(bus: Bus, subject: string, start: number, end: number): Promise<number | undefined> {
  let latest: number | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const handle = await bus.follow(
    'MARKET',
    subject,
    BookUpdateBatch,
    (batch, delivery) => {
      if (delivery.streamSequence >= end) finish();
      else if (batch.updates.some((u) => u.snapshot)) latest = delivery.streamSequence;
    },
    // Caught up covers a window whose later messages were removed meanwhile.
    { deliver: { startSeq: start }, onCaughtUp: () => finish() },
  );
  await finished;
  await handle.stop();
  return latest;
}

function holdsSnapshot(data: Uint8Array): boolean {
  try {
    return BookUpdateBatch.decode(data).updates.some((u) => u.snapshot);
  } catch {
    // Undecodable: the follower skips (and counts) it too, so it cannot be a starting point.
    return false;
  }
}
