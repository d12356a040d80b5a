import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerUnaryCall, ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { field } from './config';
import type { ConfigOf } from './config';
import { ConfigError } from './errors';
import { Status, grpcError } from './grpc-errors';

/**
 * The keys of admin authentication. Off by default so `npm start` on a laptop keeps working (the
 * service logs a warning at start-up); the charts set `required`.
 */
export function adminAuthSchema() {
  return {
    ADMIN_AUTH: field.oneOf('Admin operations (kill switch, limits, stops, breaker reset, cancels): required = only authenticated principals; off = anyone, with a warning at start-up', ['off', 'required'] as const, 'off'),
    ADMIN_TOKENS_FILE: field.string('File of admin bearer tokens, one `name:sha256-hex-of-token` a line (# comments); the file holds no token in clear', ''),
    ADMIN_CLIENT_CNS: field.list('Subject CNs of client certificates (mutual TLS, GRPC_TLS_CLIENT_CA_FILE) allowed to run admin operations, comma-separated', [] as string[]),
  };
}

export type AdminAuthSchema = ReturnType<typeof adminAuthSchema>;

/** Who ran an admin operation. `authenticated` is false only when ADMIN_AUTH=off and no credential was presented. */
export interface AdminPrincipal {
  readonly name: string;
  readonly authenticated: boolean;
  /** How the principal was established. */
  readonly via: 'token' | 'client-certificate' | 'none';
}

/** The name of the principal when admin authentication is off and nothing was presented. */
export const ANONYMOUS_ADMIN = 'anonymous';

const TOKEN_LINE = /^([A-Za-z0-9][A-Za-z0-9._@-]*):([0-9a-fA-F]{64})$/;
const BEARER = /^Bearer\s+(\S+)$/i;

/** Parses an admin tokens file: `name:sha256hex` lines, blank lines and `#` comments ignored. */
export function parseAdminTokens(text: string, file: string): Map<string, Buffer> {
  const tokens = new Map<string, Buffer>();
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = TOKEN_LINE.exec(line);
    // The line itself is not quoted: a token pasted in clear by mistake must not reach the logs.
    if (!m) return problems.push(`ADMIN_TOKENS_FILE: ${file} line ${i + 1} is not name:<64 hex digits of sha256(token)>`);
    if (tokens.has(m[1]!)) return problems.push(`ADMIN_TOKENS_FILE: ${file} line ${i + 1} repeats the name ${m[1]}`);
    tokens.set(m[1]!, Buffer.from(m[2]!, 'hex'));
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return tokens;
}

/** The hash an admin tokens file holds for `token` (what `name:` is followed by). */
export function adminTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Authenticates the callers of admin operations from the `authorization: Bearer <token>` gRPC
 * metadata (tokens from ADMIN_TOKENS_FILE) or, under mutual TLS, the subject CN of the client
 * certificate (ADMIN_CLIENT_CNS). Every decision, allowed or refused, is logged as one
 * `admin operation` line with the principal, the operation and the outcome.
 */
export class AdminAuth {
  private constructor(
    readonly required: boolean,
    private readonly tokens: ReadonlyMap<string, Buffer>,
    private readonly cns: ReadonlySet<string>,
    private readonly logger: Logger,
  ) {}

