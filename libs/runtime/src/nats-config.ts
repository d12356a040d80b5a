import { readFileSync } from 'node:fs';
import type { NatsConnectOptions } from '@meridian/bus';
import { field } from './config';
import type { ConfigOf } from './config';
import { ConfigError } from './errors';

/**
 * The keys that say where NATS is and how to authenticate, read by every service and by the
 * bootstrap CLI. Credentials come from files so that Kubernetes Secrets can be mounted rather
 * than copied into the environment; NATS_PASSWORD and NATS_TOKEN stay for local use.
 */
export function natsSchema() {
  return {
    NATS_URL: field.url('NATS server URLs, comma-separated', 'nats://127.0.0.1:4222', ['nats', 'tls']),
    NATS_USER: field.string('NATS user (with NATS_PASSWORD or NATS_PASSWORD_FILE)', ''),
    NATS_PASSWORD: field.string('NATS password', ''),
    NATS_PASSWORD_FILE: field.string('File holding the NATS password (a mounted Secret)', ''),
    NATS_TOKEN: field.string('NATS token', ''),
    NATS_TOKEN_FILE: field.string('File holding the NATS token (a mounted Secret)', ''),
    NATS_CREDS_FILE: field.string('NATS decentralised-auth credentials file (user JWT and NKey seed, `.creds`), read at every connect', ''),
    NATS_TLS_CA_FILE: field.string('CA bundle that verifies the NATS servers (PEM); setting it turns TLS on', ''),
    NATS_TLS_CERT_FILE: field.string('Client certificate for mutual TLS (PEM, with NATS_TLS_KEY_FILE)', ''),
    NATS_TLS_KEY_FILE: field.string('Private key of the client certificate (PEM)', ''),
  };
}

export type NatsSchema = ReturnType<typeof natsSchema>;

/**
 * Turns the NATS keys into connection options, checking at start-up what the connection would
 * only find out later: files that cannot be read, a certificate without its key, two kinds of
 * credentials at once. Every problem names its key; no secret value appears in a message.
 */
export function natsConnectOptions(c: ConfigOf<NatsSchema>): NatsConnectOptions {
  const problems: string[] = [];
  /** The file's text, or undefined (and a problem naming the key) when it cannot be read. */
  const read = (key: keyof NatsSchema, path: string): string | undefined => {
    if (path === '') return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return undefined;
    }
  };
  const secretFrom = (key: 'NATS_PASSWORD' | 'NATS_TOKEN'): string | undefined => {
    const fileKey = `${key}_FILE` as const;
    if (c[key] !== '' && c[fileKey] !== '') problems.push(`${fileKey}: set either ${key} or ${fileKey}, not both`);
    const fromFile = read(fileKey, c[fileKey]);
    if (fromFile !== undefined) return fromFile.trim();
    return c[key] === '' ? undefined : c[key];
  };

  const password = secretFrom('NATS_PASSWORD');
  const token = secretFrom('NATS_TOKEN');
  const creds = read('NATS_CREDS_FILE', c.NATS_CREDS_FILE) !== undefined ? c.NATS_CREDS_FILE : undefined;
  if (c.NATS_USER === '' && password !== undefined) problems.push('NATS_USER: required with a NATS password');
  const kinds = [c.NATS_USER !== '' ? 'NATS_USER' : '', token !== undefined ? 'NATS_TOKEN' : '', c.NATS_CREDS_FILE !== '' ? 'NATS_CREDS_FILE' : ''].filter((k) => k !== '');
  if (kinds.length > 1) problems.push(`${kinds[1]}: only one kind of NATS credentials may be set, got ${kinds.join(' and ')}`);

  const hasCert = c.NATS_TLS_CERT_FILE !== '';
  if (hasCert !== (c.NATS_TLS_KEY_FILE !== '')) {
    problems.push(`${hasCert ? 'NATS_TLS_KEY_FILE' : 'NATS_TLS_CERT_FILE'}: a client certificate needs both NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE`);
  }
  read('NATS_TLS_CA_FILE', c.NATS_TLS_CA_FILE);
  read('NATS_TLS_CERT_FILE', c.NATS_TLS_CERT_FILE);
  read('NATS_TLS_KEY_FILE', c.NATS_TLS_KEY_FILE);
  if (problems.length > 0) throw new ConfigError(problems);

  const tlsWanted = c.NATS_TLS_CA_FILE !== '' || hasCert || c.NATS_URL.split(',').some((u) => u.trim().startsWith('tls://'));
  return {
    servers: c.NATS_URL,
    ...(c.NATS_USER !== '' ? { user: c.NATS_USER, pass: password ?? '' } : {}),
    ...(token !== undefined ? { token } : {}),
    // Read at every (re)connect, so a rotated Secret is picked up without a restart.
    ...(creds !== undefined ? { creds: () => readFileSync(creds) } : {}),
    ...(tlsWanted
      ? {
          connection: {
            tls: {
              ...(c.NATS_TLS_CA_FILE !== '' ? { caFile: c.NATS_TLS_CA_FILE } : {}),
              ...(hasCert ? { certFile: c.NATS_TLS_CERT_FILE, keyFile: c.NATS_TLS_KEY_FILE } : {}),
            },
          },
        }
      : {}),
  };
}
