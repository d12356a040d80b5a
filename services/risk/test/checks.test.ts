// The pre-trade checks through the real service against a real JetStream server (NATS_URL): the
// intents path and gRPC CheckOrder decide alike on the same state; working orders, rate windows,
// exposures at the BBO and the day's P&L are kept from the streams and rebuilt after a restart;
// rejections reach ord.rejected.<symbol> with their numbers and are counted by reason.
import { credentials, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import {
  ApprovedOrder,
  Bbo,
  ExecutionKind,
  ExecutionReport,
  KillSwitch,
  OrderIntent,
  OrderRejection,
  OrderType,
  RiskServiceClient,
  Side,
} from '@meridian/proto';
import type { CheckOrderResponse, GetPositionsResponse, SetKillSwitchResponse } from '@meridian/proto';
import { ConfigError, startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { riskService } from '../src/service';

jest.setTimeout(60_000);

let env: TestEnvironment;
let bus: Bus;
let risk: StartedService<unknown> | undefined;
let client: RiskServiceClient | undefined;
const approved = new Map<string, ApprovedOrder>();
const rejected = new Map<string, OrderRejection>();

const LIMITS = {
  global: {
    priceBandBps: '100',
    maxSymbolOpenOrders: 3,
    maxStrategyOrdersPerWindow: 4,
    orderRateWindowMs: 60_000,
    maxGrossExposure: '3000',
    maxDailyLoss: '50',
    maxDrawdown: '1000',
  },
  perStrategy: { burst: { maxStrategyOrdersPerWindow: 2 } },
  perSymbol: { 'ETH-USDT': { maxSymbolOpenOrders: 10, maxPosition: '1000' } },
};

function serviceEnv(): NodeJS.ProcessEnv {
  return {
    ...env.serviceEnv('BTC-USDT,ETH-USDT'),
    RISK_MAX_ORDER_QUANTITY: '1000',
    RISK_MAX_ORDER_NOTIONAL: '100000',
    RISK_MAX_POSITION: '100',
    RISK_LIMITS: JSON.stringify(LIMITS),
  };
}

async function start(): Promise<void> {
  risk = (await startService(riskService, serviceEnv())) as unknown as StartedService<unknown>;
  client = new RiskServiceClient(`127.0.0.1:${risk.grpcPort}`, credentials.createInsecure());
}

async function stop(): Promise<void> {
  client?.close();
  client = undefined;
  await risk?.shutdown();
  risk = undefined;
}

beforeAll(async () => {
  env = await createTestEnvironment('riskchk');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-checks-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT', 'ETH-USDT'], venues: ['paper'] }]);
  await bus.follow('ORDERS', bus.subjects.approvedAll(), ApprovedOrder, (a) => void approved.set(a.intent!.clientOrderId, a), { deliver: 'all' });
  await bus.follow('ORDERS', bus.subjects.rejectedAll(), OrderRejection, (r) => void rejected.set(r.intent!.clientOrderId, r), { deliver: 'all' });
  await publishBbo('BTC-USDT', '99', '101');
  await publishBbo('ETH-USDT', '9.9', '10.1');
  await start();
});

afterAll(async () => {
  await stop();
  await bus?.close();
  await env?.cleanup();
});

function call<Req, Res>(fn: (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: Error | null, res: Res) => void) => void, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, new Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

function intent(id: string, strategy: string, symbol: string, side: 'BUY' | 'SELL', quantity: string, limitPrice: string): OrderIntent {
  return OrderIntent.fromPartial({
    clientOrderId: id,
    strategy,
    venue: 'paper',
    symbol,
    side: side === 'BUY' ? Side.SIDE_BUY : Side.SIDE_SELL,
    type: OrderType.ORDER_TYPE_LIMIT,
    quantity,
    limitPrice,
    tsNs: nowNanos(),
  });
}

const checkOrder = (i: OrderIntent) => call<{ intent: OrderIntent }, CheckOrderResponse>(client!.checkOrder.bind(client!), { intent: i });

/** Sends an intent on ord.intent.<symbol> and waits for risk's decision on the stream. */
async function decide(i: OrderIntent): Promise<{ approved: true } | { approved: false; reason: string; detail: string; values: Record<string, string> }> {
  await bus.publish(bus.subjects.intent(i.symbol), OrderIntent, i, { msgId: i.clientOrderId });
  return waitFor(`the decision on ${i.clientOrderId}`, () => {
    if (approved.has(i.clientOrderId)) return { approved: true as const };
    const r = rejected.get(i.clientOrderId);
    return r ? { approved: false as const, reason: r.reason, detail: r.detail, values: r.values } : undefined;
  });
}

async function publishBbo(symbol: string, bid: string, ask: string): Promise<void> {
  await bus.publish(
    bus.subjects.marketData('sim', symbol, 'bbo'),
    Bbo,
    Bbo.fromPartial({ venue: 'sim', symbol, seq: 1n, bid: { price: bid, size: '1' }, ask: { price: ask, size: '1' }, tsNs: nowNanos() }),
  );
}

async function publishExecution(kind: 'fill' | 'cancel', id: string, symbol: string, extra: Partial<ExecutionReport> = {}): Promise<void> {
  const report = ExecutionReport.fromPartial({
    kind: kind === 'fill' ? ExecutionKind.EXECUTION_KIND_FILL : ExecutionKind.EXECUTION_KIND_CANCEL,
    venue: 'paper',
    symbol,
    clientOrderId: id,
    executionId: `${id}-${kind}`,
    tsNs: nowNanos(),
    ...extra,
  });
  await bus.publish(bus.subjects.execution('paper', symbol, kind), ExecutionReport, report, { msgId: report.executionId });
}

async function metric(name: string): Promise<Record<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${risk!.httpPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].filter(([, k]) => k !== 'service').map(([, k, v]) => `${k}=${v}`);
    out[labels.sort().join(',')] = Number(m[3]);
  }
  return out;
}

