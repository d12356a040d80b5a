// CancelOrder is an admin operation: under ADMIN_AUTH=required it is refused without a valid
// bearer token, before the order is even looked up, and goes through with one (real JetStream).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { CancelOrderRequest, ExecutionServiceClient } from '@meridian/proto';
import { adminTokenHash, startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { executionService } from '../src/service';

jest.setTimeout(60_000);

const TOKEN = 'desk-operator-token';
const dir = mkdtempSync(join(tmpdir(), 'execution-admin-'));
let env: TestEnvironment;
let execution: StartedService<unknown> | undefined;
let client: ExecutionServiceClient;

beforeAll(async () => {
  writeFileSync(join(dir, 'tokens'), `desk:${adminTokenHash(TOKEN)}\n`);
  env = await createTestEnvironment('execadm');
  const bus = await Bus.connect({ servers: env.natsUrl, name: 'execution-admin-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
  await bus.close();
  execution = (await startService(executionService, {
    ...env.env,
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'fatal',
    SYMBOLS: 'BTC-USDT',
    SHUTDOWN_TIMEOUT_MS: '5000',
    VENUE: 'paper',
    MARKET_VENUE: 'sim',
    PAPER_INSTRUMENTS: 'BTC-USDT=0.01/0.0001',
    ADMIN_AUTH: 'required',
    ADMIN_TOKENS_FILE: join(dir, 'tokens'),
  })) as unknown as StartedService<unknown>;
  client = new ExecutionServiceClient(`127.0.0.1:${execution.grpcPort}`, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await execution?.shutdown();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function cancel(clientOrderId: string, token?: string): Promise<number> {
  const md = new Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => client.cancelOrder(CancelOrderRequest.fromPartial({ clientOrderId }), md, { deadline: Date.now() + 10_000 }, (err: ServiceError | null) => resolve(err ? err.code : status.OK)));
}

test('CancelOrder is refused without a valid token and reaches the order book of the shard with one', async () => {
  expect(await cancel('no-such-order')).toBe(status.UNAUTHENTICATED);
  expect(await cancel('no-such-order', 'guess')).toBe(status.UNAUTHENTICATED);
  expect(await cancel('no-such-order', TOKEN)).toBe(status.NOT_FOUND);
});
