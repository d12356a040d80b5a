/**
 * What to do about each error Alpaca's market-data stream documents (`{"T":"error","code":…}`).
 * - `reconnect`: a transient or session problem; a new connection fixes it (fast backoff).
 * - `config`: the account, keys or subscription do not allow what we asked; retrying quickly
 *   cannot help and would hammer the venue, so the feed waits minutes and says why.
 * - `ignore`: harmless (we are already authenticated).
 */
export type AlpacaErrorHandling = 'reconnect' | 'config' | 'ignore';

export interface AlpacaErrorCode {
  readonly meaning: string;
  readonly handling: AlpacaErrorHandling;
  /** What an operator should do, for `config` errors. */
  readonly advice?: string;
}

export const ALPACA_ERROR_CODES: Readonly<Record<number, AlpacaErrorCode>> = Object.freeze({
  400: { meaning: 'invalid syntax', handling: 'config', advice: 'the adapter sent a message Alpaca does not understand; check the feed URL and version' },
  401: { meaning: 'not authenticated', handling: 'reconnect' },
  402: { meaning: 'auth failed', handling: 'config', advice: 'check the API key and secret' },
  403: { meaning: 'already authenticated', handling: 'ignore' },
  404: { meaning: 'auth timeout', handling: 'reconnect' },
  405: { meaning: 'symbol limit exceeded', handling: 'config', advice: 'subscribe to fewer symbols or upgrade the market-data plan' },
  406: { meaning: 'connection limit exceeded', handling: 'config', advice: 'another client holds this account\'s market-data connection; stop it or upgrade the plan' },
  407: { meaning: 'slow client', handling: 'reconnect' },
  408: { meaning: 'v2 not enabled', handling: 'config', advice: 'enable market data v2 for this account' },
  409: { meaning: 'insufficient subscription', handling: 'config', advice: 'the plan does not include this feed (sip needs a paid plan; use iex)' },
  410: { meaning: 'invalid subscribe action for this feed', handling: 'config', advice: 'a channel was asked for that this feed does not offer' },
  500: { meaning: 'internal error', handling: 'reconnect' },
});

/** Unknown codes: a new connection is the safe default. */
export function alpacaErrorCode(code: number): AlpacaErrorCode {
  return ALPACA_ERROR_CODES[code] ?? { meaning: 'undocumented error', handling: 'reconnect' };
}
