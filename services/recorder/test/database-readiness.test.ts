// The recorder's readiness follows its database: unit tests of DatabaseReadiness with a fake
// probe, then the running service with its PostgreSQL path cut and restored through a TcpProxy
// (the shared server is never touched): not ready while cut, no crash, nothing lost after.
import { Bus, provisionTopology } from '@meridian/bus';
import { ApprovedOrder, OrderType, Side } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { Database } from '@meridian/store';
import { TcpProxy, createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { DatabaseReadiness } from '../src/database-readiness';
import { recorderService } from '../src/service';

jest.setTimeout(60_000);

describe('DatabaseReadiness', () => {
  const changes: string[] = [];
  const readiness = (probe: () => Promise<unknown>) =>
    new DatabaseReadiness(probe, { intervalMs: 20, timeoutMs: 100 }, { changed: (up, err) => void changes.push(up ? 'up' : `down: ${(err as Error).message}`) });
  beforeEach(() => void changes.splice(0));

  test('is up until a probe fails, and up again after one succeeds; each change reported once', async () => {
    let fail = false;
    const r = readiness(() => (fail ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve()));
    expect(r.up).toBe(true);
    expect(await r.check()).toBe(true);
    fail = true;
    expect(await r.check()).toBe(false);
    expect(await r.check()).toBe(false);
    fail = false;
    expect(await r.check()).toBe(true);
    expect(changes).toEqual(['down: ECONNREFUSED', 'up']);
  });

  test('a probe not answered within the timeout is down at the timeout, and one probe runs at a time', async () => {
    let calls = 0;
    let answer: () => void = () => undefined;
    const r = readiness(() => {
      calls += 1;
      return new Promise<void>((resolve) => (answer = resolve));
    });
    const first = r.check();
    const second = r.check();
    await waitFor('the late probe to count as down', () => !r.up, 1_000, 10);
    expect(calls).toBe(1);
    expect(changes).toEqual(['down: database did not answer within 100 ms']);
    answer();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
  });

  test('start probes on an interval until stop', async () => {
    let calls = 0;
    const r = readiness(() => {
      calls += 1;
      return Promise.reject(new Error('down'));
    });
    r.start();
    await waitFor('a probe on the interval', () => !r.up, 1_000, 10);
    await r.stop();
    const after = calls;
    await new Promise((res) => setTimeout(res, 100));
    expect(calls).toBe(after);
  });
});

describe('the recorder with its database cut', () => {
  let env: TestEnvironment;
  let bus: Bus;
  let proxy: TcpProxy;
  let recorder: StartedService<unknown>;
  let db: Database;

  beforeAll(async () => {
    env = await createTestEnvironment('recdb');
    bus = await Bus.connect({ servers: env.natsUrl, name: 'recorder-db-test', namespace: env.namespace });
    await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
    const target = new URL(env.databaseUrl);
    proxy = await TcpProxy.start({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
    recorder = (await startService(recorderService, {
      ...env.env,
      DATABASE_URL: proxy.rewriteUrl(env.databaseUrl),
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      LOG_LEVEL: 'fatal',
      SYMBOLS: 'BTC-USDT',
      SHUTDOWN_TIMEOUT_MS: '5000',
      DATABASE_PROBE_INTERVAL_MS: '100',
      DATABASE_PROBE_TIMEOUT_MS: '500',
    })) as unknown as StartedService<unknown>;
    db = await Database.open({ url: env.databaseUrl, schema: env.schema });
  });

  afterAll(async () => {
    proxy?.restore();
    await recorder?.shutdown();
    await proxy?.stop();
    await db?.close();
    await bus?.close();
    await env?.cleanup();
  });

  const readyz = async () => {
    const res = await fetch(`http://127.0.0.1:${recorder.httpPort}/readyz`);
    return { status: res.status, body: (await res.json()) as { checks?: Record<string, boolean> } };
  };
  const orders = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM orders')).rows[0]!.n);
  const approve = (id: string) =>
    bus.publish(
      bus.subjects.approved('paper', 'BTC-USDT'),
      ApprovedOrder,
      ApprovedOrder.fromPartial({
        intent: { clientOrderId: id, strategy: 's', venue: 'paper', symbol: 'BTC-USDT', side: Side.SIDE_BUY, type: OrderType.ORDER_TYPE_MARKET, quantity: '0.1', referencePrice: '100', tsNs: 1_000n },
        notional: '10',
        approvedTsNs: 2_000n,
      }),
      { msgId: id },
    );

  test('readiness reports the outage (reset, then held connections), orders published meanwhile are recorded after it, once', async () => {
    await waitFor('the recorder ready', async () => (await readyz()).status === 200, 10_000);
    expect((await readyz()).body.checks?.['database']).toBe(true);
    await approve('before');
    await waitFor('the first order recorded', async () => (await orders()) === 1, 10_000);

    proxy.cut('reset');
    await waitFor('readiness to report the database', async () => (await readyz()).status !== 200, 5_000);
    expect((await readyz()).body.checks).toMatchObject({ database: false, nats_connected: true });
    await approve('during-reset');
    proxy.cut('hold');
    await approve('during-hold');
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await readyz()).status).not.toBe(200);
    expect(await orders()).toBe(1);

    proxy.restore();
    await waitFor('the recorder ready again', async () => (await readyz()).status === 200, 10_000);
    await waitFor('the orders published during the outage recorded', async () => (await orders()) === 3, 30_000);
    const ids = (await db.pool.query<{ client_order_id: string }>('SELECT client_order_id FROM orders ORDER BY client_order_id')).rows.map((r) => r.client_order_id);
    expect(ids).toEqual(['before', 'during-hold', 'during-reset']);
  });
});
