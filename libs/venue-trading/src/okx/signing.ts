import { createHmac } from 'node:crypto';

/** What OKX wants to authenticate a request or a login. */
export interface OkxCredentials {
  readonly apiKey: string;
  readonly secretKey: string;
  readonly passphrase: string;
}

/** OKX's `OK-ACCESS-TIMESTAMP`: ISO 8601 UTC with milliseconds (`2020-12-08T09:08:57.715Z`). */
export function okxTimestamp(nowMs: number): string {
  return new Date(nowMs).toISOString();
}

/** Base64(HMAC-SHA256(secretKey, prehash)). */
export function okxSign(secretKey: string, prehash: string): string {
  return createHmac('sha256', secretKey).update(prehash).digest('base64');
}

/**
 * The headers of a private REST request: the signature covers `timestamp + METHOD + requestPath
 * (query included) + body`; demo keys add `x-simulated-trading: 1`.
 */
export function signedHeaders(credentials: OkxCredentials, demo: boolean, nowMs: number, method: string, requestPath: string, body: string): Record<string, string> {
  const timestamp = okxTimestamp(nowMs);
  const headers: Record<string, string> = {
    'OK-ACCESS-KEY': credentials.apiKey,
    'OK-ACCESS-SIGN': okxSign(credentials.secretKey, timestamp + method + requestPath + body),
    'OK-ACCESS-TIMESTAMP': timestamp,
    'OK-ACCESS-PASSPHRASE': credentials.passphrase,
  };
  if (demo) headers['x-simulated-trading'] = '1';
  return headers;
}

/** The WebSocket `login` op: the signature covers `timestamp + 'GET' + '/users/self/verify'`, the timestamp in Unix seconds. */
export function loginOp(credentials: OkxCredentials, nowMs: number): string {
  const timestamp = String(Math.floor(nowMs / 1000));
  return JSON.stringify({
    op: 'login',
    args: [{ apiKey: credentials.apiKey, passphrase: credentials.passphrase, timestamp, sign: okxSign(credentials.secretKey, `${timestamp}GET/users/self/verify`) }],
  });
}
