import { OkxServerConfigError } from './errors';

/** One API key the server accepts, and the simulated account it trades. */
export interface OkxApiKey {
  readonly apiKey: string;
  readonly secretKey: string;
  readonly passphrase: string;
  /** The `SimulatedExchange` account the key trades (OKX's user id). */
  readonly account: string;
  /**
   * A demo-trading key: OKX only accepts it with `x-simulated-trading: 1`, and refuses that
   * header on a live key (50101). Default true: a simulator's keys are demo keys.
   */
  readonly demo?: boolean;
}

function text(entry: Record<string, unknown>, field: string, index: number): string {
  const value = entry[field];
  if (typeof value !== 'string' || value === '') throw new OkxServerConfigError(`keys[${index}].${field}`, field === 'apiKey' || field === 'account' ? value : '<hidden>', 'must be a non-empty string');
  return value;
}

/**
 * Validates a keys document (the CLI's `--keys` file): an array of
 * `{apiKey, secretKey, passphrase, account, demo?}`. Secrets never appear in an error.
 */
export function parseOkxKeys(document: unknown): OkxApiKey[] {
  if (!Array.isArray(document) || document.length === 0) throw new OkxServerConfigError('keys', typeof document, 'must be a non-empty array');
  const seen = new Set<string>();
  return document.map((raw: unknown, index) => {
    if (typeof raw !== 'object' || raw === null) throw new OkxServerConfigError(`keys[${index}]`, typeof raw, 'must be an object');
    const entry = raw as Record<string, unknown>;
    const apiKey = text(entry, 'apiKey', index);
    if (seen.has(apiKey)) throw new OkxServerConfigError(`keys[${index}].apiKey`, apiKey, 'is listed twice');
    seen.add(apiKey);
    const demo = entry.demo ?? true;
    if (typeof demo !== 'boolean') throw new OkxServerConfigError(`keys[${index}].demo`, demo, 'must be a boolean');
    return { apiKey, secretKey: text(entry, 'secretKey', index), passphrase: text(entry, 'passphrase', index), account: text(entry, 'account', index), demo };
  });
}
