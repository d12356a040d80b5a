import { dirname, join } from 'node:path';
import { Metadata, credentials, loadPackageDefinition, status as GrpcStatus } from '@grpc/grpc-js';
import type { Client, ClientDuplexStream, ServiceClientConstructor, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { GetBookRequest, GetBookResponse, OrderBookServiceClient, OrderBookServiceService, PROTO_PACKAGE } from '@meridian/proto';
import type { OrderBookServiceServer } from '@meridian/proto';
import { GrpcServer, Status, grpcError } from '../src';

const BIG_SEQ = 2n ** 53n + 12345n;
const BIG_TS = 1_763_000_000_123_456_789n;

type Unary<Req, Res> = (req: Req, cb: (err: ServiceError | null, res: Res) => void) => void;
interface HealthClient extends Client {
  check: Unary<{ service: string }, { status: string }>;
}
interface ReflectionClient extends Client {
  ServerReflectionInfo(): ClientDuplexStream<Record<string, unknown>, ReflectionResponse>;
}
interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
  message_response?: string;
}

function loadService(file: string, includeDirs: string[], fqn: string): ServiceClientConstructor {
  const def = loadSync(file, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs });
  const pkg = loadPackageDefinition(def) as Record<string, unknown>;
  let node: unknown = pkg;
  for (const part of fqn.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}

function reflectionProtoPath(): string {
  // Shipped with @grpc/reflection under build/proto; resolved from its package.json.
  return join(dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
}

const implementation: OrderBookServiceServer = {
  getBook(call, callback) {
    const req = call.request;
    if (req.symbol === 'MISSING') {
      callback(grpcError(Status.NOT_FOUND, `no book for symbol ${req.symbol}`));
      return;
    }
    if (req.symbol === 'ECHO_JSON') {
      // As risk's UpdateLimits does: a message quoting JSON text the client sent, answered later.
      // JSON's "\ud800" escape is plain ASCII on the wire and a lone surrogate once parsed.
      const quoted = String(JSON.parse(req.venue));
      setImmediate(() => callback(grpcError(Status.INVALID_ARGUMENT, `limits_json: ${quoted} is not a known key`)));
      return;
    }
    callback(
      null,
      GetBookResponse.fromPartial({
        venue: req.venue,
        symbol: req.symbol,
        seq: BIG_SEQ,
        synced: true,
        bids: [{ price: '100.5', size: String(req.depth) }],
        asks: [{ price: '100.75', size: '0.000000001' }],
        tsNs: BIG_TS,
      }),
    );
  },
  // Not what these tests call: refused as the library leaves a method it was given no handler for.
  streamBook(call) {
    call.emit('error', grpcError(Status.UNIMPLEMENTED, 'StreamBook is not served by this test'));
  },
};

let server: GrpcServer;
let address: string;
let book: OrderBookServiceClient;
let health: HealthClient;
let reflection: ReflectionClient;

beforeAll(async () => {
  server = new GrpcServer([{ name: 'OrderBookService', definition: OrderBookServiceService, implementation }]);
  const port = await server.listen('127.0.0.1', 0);
  expect(port).toBeGreaterThan(0);
  expect(server.port).toBe(port);
  address = `127.0.0.1:${port}`;
  book = new OrderBookServiceClient(address, credentials.createInsecure());
  const Health = loadService(healthProtoPath, [], 'grpc.health.v1.Health');
  health = new Health(address, credentials.createInsecure()) as unknown as HealthClient;
  const Reflection = loadService(reflectionProtoPath(), [], 'grpc.reflection.v1.ServerReflection');
  reflection = new Reflection(address, credentials.createInsecure()) as unknown as ReflectionClient;
});

afterAll(async () => {
  book?.close();
  health?.close();
  reflection?.close();
  await server?.close(1_000);
});

function getBook(req: Partial<GetBookRequest>): Promise<GetBookResponse> {
  return new Promise((resolve, reject) =>
    book.getBook(GetBookRequest.fromPartial(req), (err, res) => (err ? reject(err) : resolve(res))),
  );
}

function check(service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    health.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))),
  );
}

function reflect(request: Record<string, unknown>): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const call = reflection.ServerReflectionInfo();
    call.on('data', (res: ReflectionResponse) => {
      resolve(res);
      call.end();
    });
    call.on('error', reject);
    call.write(request);
  });
}

