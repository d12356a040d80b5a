import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type { Client, ServiceClientConstructor, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { GetBookRequest, GetBookResponse, OrderBookServiceClient, OrderBookServiceService } from '@meridian/proto';
import { ConfigError, field, startService } from '../src';
import type { ServiceContext, ServiceDefinition } from '../src';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
let runCounter = 0;

function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  runCounter += 1;
  return {
    NATS_URL,
    BUS_NAMESPACE: `rt${Date.now()}${process.pid}${runCounter}`,
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'fatal',
    SYMBOLS: 'btc/usdt,ETH-USDT',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...extra,
  };
}

interface HealthClient extends Client {
  check(req: { service: string }, cb: (err: ServiceError | null, res: { status: string }) => void): void;
}

function healthClient(port: number): HealthClient {
  const def = loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: ServiceClientConstructor } } } };
  return new pkg.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as HealthClient;
}

function grpcHealth(client: HealthClient, service = ''): Promise<string> {
  return new Promise((resolve, reject) => client.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))));
}

async function readyz(port: number): Promise<{ status: number; body: { status: string; checks: Record<string, boolean> } }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, boolean> } };
}

const schema = {
  GREETING: field.string('A greeting the test service answers with', 'hello'),
  DEPTH: field.int('Book depth', 10, { min: 1 }),
};

test('starts against real NATS, is ready, serves gRPC, and shuts down in order', async () => {
  const events: string[] = [];
  let ctx: ServiceContext<unknown> | undefined;
  let httpPort = 0;
  let grpcPort = 0;
  let duringStop: { ready: boolean; readyz: number; grpc: string; busConnected: boolean } | undefined;
  let busConnectedAtClose: boolean | undefined;
  let hc: HealthClient | undefined;

  const def: ServiceDefinition<typeof schema> = {
    name: 'rt-test',
    version: '9.9.9',
    ports: { http: 0, grpc: 0 },
    config: schema,
    async start(c) {
      ctx = c as ServiceContext<unknown>;
      events.push(`start:${c.config.GREETING}:${c.config.DEPTH}`);
      return {
        grpc: [
          {
            name: 'OrderBookService',
            definition: OrderBookServiceService,
            implementation: {
              getBook: (call: { request: GetBookRequest }, cb: (e: null, r: GetBookResponse) => void) =>
                cb(null, GetBookResponse.fromPartial({ symbol: call.request.symbol, venue: c.config.GREETING, seq: 1n })),
            },
          },
        ],
        async stop() {
          events.push('stop');
          duringStop = {
            ready: c.health.report().ready,
            readyz: (await readyz(httpPort)).status,
            grpc: await grpcHealth(hc!),
            busConnected: c.bus.connected,
          };
        },
        async close() {
          events.push('close');
          busConnectedAtClose = c.bus.connected;
        },
      };
    },
  };

  const started = await startService(def, testEnv({ GREETING: 'hi', DEPTH: '3' }));
  httpPort = started.httpPort;
  grpcPort = started.grpcPort;
  hc = healthClient(grpcPort);
  const book = new OrderBookServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
  let checked = false;
  try {
    expect(events).toEqual(['start:hi:3']);
    expect(httpPort).toBeGreaterThan(0);
    expect(grpcPort).toBeGreaterThan(0);
    expect(httpPort).not.toBe(grpcPort);
    expect(ctx).toBe(started.context);
    expect(started.context.name).toBe('rt-test');
    expect(started.context.shard.symbols).toEqual(['BTC-USDT', 'ETH-USDT']);
    expect(started.context.shard.venues).toEqual([]);
    expect(started.context.config.HTTP_PORT).toBe(0);
    expect(started.context.config.GREETING).toBe('hi');
    expect(started.context.bus.connected).toBe(true);

    const r = await readyz(httpPort);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ready');
    expect(r.body.checks).toEqual({ nats_connected: true });

    const live = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok', service: 'rt-test' });

    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^meridian_build_info\{[^}]*version="9\.9\.9"[^}]*service="rt-test"[^}]*\} 1$/m);

    expect(await grpcHealth(hc)).toBe('SERVING');
    expect(await grpcHealth(hc, 'meridian.v1.OrderBookService')).toBe('SERVING');
    const res = await new Promise<GetBookResponse>((resolve, reject) =>
      book.getBook(GetBookRequest.fromPartial({ symbol: 'BTC-USDT' }), (err, out) => (err ? reject(err) : resolve(out))),
    );
    expect(res.venue).toBe('hi');
    expect(res.symbol).toBe('BTC-USDT');
    checked = true;
  } finally {
    book.close();
    // A failed assertion above must not leave the NATS connection open and the run hanging.
    if (!checked) await started.shutdown();
  }

  const first = started.shutdown();
  const second = started.shutdown();
  expect(second).toBe(first); // idempotent: one shutdown however often it is asked for
  await first;
  hc.close();

  expect(events).toEqual(['start:hi:3', 'stop', 'close']);
  // Readiness went false before the service's own work was stopped, on both HTTP and gRPC.
  expect(duringStop).toEqual({ ready: false, readyz: 503, grpc: 'NOT_SERVING', busConnected: true });
  // Consumers' resources are released after the bus has drained.
  expect(busConnectedAtClose).toBe(false);
  expect(started.context.health.report()).toEqual({
    ready: false,
    checks: { nats_connected: false, not_shutting_down: false },
  });
  await expect(fetch(`http://127.0.0.1:${httpPort}/healthz`)).rejects.toThrow();
});