test('the price band against the BBO: the intent path and CheckOrder give the same answer with the same numbers', async () => {
  const fat = intent('a1', 'a', 'BTC-USDT', 'BUY', '1', '103');
  const asked = await waitFor('the BBO applied', async () => {
    const r = await checkOrder(fat);
    return r.reason === 'PRICE_BAND' ? r : undefined;
  });
  const d = await decide(fat);
  expect(d).toEqual({
    approved: false,
    reason: 'PRICE_BAND',
    detail: 'buy limit price 103 is 198.02 bps through the ask 101, beyond the price band of 100 bps',
    values: { price: '103', bid: '99', ask: '101', touch: 'ask', deviationBps: '198.02', priceBandBps: '100' },
  });
  expect({ approved: asked.approved, reason: asked.reason, detail: asked.detail, values: asked.values }).toEqual(d);
  expect(await checkOrder(intent('a2', 'a', 'BTC-USDT', 'BUY', '1', '101.5'))).toMatchObject({ approved: true, notional: '101.5' });
  expect(await decide(intent('a2', 'a', 'BTC-USDT', 'BUY', '1', '101.5'))).toEqual({ approved: true });
});

test('open orders count working orders: the fourth is refused until one ends', async () => {
  // a2 is working on BTC-USDT (no venue in this test fills it).
  expect(await decide(intent('b1', 'b', 'BTC-USDT', 'BUY', '1', '100'))).toEqual({ approved: true });
  expect(await decide(intent('b2', 'b', 'BTC-USDT', 'SELL', '1', '100'))).toEqual({ approved: true });
  const d = await decide(intent('b3', 'b', 'BTC-USDT', 'BUY', '1', '100'));
  expect(d).toMatchObject({
    approved: false,
    reason: 'MAX_OPEN_ORDERS',
    detail: 'symbol BTC-USDT has 3 open orders + 1 = 4 exceeds max open orders 3',
    values: { scope: 'symbol', symbol: 'BTC-USDT', openOrders: '3', projectedOpenOrders: '4', maxOpenOrders: '3' },
  });
  await publishExecution('cancel', 'b1', 'BTC-USDT');
  await waitFor('the cancel applied', async () => (await checkOrder(intent('probe', 'b', 'BTC-USDT', 'BUY', '1', '100'))).approved);
  expect(await decide(intent('b4', 'b', 'BTC-USDT', 'BUY', '1', '100'))).toEqual({ approved: true });
});

