// Risk's post-trade side through the running service against a real JetStream server (NATS_URL):
// unrealized P&L per symbol, strategy and account at the BBO mid, exactly; the equity curve on
// risk.equity.<account> with its drawdown; Value at Risk over the market's bars; the circuit
// breaker refusing opening intents on ord.rejected and its manual reset; stops (a default one from
// RISK_STOPS, static and trailing ones over gRPC) whose closing intents go through the pre-trade
// checks. Every number below is worked out by hand from the fills and marks the test publishes.
import { credentials, status } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import {
  ApprovedOrder,
  OrderIntent,
  OrderRejection,
  OrderType,
  RiskBreakerState,
  RiskEquitySnapshot,
  RiskEvent,
  RiskEventType,
  RiskServiceClient,
  RiskStop,
  RiskStopKind,
  RiskStopState,
  SetStopRequest,
  ClearStopRequest,
  Side,
  TimeInForce,
} from '@meridian/proto';
import type { GetRiskSnapshotResponse, ResetCircuitBreakerRequest, ResetCircuitBreakerResponse, SetStopResponse } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { riskService } from '../src/service';
import { call, failure, intent, publishBar, publishBbo, publishFill, series } from './post-trade-helpers';

jest.setTimeout(60_000);

let env: TestEnvironment;
let bus: Bus;
let risk: StartedService<unknown>;
let client: RiskServiceClient;
const approved = new Map<string, ApprovedOrder>();
const rejected = new Map<string, OrderRejection>();
const intents: OrderIntent[] = [];
const points: RiskEquitySnapshot[] = [];
const events: RiskEvent[] = [];