test('a bad environment value throws a ConfigError naming the key, before anything starts', async () => {
  let startCalled = false;
  const def: ServiceDefinition<typeof schema> = {
    name: 'rt-bad',
    ports: { http: 0, grpc: 0 },
    config: schema,
    async start() {
      startCalled = true;
      return { stop: async () => undefined };
    },
  };
  const err = await startService(def, testEnv({ HTTP_PORT: 'abc' })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toEqual(['HTTP_PORT: expected an integer, got "abc"']);
  expect((err as ConfigError).message).toContain('HTTP_PORT');

  // Base keys and the service's own keys are reported together.
  const both = await startService(def, testEnv({ GRPC_PORT: '99999', DEPTH: '0', SYMBOLS: 'BTC-USDT,a>b' })).catch((e: unknown) => e);
  expect(both).toBeInstanceOf(ConfigError);
  expect((both as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['DEPTH', 'GRPC_PORT', 'SYMBOLS']);
  expect(startCalled).toBe(false);
});

test('a start() that throws is reported and the bus connection it opened is closed', async () => {
  let ctx: ServiceContext<unknown> | undefined;
  const def: ServiceDefinition<Record<string, never>> = {
    name: 'rt-fail',
    ports: { http: 0, grpc: 0 },
    config: {},
    async start(c) {
      ctx = c as ServiceContext<unknown>;
      throw new Error('state could not be rebuilt');
    },
  };
  await expect(startService(def, testEnv())).rejects.toThrow('state could not be rebuilt');
  expect(ctx).toBeDefined();
  expect(ctx!.bus.connected).toBe(false);
});

test('a service whose port is taken fails to start and stops what it started', async () => {
  const blocker = await startService(
    { name: 'rt-blocker', ports: { http: 0, grpc: 0 }, config: {}, start: async () => ({ stop: async () => undefined }) },
    testEnv(),
  );
  try {
    const events: string[] = [];
    let ctx: ServiceContext<unknown> | undefined;
    const err = await startService(
      {
        name: 'rt-clash',
        ports: { http: 0, grpc: 0 },
        config: {},
        start: async (c) => {
          ctx = c as ServiceContext<unknown>;
          return { stop: async () => void events.push('stop'), close: async () => void events.push('close') };
        },
      },
      testEnv({ HTTP_PORT: String(blocker.httpPort) }),
    ).catch((e: unknown) => e);
    // Node's own errors come from another realm than jest's Error, so match the shape.
    expect(err).toMatchObject({ code: 'EADDRINUSE' });
    expect(events).toEqual(['stop', 'close']);
    expect(ctx!.bus.connected).toBe(false);
  } finally {
    await blocker.shutdown();
  }
});