test('the order-rate throttle per strategy, with the strategy override; CheckOrder does not use up the rate', async () => {
  for (let n = 0; n < 3; n++) expect((await checkOrder(intent('c-probe', 'burst', 'ETH-USDT', 'BUY', '1', '10'))).approved).toBe(true);
  expect(await decide(intent('c1', 'burst', 'ETH-USDT', 'BUY', '1', '10'))).toEqual({ approved: true });
  expect(await decide(intent('c2', 'burst', 'ETH-USDT', 'BUY', '1', '10'))).toEqual({ approved: true });
  const d = await decide(intent('c3', 'burst', 'ETH-USDT', 'BUY', '1', '10'));
  expect(d).toEqual({
    approved: false,
    reason: 'ORDER_RATE',
    detail: 'strategy burst has 2 orders in the last 60000 ms; one more exceeds max 2 per 60000 ms',
    values: { scope: 'strategy', strategy: 'burst', orders: '2', maxOrders: '2', windowMs: '60000' },
  });
  // Another strategy has its own window.
  expect((await checkOrder(intent('c4', 'other', 'ETH-USDT', 'BUY', '1', '10'))).approved).toBe(true);
});

test('gross exposure at the BBO mids counts every working order; exactly at the limit is approved', async () => {
  // BTC-USDT: working buys a2, b4 and sell b2 at mid 100: max(2, 1) x 100 = 200. ETH-USDT: c1, c2 = 2 x 10.
  expect(await decide(intent('d1', 'd', 'ETH-USDT', 'BUY', '250', '10'))).toEqual({ approved: true });
  const d = await decide(intent('d2', 'd', 'ETH-USDT', 'BUY', '30', '10'));
  expect(d).toEqual({
    approved: false,
    reason: 'MAX_GROSS_EXPOSURE',
    detail:
      'gross exposure 2720 - ETH-USDT 2520 + ETH-USDT with the order 2820 = 3020 exceeds max gross exposure 3000 (worst case with working orders, at mark 10)',
    values: {
      grossExposure: '2720',
      symbolExposure: '2520',
      projectedSymbolExposure: '2820',
      projectedGrossExposure: '3020',
      mark: '10',
      maxGrossExposure: '3000',
    },
  });
  expect(await decide(intent('d3', 'd', 'ETH-USDT', 'BUY', '28', '10'))).toEqual({ approved: true });
  expect(await metric('meridian_risk_exposure_quote')).toEqual({ 'kind=gross': 3000, 'kind=net_long': 3000, 'kind=net_short': -100 });
  expect(await metric('meridian_risk_open_orders')).toEqual({ '': 7 });
});

