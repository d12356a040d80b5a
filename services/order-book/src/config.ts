import { parseVenue } from '@meridian/domain';
import { field } from '@meridian/runtime';
import type { BaseSchema, ConfigOf } from '@meridian/runtime';

/** The order-book service's own keys; the common ones (SYMBOLS, NATS_URL, ports…) come from the runtime. */
export const orderBookSchema = {
  MARKET_VENUES: field.list('Market-data venues whose books this replica keeps', ['sim'], parseVenue),
  BOOK_CHECKPOINT_MS: field.int(
    'How often each synced book that changed is checkpointed to the BOOKS stream (restart resumes from it), ms',
    1_000,
    { min: 10, max: 3_600_000 },
  ),
};

export type OrderBookConfig = ConfigOf<typeof orderBookSchema & BaseSchema>;

/** Levels per side when a request asks for depth 0. */
export const DEFAULT_DEPTH = 10;
/** Deepest view one request may ask for: beyond it a caller wants the whole book, which is not what these RPCs are for. */
export const MAX_DEPTH = 1_000;
/** Longest StreamBook spacing: beyond an hour the caller wants polling, not a stream. */
export const MAX_STREAM_INTERVAL_MS = 3_600_000;
