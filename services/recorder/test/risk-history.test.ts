// Risk's equity curve and events, end to end against real NATS JetStream and PostgreSQL: risk runs
// as its own process (services/risk, node dist/main.js), the recorder in this one. A circuit
// breaker trip and its reset, a stop armed and triggered, and every point of the equity curve
// become rows of risk_events and risk_equity_snapshots, once each: a message republished under
// another id writes nothing, and one that can never be stored is refused as poison.
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import {
  Bbo,
  ExecutionKind,
  ExecutionReport,
  OrderIntent,
  OrderType,
  ResetCircuitBreakerRequest,
  RiskEquitySnapshot,
  RiskEvent,
  RiskServiceClient,
  SetStopRequest,
  Side,
} from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { Database } from '@meridian/store';
import { ServiceProcess, assertBuilt, createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { recordEquitySnapshot } from '../src/risk-history';
import { recorderService } from '../src/service';

jest.setTimeout(90_000);

const RISK = join(__dirname, '..', '..', 'risk');
let env: TestEnvironment;
let bus: Bus;
let recorder: StartedService<unknown> | undefined;
let risk: ServiceProcess | undefined;
let client: RiskServiceClient | undefined;
let db: Database;
const points: RiskEquitySnapshot[] = [];
const events: RiskEvent[] = [];

function call<Req, Res>(fn: (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: Error | null, res: Res) => void) => void, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, new Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

async function publishBbo(symbol: string, bid: string, ask: string): Promise<void> {
  await bus.publish(bus.subjects.marketData('sim', symbol, 'bbo'), Bbo, Bbo.fromPartial({ venue: 'sim', symbol, seq: 1n, bid: { price: bid, size: '1' }, ask: { price: ask, size: '1' }, tsNs: nowNanos() }));
}

beforeAll(async () => {
  assertBuilt(RISK, '@meridian/risk');
  env = await createTestEnvironment('recrisk');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'recorder-risk-history-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
  await bus.follow('RISK', bus.subjects.riskEquityAll(), RiskEquitySnapshot, (p) => void points.push(p), { deliver: 'all' });
  await bus.follow('RISK', bus.subjects.riskEventsAll(), RiskEvent, (e) => void events.push(e), { deliver: 'all' });
  recorder = (await startService(recorderService, { ...env.env, HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'fatal', SYMBOLS: 'BTC-USDT', SHUTDOWN_TIMEOUT_MS: '5000' })) as unknown as StartedService<unknown>;
  db = await Database.open({ url: env.databaseUrl, schema: env.schema });

  // A position for the stop: long 1 BTC at 100, marked at 100.
  const fill = ExecutionReport.fromPartial({
    kind: ExecutionKind.EXECUTION_KIND_FILL,
    venue: 'paper',
    symbol: 'BTC-USDT',
    strategy: 'alpha',
    clientOrderId: 'o1',
    executionId: 'o1-fill-1',
    side: Side.SIDE_BUY,
    fillQuantity: '1',
    fillPrice: '100',
    fee: '0.1',
    tsNs: nowNanos(),
  });
  await bus.publish(bus.subjects.execution('paper', 'BTC-USDT', 'fill'), ExecutionReport, fill, { msgId: fill.executionId });
  await publishBbo('BTC-USDT', '99', '101');
  risk = await ServiceProcess.start(
    RISK,
    {
      ...env.env,
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      SYMBOLS: 'BTC-USDT',
      SHUTDOWN_TIMEOUT_MS: '5000',
      RISK_MAX_ORDER_QUANTITY: '100',
      RISK_MAX_ORDER_NOTIONAL: '1000000',
      RISK_MAX_POSITION: '100',
      RISK_EQUITY_INTERVAL_MS: '100',
      RISK_BREAKER_MAX_REJECTS: '2',
      RISK_BREAKER_AUTO_RESET: 'false',
    },
    { name: 'risk' },
  );
  client = new RiskServiceClient(risk.grpcAddress, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await risk?.stop('SIGTERM');
  await recorder?.shutdown();
  await db?.close();
  await bus?.close();
  await env?.cleanup();
});

async function metric(name: string): Promise<Record<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${recorder!.httpPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out[(m[2] ?? '').replace(/,?service="recorder"/, '')] = Number(m[3]);
  }
  return out;
}

interface EventRow {
  event_id: string;
  kind: string;
  type: string;
  account: string;
  symbol: string;
  cause: string;
  actor: string;
  values: Record<string, string>;
}

test('breaker trips and resets, and a stop armed and triggered, become one row each', async () => {
  for (const id of ['big-1', 'big-2']) {
    const i = OrderIntent.fromPartial({ clientOrderId: id, strategy: 'alpha', venue: 'paper', symbol: 'BTC-USDT', side: Side.SIDE_BUY, type: OrderType.ORDER_TYPE_MARKET, quantity: '500', referencePrice: '100', tsNs: nowNanos() });
    await bus.publish(bus.subjects.intent('BTC-USDT'), OrderIntent, i, { msgId: id });
  }
  await waitFor('the trip on the bus', () => events.some((e) => e.eventId === 'breaker-main-1'));
  await call(client!.resetCircuitBreaker.bind(client!), ResetCircuitBreakerRequest.fromPartial({ actor: 'alice', reason: 'drill' }));
  await call(client!.setStop.bind(client!), SetStopRequest.fromPartial({ symbol: 'BTC-USDT', price: '95', actor: 'alice', reason: 'floor' }));
  await publishBbo('BTC-USDT', '93', '95');
  await waitFor('the stop triggered on the bus', () => events.some((e) => e.eventId === 'stop-BTC-USDT-1-triggered'));

  const rows = await waitFor('four event rows', async () => {
    const r = (await db.pool.query<EventRow>('SELECT event_id, kind, type, account, symbol, cause, actor, "values" FROM risk_events ORDER BY ts, event_id')).rows;
    return r.length === 4 ? r : undefined;
  });
  expect(rows).toEqual([
    { event_id: 'breaker-main-1', kind: 'breaker', type: 'BREAKER_TRIPPED', account: 'main', symbol: '', cause: 'REJECT_BURST', actor: 'breaker', values: { revision: '1', tripped: 'true', causes: 'REJECT_BURST' } },
    { event_id: 'breaker-main-2', kind: 'breaker', type: 'BREAKER_RESET', account: 'main', symbol: '', cause: '', actor: 'alice', values: { revision: '2', tripped: 'false', causes: '' } },
    expect.objectContaining({ event_id: 'stop-BTC-USDT-1-armed', kind: 'stop', type: 'STOP_ARMED', symbol: 'BTC-USDT', cause: 'static', actor: 'alice', values: { revision: '1', position: '1', price: '95', stopPrice: '95' } }),
    expect.objectContaining({ event_id: 'stop-BTC-USDT-1-triggered', type: 'STOP_TRIGGERED', actor: 'stop', values: expect.objectContaining({ clientOrderId: 'risk-stop-BTC-USDT-1', triggerMark: '94', stopPrice: '95' }) }),
  ]);
});

test('every point of the equity curve is one row, with exact money columns', async () => {
  // Let a few more points come, then compare the table with the stream.
  const seen = points.length;
  await waitFor('more points', () => points.length >= seen + 3);
  await risk!.stop('SIGTERM');
  const published = points.filter((p) => p.account === 'main');
  await waitFor('every point recorded', async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM risk_equity_snapshots')).rows[0]!.n) === published.length);
  const last = published[published.length - 1]!;
  const row = (await db.pool.query('SELECT equity::text, realized_pnl::text, unrealized_pnl::text, fees::text, peak_equity::text, drawdown::text, max_drawdown::text, mark_source, strategies, value_at_risk FROM risk_equity_snapshots WHERE account = $1 AND ts_ns = $2', ['main', last.tsNs.toString()])).rows[0];
  // Long 1 at 100, marked at 94 after the stop fired (its close has no venue to fill it here).
  expect(row).toMatchObject({ equity: '-6.1', realized_pnl: '0', unrealized_pnl: '-6', fees: '0.1', peak_equity: last.drawdown!.peakEquity, drawdown: last.drawdown!.drawdown, max_drawdown: last.drawdown!.maxDrawdown, mark_source: 'mid' });
  expect(row.strategies).toEqual([{ strategy: 'alpha', equity: '-6.1', realizedPnl: '0', unrealizedPnl: '-6', fees: '0.1', grossExposure: '94', netExposure: '94' }]);
  // No bars in this run: no estimate yet.
  expect(row.value_at_risk).toEqual([
    { method: 'historical', confidence: 0.99, horizon: 1, barInterval: '1m', valueAtRisk: 0, expectedShortfall: 0, observations: 0 },
    { method: 'parametric', confidence: 0.99, horizon: 1, barInterval: '1m', valueAtRisk: 0, expectedShortfall: 0, observations: 0 },
  ]);
});

test('a point or an event republished under another id writes nothing; one that cannot be stored is poison', async () => {
  const before = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM risk_equity_snapshots')).rows[0]!.n);
  const again = points[0]!;
  await bus.publish(bus.subjects.riskEquity('main'), RiskEquitySnapshot, again, { msgId: 'replayed-point' });
  await bus.publish(bus.subjects.riskEvent('breaker'), RiskEvent, events.find((e) => e.eventId === 'breaker-main-1')!, { msgId: 'replayed-event' });
  await waitFor('both duplicates seen', async () => {
    const m = await metric('meridian_recorder_risk_history_total');
    return m['table="risk_equity_snapshots",outcome="duplicate"'] === 1 && m['table="risk_events",outcome="duplicate"'] === 1;
  });
  expect(Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM risk_equity_snapshots')).rows[0]!.n)).toBe(before);
  expect(Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM risk_events')).rows[0]!.n)).toBe(4);

  const bad = RiskEquitySnapshot.fromPartial({ ...again, tsNs: again.tsNs + 1n, pnl: { ...again.pnl!, equity: 'lots' } });
  await bus.publish(bus.subjects.riskEquity('main'), RiskEquitySnapshot, bad);
  await waitFor('the poison counted', async () => (await metric('meridian_bus_rejected_messages_total'))['subject="risk.equity.{account}",reason="invalid_message"'] === 1);
  await expect(recordEquitySnapshot(db, bad, 1)).rejects.toThrow(/equity "lots" is not a decimal/);
});