test('a kill switch per strategy, set over gRPC, stops that strategy on both paths and only it', async () => {
  const set = (killSwitch: Partial<KillSwitch>) => call<{ killSwitch: KillSwitch }, SetKillSwitchResponse>(client!.setKillSwitch.bind(client!), { killSwitch: KillSwitch.fromPartial({ actor: 'test', reason: 'drill', ...killSwitch }) });
  expect(await set({ engaged: true, strategy: 'e' })).toEqual({ globalEngaged: false, engagedSymbols: [], engagedStrategies: ['e'] });
  expect(await checkOrder(intent('e1', 'e', 'BTC-USDT', 'SELL', '0.1', '100'))).toMatchObject({ approved: false, reason: 'KILL_SWITCH', detail: 'the kill switch for strategy e is engaged' });
  expect(await decide(intent('e2', 'e', 'ETH-USDT', 'SELL', '0.1', '10'))).toMatchObject({ approved: false, reason: 'KILL_SWITCH', values: { symbol: 'ETH-USDT', strategy: 'e' } });
  expect((await checkOrder(intent('e3', 'e-other', 'ETH-USDT', 'SELL', '0.1', '10'))).approved).toBe(true);
  expect(await bus.lastValue('CONTROL', bus.subjects.killSwitch('strategy_e'), KillSwitch)).toMatchObject({ engaged: true, strategy: 'e', symbol: '' });
  await expect(set({ engaged: true, strategy: 'e', symbol: 'BTC-USDT' })).rejects.toThrow(/set symbol or strategy, not both/);
  await expect(set({ engaged: true, strategy: 'bad name' })).rejects.toThrow(/INVALID_ARGUMENT|kill switch scope/);
  expect(await set({ engaged: false, strategy: 'e' })).toMatchObject({ engagedStrategies: [] });
  expect((await checkOrder(intent('e1', 'e', 'ETH-USDT', 'SELL', '0.1', '10'))).approved).toBe(true);
});

test('the daily loss limit reads realized and unrealized P&L at the BBO; orders that reduce the position still pass', async () => {
  await publishExecution('cancel', 'a2', 'BTC-USDT');
  await publishExecution('fill', 'f-fill', 'BTC-USDT', { side: Side.SIDE_BUY, fillQuantity: '2', fillPrice: '100', fee: '0' });
  await publishBbo('BTC-USDT', '73', '75'); // mid 74: unrealized 2 x (74 - 100) = -52
  const d = await waitFor('the loss seen', async () => {
    const r = await checkOrder(intent('f1', 'f', 'BTC-USDT', 'BUY', '0.1', '74'));
    return r.reason === 'DAILY_LOSS' ? r : undefined;
  });
  expect(d.detail).toBe('daily P&L -52 is a loss beyond max daily loss 50; only orders that reduce a position are accepted');
  expect(await decide(intent('f1', 'f', 'BTC-USDT', 'BUY', '0.1', '74'))).toMatchObject({ approved: false, reason: 'DAILY_LOSS', values: { dailyPnl: '-52', maxDailyLoss: '50' } });
  // Position 2, working sell b2 1: selling 1 more takes it to 0 at worst.
  expect(await decide(intent('f2', 'f', 'BTC-USDT', 'SELL', '1', '74'))).toEqual({ approved: true });
  expect(await checkOrder(intent('f3', 'f', 'BTC-USDT', 'SELL', '0.5', '74'))).toMatchObject({ approved: false, reason: 'DAILY_LOSS' });
  expect(await metric('meridian_risk_equity_quote')).toEqual({ 'kind=equity': -52, 'kind=peak': 0, 'kind=daily_pnl': -52, 'kind=drawdown': 52 });
});

