// The public surface of the generated protobuf code, by name. Regenerate with `nx run @meridian/proto:generate`.

export { PriceLevel, Side, sideFromJSON, sideToJSON } from "./gen/meridian/v1/common";
export { InferenceModelChange, KillSwitch, RiskLimitsChange } from "./gen/meridian/v1/control";
export { ExecutionKind, ExecutionReport, OrderStatus, Position, executionKindFromJSON, executionKindToJSON, orderStatusFromJSON, orderStatusToJSON } from "./gen/meridian/v1/execution";
export { Bar, Bbo, BookSnapshot, BookUpdate, BookUpdateBatch, Trade, TradeBatch } from "./gen/meridian/v1/market";
export { ApprovedOrder, ExecutionAlgo, IcebergParams, OrderIntent, OrderRejection, OrderType, ParentChildCancelRequested, ParentChildSubmitted, ParentCancelRequested, ParentOrderCreated, ParentOrderEnded, ParentOrderEvent, PovParams, TwapParams, VwapParams, TimeInForce, orderTypeFromJSON, orderTypeToJSON, timeInForceFromJSON, timeInForceToJSON } from "./gen/meridian/v1/order";
export { CheckOrderRequest, CheckOrderResponse, CoordinatorServiceClient, CoordinatorServiceService, ExecutionServiceClient, ExecutionServiceService, FeedStatus, GetBarsRequest, GetBarsResponse, GetBookRequest, GetBookResponse, GetFeedStatusRequest, GetFeedStatusResponse, GetLimitsRequest, GetLimitsResponse, CancelOrderRequest, CancelOrderResponse, GetOrderRequest, GetOrderResponse, SubmitOrderRequest, SubmitOrderResponse, GetPositionsRequest, GetPositionsResponse, GetRecorderStatusRequest, GetRecorderStatusResponse, GetRiskSnapshotRequest, GetRiskSnapshotResponse, GetStrategyStateRequest, GetStrategyStateResponse, InferenceServiceClient, InferenceServiceService, IngestionServiceClient, IngestionServiceService, LimitsRevision, ListOrdersRequest, ListOrdersResponse, Order, OrderBookServiceClient, OrderBookServiceService, PredictRequest, PredictResponse, RecorderServiceClient, RecorderServiceService, RiskEquity, RiskExposure, RiskServiceClient, RiskServiceService, SetKillSwitchRequest, SetKillSwitchResponse, StrategyState, StreamBookRequest, StreamBookResponse, UpdateLimitsRequest, UpdateLimitsResponse } from "./gen/meridian/v1/services";
export type { CoordinatorServiceServer, ExecutionServiceServer, InferenceServiceServer, IngestionServiceServer, OrderBookServiceServer, RecorderServiceServer, RiskServiceServer } from "./gen/meridian/v1/services";
export { QuantileForecast, Signal } from "./gen/meridian/v1/signal";
export { ActivateModelRequest, ActivateModelResponse, FeatureWindow, ListModelsRequest, ListModelsResponse, LoadedModel, ModelVersion, RegisterModelRequest, RegisterModelResponse, TensorShape } from "./gen/meridian/v1/services";
export { RiskBreakerState, RiskDrawdown, RiskEquitySnapshot, RiskEvent, RiskEventType, RiskPnl, RiskStop, RiskStopKind, RiskStopState, RiskVarEstimate, StrategyPnl, riskEventTypeToJSON, riskStopKindToJSON, riskStopStateToJSON } from "./gen/meridian/v1/risk";
export { ClearStopRequest, ClearStopResponse, ResetCircuitBreakerRequest, ResetCircuitBreakerResponse, SetStopRequest, SetStopResponse } from "./gen/meridian/v1/services";
export { BacktestProgress, BacktestRun, BacktestServiceClient, BacktestServiceService, GetBacktestRequest, GetBacktestResponse, ListBacktestsRequest, ListBacktestsResponse, StartBacktestRequest, StartBacktestResponse } from "./gen/meridian/v1/backtest";
export type { BacktestServiceServer } from "./gen/meridian/v1/backtest";
export { descriptorSetPath, PROTO_PACKAGE } from "./descriptor";
export type { MessageCodec } from "./codec";
export { sideFromWire, sideToWire, decimalField, optionalDecimalField, fillOf, endsOrder, barToWire } from "./convert";
export type { ExactBarOf } from "./convert";
