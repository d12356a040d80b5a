import { PlatformError } from '@meridian/domain';

/** Errors of the order state machine. */
export class OrderStateError extends PlatformError {}

/** An event that the order's current state does not allow; the order did not change. */
export class InvalidOrderTransitionError extends OrderStateError {
  constructor(
    readonly clientOrderId: string,
    readonly from: string,
    readonly event: string,
    reason: string,
  ) {
    super('INVALID_ORDER_TRANSITION', `order ${clientOrderId}: ${event} in state ${from} refused: ${reason}`);
  }
}

/** Order terms that cannot make an order (a quantity that is not positive, a limit order without price). */
export class InvalidOrderTermsError extends OrderStateError {
  constructor(
    readonly clientOrderId: string,
    readonly field: string,
    value: unknown,
    reason: string,
  ) {
    super('INVALID_ORDER_TERMS', `order ${clientOrderId}: ${field}=${JSON.stringify(String(value))} ${reason}`);
  }
}
