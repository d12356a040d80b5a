// The audit of risk limit changes: the recorder as a running service against real NATS JetStream
// and PostgreSQL records every change published on ctl.config.risk in risk_limit_changes, once
// (a redelivered or republished revision changes nothing), and refuses a change it can never store.
import { Bus, provisionTopology } from '@meridian/bus';
import { RiskLimitsChange } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { Database } from '@meridian/store';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { recordRiskLimitChange } from '../src/risk-limits-audit';
import { recorderService } from '../src/service';

jest.setTimeout(60_000);

let env: TestEnvironment;
let bus: Bus;
let recorder: StartedService<unknown> | undefined;
let db: Database;

const serviceEnv = () => ({
  ...env.env,
  HOST: '127.0.0.1',
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'fatal',
  SYMBOLS: 'BTC-USDT',
  SHUTDOWN_TIMEOUT_MS: '5000',
});

beforeAll(async () => {
  env = await createTestEnvironment('reclim');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'recorder-limits-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
  recorder = (await startService(recorderService, serviceEnv())) as unknown as StartedService<unknown>;
  db = await Database.open({ url: env.databaseUrl, schema: env.schema });
});

afterAll(async () => {
  await recorder?.shutdown();
  await db?.close();
  await bus?.close();
  await env?.cleanup();
});

const T = 1_763_000_000_123_000_000n;
const doc = (q: string) => JSON.stringify({ global: { maxOrderQuantity: q, maxOrderNotional: '5000', maxPosition: '1' } });
const change = (revision: bigint, over: Partial<RiskLimitsChange> = {}) =>
  RiskLimitsChange.fromPartial({
    revision,
    previousRevision: revision - 1n,
    actor: 'alice',
    reason: `change ${revision}`,
    limitsJson: doc(String(revision)),
    previousJson: doc(String(revision - 1n)),
    tsNs: T + revision,
    ...over,
  });
const publish = (c: RiskLimitsChange, msgId = `risk-limits-${c.revision}`) => bus.publish(bus.subjects.config('risk'), RiskLimitsChange, c, { msgId });

interface Row {
  revision: string;
  previous_revision: string;
  actor: string;
  reason: string;
  limits: unknown;
  previous: unknown;
  changed_at: Date;
  stream_seq: string;
}
const rows = async () => (await db.pool.query<Row>('SELECT * FROM risk_limit_changes ORDER BY revision')).rows;

async function metric(name: string): Promise<Record<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${recorder!.httpPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out[(m[2] ?? '').replace(/,?service="recorder"/, '')] = Number(m[3]);
  }
  return out;
}

test('every change on ctl.config.risk becomes one audit row with who, when, why and what', async () => {
  const seq1 = (await publish(change(1n))).seq;
  await waitFor('revision 1 recorded', async () => (await rows()).length === 1);
  const seq2 = (await publish(change(2n, { actor: 'bob', reason: 'loosen for the open' }))).seq;
  await waitFor('revision 2 recorded', async () => (await rows()).length === 2);
  const [r1, r2] = await rows();
  expect(r1).toMatchObject({
    revision: '1',
    previous_revision: '0',
    actor: 'alice',
    reason: 'change 1',
    limits: { global: { maxOrderQuantity: '1', maxOrderNotional: '5000', maxPosition: '1' } },
    previous: { global: { maxOrderQuantity: '0', maxOrderNotional: '5000', maxPosition: '1' } },
    stream_seq: String(seq1),
  });
  expect(r1!.changed_at.getTime()).toBe(Number((T + 1n) / 1_000_000n));
  expect(r2).toMatchObject({ revision: '2', actor: 'bob', reason: 'loosen for the open', stream_seq: String(seq2) });
});

test('a redelivered or republished revision is recorded once', async () => {
  // The same revision again as a new stream message (another msg id: not deduplicated by NATS).
  await publish(change(2n, { actor: 'replayed' }), 'risk-limits-2-again');
  await waitFor('the duplicate seen', async () => (await metric('meridian_recorder_risk_limit_changes_total'))['outcome="duplicate"'] === 1);
  expect((await rows()).map((r) => [r.revision, r.actor])).toEqual([
    ['1', 'alice'],
    ['2', 'bob'],
  ]);
  // The insert itself is idempotent.
  expect(await recordRiskLimitChange(db, { revision: 1n, previousRevision: 0n, actor: 'x', reason: '', limits: '{}', previous: '{}', changedAt: new Date(), streamSeq: 1 })).toBe(false);
});

test('a change that can never be stored is refused as poison; later ones are still recorded', async () => {
  await publish(change(3n, { limitsJson: '{not json' }));
  await waitFor('the poison counted', async () => (await metric('meridian_bus_rejected_messages_total'))['subject="ctl.config.{service}",reason="invalid_message"'] === 1);
  await publish(change(4n));
  await waitFor('revision 4 recorded', async () => (await rows()).some((r) => r.revision === '4'));
  expect((await rows()).map((r) => r.revision)).toEqual(['1', '2', '4']);
});

test('a restarted recorder resumes its durable without recording anything twice', async () => {
  await recorder!.shutdown();
  await publish(change(5n));
  recorder = (await startService(recorderService, serviceEnv())) as unknown as StartedService<unknown>;
  await waitFor('revision 5 recorded', async () => (await rows()).some((r) => r.revision === '5'));
  expect((await rows()).map((r) => r.revision)).toEqual(['1', '2', '4', '5']);
});
