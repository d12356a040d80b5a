import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Metadata, credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type { ChannelCredentials, Client, ServiceClientConstructor, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import pino from 'pino';
import { GetBookResponse, OrderBookServiceClient, OrderBookServiceService } from '@meridian/proto';
import type { GetBookRequest } from '@meridian/proto';
import {
  AdminAuth,
  ConfigError,
  GrpcServer,
  Status,
  adminAuthSchema,
  adminTokenHash,
  grpcServerCredentials,
  grpcTlsSchema,
  loadConfig,
  startService,
} from '../src';
import type { GrpcTransport } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'meridian-grpc-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pki = join(dir, 'pki');
const otherPki = join(dir, 'other-pki');
beforeAll(() => {
  makePki(pki);
  makePki(otherPki);
});
const file = (at: string, name: string) => readFileSync(join(at, name));

const TOKEN = 'operator-token-7f3a';
const tokensFile = join(dir, 'admin-tokens');
beforeAll(() => writeFileSync(tokensFile, `# operators\nalice:${adminTokenHash(TOKEN)}\n\nbob:${adminTokenHash('another-token')}\n`));

/** An AdminAuth whose log lines land in `lines`. */
function adminAuth(env: Record<string, string>, mutualTls: boolean, lines: Record<string, unknown>[] = []): AdminAuth {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return AdminAuth.fromConfig(loadConfig(adminAuthSchema(), env), mutualTls, pino({ level: 'info' }, sink));
}

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const tlsCredentials = (env: Record<string, string>) => grpcServerCredentials(loadConfig(grpcTlsSchema(), env));

/** A server whose GetBook is an admin operation, as risk's and execution's admin handlers are. */
async function adminServer(env: Record<string, string>, auth: AdminAuth): Promise<{ server: GrpcServer; port: number; transport: GrpcTransport }> {
  const { credentials: creds, transport } = tlsCredentials(env);
  const server = new GrpcServer([
    {
      name: 'OrderBookService',
      definition: OrderBookServiceService,
      implementation: {
        getBook: (call: Parameters<AdminAuth['authorize']>[0] & { request: GetBookRequest }, cb: (e: ServiceError | null, r?: GetBookResponse) => void) => {
          let principal;
          try {
            principal = auth.authorize(call, 'GetBook', { symbol: call.request.symbol });
          } catch (err) {
            return cb(err as ServiceError);
          }
          cb(null, GetBookResponse.fromPartial({ symbol: call.request.symbol, venue: `${principal.name}/${principal.via}/${principal.authenticated}` }));
        },
      },
    },
  ]);
  const port = await server.listen('127.0.0.1', 0, creds);
  server.setServing(true);
  return { server, port, transport };
}

function getBook(port: number, creds: ChannelCredentials, token?: string): Promise<{ venue: string }> {
  const client = new OrderBookServiceClient(`127.0.0.1:${port}`, creds);
  const md = new Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return new Promise<{ venue: string }>((resolve, reject) =>
    client.getBook({ venue: 'v', symbol: 'BTC-USDT', depth: 1 }, md, { deadline: Date.now() + 5_000 }, (err, res) => {
      client.close();
      return err ? reject(err) : resolve(res);
    }),
  );
}

async function statusOf(p: Promise<unknown>): Promise<Status> {
  try {
    await p;
  } catch (err) {
    return (err as ServiceError).code;
  }
  throw new Error('expected the call to fail');
}

const serverTls = () => ({ GRPC_TLS_CERT_FILE: join(pki, 'server.pem'), GRPC_TLS_KEY_FILE: join(pki, 'server.key') });
const mutualTls = () => ({ ...serverTls(), GRPC_TLS_CLIENT_CA_FILE: join(pki, 'ca.pem') });
const trusting = () => credentials.createSsl(file(pki, 'ca.pem'));
const withCert = (at: string, name: string) => credentials.createSsl(file(pki, 'ca.pem'), file(at, `${name}.key`), file(at, `${name}.pem`));

describe('gRPC TLS configuration checks', () => {
  it('is plaintext when no key is set', () => {
    expect(tlsCredentials({}).transport).toBe('insecure');
  });

  it('refuses a certificate without its key, and the reverse', () => {
    expect(problemsOf(() => tlsCredentials({ GRPC_TLS_CERT_FILE: join(pki, 'server.pem') }))).toEqual([expect.stringMatching(/^GRPC_TLS_KEY_FILE: a gRPC server certificate needs both/)]);
    expect(problemsOf(() => tlsCredentials({ GRPC_TLS_KEY_FILE: join(pki, 'server.key') }))).toEqual([expect.stringMatching(/^GRPC_TLS_CERT_FILE: a gRPC server certificate needs both/)]);
  });

  it('refuses a client CA without a server certificate, and names an unreadable file', () => {
    expect(problemsOf(() => tlsCredentials({ GRPC_TLS_CLIENT_CA_FILE: join(pki, 'ca.pem') }))).toEqual([expect.stringMatching(/^GRPC_TLS_CLIENT_CA_FILE: mutual TLS needs a server certificate/)]);
    expect(problemsOf(() => tlsCredentials({ ...serverTls(), GRPC_TLS_CLIENT_CA_FILE: join(dir, 'absent.pem') }))).toEqual([expect.stringMatching(/^GRPC_TLS_CLIENT_CA_FILE: cannot read .*absent\.pem: ENOENT/)]);
  });

  it('says which transport the keys make', () => {
    expect(tlsCredentials(serverTls()).transport).toBe('tls');
    expect(tlsCredentials(mutualTls()).transport).toBe('mtls');
  });
});

describe('admin authentication configuration checks', () => {
  it('warns at start-up when admin operations are unauthenticated, and not when required', () => {
    const lines: Record<string, unknown>[] = [];
    adminAuth({}, false, lines);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: expect.stringMatching(/admin operations are unauthenticated/) })]);
    const quiet: Record<string, unknown>[] = [];
    adminAuth({ ADMIN_AUTH: 'required', ADMIN_TOKENS_FILE: tokensFile }, false, quiet);
    expect(quiet).toEqual([]);
  });

  it('warns that required with no way to authenticate refuses everything', () => {
    const lines: Record<string, unknown>[] = [];
    adminAuth({ ADMIN_AUTH: 'required' }, false, lines);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: expect.stringMatching(/every admin operation is refused/) })]);
  });

  it('refuses CNs without mutual TLS, an unreadable tokens file, a bad ADMIN_AUTH, and names the key', () => {
    expect(problemsOf(() => adminAuth({ ADMIN_CLIENT_CNS: 'ops' }, false))).toEqual([expect.stringMatching(/^ADMIN_CLIENT_CNS: client certificates are only checked under mutual TLS/)]);
    expect(problemsOf(() => adminAuth({ ADMIN_TOKENS_FILE: join(dir, 'absent') }, false))).toEqual([expect.stringMatching(/^ADMIN_TOKENS_FILE: cannot read .*absent: ENOENT/)]);
    expect(problemsOf(() => loadConfig(adminAuthSchema(), { ADMIN_AUTH: 'maybe' }))).toEqual([expect.stringMatching(/^ADMIN_AUTH: /)]);
  });

  it('refuses a tokens file line that is not name:sha256, without quoting the line', () => {
    const bad = join(dir, 'bad-tokens');
    writeFileSync(bad, `alice:${adminTokenHash('x')}\ncarol:plain-token-in-clear\nalice:${adminTokenHash('y')}\n`);
    const problems = problemsOf(() => adminAuth({ ADMIN_TOKENS_FILE: bad }, false));
    expect(problems).toEqual([expect.stringMatching(/^ADMIN_TOKENS_FILE: .* line 2 is not name:/), expect.stringMatching(/line 3 repeats the name alice/)]);
    expect(problems.join('\n')).not.toContain('plain-token-in-clear');
  });
});

