import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { OkxRestCode, OkxWsCode } from './codes';
import type { OkxApiKey } from './keys';

/** OKX refuses a request whose timestamp is more than 30 s from its clock, either way. */
export const OKX_TIMESTAMP_TOLERANCE_MS = 30_000;

/** `2020-12-08T09:08:57.715Z`: ISO 8601 in UTC with milliseconds, as OKX documents it. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** The WebSocket login's Unix time in seconds (`1538054050` or `1538054050.975`). */
const UNIX_SECONDS = /^\d{1,12}(?:\.\d{1,6})?$/;

/** Base64(HMAC-SHA256(secret, prehash)): the signature of both REST requests and WebSocket logins. */
export function okxSignature(secretKey: string, prehash: string): string {
  return createHmac('sha256', secretKey).update(prehash).digest('base64');
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

export type RestAuth = { readonly ok: true; readonly key: OkxApiKey } | { readonly ok: false; readonly code: OkxRestCode };

export interface SignedRequest {
  readonly headers: IncomingHttpHeaders;
  /** Upper case. */
  readonly method: string;
  /** Path and query string exactly as the client sent them: OKX signs the query as part of the path. */
  readonly requestPath: string;
  /** The raw body text ('' for a GET). */
  readonly body: string;
}

/**
 * Checks a private REST request the way OKX does: every header present, the timestamp well
 * formed and within 30 s, a known key, its passphrase, its environment (a demo key needs
 * `x-simulated-trading: 1`, a live key must not send it), then the signature over
 * `timestamp + METHOD + requestPath + body`.
 */
export function verifyRestRequest(request: SignedRequest, keys: ReadonlyMap<string, OkxApiKey>, nowMs: number): RestAuth {
  const apiKey = header(request.headers, 'ok-access-key');
  if (apiKey === undefined) return { ok: false, code: '50103' };
  const sign = header(request.headers, 'ok-access-sign');
  if (sign === undefined) return { ok: false, code: '50106' };
  const timestamp = header(request.headers, 'ok-access-timestamp');
  if (timestamp === undefined) return { ok: false, code: '50107' };
  const passphrase = header(request.headers, 'ok-access-passphrase');
  if (passphrase === undefined) return { ok: false, code: '50104' };
  if (!ISO_MS.test(timestamp)) return { ok: false, code: '50112' };
  const sentMs = Date.parse(timestamp);
  if (Number.isNaN(sentMs)) return { ok: false, code: '50112' };
  if (Math.abs(nowMs - sentMs) > OKX_TIMESTAMP_TOLERANCE_MS) return { ok: false, code: '50102' };
  const key = keys.get(apiKey);
  if (key === undefined) return { ok: false, code: '50111' };
  if (!sameSignature(key.passphrase, passphrase)) return { ok: false, code: '50105' };
  const simulated = header(request.headers, 'x-simulated-trading') === '1';
  if (simulated !== (key.demo ?? true)) return { ok: false, code: '50101' };
  const expected = okxSignature(key.secretKey, timestamp + request.method + request.requestPath + request.body);
  if (!sameSignature(expected, sign)) return { ok: false, code: '50113' };
  return { ok: true, key };
}

export type WsAuth = { readonly ok: true; readonly key: OkxApiKey } | { readonly ok: false; readonly code: OkxWsCode };

/**
 * Checks a WebSocket `login` argument: `sign = Base64(HMAC-SHA256(secret, timestamp + 'GET' +
 * '/users/self/verify'))` with the timestamp in Unix seconds, within 30 s of the server's clock.
 */
export function verifyWsLogin(arg: unknown, keys: ReadonlyMap<string, OkxApiKey>, nowMs: number): WsAuth {
  if (typeof arg !== 'object' || arg === null) return { ok: false, code: '60009' };
  const { apiKey, passphrase, timestamp, sign } = arg as Record<string, unknown>;
  if (typeof apiKey !== 'string' || typeof passphrase !== 'string' || typeof sign !== 'string') return { ok: false, code: '60009' };
  if (typeof timestamp !== 'string' || !UNIX_SECONDS.test(timestamp)) return { ok: false, code: '60004' };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > OKX_TIMESTAMP_TOLERANCE_MS) return { ok: false, code: '60006' };
  const key = keys.get(apiKey);
  if (key === undefined) return { ok: false, code: '60005' };
  if (!sameSignature(key.passphrase, passphrase)) return { ok: false, code: '60024' };
  if (!sameSignature(okxSignature(key.secretKey, `${timestamp}GET/users/self/verify`), sign)) return { ok: false, code: '60007' };
  return { ok: true, key };
}
