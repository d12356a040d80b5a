import { readFileSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { descriptorSetPath, PROTO_PACKAGE } from '@meridian/proto';

export interface GrpcService {
  /** Short name, e.g. `RiskService`; health reports it as `meridian.v1.RiskService`. */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/**
 * A gRPC server with the platform's services, `grpc.health.v1.Health` (overall and per
 * fully-qualified service name) and server reflection from the buf-built descriptor set.
 */
export class GrpcServer {
  // Channelz keeps per-call statistics for a debugging service nobody here serves: work on every
  // call (it showed in a CPU profile of risk under the CheckOrder bench).
  readonly server = new Server({ 'grpc.enable_channelz': 0 });
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly names: string[];
  private boundPort = 0;

  constructor(services: readonly GrpcService[]) {
    this.names = services.map((s) => `${PROTO_PACKAGE}.${s.name}`);
    for (const s of services) this.server.addService(s.definition, s.implementation);
    for (const n of this.names) this.health.setStatus(n, 'NOT_SERVING');
    this.health.addToServer(this.server);
    const pkg = loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath()), { longs: String, enums: String, defaults: true });
    // Reflection describes only what this server serves.
    new ReflectionService(pkg, { services: this.names }).addToServer(this.server);
  }

  /** Binds plaintext unless given credentials (see `grpcServerCredentials`, the GRPC_TLS_* keys). */
  async listen(host: string, port: number, credentials: ServerCredentials = ServerCredentials.createInsecure()): Promise<number> {
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
    });
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', status);
    for (const n of this.names) this.health.setStatus(n, status);
  }

  /** Finishes calls in flight, refusing new ones; forces after `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, timeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
