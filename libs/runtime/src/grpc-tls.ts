import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { field } from './config';
import type { ConfigOf } from './config';
import { ConfigError } from './errors';

/**
 * The keys that turn TLS on for the gRPC server. Files rather than values, so a Kubernetes
 * Secret (cert-manager's `tls.crt`, `tls.key`, `ca.crt`) is mounted, never copied into the env.
 */
export function grpcTlsSchema() {
  return {
    GRPC_TLS_CERT_FILE: field.string('Server certificate of the gRPC port (PEM, with GRPC_TLS_KEY_FILE); setting it turns TLS on', ''),
    GRPC_TLS_KEY_FILE: field.string('Private key of the gRPC server certificate (PEM)', ''),
    GRPC_TLS_CLIENT_CA_FILE: field.string('CA bundle (PEM) that must have signed every gRPC client certificate; setting it makes TLS mutual', ''),
  };
}

export type GrpcTlsSchema = ReturnType<typeof grpcTlsSchema>;

/** What the gRPC port speaks: plaintext, TLS, or mutual TLS. */
export type GrpcTransport = 'insecure' | 'tls' | 'mtls';

/**
 * Server credentials from the GRPC_TLS_* keys, checked at start-up: a certificate without its
 * key (or the reverse), a client CA without a server certificate, or a file that cannot be read
 * stops the service with the key's name. No file content appears in a message.
 */
export function grpcServerCredentials(c: ConfigOf<GrpcTlsSchema>): { credentials: ServerCredentials; transport: GrpcTransport } {
  const problems: string[] = [];
  const read = (key: keyof GrpcTlsSchema, path: string): Buffer | undefined => {
    if (path === '') return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      problems.push(`${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return undefined;
    }
  };
  const hasCert = c.GRPC_TLS_CERT_FILE !== '';
  if (hasCert !== (c.GRPC_TLS_KEY_FILE !== '')) {
    problems.push(`${hasCert ? 'GRPC_TLS_KEY_FILE' : 'GRPC_TLS_CERT_FILE'}: a gRPC server certificate needs both GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE`);
  }
  if (c.GRPC_TLS_CLIENT_CA_FILE !== '' && !hasCert) {
    problems.push('GRPC_TLS_CLIENT_CA_FILE: mutual TLS needs a server certificate too (GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE)');
  }
  const cert = read('GRPC_TLS_CERT_FILE', c.GRPC_TLS_CERT_FILE);
  const key = read('GRPC_TLS_KEY_FILE', c.GRPC_TLS_KEY_FILE);
  const ca = read('GRPC_TLS_CLIENT_CA_FILE', c.GRPC_TLS_CLIENT_CA_FILE);
  if (problems.length > 0) throw new ConfigError(problems);
  if (cert === undefined || key === undefined) return { credentials: ServerCredentials.createInsecure(), transport: 'insecure' };
  try {
    // With a client CA, checkClientCertificate=true: a client without a certificate it signed is refused in the handshake.
    return { credentials: ServerCredentials.createSsl(ca ?? null, [{ cert_chain: cert, private_key: key }], ca !== undefined), transport: ca !== undefined ? 'mtls' : 'tls' };
  } catch (err) {
    throw new ConfigError([`GRPC_TLS_CERT_FILE: ${c.GRPC_TLS_CERT_FILE} with GRPC_TLS_KEY_FILE ${c.GRPC_TLS_KEY_FILE} is not a usable PEM certificate and key: ${(err as Error).message}`]);
  }
}
