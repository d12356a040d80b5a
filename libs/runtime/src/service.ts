import { Bus, DEFAULT_PULL_EXPIRES_MS, natsInboxPrefix } from '@meridian/bus';
import type { Shard } from '@meridian/bus';
import { parseSymbol, parseVenue } from '@meridian/domain';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { field, loadConfig } from './config';
import type { ConfigOf, Schema } from './config';
import { ConfigError } from './errors';
import { AdminAuth, adminAuthSchema } from './admin-auth';
import { GrpcServer } from './grpc';
import type { GrpcService } from './grpc';
import { grpcServerCredentials, grpcTlsSchema } from './grpc-tls';
import { Health } from './health';
import { buildHttp } from './http';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import { natsConnectOptions, natsSchema } from './nats-config';
import { startTelemetry } from './telemetry';

/** Keys every service reads; a service's own schema adds to these. */
export function baseSchema(ports: { http: number; grpc: number }) {
  return {
    ...natsSchema(),
    BUS_NAMESPACE: field.string('Prefix of every subject and stream; empty in production, unique per test run', ''),
    NATS_PULL_EXPIRES_MS: field.int('Lifetime of a JetStream pull request, ms: shorter recovers faster from a NATS node loss, longer costs idle consumers less', DEFAULT_PULL_EXPIRES_MS, { min: 1_000, max: 300_000 }),
    JS_REPLICAS: field.int('JetStream replicas of the streams bootstrap declares', 1, { min: 1, max: 5 }),
    SYMBOLS: field.list('Symbols this replica owns (its shard)', ['BTC-USDT', 'ETH-USDT'], parseSymbol),
    HOST: field.string('Interface the HTTP and gRPC servers listen on', '0.0.0.0'),
    HTTP_PORT: field.int('Port of /healthz, /readyz and /metrics', ports.http, { min: 0, max: 65535 }),
    GRPC_PORT: field.int('gRPC port (services, health, reflection)', ports.grpc, { min: 0, max: 65535 }),
    ...grpcTlsSchema(),
    ...adminAuthSchema(),
    LOG_LEVEL: field.oneOf('Log level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, 'info'),
    SHUTDOWN_TIMEOUT_MS: field.int('Longest a graceful shutdown may take before the process exits anyway', 15_000, { min: 100 }),
  };
}

export type BaseSchema = ReturnType<typeof baseSchema>;

export interface ServiceContext<C> {
  readonly name: string;
  readonly config: C;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: Health;
  readonly bus: Bus;
  readonly shard: Shard;
  /** Call `admin.authorize(call, operation)` at the top of every admin handler. */
  readonly admin: AdminAuth;
}

/** What a service's `start` hands back: its gRPC services and how to stop its own work. */
export interface RunningService {
  grpc?: GrpcService[];
  /** Stops sources and timers and finishes in-flight work; consumers are stopped by the runtime. */
  stop(): Promise<void>;
  /** Releases what consumers used (database pools…), after the bus has drained. */
  close?(): Promise<void>;
}

export interface ServiceDefinition<S extends Schema> {
  name: string;
  version?: string;
  ports: { http: number; grpc: number };
  config: S;
  /** Venues this service executes on (execution); others use none. */
  venues?: (config: ConfigOf<S & BaseSchema>) => string[];
  start(ctx: ServiceContext<ConfigOf<S & BaseSchema>>): Promise<RunningService>;
}

export interface StartedService<C> {
  readonly context: ServiceContext<C>;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** Graceful shutdown: not ready → stop work → drain consumers → close servers → flush traces. */
  shutdown(): Promise<void>;
}

/** Starts a service from its definition and an environment; throws ConfigError on bad config. */
export async function startService<S extends Schema>(
  def: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedService<ConfigOf<S & BaseSchema>>> {
  const schema = { ...baseSchema(def.ports), ...def.config } as S & BaseSchema;
  const config = loadConfig(schema, env) as ConfigOf<S & BaseSchema>;
  const base = config as unknown as ConfigOf<BaseSchema>;
  const nats = natsConnectOptions(base);
  const grpcTls = grpcServerCredentials(base);
  const version = def.version ?? process.env.npm_package_version ?? '0.1.0';
  const logger = createLogger(def.name, base.LOG_LEVEL);
  // Before telemetry and the bus, so a bad ADMIN_* key stops the service with nothing to undo.
  const admin = AdminAuth.fromConfig(base, grpcTls.transport === 'mtls', logger);
  const shard: Shard = { symbols: base.SYMBOLS, venues: (def.venues?.(config) ?? []).map((v) => parseVenue(v)) };
  const telemetry = startTelemetry(def.name, version, logger, env);
  const metrics = new Metrics(def.name, version);
  const health = new Health();

  const bus = await Bus.connect({
    // The inbox its NATS user may subscribe to (natsPermissions): one per service.
    inboxPrefix: natsInboxPrefix(def.name),
    ...nats,
    name: `meridian-${def.name}`,
    namespace: base.BUS_NAMESPACE,
    topology: { replicas: base.JS_REPLICAS },
    pullExpiresMs: base.NATS_PULL_EXPIRES_MS,
    logger,
    observer: metrics.busObserver(),
  }).catch(async (err: unknown) => {
    await telemetry.shutdown();
    throw err;
  });
  health.addCheck('nats_connected', () => bus.connected);
  const context: ServiceContext<ConfigOf<S & BaseSchema>> = { name: def.name, config, logger, metrics, health, bus, shard, admin };

  let running: RunningService | undefined;
  let http: FastifyInstance | undefined;
  let grpc: GrpcServer | undefined;
  try {
    running = await def.start(context);
    grpc = new GrpcServer(running.grpc ?? []);
    const grpcPort = await grpc.listen(base.HOST, base.GRPC_PORT, grpcTls.credentials);
    http = buildHttp({ service: def.name, health, metrics });
    await http.listen({ host: base.HOST, port: base.HTTP_PORT });
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : base.HTTP_PORT;
    grpc.setServing(true);
    // gRPC health follows readiness, so Kubernetes grpc probes and /readyz agree.
    const readinessSync = setInterval(() => grpc?.setServing(health.report().ready), 1_000);
    readinessSync.unref();
    logger.info({ httpPort, grpcPort, grpcTransport: grpcTls.transport, adminAuth: base.ADMIN_AUTH, symbols: shard.symbols, namespace: base.BUS_NAMESPACE || undefined }, 'service started');

    let shutdownPromise: Promise<void> | undefined;
    const shutdown = () => {
      shutdownPromise ??= (async () => {
        clearInterval(readinessSync);
        logger.info('shutting down');
        health.markShuttingDown();
        grpc?.setServing(false);
        await running?.stop();
        await bus.close();
        await running?.close?.();
        await grpc?.close(Math.min(5_000, base.SHUTDOWN_TIMEOUT_MS));
        await http?.close();
        logger.info('shutdown complete');
        await telemetry.shutdown();
      })();
      return shutdownPromise;
    };
    return { context, httpPort, grpcPort, shutdown };
  } catch (err) {
    await running?.stop().catch(() => undefined);
    await grpc?.close(100).catch(() => undefined);
    await http?.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await running?.close?.().catch(() => undefined);
    await telemetry.shutdown();
    throw err;
  }
}

/**
 * The `main.ts` of every service: start, serve until SIGTERM/SIGINT, shut down gracefully.
 * A bad configuration stops the process with exit code 2 and a message naming each key.
 */
export function runService<S extends Schema>(def: ServiceDefinition<S>): void {
  void (async () => {
    let started: StartedService<ConfigOf<S & BaseSchema>>;
    try {
      started = await startService(def);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${def.name}: ${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${def.name}: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    }
    const { logger } = started.context;
    const timeoutMs = (started.context.config as unknown as ConfigOf<BaseSchema>).SHUTDOWN_TIMEOUT_MS;
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal received');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs }, 'graceful shutdown timed out; exiting');
        process.exit(1);
      }, timeoutMs);
      started.shutdown().then(
        () => {
          clearTimeout(timer);
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    process.on('unhandledRejection', (err) => {
      logger.fatal({ err }, 'unhandled promise rejection');
      process.exit(1);
    });
  })();
}