  /**
   * From the ADMIN_* keys. `mutualTls` says whether the gRPC port checks client certificates;
   * ADMIN_CLIENT_CNS without it would allow nobody, so it is refused at start-up with the key
   * named. ADMIN_AUTH=required with no way to authenticate starts, warns, and refuses every call.
   */
  static fromConfig(c: ConfigOf<AdminAuthSchema>, mutualTls: boolean, logger: Logger): AdminAuth {
    const problems: string[] = [];
    let tokens = new Map<string, Buffer>();
    if (c.ADMIN_TOKENS_FILE !== '') {
      let text: string | undefined;
      try {
        text = readFileSync(c.ADMIN_TOKENS_FILE, 'utf8');
      } catch (err) {
        problems.push(`ADMIN_TOKENS_FILE: cannot read ${c.ADMIN_TOKENS_FILE}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (text !== undefined) {
        try {
          tokens = parseAdminTokens(text, c.ADMIN_TOKENS_FILE);
          if (tokens.size === 0) problems.push(`ADMIN_TOKENS_FILE: ${c.ADMIN_TOKENS_FILE} holds no token`);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          problems.push(...err.problems);
        }
      }
    }
    const cns = c.ADMIN_CLIENT_CNS.map((s) => s.trim()).filter((s) => s !== '');
    if (cns.length > 0 && !mutualTls) problems.push('ADMIN_CLIENT_CNS: client certificates are only checked under mutual TLS (set GRPC_TLS_CLIENT_CA_FILE)');
    if (problems.length > 0) throw new ConfigError(problems);
    const auth = new AdminAuth(c.ADMIN_AUTH === 'required', tokens, new Set(cns), logger);
    if (!auth.required) logger.warn({ adminAuth: 'off' }, 'admin operations are unauthenticated (ADMIN_AUTH=off): anyone reaching the gRPC port may run them');
    // Fail closed rather than refuse to start: the charts set required everywhere, and a service
    // nobody administers (or one whose operators are not set up yet) must still run.
    else if (tokens.size === 0 && cns.length === 0) logger.warn({ adminAuth: 'required' }, 'ADMIN_AUTH=required with neither ADMIN_TOKENS_FILE nor ADMIN_CLIENT_CNS: every admin operation is refused');
    return auth;
  }

  /**
   * Called at the top of an admin handler. Returns the principal, or throws the gRPC error to
   * answer: UNAUTHENTICATED (no credential, or a token that matches none) or PERMISSION_DENIED
   * (a verified client certificate whose CN is not allowed). `details` go into the audit line.
   */
  authorize(call: Pick<ServerUnaryCall<unknown, unknown>, 'metadata' | 'getAuthContext' | 'getPeer'>, operation: string, details: Record<string, unknown> = {}): AdminPrincipal {
    const peer = call.getPeer();
    const audit = (outcome: 'allowed' | 'refused', principal: string, via: AdminPrincipal['via'], reason?: string) =>
      this.logger[outcome === 'allowed' ? 'info' : 'warn']({ audit: 'admin', principal, operation, outcome, via, peer, ...(reason ? { reason } : {}), ...details }, 'admin operation');
    const refuse = (code: Status, principal: string, via: AdminPrincipal['via'], reason: string): ServiceError => {
      audit('refused', principal, via, reason);
      return grpcError(code, `${operation}: ${reason}`);
    };

    const header = call.metadata.get('authorization');
    let tokenName: string | undefined;
    let badToken = false;
    if (header.length > 0) {
      const m = BEARER.exec(String(header[0]));
      tokenName = m ? this.tokenNameOf(m[1]!) : undefined;
      badToken = tokenName === undefined;
    }
    const cn = this.clientCn(call);

    if (tokenName !== undefined) return this.allow(audit, tokenName, 'token');
    if (cn !== undefined && this.cns.has(cn)) return this.allow(audit, cn, 'client-certificate');
    if (!this.required) return this.allow(audit, cn ?? ANONYMOUS_ADMIN, 'none', false);
    if (badToken) throw refuse(Status.UNAUTHENTICATED, ANONYMOUS_ADMIN, 'token', 'the bearer token matches no admin token');
    if (cn !== undefined) throw refuse(Status.PERMISSION_DENIED, cn, 'client-certificate', `client certificate CN ${JSON.stringify(cn)} may not run admin operations`);
    throw refuse(Status.UNAUTHENTICATED, ANONYMOUS_ADMIN, 'none', 'admin operations need an authorization: Bearer <token> header or an allowed client certificate');
  }

  private allow(audit: (o: 'allowed', p: string, v: AdminPrincipal['via']) => void, name: string, via: AdminPrincipal['via'], authenticated = true): AdminPrincipal {
    audit('allowed', name, via);
    return { name, authenticated, via };
  }

  /** The name whose hash matches; every entry is compared so the time does not tell which. */
  private tokenNameOf(token: string): string | undefined {
    const hash = createHash('sha256').update(token, 'utf8').digest();
    let found: string | undefined;
    for (const [name, expected] of this.tokens) {
      if (timingSafeEqual(hash, expected) && found === undefined) found = name;
    }
    return found;
  }

  /** The subject CN of a client certificate the TLS handshake verified, if any. */
  private clientCn(call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>): string | undefined {
    const cert = call.getAuthContext().sslPeerCertificate;
    const cn = cert?.subject?.CN;
    return typeof cn === 'string' && cn !== '' ? cn : Array.isArray(cn) && typeof cn[0] === 'string' ? cn[0] : undefined;
  }
}