test('a platform service answers over a real socket, with int64 above 2^53 intact', async () => {
  const res = await getBook({ venue: 'paper', symbol: 'BTC-USDT', depth: 5 });
  expect(res).toEqual({
    venue: 'paper',
    symbol: 'BTC-USDT',
    seq: BIG_SEQ,
    synced: true,
    bids: [{ price: '100.5', size: '5' }],
    asks: [{ price: '100.75', size: '0.000000001' }],
    tsNs: BIG_TS,
  });
  expect(typeof res.seq).toBe('bigint');
});

test('a grpcError reaches the client with its code and message', async () => {
  await expect(getBook({ venue: 'paper', symbol: 'MISSING' })).rejects.toMatchObject({
    code: GrpcStatus.NOT_FOUND,
    details: 'no book for symbol MISSING',
  });
});

test('a grpcError quoting a lone surrogate reaches the client instead of crashing the server (found by fuzzing risk UpdateLimits)', async () => {
  // grpc-js percent-encodes the message into a header with encodeURI, which throws on a lone surrogate.
  await expect(getBook({ venue: '"\\ud800x"', symbol: 'ECHO_JSON' })).rejects.toMatchObject({
    code: GrpcStatus.INVALID_ARGUMENT,
    details: 'limits_json: \ufffdx is not a known key',
  });
  expect((await getBook({ venue: 'paper', symbol: 'BTC-USDT', depth: 1 })).symbol).toBe('BTC-USDT');
});

test('grpc.health.v1 reports NOT_SERVING until setServing(true), then SERVING, overall and per service', async () => {
  const fqn = `${PROTO_PACKAGE}.OrderBookService`;
  expect(fqn).toBe('meridian.v1.OrderBookService');
  expect(await check('')).toBe('NOT_SERVING');
  expect(await check(fqn)).toBe('NOT_SERVING');

  server.setServing(true);
  expect(await check('')).toBe('SERVING');
  expect(await check(fqn)).toBe('SERVING');

  server.setServing(false);
  expect(await check('')).toBe('NOT_SERVING');
  expect(await check(fqn)).toBe('NOT_SERVING');
  server.setServing(true);
});

test('grpc.health.v1 answers NOT_FOUND for a service this server does not have', async () => {
  await expect(check('meridian.v1.RiskService')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
});

test('reflection v1 lists the platform services over the bidi stream', async () => {
  const res = await reflect({ list_services: '' });
  expect(res.message_response).toBe('list_services_response');
  const names = res.list_services_response!.service.map((s) => s.name);
  expect(names).toContain('meridian.v1.OrderBookService');
});

test('reflection v1 serves the file descriptor containing a platform symbol', async () => {
  const res = await reflect({ file_containing_symbol: 'meridian.v1.OrderBookService' });
  expect(res.message_response).toBe('file_descriptor_response');
  const files = res.file_descriptor_response!.file_descriptor_proto;
  expect(files.length).toBeGreaterThan(0);
  // The serialized FileDescriptorProto carries its file name and the service name as strings.
  const text = Buffer.concat(files).toString('latin1');
  expect(text).toContain('meridian/v1/services.proto');
  expect(text).toContain('OrderBookService');
});

test('close() reports NOT_SERVING and then refuses new calls', async () => {
  const local = new GrpcServer([{ name: 'OrderBookService', definition: OrderBookServiceService, implementation }]);
  const port = await local.listen('127.0.0.1', 0);
  const client = new OrderBookServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    local.setServing(true);
    await new Promise<void>((resolve, reject) =>
      client.getBook(GetBookRequest.fromPartial({ symbol: 'ETH-USDT' }), (err) => (err ? reject(err) : resolve())),
    );
    const started = Date.now();
    await local.close(2_000);
    expect(Date.now() - started).toBeLessThan(1_900); // graceful, not forced by the timer
    const err = await new Promise<ServiceError | null>((resolve) =>
      client.getBook(GetBookRequest.fromPartial({ symbol: 'ETH-USDT' }), new Metadata(), { deadline: Date.now() + 1_000 }, (e) => resolve(e)),
    );
    expect(err).not.toBeNull();
    expect([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED]).toContain(err!.code);
  } finally {
    client.close();
  }
});
