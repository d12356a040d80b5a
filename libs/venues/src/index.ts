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
export { parseSourceSpec, venueOfSource, LIVE_SOURCES } from './source-spec';
export type { SourceSpec, LiveSourceKind } from './source-spec';
export { BinanceSpotFeed } from './binance/feed';
export type { BinanceSpotFeedOptions } from './binance/feed';
export { DepthSynchroniser } from './binance/depth-sync';
export type { DepthEvent, DepthSnapshot, DepthChaining, DepthSyncAction, DepthSyncState, DepthSyncCounters, DepthSynchroniserOptions } from './binance/depth-sync';
export { decodeDepthEvent, decodeDepthSnapshot } from './binance/decode';
export { BinanceSymbols } from './binance/symbols';
export { WeightBudget, depthRequestWeight } from './binance/weight-budget';
export { BinanceRestClient, BinanceHttpError, parseRetryAfter } from './binance/rest';
export { OkxPublicFeed } from './okx/feed';
export type { OkxBookDiagnostics } from './okx/feed';
export { parseOkxFeedOptions, OKX_FEED_DEFAULTS, OKX_PUBLIC_WS_URL, OKX_REST_URL } from './okx/config';
export type { OkxFeedOptions, OkxFeedConfig, OkxInstrumentOptions, OkxInstrumentConfig } from './okx/config';
export { OkxBookSync } from './okx/book-sync';
export type { BookSyncStep, BookSyncPhase, BookSyncOptions } from './okx/book-sync';
export { okxChecksum, checksumString as okxChecksumString, crc32, OKX_CHECKSUM_DEPTH } from './okx/checksum';
export type { LevelText } from './okx/checksum';
export { OKX_BOOK_CHANNELS, OKX_CANDLE_INTERVALS, decodeFrame as decodeOkxFrame, decodeBookData as decodeOkxBookData } from './okx/protocol';
export type { OkxBookChannel, OkxArg, OkxLevel, OkxBookData, OkxFrame } from './okx/protocol';
export { OkxRestClient, TokenBucket } from './okx/rest';
export type { OkxRestOptions } from './okx/rest';
export { AlpacaMarketDataFeed } from './alpaca/feed';
export type { AlpacaMarketDataFeedOptions, AlpacaStockFeed } from './alpaca/feed';
export { AlpacaSymbols } from './alpaca/symbols';
export type { AlpacaMarket } from './alpaca/symbols';
export { ALPACA_ERROR_CODES, alpacaErrorCode } from './alpaca/protocol';
export type { AlpacaErrorCode, AlpacaErrorHandling } from './alpaca/protocol';
export { parseRfc3339Nanos, formatRfc3339Nanos } from './alpaca/rfc3339';
export { openReplayFeed, isLobsterMessageFile, describeReplay } from './replay/open';
export type { ReplayOptions } from './replay/open';
export { RecordedReplayFeed, openRecordedReplay, summariseRecording } from './replay/recorded-feed';
export type { RecordedReplayOptions, RecordingSummary } from './replay/recorded-feed';
export { readRecording, parseRecordingLine, formatRecordingLine, secondsToNanos, venueOfUrl } from './replay/recording';
export type { RecordedEntry } from './replay/recording';
export { LobsterReplayFeed, newYorkMidnightNs } from './replay/lobster-feed';
export type { LobsterReplayOptions } from './replay/lobster-feed';
export { RecordingWriter } from './replay/recording-writer';
export type { FrameRecorder } from './replay/recording-writer';