beforeAll(async () => {
  env = await createTestEnvironment('riskpost');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-post-trade-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT', 'ETH-USDT'], venues: ['paper'] }]);
  await bus.follow('ORDERS', bus.subjects.approvedAll(), ApprovedOrder, (a) => void approved.set(a.intent!.clientOrderId, a), { deliver: 'all' });
  await bus.follow('ORDERS', bus.subjects.rejectedAll(), OrderRejection, (r) => void rejected.set(r.intent!.clientOrderId, r), { deliver: 'all' });
  await bus.follow('ORDERS', bus.subjects.intentsAll(), OrderIntent, (i) => void intents.push(i), { deliver: 'all' });
  await bus.follow('RISK', bus.subjects.riskEquity('main'), RiskEquitySnapshot, (p) => void points.push(p), { deliver: 'all' });
  await bus.follow('RISK', bus.subjects.riskEventsAll(), RiskEvent, (e) => void events.push(e), { deliver: 'all' });

  // History: alpha buys 2 BTC at 100; beta sells 0.5 BTC at 110 and buys 3 ETH at 10.
  await publishFill(bus, { strategy: 'alpha', symbol: 'BTC-USDT', side: 'BUY', quantity: '2', price: '100', fee: '0.1' });
  await publishFill(bus, { strategy: 'beta', symbol: 'BTC-USDT', side: 'SELL', quantity: '0.5', price: '110', fee: '0.05' });
  await publishFill(bus, { strategy: 'beta', symbol: 'ETH-USDT', side: 'BUY', quantity: '3', price: '10', fee: '0.01' });
  await publishBbo(bus, 'BTC-USDT', '119', '121');
  await publishBbo(bus, 'ETH-USDT', '9.9', '10.1');

  risk = (await startService(riskService, {
    ...env.serviceEnv('BTC-USDT,ETH-USDT'),
    RISK_MAX_ORDER_QUANTITY: '1000',
    RISK_MAX_ORDER_NOTIONAL: '10000000',
    RISK_MAX_POSITION: '100',
    RISK_EQUITY_INTERVAL_MS: '100',
    RISK_STOPS: '{"ETH-USDT":{"distance":"5"}}',
    RISK_BREAKER_MAX_REJECTS: '3',
    RISK_BREAKER_REJECT_WINDOW_MS: '60000',
    RISK_BREAKER_AUTO_RESET: 'false',
    RISK_VAR_CONFIDENCE: '0.8',
    RISK_VAR_LOOKBACK: '12',
  })) as unknown as StartedService<unknown>;
  client = new RiskServiceClient(`127.0.0.1:${risk.grpcPort}`, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await risk?.shutdown();
  await bus?.close();
  await env?.cleanup();
});

const snapshot = () => call<object, GetRiskSnapshotResponse>(client.getRiskSnapshot.bind(client), {});
const scrape = async () => (await fetch(`http://127.0.0.1:${risk.httpPort}/metrics`)).text();

async function decide(i: OrderIntent): Promise<string> {
  await bus.publish(bus.subjects.intent(i.symbol), OrderIntent, i, { msgId: i.clientOrderId });
  return waitFor(`the decision on ${i.clientOrderId}`, () => (approved.has(i.clientOrderId) ? 'APPROVED' : rejected.get(i.clientOrderId)?.reason));
}

test('unrealized P&L per symbol, per strategy and for the account at the BBO mid, exact', async () => {
  const s = await snapshot();
  expect(s.markSource).toBe('mid');
  // BTC: long 1.5 at a cost of 150 (WAC: 200 less 0.5 of it), realized 0.5 × 110 − 50 = 5, mark 120.
  const btc = s.positions.find((p) => p.symbol === 'BTC-USDT');
  expect(btc).toMatchObject({ quantity: '1.5', averagePrice: '100', realizedPnl: '5', unrealizedPnl: '30', fees: '0.15', markPrice: '120' });
  expect(s.positions.find((p) => p.symbol === 'ETH-USDT')).toMatchObject({ quantity: '3', unrealizedPnl: '0', markPrice: '10' });
  // Account: 5 − 0.16 + 30; exposure 1.5 × 120 + 3 × 10.
  expect(s.pnl).toEqual({ equity: '34.84', realizedPnl: '5', unrealizedPnl: '30', fees: '0.16', grossExposure: '210', netExposure: '210' });
  // alpha: long 2 at 100 → 2 × 120 − 200. beta: short 0.5 at 110 → 55 − 60, long 3 ETH at 10 → 0.
  expect(s.strategies).toEqual([
    { strategy: 'alpha', pnl: { equity: '39.9', realizedPnl: '0', unrealizedPnl: '40', fees: '0.1', grossExposure: '240', netExposure: '240' } },
    { strategy: 'beta', pnl: { equity: '-5.06', realizedPnl: '0', unrealizedPnl: '-5', fees: '0.06', grossExposure: '90', netExposure: '-30' } },
  ]);

  // The mark moves: BTC unrealized 1.5 × 130 − 150.
  await publishBbo(bus, 'BTC-USDT', '129', '131');
  await waitFor('the new mark', async () => (await snapshot()).pnl?.unrealizedPnl === '45');
  const body = await scrape();
  expect(series(body, 'meridian_risk_account_pnl_quote')).toMatchObject({ 'kind=equity': 49.84, 'kind=unrealized': 45, 'kind=gross_exposure': 225 });
  expect(series(body, 'meridian_risk_strategy_pnl_quote')).toMatchObject({ 'kind=unrealized,strategy=alpha': 60, 'kind=unrealized,strategy=beta': -10 });
});

test('the equity curve is published on risk.equity.<account> and its drawdown follows the points', async () => {
  await waitFor('a point at mark 130', () => points.some((p) => p.pnl?.equity === '49.84'));
  await publishBbo(bus, 'BTC-USDT', '109', '111');
  const down = await waitFor('a point at mark 110', () => points.find((p) => p.pnl?.equity === '19.84'));
  expect(down).toMatchObject({
    account: 'main',
    markSource: 'mid',
    pnl: { equity: '19.84', realizedPnl: '5', unrealizedPnl: '15', fees: '0.16', grossExposure: '195', netExposure: '195' },
    drawdown: { peakEquity: '49.84', drawdown: '30', drawdownFraction: '0.60192616', maxDrawdown: '30' },
  });
  expect(down.drawdown!.underwaterSinceTsNs).toBe(down.drawdown!.peakTsNs);
  expect(down.strategies.map((t) => [t.strategy, t.pnl?.equity])).toEqual([['alpha', '19.9'], ['beta', '-0.06']]);
  // The limits' view: the peak of every event (49.84 at the mark 130) and today's P&L.
  expect({ peak: down.limitPeakEquity, daily: down.dailyPnl, open: down.dayOpenEquity }).toEqual({ peak: '49.84', daily: '19.84', open: '0' });
  // Points are a time series: strictly increasing times.
  for (let i = 1; i < points.length; i++) expect(points[i]!.tsNs > points[i - 1]!.tsNs).toBe(true);
  const s = await snapshot();
  expect(s.drawdown).toMatchObject({ peakEquity: '49.84', maxDrawdown: '30' });
  const body = await scrape();
  expect(series(body, 'meridian_risk_equity_curve_quote')).toEqual({ 'kind=peak': 49.84, 'kind=drawdown': 30, 'kind=max_drawdown': 30 });
  expect(series(body, 'meridian_risk_equity_snapshots_total')['outcome=published']).toBeGreaterThan(1);
});

test('Value at Risk and expected shortfall over the bar closes, historical and parametric', async () => {
  const t0 = BigInt(Date.now() - 11 * 60_000) * 1_000_000n;
  const btc = ['100', '102', '101', '97', '99', '104', '103', '98', '100', '101', '90'];
  const eth = ['10', '10.2', '10.1', '10.3', '9.9', '10', '10.4', '10.2', '10', '9.8', '10'];
  for (let i = 0; i < btc.length; i++) {
    await publishBar(bus, 'BTC-USDT', t0 + BigInt(i) * 60_000_000_000n, btc[i]!);
    await publishBar(bus, 'ETH-USDT', t0 + BigInt(i) * 60_000_000_000n, eth[i]!);
  }
  // A late trade corrects the last BTC bar (revision 1); an older revision arriving after it is ignored.
  await publishBar(bus, 'BTC-USDT', t0 + 10n * 60_000_000_000n, '95', 1);
  await publishBar(bus, 'BTC-USDT', t0 + 10n * 60_000_000_000n, '50', 0);
  // One-bar P&L of long 1.5 BTC and 3 ETH: 1.5 ΔBTC + 3 ΔETH.
  const pnl = [3.6, -1.8, -5.4, 1.8, 7.8, -0.3, -8.1, 2.4, 0.9, -8.4];
  const s = await waitFor('ten scenarios', async () => {
    const r = await snapshot();
    return r.valueAtRisk[0]?.observations === 10 && r.valueAtRisk[0].valueAtRisk > 8 ? r : undefined;
  });
  const [historical, parametric] = s.valueAtRisk;
  // 80%: the 2nd worst of 10 scenarios is the VaR (8.1), the mean of the two worst the ES.
  expect(historical).toMatchObject({ method: 'historical', confidence: 0.8, horizon: 1, barInterval: '1m', observations: 10 });
  expect(historical!.valueAtRisk).toBeCloseTo(8.1, 9);
  expect(historical!.expectedShortfall).toBeCloseTo(8.25, 9);
  // Normal: mean −0.75, sample variance 246.645 / 9; z(0.8) and φ(z) from the published tables.
  const mean = pnl.reduce((a, b) => a + b, 0) / pnl.length;
  const sd = Math.sqrt(pnl.reduce((a, b) => a + (b - mean) ** 2, 0) / (pnl.length - 1));
  expect(mean).toBeCloseTo(-0.75, 12);
  expect(sd ** 2).toBeCloseTo(27.405, 10);
  const z = 0.8416212336;
  const phi = 0.2799619204;
  expect(parametric).toMatchObject({ method: 'parametric', observations: 10 });
  expect(parametric!.valueAtRisk).toBeCloseTo(-(mean - z * sd), 7);
  expect(parametric!.expectedShortfall).toBeCloseTo(-(mean - (sd * phi) / 0.2), 7);
  // The gauges carry the estimates of the last equity point (one taken after every bar arrived).
  // An earlier point, with fewer bars, can show the same historical VaR and another ES: wait for
  // the point whose estimates are the snapshot's, then check them.
  const close = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-9;
  const gauges = await waitFor('the gauges at the last bars', async () => {
    const g = series(await scrape(), 'meridian_risk_value_at_risk_quote');
    const last = close(g['measure=var,method=historical'], 8.1) && close(g['measure=es,method=historical'], historical!.expectedShortfall) && close(g['measure=var,method=parametric'], parametric!.valueAtRisk);
    return last ? g : undefined;
  });
  expect(gauges['measure=es,method=historical']).toBeCloseTo(8.25, 9);
  expect(gauges['measure=var,method=parametric']).toBeCloseTo(parametric!.valueAtRisk, 9);
});

test('the circuit breaker trips on a burst of rejections, refuses opening intents with a reason, and waits for the operator', async () => {
  for (const id of ['big-1', 'big-2', 'big-3']) expect(await decide(intent(id, 'BTC-USDT', 'BUY', '5000', '110'))).toBe('MAX_ORDER_QUANTITY');
  await waitFor('the trip event', () => events.find((e) => e.type === RiskEventType.RISK_EVENT_TYPE_BREAKER_TRIPPED));
  expect(events.find((e) => e.type === RiskEventType.RISK_EVENT_TYPE_BREAKER_TRIPPED)).toMatchObject({
    eventId: 'breaker-main-1',
    account: 'main',
    cause: 'REJECT_BURST',
    detail: '3 rejections within 60000 ms (limit 3)',
    actor: 'breaker',
    values: { revision: '1', tripped: 'true', causes: 'REJECT_BURST' },
  });
  const open = intent('br-open', 'BTC-USDT', 'BUY', '0.1', '110');
  expect(await decide(open)).toBe('CIRCUIT_BREAKER');
  expect(rejected.get('br-open')).toMatchObject({
    detail: 'the circuit breaker is tripped (REJECT_BURST); only orders that reduce a position are accepted',
    values: { symbol: 'BTC-USDT', causes: 'REJECT_BURST', position: '1.5' },
  });
  // The same answer over gRPC; an order that reduces the long position passes.
  expect(await call(client.checkOrder.bind(client), { intent: intent('br-probe', 'BTC-USDT', 'BUY', '0.1', '110') })).toMatchObject({ approved: false, reason: 'CIRCUIT_BREAKER' });
  expect(await decide(intent('br-reduce', 'BTC-USDT', 'SELL', '0.5', '110'))).toBe('APPROVED');
  // Its own refusals do not keep it tripped, and the burst leaving the window does not reset it: auto reset is off.
  const held = await bus.lastValue('CONTROL', bus.subjects.breaker('main'), RiskBreakerState);
  expect(held).toMatchObject({ account: 'main', tripped: true, causes: ['REJECT_BURST'], revision: 1n, actor: 'breaker' });
  expect((await snapshot()).breaker).toMatchObject({ tripped: true, revision: 1n });
  let body = await scrape();
  expect(series(body, 'meridian_risk_breaker_tripped')).toEqual({ '': 1 });
  expect(series(body, 'meridian_risk_decisions_total')['reason=CIRCUIT_BREAKER,result=rejected']).toBe(1);
  expect(series(body, 'meridian_risk_breaker_trips_total')).toEqual({ 'cause=REJECT_BURST': 1 });

  expect(await failure(call<ResetCircuitBreakerRequest, ResetCircuitBreakerResponse>(client.resetCircuitBreaker.bind(client), { actor: ' ', reason: '' }))).toMatchObject({ code: status.INVALID_ARGUMENT });
  const reset = await call<ResetCircuitBreakerRequest, ResetCircuitBreakerResponse>(client.resetCircuitBreaker.bind(client), { actor: 'alice', reason: 'burst explained' });
  expect(reset.breaker).toMatchObject({ tripped: false, causes: [], revision: 2n, actor: 'alice', detail: 'reset by alice: burst explained' });
  expect(await decide(intent('br-open-2', 'BTC-USDT', 'BUY', '0.1', '110'))).toBe('APPROVED');
  await waitFor('the reset event', () => events.some((e) => e.eventId === 'breaker-main-2' && e.type === RiskEventType.RISK_EVENT_TYPE_BREAKER_RESET && e.actor === 'alice'));
  expect((await bus.lastValue('CONTROL', bus.subjects.breaker('main'), RiskBreakerState))?.tripped).toBe(false);
  body = await scrape();
  expect(series(body, 'meridian_risk_breaker_tripped')).toEqual({ '': 0 });
  expect(series(body, 'meridian_risk_breaker_resets_total')).toEqual({ 'by=operator': 1 });
});

test('a default stop from RISK_STOPS, static and trailing stops over gRPC; a trigger sends one closing intent through the checks', async () => {
  // The ETH position got its default trailing stop at start: 5 below the best mark, 10.
  const s = await snapshot();
  expect(s.stops).toEqual([
    expect.objectContaining({ symbol: 'ETH-USDT', revision: 1n, state: RiskStopState.RISK_STOP_STATE_ARMED, kind: RiskStopKind.RISK_STOP_KIND_TRAILING, distance: '5', position: '3', extreme: '10', stopPrice: '5', actor: 'config', reason: 'RISK_STOPS', markSource: 'mid' }),
  ]);
  const setStop = (req: Partial<SetStopRequest>) => call<SetStopRequest, SetStopResponse>(client.setStop.bind(client), SetStopRequest.fromPartial(req));
  // Refused: a flat symbol, a stop already through the mark (110), two kinds at once, no actor; nothing to clear.
  expect(await failure(setStop({ symbol: 'SOL-USDT', price: '1', actor: 'a' }))).toMatchObject({ code: status.INVALID_ARGUMENT });
  expect(await failure(setStop({ symbol: 'BTC-USDT', price: '111', actor: 'a' }))).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('at or through the mark 110') });
  expect(await failure(setStop({ symbol: 'BTC-USDT', price: '100', distance: '1', actor: 'a' }))).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('exactly one of price, distance, distance_bps') });
  expect(await failure(setStop({ symbol: 'BTC-USDT', price: '100', actor: '' }))).toMatchObject({ code: status.INVALID_ARGUMENT });
  expect(await failure(call(client.clearStop.bind(client), ClearStopRequest.fromPartial({ symbol: 'BTC-USDT', actor: 'a' })))).toMatchObject({ code: status.NOT_FOUND });

  // Static on BTC (long 1.5 + the working buy and sell of the breaker test), trailing 1 on ETH replacing the default.
  const btcStop = (await setStop({ symbol: 'BTC-USDT', price: '105', actor: 'alice', reason: 'protect' })).stop;
  expect(btcStop).toMatchObject({ symbol: 'BTC-USDT', revision: 1n, state: RiskStopState.RISK_STOP_STATE_ARMED, kind: RiskStopKind.RISK_STOP_KIND_STATIC, price: '105', stopPrice: '105', position: '1.5', actor: 'alice' });
  const ethStop = (await setStop({ symbol: 'ETH-USDT', distance: '1', actor: 'alice', reason: 'tighter' })).stop;
  expect(ethStop).toMatchObject({ revision: 2n, extreme: '10', stopPrice: '9' });
  expect((await bus.lastValue('CONTROL', bus.subjects.stop('ETH-USDT'), RiskStop))).toMatchObject({ revision: 2n, state: RiskStopState.RISK_STOP_STATE_ARMED, distance: '1' });

  // The trailing stop follows ETH up to 12 (stop 11) and stays there when it turns.
  await publishBbo(bus, 'ETH-USDT', '11.9', '12.1');
  await publishBbo(bus, 'ETH-USDT', '11.4', '11.6');
  await waitFor('the trailing stop at 11', async () => (await snapshot()).stops.find((t) => t.symbol === 'ETH-USDT')?.stopPrice === '11');
  expect(intents.filter((i) => i.strategy === 'risk-stop')).toEqual([]);

  // Through both stops.
  await publishBbo(bus, 'BTC-USDT', '103', '105');
  await publishBbo(bus, 'ETH-USDT', '10.9', '11.1');
  await waitFor('two closing intents decided', () => approved.has('risk-stop-BTC-USDT-1') && approved.has('risk-stop-ETH-USDT-2'));
  const closes = intents.filter((i) => i.strategy === 'risk-stop');
  expect(closes.map((i) => ({ id: i.clientOrderId, side: i.side, quantity: i.quantity, type: i.type, tif: i.timeInForce, venue: i.venue, ref: i.referencePrice })).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
    { id: 'risk-stop-BTC-USDT-1', side: Side.SIDE_SELL, quantity: '1.5', type: OrderType.ORDER_TYPE_MARKET, tif: TimeInForce.TIME_IN_FORCE_IOC, venue: 'paper', ref: '104' },
    { id: 'risk-stop-ETH-USDT-2', side: Side.SIDE_SELL, quantity: '3', type: OrderType.ORDER_TYPE_MARKET, tif: TimeInForce.TIME_IN_FORCE_IOC, venue: 'paper', ref: '11' },
  ]);
  // Approved by the same checks as any intent (the notional at the reference price).
  expect(approved.get('risk-stop-BTC-USDT-1')?.notional).toBe('156');
  expect((await snapshot()).stops).toEqual([]);
  const checkpoint = await bus.lastValue('CONTROL', bus.subjects.stop('BTC-USDT'), RiskStop);
  expect(checkpoint).toMatchObject({ state: RiskStopState.RISK_STOP_STATE_TRIGGERED, clientOrderId: 'risk-stop-BTC-USDT-1', triggerMark: '104', stopPrice: '105', actor: 'stop' });
  await waitFor('the stop events', () => events.filter((e) => e.type === RiskEventType.RISK_EVENT_TYPE_STOP_TRIGGERED).length === 2);
  expect(events.filter((e) => e.symbol !== '').map((e) => e.eventId)).toEqual([
    'stop-ETH-USDT-1-armed',
    'stop-BTC-USDT-1-armed',
    'stop-ETH-USDT-2-armed',
    expect.stringMatching(/^stop-(BTC-USDT-1|ETH-USDT-2)-triggered$/),
    expect.stringMatching(/^stop-(BTC-USDT-1|ETH-USDT-2)-triggered$/),
  ]);
  // A mark storm after the trigger sends nothing more.
  await publishBbo(bus, 'BTC-USDT', '99', '101');
  await publishBbo(bus, 'BTC-USDT', '98', '100');
  await new Promise((r) => setTimeout(r, 300));
  expect(intents.filter((i) => i.strategy === 'risk-stop')).toHaveLength(2);
  expect(series(await scrape(), 'meridian_risk_stop_triggers_total')).toEqual({ 'kind=static': 1, 'kind=trailing': 1 });
});
