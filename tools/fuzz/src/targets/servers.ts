import { Client, credentials, Metadata, status as Status } from '@grpc/grpc-js';
import type { ServiceDefinition, ServiceError } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { testServers, uniqueNamespace, deleteNamespaceStreams, createSchema } from '@meridian/testkit';
import { Refused, Unavailable } from '../target';

/** Where the real servers are, or `Unavailable` (the target is then skipped, with this reason). */
export async function natsServer(): Promise<{ natsUrl: string; databaseUrl: string }> {
  const servers = await testServers();
  let probe: Bus;
  try {
    probe = await Bus.connect({ servers: servers.natsUrl, name: 'fuzz-probe' });
  } catch (err) {
    throw new Unavailable(`NATS not reachable at ${servers.natsUrl}: ${(err as Error).message}`);
  }
  await probe.close();
  return servers;
}

/** A namespace of streams on the real NATS server for one target run, provisioned like `npm run bootstrap`. */
export interface NatsNamespace {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly namespace: string;
  readonly bus: Bus;
  close(): Promise<void>;
}

export async function natsNamespace(prefix: string, symbols: readonly string[], venues: readonly string[]): Promise<NatsNamespace> {
  const { natsUrl, databaseUrl } = await natsServer();
  const namespace = uniqueNamespace(prefix);
  const bus = await Bus.connect({ servers: natsUrl, name: `fuzz-${prefix}`, namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols, venues }]);
  return {
    natsUrl,
    databaseUrl,
    namespace,
    bus,
    close: async () => {
      await bus.close();
      await deleteNamespaceStreams(natsUrl, namespace);
    },
  };
}

/** A PostgreSQL schema of its own, or `Unavailable`. */
export async function postgresSchema(databaseUrl: string, name: string): Promise<{ schema: string; drop(): Promise<void> }> {
  try {
    return await createSchema(databaseUrl, name);
  } catch (err) {
    throw new Unavailable(`PostgreSQL not reachable at ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}`);
  }
}

/** The environment a service started in-process needs to join a namespace. */
export function serviceEnv(ns: NatsNamespace, symbols: readonly string[], extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    NATS_URL: ns.natsUrl,
    BUS_NAMESPACE: ns.namespace,
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'fatal',
    SYMBOLS: symbols.join(','),
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...extra,
  };
}

type Methods = Record<string, { path: string; requestSerialize(value: unknown): Buffer; responseDeserialize(bytes: Buffer): unknown }>;

/** A gRPC request: a message the method's own codec encodes, or raw bytes as a hostile client sends them. */
export type GrpcRequest = { readonly method: string; readonly message: unknown } | { readonly method: string; readonly raw: Uint8Array };

/** A gRPC client of one service that calls any method by name with either kind of request. */
export class RawGrpcClient {
  private readonly client: Client;

  constructor(
    address: string,
    private readonly service: ServiceDefinition,
  ) {
    this.client = new Client(address, credentials.createInsecure());
  }

  call(request: GrpcRequest, deadlineMs: number): Promise<unknown> {
    const m = (this.service as unknown as Methods)[request.method];
    if (m === undefined) throw new Error(`no method ${request.method}`);
    const serialize = 'raw' in request ? (b: unknown) => Buffer.from(b as Uint8Array) : m.requestSerialize;
    const argument = 'raw' in request ? request.raw : request.message;
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest(m.path, serialize, m.responseDeserialize, argument, new Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(err) : resolve(res),
      ),
    );
  }

  close(): void {
    this.client.close();
  }
}

/** gRPC statuses a service answers a refused request with (the handler's documented refusals). */
const REFUSALS = new Set<number>([Status.INVALID_ARGUMENT, Status.NOT_FOUND, Status.FAILED_PRECONDITION, Status.ABORTED, Status.OUT_OF_RANGE]);

/**
 * A gRPC failure as a target outcome: a refusal status is a documented rejection, and so is
 * grpc-js's own answer to bytes it cannot decode into the request type; INTERNAL, UNKNOWN and the
 * rest mean the handler failed on the input.
 */
export function grpcOutcome(err: unknown): never {
  const e = err as ServiceError;
  if (typeof e?.code !== 'number') throw err;
  const name = Status[e.code] ?? String(e.code);
  if (REFUSALS.has(e.code)) throw new Refused(`grpc:${name}`, e.details);
  if (e.code === Status.INTERNAL && /deserializ/i.test(e.details ?? '')) throw new Refused('grpc:INTERNAL undecodable request', e.details);
  throw err;
}

export { Status };
