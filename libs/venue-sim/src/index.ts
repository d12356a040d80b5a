export type {
  SimInstrument,
  FeeSchedule,
  AccountMode,
  AccountSpec,
  Balance,
  SimOrderType,
  SimTimeInForce,
  PlaceOrderRequest,
  AmendOrderRequest,
  CancelOrderRequest,
  SimOrderStatus,
  SimOrder,
  SimFill,
  SimPosition,
  SimUpdate,
  SimRejection,
  SimResult,
  LatencyModel,
  QueueModel,
  SlippageModel,
  SimVenueOptions,
  SimulatedExchange,
} from './types';
export { SimulatedVenue, HOUSE_ACCOUNT, FEE_ACCOUNT } from './venue';
export type { SimulatedVenueOptions, QueueView } from './venue';
export { fixedLatency, uniformLatency, lognormalLatency, fixedSlippage, noSlippage } from './models';
export { seededRandom } from './random';
export { planReduction } from './queue-model';
export type { QueueEntry, QueueCut } from './queue-model';
export { fillFee, feeBound } from './fees';
export { VENUE_REJECT_REASONS, VENUE_END_REASONS } from './rules';
export type { VenueRejectReason } from './rules';
export { QUEUE_MODELS } from './config';
export {
  VenueSimError,
  SimConfigError,
  UnknownAccountError,
  DuplicateAccountError,
  UnknownSymbolError,
  InvalidMarketDataError,
  SimArgumentError,
  SimInvariantError,
} from './errors';

// Alpaca Trading API v2 (REST and trade_updates) over the simulator: src/alpaca/.
export { AlpacaSimServer, ALPACA_RATE_LIMIT } from './alpaca/server';
export type { AlpacaSimServerOptions, AlpacaKeySet, AlpacaAccountOptions, AlpacaEnvironment } from './alpaca/server';
export { AlpacaFaults } from './alpaca/faults';
export type { FaultMatch, FaultAction } from './alpaca/faults';
export { AlpacaApiError } from './alpaca/errors';
export { ALPACA_ERRORS } from './alpaca/protocol';
export type { AlpacaErrorSpec, AlpacaOrderJson, AlpacaOrderStatus, AlpacaPositionJson, AlpacaFillActivityJson, AlpacaAssetJson, TradeUpdateJson, TradeUpdateEvent } from './alpaca/protocol';
export type { AlpacaAccountBook, FillRecord } from './alpaca/account-book';

// OKX v5 (REST and the private WebSocket) over the simulator: src/okx/.
export { OkxServer, OKX_PRIVATE_WS_PATH } from './okx/server';
export type { OkxServerOptions } from './okx/server';
export { parseOkxKeys } from './okx/keys';
export type { OkxApiKey } from './okx/keys';
export { OkxFaults } from './okx/faults';
export type { OkxFault, OkxFaultRule, OkxWsFaults } from './okx/faults';
export { OKX_RATE_LIMITS, OKX_ACCOUNT_ORDER_LIMIT } from './okx/rate-limits';
export type { OkxRateLimit, RateScope } from './okx/rate-limits';
export { OKX_REST_CODES, OKX_WS_CODES } from './okx/codes';
export { okxSignature, OKX_TIMESTAMP_TOLERANCE_MS } from './okx/auth';
export { SIM_REJECTION_CODES } from './okx/desk';
export { OkxServerError, OkxServerConfigError } from './okx/errors';
