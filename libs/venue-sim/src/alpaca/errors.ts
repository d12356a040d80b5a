import { VenueSimError } from '../errors';
import type { AlpacaErrorSpec } from './protocol';

/**
 * An answer the local Alpaca server gives instead of a result: thrown by request handling and
 * written as Alpaca's error body (`{"code":…,"message":…}` plus any documented extra fields).
 */
export class AlpacaApiError extends VenueSimError {
  constructor(
    readonly spec: AlpacaErrorSpec,
    message: string = spec.message,
    readonly extra: Readonly<Record<string, string>> = {},
    /** Response headers that go with the answer (a 429's `X-RateLimit-*`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super('ALPACA_API', message);
  }

  get status(): number {
    return this.spec.status;
  }

  body(): Record<string, unknown> {
    return { ...this.extra, code: this.spec.code, message: this.message };
  }
}
