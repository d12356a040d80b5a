export type {
  VenueOrderType,
  VenueTimeInForce,
  VenueOrderRequest,
  VenueOrderStatus,
  VenueOrderState,
  VenueFill,
  VenuePosition,
  VenueBalance,
  VenueEvent,
  VenueOutcome,
  VenueInstrument,
  TradingVenue,
} from './types';
export { SlippageGuard } from './slippage';
export type { SlippageVerdict } from './slippage';

// Alpaca Trading API v2: src/alpaca/.
export { AlpacaTradingVenue, MAX_CLIENT_ORDER_ID_LENGTH as ALPACA_MAX_CLIENT_ORDER_ID_LENGTH } from './alpaca/venue';
export { ALPACA_BASE_URLS, ALPACA_TRADING_DEFAULTS, parseAlpacaTradingOptions } from './alpaca/options';
export type { AlpacaTradingVenueOptions, AlpacaTradingConfig, AlpacaEnvironment } from './alpaca/options';
export { AlpacaTradingError, AlpacaConfigError, AlpacaRequestError, AlpacaProtocolError, AlpacaStreamError } from './alpaca/errors';

// OKX v5 spot trading: src/okx/.
export { OkxTradingVenue, okxPlaceBody } from './okx/venue';
export {
  parseOkxTradingOptions,
  OKX_TRADING_DEFAULTS,
  OKX_LIVE_REST_URL,
  OKX_LIVE_PRIVATE_WS_URL,
  OKX_DEMO_REST_URL,
  OKX_DEMO_PRIVATE_WS_URL,
} from './okx/config';
export type { OkxTradingOptions, OkxTradingConfig } from './okx/config';
export type { OkxCredentials } from './okx/signing';
export { toOkxClOrdId, fromOkxClOrdId } from './okx/client-order-id';
export { OKX_ENDPOINT_LIMITS, OKX_ORDER_LIMIT, RateGate } from './okx/rate-gate';
export type { OkxEndpoint, EndpointLimit, GateCharge } from './okx/rate-gate';
export {
  OkxAdapterError,
  OkxConfigError,
  OkxAuthError,
  OkxTransportError,
  OkxRateLimitedError,
  OkxRequestError,
  OkxProtocolError,
  OkxUnsupportedOrderError,
  OkxClientOrderIdError,
} from './okx/errors';

// Paper trading over the in-process simulated exchange (@meridian/venue-sim): src/paper/.
export { PaperTradingVenue } from './paper/venue';
export type { PaperTradingVenueOptions } from './paper/venue';
export { LatencyLine } from './paper/delivery';
export { PaperTradingError, PaperConfigError, PaperVenueClosedError } from './paper/errors';
