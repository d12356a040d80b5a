import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus, BusConnectError } from '@meridian/bus';
import { NatsServerProcess } from '@meridian/testkit';
import { ConfigError, loadConfig, natsConnectOptions, natsSchema } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'meridian-nats-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(env: Record<string, string>) {
  return natsConnectOptions(loadConfig(natsSchema(), env));
}

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    options(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

async function connects(env: Record<string, string>): Promise<void> {
  const bus = await Bus.connect({ ...options(env), name: 'nats-config-test', connection: { ...options(env).connection, reconnect: false, timeout: 3_000 } });
  await bus.close();
}

async function refusal(env: Record<string, string>): Promise<Error> {
  try {
    await connects(env);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the connection to be refused');
}

describe('NATS configuration checks', () => {
  it('names the key of a credentials file that cannot be read', () => {
    expect(problemsOf({ NATS_CREDS_FILE: join(dir, 'absent.creds') })).toEqual([expect.stringMatching(/^NATS_CREDS_FILE: cannot read .*absent\.creds: ENOENT/)]);
  });

  it('refuses a client certificate without its key, and the reverse', () => {
    const cert = join(dir, 'some.pem');
    writeFileSync(cert, 'x');
    expect(problemsOf({ NATS_TLS_CERT_FILE: cert })).toEqual([expect.stringMatching(/^NATS_TLS_KEY_FILE: a client certificate needs both/)]);
    expect(problemsOf({ NATS_TLS_KEY_FILE: cert })).toEqual([expect.stringMatching(/^NATS_TLS_CERT_FILE: a client certificate needs both/)]);
  });

  it('refuses two kinds of credentials, a password without a user, and a value given twice', () => {
    const secret = join(dir, 'password');
    writeFileSync(secret, 'pw\n');
    expect(problemsOf({ NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_TOKEN: 't' })).toEqual([expect.stringMatching(/^NATS_TOKEN: only one kind of NATS credentials/)]);
    expect(problemsOf({ NATS_PASSWORD: 'p' })).toEqual(['NATS_USER: required with a NATS password']);
    expect(problemsOf({ NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_PASSWORD_FILE: secret })).toEqual([
      'NATS_PASSWORD_FILE: set either NATS_PASSWORD or NATS_PASSWORD_FILE, not both',
    ]);
  });

  it('never puts a secret value in a problem', () => {
    const problems = problemsOf({ NATS_USER: 'u', NATS_PASSWORD: 'hunter2-secret', NATS_TOKEN: 'tok-secret' });
    expect(problems.join('\n')).not.toMatch(/hunter2-secret|tok-secret/);
  });

  it('turns TLS on for a tls:// URL or a CA file, and reads secrets from files', () => {
    expect(options({ NATS_URL: 'tls://nats:4222' }).connection).toEqual({ tls: {} });
    expect(options({ NATS_URL: 'nats://nats:4222' }).connection).toBeUndefined();
    const secret = join(dir, 'token');
    writeFileSync(secret, 's3cret\n');
    expect(options({ NATS_TOKEN_FILE: secret }).token).toBe('s3cret');
  });
});

describe('NATS authentication against a real server', () => {
  let server: NatsServerProcess;
  beforeAll(async () => {
    server = await NatsServerProcess.start({ jetstream: true, config: 'authorization { user: trader, password: "correct horse" }' });
  });
  afterAll(() => server.stop());

  it('connects with the password from a mounted file', async () => {
    const file = join(dir, 'nats-password');
    writeFileSync(file, 'correct horse\n');
    await connects({ NATS_URL: server.url, NATS_USER: 'trader', NATS_PASSWORD_FILE: file });
  });

  it('is refused with a wrong password, and the error hides the password', async () => {
    const err = await refusal({ NATS_URL: server.url, NATS_USER: 'trader', NATS_PASSWORD: 'wrong-battery' });
    expect(err).toBeInstanceOf(BusConnectError);
    expect(err.message).toMatch(/authorization/i);
    expect(err.message).not.toContain('wrong-battery');
  });

  it('redacts a password carried in the URL from the connection error', async () => {
    const err = await refusal({ NATS_URL: `nats://trader:url-secret@127.0.0.1:${server.port}` });
    expect(err.message).toContain('nats://trader:***@127.0.0.1');
    expect(err.message).not.toContain('url-secret');
  });
});

describe('NATS over mutual TLS against a real server', () => {
  let server: NatsServerProcess;
  const pki = join(dir, 'pki');

  beforeAll(async () => {
    makePki(pki);
    server = await NatsServerProcess.start({
      jetstream: true,
      config: `tls { cert_file: "${join(pki, 'server.pem')}", key_file: "${join(pki, 'server.key')}", ca_file: "${join(pki, 'ca.pem')}", verify: true, timeout: 3 }`,
    });
  });
  afterAll(() => server.stop());

  it('connects with the CA and a client certificate signed by it', async () => {
    await connects({ NATS_URL: server.url, NATS_TLS_CA_FILE: join(pki, 'ca.pem'), NATS_TLS_CERT_FILE: join(pki, 'client.pem'), NATS_TLS_KEY_FILE: join(pki, 'client.key') });
  });

  it('is refused without a client certificate', async () => {
    const err = await refusal({ NATS_URL: server.url, NATS_TLS_CA_FILE: join(pki, 'ca.pem') });
    expect(err).toBeInstanceOf(BusConnectError);
  });

  it('is refused when the server is not verified by the given CA', async () => {
    const other = join(dir, 'other-pki');
    makePki(other);
    const err = await refusal({ NATS_URL: server.url, NATS_TLS_CA_FILE: join(other, 'ca.pem'), NATS_TLS_CERT_FILE: join(pki, 'client.pem'), NATS_TLS_KEY_FILE: join(pki, 'client.key') });
    expect(err).toBeInstanceOf(BusConnectError);
  });
});

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl. */
function makePki(at: string): void {
  execFileSync('mkdir', ['-p', at]);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: at, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=meridian-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(join(at, `${name}.ext`), `${ext}\n`);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=meridian-${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }
  expect(readFileSync(join(at, 'client.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
}
