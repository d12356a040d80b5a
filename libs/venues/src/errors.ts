import { PlatformError } from '@meridian/domain';

/** Errors of the venue adapters: configuration and protocol failures that stop a feed. */
export class VenueError extends PlatformError {}

export class FeedConfigError extends VenueError {
  constructor(readonly key: string, value: unknown, reason: string) {
    super('FEED_CONFIG', `feed option ${key}=${JSON.stringify(value)}: ${reason}`);
  }
}

/** A REST call to a venue failed (network, HTTP status, or a venue error code in the body). */
export class VenueRequestError extends VenueError {
  constructor(
    readonly venue: string,
    readonly url: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('VENUE_REQUEST', `${venue}: GET ${url} failed: ${reason}`, options);
  }
}

/**
 * A frame could not be turned into normalised events. Thrown inside an adapter's decoder and
 * turned into a counted `Rejection` at the adapter's boundary, never out of the feed.
 */
export class FrameRejectedError extends VenueError {
  constructor(
    readonly reason: import('./types').RejectReason,
    readonly detail: string,
    readonly symbol?: string,
  ) {
    super('FRAME_REJECTED', detail);
  }
}
