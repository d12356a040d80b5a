import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff } from '@meridian/venues';
import type { OkxTradingConfig } from './config';
import { OkxAuthError, OkxProtocolError, OkxRateLimitedError, OkxRequestError, OkxTransportError } from './errors';
import { OKX_ENDPOINT_LIMITS, OKX_ORDER_LIMIT, RateGate } from './rate-gate';
import type { GateCharge, OkxEndpoint } from './rate-gate';
import { signedHeaders } from './signing';

/** OKX's envelope: `code` "0" is success, "1"/"2" a batch (or single order) whose items failed. */
export interface OkxEnvelope {
  readonly code: string;
  readonly msg: string;
  readonly data: readonly unknown[];
}

export interface OkxCall {
  readonly endpoint: OkxEndpoint;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  /** Public endpoints are sent unsigned. */
  readonly signed: boolean;
  /** Instruments of the request (per-instrument limits), one per order for a batch. */
  readonly instIds?: readonly string[];
}

/** OKX's codes for "the system is busy, try again": nothing was applied. */
const BUSY_CODES = new Set(['50001', '50013', '50026']);
/** REST authentication failures: a retry cannot fix them. */
const AUTH_CODES = new Set(['50100', '50101', '50102', '50103', '50104', '50105', '50106', '50107', '50111', '50112', '50113', '50114']);
/** Order-placing endpoints: OKX's sub-account order limit counts them. */
const ORDER_ENDPOINTS = new Set<OkxEndpoint>(['place', 'batchPlace', 'amend', 'batchAmend']);

/**
 * Signed REST calls to OKX: paced by the published limits (queued, never refused locally), each
 * attempt bounded by a timeout, answers sorted into what they mean for a retry. `send` makes one
 * attempt (a 50011 is waited out and re-sent, as the venue applied nothing); `get` retries a
 * read with exponential backoff and full jitter.
 */
export class OkxRest {
  private readonly gate: RateGate;
  private readonly closing = new AbortController();

  constructor(private readonly config: OkxTradingConfig) {
    this.gate = new RateGate(config.rateLimitGuardMs, config.clock);
    // Every request in flight or queued listens for the close: many at once is the normal case.
    setMaxListeners(0, this.closing.signal);
    // Validates the backoff options now (their errors name the key) rather than on the first retry.
    new Backoff(config.retryBackoff, config.random);
  }

  close(): void {
    const reason = new OkxTransportError('okx', 'the adapter is closing', false);
    this.closing.abort(reason);
    this.gate.close(reason);
  }

  /** A GET, retried while the answer is a transport failure, a 5xx, 50011 or a busy code. */
  async get(call: OkxCall): Promise<OkxEnvelope> {
    const backoff = new Backoff(this.config.retryBackoff, this.config.random);
    for (let attempt = 1; ; attempt++) {
      try {
        const envelope = await this.send(call);
        if (!BUSY_CODES.has(envelope.code) || attempt >= this.config.attempts) return envelope;
        this.config.log('warn', `${this.where(call)}: OKX busy (${envelope.code} ${envelope.msg}), retrying`);
      } catch (err) {
        if (!(err instanceof OkxTransportError) || attempt >= this.config.attempts || this.closing.signal.aborted) throw err;
        this.config.log('warn', `${err.message}; retrying (attempt ${attempt + 1} of ${this.config.attempts})`);
      }
      await sleep(backoff.next(), undefined, { signal: this.closing.signal });
    }
  }

