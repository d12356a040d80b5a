export type {
  NormalizedTrade,
  NormalizedBookUpdate,
  VenueBar,
  RejectReason,
  Rejection,
  FeedState,
  FeedSymbolStatus,
  FeedSink,
  MarketFeed,
} from './types';
export { Backoff, DEFAULT_BACKOFF } from './backoff';
export type { BackoffOptions } from './backoff';
export { ReconnectingWebSocket } from './ws-connection';
export type { ConnectionOptions, ConnectionHandlers, HeartbeatOptions } from './ws-connection';
export { FeedStatusTable } from './feed-status';
export { SymbolBook, rejectReasonFor } from './symbol-book';
export { VenueError, FeedConfigError, VenueRequestError, FrameRejectedError } from './errors';
