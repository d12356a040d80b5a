// Risk's admin operations under ADMIN_AUTH=required, against real JetStream (NATS_URL): refused
// without a valid bearer token (and nothing published), accepted with one, and recorded as the
// authenticated principal whatever actor the request names.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { ClearStopRequest, KillSwitch, ResetCircuitBreakerRequest, RiskServiceClient, SetStopRequest, UpdateLimitsRequest } from '@meridian/proto';
import type { SetKillSwitchResponse, UpdateLimitsResponse } from '@meridian/proto';
import { adminTokenHash, startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { riskService } from '../src/service';

jest.setTimeout(60_000);

const TOKEN = 'risk-operator-secret';
const dir = mkdtempSync(join(tmpdir(), 'risk-admin-'));
let env: TestEnvironment;
let bus: Bus;
let risk: StartedService<unknown> | undefined;
let client: RiskServiceClient;

beforeAll(async () => {
  writeFileSync(join(dir, 'tokens'), `alice:${adminTokenHash(TOKEN)}\n`);
  env = await createTestEnvironment('riskadm');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-admin-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
  risk = (await startService(riskService, {
    ...env.serviceEnv('BTC-USDT'),
    RISK_MAX_ORDER_QUANTITY: '10',
    RISK_MAX_ORDER_NOTIONAL: '100000',
    RISK_MAX_POSITION: '100',
    ADMIN_AUTH: 'required',
    ADMIN_TOKENS_FILE: join(dir, 'tokens'),
  })) as unknown as StartedService<unknown>;
  client = new RiskServiceClient(`127.0.0.1:${risk.grpcPort}`, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await risk?.shutdown();
  await bus?.close();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function call<Req, Res>(fn: (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null, res: Res) => void) => void, req: Req, token?: string): Promise<Res> {
  const md = new Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => fn(req, md, { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}
const codeOf = (p: Promise<unknown>) => p.then(() => -1, (err: ServiceError) => err.code);
const setKill = (token?: string) =>
  call<{ killSwitch: KillSwitch }, SetKillSwitchResponse>(client.setKillSwitch.bind(client), { killSwitch: KillSwitch.fromPartial({ strategy: 'adm', engaged: true, actor: 'mallory', reason: 'drill' }) }, token);

test('every admin operation is refused without a valid token', async () => {
  expect(await codeOf(setKill())).toBe(status.UNAUTHENTICATED);
  expect(await codeOf(setKill('wrong'))).toBe(status.UNAUTHENTICATED);
  expect(await bus.lastValue('CONTROL', bus.subjects.killSwitch('strategy_adm'), KillSwitch)).toBeUndefined();
  const limits = UpdateLimitsRequest.fromPartial({ limitsJson: JSON.stringify({ global: { maxOrderQuantity: '2', maxOrderNotional: '100000', maxPosition: '100', maxOpenOrders: 7 } }), actor: 'mallory', reason: 'x' });
  expect(await codeOf(call(client.updateLimits.bind(client), limits))).toBe(status.UNAUTHENTICATED);
  expect(await codeOf(call(client.setStop.bind(client), SetStopRequest.fromPartial({ symbol: 'BTC-USDT', price: '90', actor: 'mallory' })))).toBe(status.UNAUTHENTICATED);
  expect(await codeOf(call(client.clearStop.bind(client), ClearStopRequest.fromPartial({ symbol: 'BTC-USDT', actor: 'mallory' })))).toBe(status.UNAUTHENTICATED);
  expect(await codeOf(call(client.resetCircuitBreaker.bind(client), ResetCircuitBreakerRequest.fromPartial({ actor: 'mallory' })))).toBe(status.UNAUTHENTICATED);
});

test('the kill switch and a limits change are recorded as the authenticated principal, not the actor the request names', async () => {
  expect((await setKill(TOKEN)).engagedStrategies).toEqual(['adm']);
  expect(await bus.lastValue('CONTROL', bus.subjects.killSwitch('strategy_adm'), KillSwitch)).toMatchObject({ engaged: true, strategy: 'adm', actor: 'alice' });
  const limits = UpdateLimitsRequest.fromPartial({ limitsJson: JSON.stringify({ global: { maxOrderQuantity: '2', maxOrderNotional: '100000', maxPosition: '100', maxOpenOrders: 7 } }), actor: 'mallory', reason: 'tighten' });
  const res = await call<UpdateLimitsRequest, UpdateLimitsResponse>(client.updateLimits.bind(client), limits, TOKEN);
  expect(res.limits).toMatchObject({ revision: 1n, actor: 'alice', reason: 'tighten' });
  // A token alone is enough: the request's actor may be left empty.
  const reset = await call(client.resetCircuitBreaker.bind(client), ResetCircuitBreakerRequest.fromPartial({ actor: '', reason: 'drill' }), TOKEN);
  expect(reset).toHaveProperty('breaker');
});