test('GetPositions answers only for the shard\'s symbols, without creating positions for other names (found by fuzzing)', async () => {
  const positions = (symbol: string) => call<{ symbol: string }, GetPositionsResponse>(client!.getPositions.bind(client!), { symbol });
  expect((await positions('btc/usdt')).positions.map((p) => p.symbol)).toEqual(['BTC-USDT']);
  await expect(positions('SOL-USDT')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
  await expect(positions('__proto__')).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
  expect((await positions('')).positions.map((p) => p.symbol)).toEqual(['BTC-USDT', 'ETH-USDT']);
});

test('rejections are counted by reason on the intent path only', async () => {
  expect(await metric('meridian_risk_decisions_total')).toEqual({
    'reason=,result=approved': 9,
    'reason=PRICE_BAND,result=rejected': 1,
    'reason=MAX_OPEN_ORDERS,result=rejected': 1,
    'reason=ORDER_RATE,result=rejected': 1,
    'reason=MAX_GROSS_EXPOSURE,result=rejected': 1,
    'reason=KILL_SWITCH,result=rejected': 1,
    'reason=DAILY_LOSS,result=rejected': 1,
  });
  const checks = await metric('meridian_risk_check_seconds_count');
  expect(checks['path=intent']).toBe(15);
  expect(checks['path=grpc']).toBeGreaterThanOrEqual(10);
});

test('after a restart the working orders, rate windows, exposures and the day P&L are rebuilt from the streams', async () => {
  await stop();
  await start();
  await waitFor('the day loss rebuilt at the BBO', async () => (await checkOrder(intent('h1', 'h', 'BTC-USDT', 'BUY', '0.1', '74'))).reason === 'DAILY_LOSS');
  // Back to mid 100: no loss; the gross is BTC (position 2, buy b4, sells b2 and f2) max(2 + 1, 2 - 2) x 100 = 300
  // + ETH (c1, c2, d1, d3) 280 x 10 = 3100.
  await publishBbo('BTC-USDT', '99', '101');
  const r = await waitFor('the exposure at the new mark', async () => {
    const x = await checkOrder(intent('h3', 'h', 'ETH-USDT', 'BUY', '0.1', '10'));
    return x.reason === 'MAX_GROSS_EXPOSURE' && x.values['grossExposure'] === '3100' ? x : undefined;
  });
  expect(r.values['projectedGrossExposure']).toBe('3101');
  expect(await checkOrder(intent('h2', 'burst', 'ETH-USDT', 'SELL', '1', '10'))).toMatchObject({ approved: false, reason: 'ORDER_RATE' });
  expect(await metric('meridian_risk_open_orders')).toEqual({ '': 7 });
  // The decisions taken before the restart stand: a redelivered intent is not decided again.
  expect(rejected.get('b3')?.reason).toBe('MAX_OPEN_ORDERS');
});

test('a bad limit stops the service at start-up, naming the key and the limit', async () => {
  const bad = (overrides: Record<string, string>) => startService(riskService, { ...serviceEnv(), ...overrides });
  await expect(bad({ RISK_LIMITS: '{"perSymbol":{"BTC-USDT":{"maxGrossExposure":"1"}}}' })).rejects.toThrow(
    'RISK_LIMITS: perSymbol.BTC-USDT.maxGrossExposure is an account-wide limit: allowed in global only',
  );
  await expect(bad({ RISK_LIMITS: '{"global":{"maxDailyLoss":"-5"}}' })).rejects.toThrow('RISK_LIMITS: global.maxDailyLoss must be zero or positive, got -5');
  await expect(bad({ RISK_LIMITS: '{"global":{"maxOpenOrders":"many"}}' })).rejects.toThrow('RISK_LIMITS: global.maxOpenOrders is not a whole number: "many"');
  await expect(bad({ RISK_LIMITS: '{"global":{"maxPosition":"5"}}' })).rejects.toThrow('RISK_LIMITS: global.maxPosition has its own key: set RISK_MAX_POSITION instead');
  await expect(bad({ RISK_LIMITS: '{"global":' })).rejects.toThrow(/RISK_LIMITS: not JSON/);
  await expect(bad({ RISK_LIMITS_PER_SYMBOL: '{"BTC-USDT":{"maxPosition":"-1"}}' })).rejects.toThrow('RISK_LIMITS_PER_SYMBOL: BTC-USDT.maxPosition must be positive, got -1');
  await expect(bad({ RISK_LIMITS_PER_SYMBOL: '{"BTC-USDT":{"maxPosition":"1"}}' })).rejects.toThrow(
    'RISK_LIMITS_PER_SYMBOL and RISK_LIMITS.perSymbol both set per-symbol limits: use one of them',
  );
  await expect(bad({ RISK_DAY_START_UTC: '25:00' })).rejects.toThrow('RISK_DAY_START_UTC: expected a UTC time of day HH:MM, got "25:00"');
  await expect(bad({ RISK_LIMITS: '{"global":{"maxDailyLoss":"-5"}}' })).rejects.toBeInstanceOf(ConfigError);
});