describe('gRPC over TLS', () => {
  let tls: Awaited<ReturnType<typeof adminServer>>;
  beforeAll(async () => {
    tls = await adminServer(serverTls(), adminAuth({}, false));
  });
  afterAll(() => tls.server.close(100));

  it('serves a client that trusts the CA, and refuses a plaintext client', async () => {
    expect(tls.transport).toBe('tls');
    expect((await getBook(tls.port, trusting())).venue).toBe('anonymous/none/false');
    expect(await statusOf(getBook(tls.port, credentials.createInsecure()))).toBe(Status.UNAVAILABLE);
  });

  it('is refused by a client that does not trust the server certificate', async () => {
    expect(await statusOf(getBook(tls.port, credentials.createSsl(file(otherPki, 'ca.pem'))))).toBe(Status.UNAVAILABLE);
  });
});

describe('gRPC over mutual TLS', () => {
  let mtls: Awaited<ReturnType<typeof adminServer>>;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    mtls = await adminServer(mutualTls(), adminAuth({ ADMIN_AUTH: 'required', ADMIN_TOKENS_FILE: tokensFile, ADMIN_CLIENT_CNS: 'meridian-client' }, true, lines));
  });
  afterAll(() => mtls.server.close(100));

  it('refuses a client without a certificate, and one whose certificate another CA signed', async () => {
    expect(await statusOf(getBook(mtls.port, trusting(), TOKEN))).toBe(Status.UNAVAILABLE);
    expect(await statusOf(getBook(mtls.port, withCert(otherPki, 'client'), TOKEN))).toBe(Status.UNAVAILABLE);
  });

  it('authenticates an allowed client certificate by its CN, and audits it', async () => {
    lines.length = 0;
    expect((await getBook(mtls.port, withCert(pki, 'client'))).venue).toBe('meridian-client/client-certificate/true');
    expect(lines).toEqual([expect.objectContaining({ msg: 'admin operation', principal: 'meridian-client', operation: 'GetBook', outcome: 'allowed', via: 'client-certificate', symbol: 'BTC-USDT' })]);
  });

  it('refuses a signed certificate whose CN is not allowed, unless it carries a token', async () => {
    lines.length = 0;
    const err = await getBook(mtls.port, withCert(pki, 'viewer')).catch((e: ServiceError) => e);
    expect(err).toMatchObject({ code: Status.PERMISSION_DENIED, details: expect.stringMatching(/CN "meridian-viewer" may not run admin operations/) });
    expect((await getBook(mtls.port, withCert(pki, 'viewer'), TOKEN)).venue).toBe('alice/token/true');
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'admin operation', principal: 'meridian-viewer', operation: 'GetBook', outcome: 'refused' }),
      expect.objectContaining({ msg: 'admin operation', principal: 'alice', operation: 'GetBook', outcome: 'allowed', via: 'token' }),
    ]);
  });

  it('refuses a wrong token as unauthenticated, never logging the token', async () => {
    lines.length = 0;
    expect(await statusOf(getBook(mtls.port, withCert(pki, 'viewer'), 'not-a-token'))).toBe(Status.UNAUTHENTICATED);
    expect(lines).toEqual([expect.objectContaining({ msg: 'admin operation', principal: 'anonymous', outcome: 'refused', via: 'token' })]);
    expect(JSON.stringify(lines)).not.toContain('not-a-token');
  });
});