  /**
   * One attempt (and its re-sends after 50011, up to `attempts`). Throws `OkxTransportError` when
   * there is no usable answer (`maybeApplied` unless the request certainly never arrived),
   * `OkxAuthError` for a refused signature or key, `OkxRateLimitedError` when the venue keeps
   * answering 50011; returns OKX's envelope otherwise, whatever its code.
   */
  async send(call: OkxCall): Promise<OkxEnvelope> {
    const backoff = new Backoff(this.config.retryBackoff, this.config.random);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(call);
      } catch (err) {
        if (!(err instanceof OkxRateLimitedError) || attempt >= this.config.attempts) throw err;
        // The gate should make this impossible; a venue that counts differently still must not lose the request.
        const delay = backoff.next();
        this.config.log('warn', `${err.message}; re-sending in ${delay} ms`);
        await sleep(delay, undefined, { signal: this.closing.signal });
      }
    }
  }

  private where(call: OkxCall): string {
    return `${this.config.venue}: ${call.method} ${call.path}`;
  }

  private charges(call: OkxCall): GateCharge[] {
    const limit = OKX_ENDPOINT_LIMITS[call.endpoint];
    const instIds = call.instIds ?? [];
    const charges: GateCharge[] = [];
    if (limit.scope === 'user' || instIds.length === 0) {
      charges.push({ bucket: call.endpoint, limit, count: 1 });
    } else {
      const batch = call.endpoint.startsWith('batch');
      const per = new Map<string, number>();
      for (const id of instIds) per.set(id, (per.get(id) ?? 0) + 1);
      for (const [instId, n] of per) charges.push({ bucket: `${call.endpoint}|${instId}`, limit, count: batch ? n : 1 });
    }
    if (ORDER_ENDPOINTS.has(call.endpoint)) charges.push({ bucket: 'orders', limit: OKX_ORDER_LIMIT, count: Math.max(1, instIds.length) });
    return charges;
  }

  private async attempt(call: OkxCall): Promise<OkxEnvelope> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined && v !== '') query.set(k, v);
    const qs = query.toString();
    const requestPath = qs === '' ? call.path : `${call.path}?${qs}`;
    const body = call.body === undefined ? '' : JSON.stringify(call.body);
    const where = `${this.config.venue}: ${call.method} ${requestPath}`;

    const release = await this.gate.acquire(this.charges(call), this.closing.signal);
    try {
      return await this.exchange(call, requestPath, body, where);
    } finally {
      release();
    }
  }

  private async exchange(call: OkxCall, requestPath: string, body: string, where: string): Promise<OkxEnvelope> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (call.signed) Object.assign(headers, signedHeaders(this.config.credentials, this.config.demo, this.config.clock(), call.method, requestPath, body));
    else if (this.config.demo) headers['x-simulated-trading'] = '1';

    const timeout = AbortSignal.timeout(this.config.requestTimeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetch(this.config.restUrl + requestPath, {
        method: call.method,
        headers,
        body: call.method === 'POST' ? body : undefined,
        signal: AbortSignal.any([timeout, this.closing.signal]),
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      if (this.closing.signal.aborted) throw this.closing.signal.reason;
      const reason = timeout.aborted ? `no answer within ${this.config.requestTimeoutMs} ms` : `connection failed: ${describe(err)}`;
      // A GET changes nothing; a POST may have reached the venue before the connection died.
      throw new OkxTransportError(where, reason, call.method === 'POST', { cause: err });
    }
    let envelope: OkxEnvelope | undefined;
    try {
      envelope = decodeEnvelope(JSON.parse(text) as unknown);
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof OkxProtocolError)) throw err;
      envelope = undefined;
    }
    if (status === 429 || envelope?.code === '50011') throw new OkxRateLimitedError(where);
    if (envelope !== undefined && AUTH_CODES.has(envelope.code)) throw new OkxAuthError(envelope.code, where, envelope.msg);
    if (status >= 500) throw new OkxTransportError(where, `HTTP ${status}${envelope ? ` (${envelope.code} ${envelope.msg})` : ''}`, call.method === 'POST');
    if (envelope === undefined) throw new OkxTransportError(where, `HTTP ${status} with a body that is not OKX's envelope: ${text.slice(0, 120)}`, call.method === 'POST');
    // 50004: OKX's own "endpoint request timeout": it does not say whether the request was applied.
    if (envelope.code === '50004') throw new OkxTransportError(where, `${envelope.code} ${envelope.msg}`, call.method === 'POST');
    return envelope;
  }
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? String(err)} (${cause})` : (e.message ?? String(err));
}

function decodeEnvelope(json: unknown): OkxEnvelope {
  if (typeof json !== 'object' || json === null) throw new OkxProtocolError('body', json, 'expected an object');
  const { code, msg, data } = json as Record<string, unknown>;
  if (typeof code !== 'string' && typeof code !== 'number') throw new OkxProtocolError('code', code, 'expected a string');
  return { code: String(code), msg: typeof msg === 'string' ? msg : '', data: Array.isArray(data) ? data : [] };
}

/** The envelope of a read: anything but code "0" is an error. */
export function okData(envelope: OkxEnvelope, where: string): readonly unknown[] {
  if (envelope.code !== '0') throw new OkxRequestError(where, envelope.code, envelope.msg);
  return envelope.data;
}
