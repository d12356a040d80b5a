import { PlatformError } from '@meridian/domain';

/**
 * Errors of the OKX trading adapter. No message ever holds the API key, secret or passphrase:
 * they name the endpoint, OKX's code and message, and the offending value only.
 */
export class OkxAdapterError extends PlatformError {}

/** A bad adapter option; `key` names it. Credentials are never echoed. */
export class OkxConfigError extends OkxAdapterError {
  constructor(
    readonly key: string,
    value: unknown,
    reason: string,
  ) {
    super('OKX_CONFIG', `OKX adapter option ${key}=${key.startsWith('credentials') ? '<hidden>' : JSON.stringify(value)}: ${reason}`);
  }
}

/** OKX refused the credentials (50101-50113 on REST, 6000x/60024 on the WebSocket): retrying cannot help. */
export class OkxAuthError extends OkxAdapterError {
  constructor(
    readonly okxCode: string,
    readonly where: string,
    okxMessage: string,
  ) {
    super('OKX_AUTH', `${where}: OKX refused the credentials: ${okxCode} ${okxMessage}`);
  }
}

/**
 * A request got no usable answer: a timeout, a dropped connection, a 5xx. Whether the venue
 * applied it is unknown (`maybeApplied`), which is what makes a place or cancel in doubt.
 */
export class OkxTransportError extends OkxAdapterError {
  constructor(
    readonly where: string,
    readonly reason: string,
    readonly maybeApplied: boolean,
    options?: { cause?: unknown },
  ) {
    super('OKX_TRANSPORT', `${where}: ${reason}`, options);
  }
}

/** OKX answered 50011 (rate limit): the request was not applied and may be sent again later. */
export class OkxRateLimitedError extends OkxAdapterError {
  constructor(readonly where: string) {
    super('OKX_RATE_LIMITED', `${where}: OKX answered 50011 (rate limit reached)`);
  }
}

/** OKX answered with an error code for the request as a whole (a parameter error, an unknown instrument…). */
export class OkxRequestError extends OkxAdapterError {
  constructor(
    readonly where: string,
    readonly okxCode: string,
    readonly okxMessage: string,
  ) {
    super('OKX_REQUEST', `${where}: OKX answered ${okxCode} ${okxMessage}`);
  }
}

/** A response that is not what OKX documents (a field missing or malformed); `field` names it. */
export class OkxProtocolError extends OkxAdapterError {
  constructor(
    readonly field: string,
    value: unknown,
    reason: string,
  ) {
    super('OKX_PROTOCOL', `OKX response field ${field}=${JSON.stringify(value)}: ${reason}`);
  }
}

/** An order the adapter does not send to OKX (a stop order, a DAY order…); nothing left the process. */
export class OkxUnsupportedOrderError extends OkxAdapterError {
  constructor(
    readonly clientOrderId: string,
    reason: string,
  ) {
    super('OKX_UNSUPPORTED_ORDER', `order ${JSON.stringify(clientOrderId)}: ${reason}`);
  }
}

/** A platform client order id that has no OKX `clOrdId` (longer than 22 bytes once it needs encoding). */
export class OkxClientOrderIdError extends OkxAdapterError {
  constructor(
    readonly clientOrderId: string,
    reason: string,
  ) {
    super('OKX_CLIENT_ORDER_ID', `client order id ${JSON.stringify(clientOrderId)}: ${reason}`);
  }
}