describe('admin authentication required with nothing configured', () => {
  it('refuses every call, even one carrying a token', async () => {
    const locked = await adminServer({}, adminAuth({ ADMIN_AUTH: 'required' }, false));
    try {
      expect(await statusOf(getBook(locked.port, credentials.createInsecure()))).toBe(Status.UNAUTHENTICATED);
      expect(await statusOf(getBook(locked.port, credentials.createInsecure(), TOKEN))).toBe(Status.UNAUTHENTICATED);
    } finally {
      await locked.server.close(100);
    }
  });
});

describe('admin authentication over plaintext', () => {
  let plain: Awaited<ReturnType<typeof adminServer>>;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    plain = await adminServer({}, adminAuth({ ADMIN_AUTH: 'required', ADMIN_TOKENS_FILE: tokensFile }, false, lines));
  });
  afterAll(() => plain.server.close(100));

  it('refuses a call without a token and accepts each token of the file by its name', async () => {
    expect(await statusOf(getBook(plain.port, credentials.createInsecure()))).toBe(Status.UNAUTHENTICATED);
    expect(await statusOf(getBook(plain.port, credentials.createInsecure(), adminTokenHash(TOKEN)))).toBe(Status.UNAUTHENTICATED);
    expect((await getBook(plain.port, credentials.createInsecure(), TOKEN)).venue).toBe('alice/token/true');
    expect((await getBook(plain.port, credentials.createInsecure(), 'another-token')).venue).toBe('bob/token/true');
    expect(lines.map((l) => [l.principal, l.outcome])).toEqual([
      ['anonymous', 'refused'],
      ['anonymous', 'refused'],
      ['alice', 'allowed'],
      ['bob', 'allowed'],
    ]);
  });
});

interface HealthClient extends Client {
  check(req: { service: string }, opts: { deadline: number }, cb: (err: ServiceError | null, res: { status: string }) => void): void;
}

describe('a service started with GRPC_TLS_* (real NATS)', () => {
  it('answers grpc health over mutual TLS, and refuses a bad ADMIN_* key before starting', async () => {
    const env = {
      NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      BUS_NAMESPACE: `rttls${Date.now()}${process.pid}`,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'fatal',
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...mutualTls(),
    };
    await expect(startService({ name: 'rt-tls', ports: { http: 0, grpc: 0 }, config: {}, start: () => Promise.resolve({ stop: () => Promise.resolve() }) }, { ...env, ADMIN_TOKENS_FILE: join(dir, 'absent') })).rejects.toThrow(
      /ADMIN_TOKENS_FILE: cannot read/,
    );
    const started = await startService({ name: 'rt-tls', ports: { http: 0, grpc: 0 }, config: {}, start: () => Promise.resolve({ stop: () => Promise.resolve() }) }, env);
    try {
      expect(started.context.admin.required).toBe(false);
      const def = loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
      const pkg = loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: ServiceClientConstructor } } } };
      const check = (creds: ChannelCredentials) => {
        const hc = new pkg.grpc.health.v1.Health(`127.0.0.1:${started.grpcPort}`, creds) as unknown as HealthClient;
        return new Promise<string>((resolve, reject) =>
          hc.check({ service: '' }, { deadline: Date.now() + 5_000 }, (err, res) => {
            hc.close();
            return err ? reject(err) : resolve(res.status);
          }),
        );
      };
      expect(await check(withCert(pki, 'client'))).toBe('SERVING');
      expect(await statusOf(check(credentials.createInsecure()))).toBe(Status.UNAVAILABLE);
    } finally {
      await started.shutdown();
    }
  });
});

/** A throwaway CA, a server certificate for 127.0.0.1 and two client certificates, made by openssl. */
function makePki(at: string): void {
  mkdirSync(at, { recursive: true });
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: at, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=meridian-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
    ['viewer', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(join(at, `${name}.ext`), `${ext}\n`);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=meridian-${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }
}
