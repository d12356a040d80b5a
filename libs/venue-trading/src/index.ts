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
