export { ManagedOrder, isTerminalState, AVERAGE_PRICE_SCALE } from './managed-order';
export { ORDER_STATES } from './types';
export type { OrderState, OrderKind, OrderTimeInForce, OrderTerms, OrderEvent, OrderEventType, OrderTransition, OrderSnapshot } from './types';
export { OrderStateError, InvalidOrderTransitionError, InvalidOrderTermsError } from './errors';
