import fc from 'fast-check';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { Decimal, parseSymbol } from '@meridian/domain';
import { Bbo, CheckOrderRequest, GetBarsRequest, GetBookRequest, GetPositionsRequest, OrderBookServiceService, OrderIntent, RecorderServiceService, RiskServiceService, SetKillSwitchRequest, Side, UpdateLimitsRequest } from '@meridian/proto';
import type { CheckOrderResponse, GetBarsResponse, GetBookResponse, GetPositionsResponse, UpdateLimitsResponse } from '@meridian/proto';
import { orderBookService } from '@meridian/order-book/dist/service';
import { recorderService } from '@meridian/recorder/dist/service';
import { riskService } from '@meridian/risk/dist/service';
import { parseLimitsJson } from '@meridian/risk/dist/limits-revision';
import { RISK_REASONS } from '@meridian/risk-rules';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { anyText, numberText, shaped, toJsonText } from '../arbitraries';
import { Broken, target } from '../target';
import { protoBytes } from './proto';
import { natsNamespace, postgresSchema, RawGrpcClient, grpcOutcome, serviceEnv } from './servers';
import type { GrpcRequest, NatsNamespace } from './servers';

const SYMBOLS = ['BTC-USDT', 'ETH-USDT'];
/** Longer than the runner's default budget: a call still unanswered by then is reported as a hang, not as a deadline error. */
const DEADLINE_MS = 10_000;

interface ServiceContext {
  readonly ns: NatsNamespace;
  readonly service: StartedService<unknown>;
  readonly client: RawGrpcClient;
  readonly drop?: () => Promise<void>;
}

async function stopService(c: ServiceContext): Promise<void> {
  c.client.close();
  await c.service.shutdown();
  await c.ns.close();
  await c.drop?.();
}

const symbol = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('BTC-USDT', 'ETH-USDT', 'btc/usdt', 'eth.usdt') }, { weight: 1, arbitrary: fc.constantFrom('', 'SOL-USDT', 'toString', '__proto__', 'BTC-USDT ', 'A'.repeat(70)) }, { weight: 1, arbitrary: anyText });
const quantity = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('0.1', '1', '2', '50', '0.001', '5000') }, { weight: 3, arbitrary: numberText });
const price = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('', '100', '99.5', '101', '10', '9.9') }, { weight: 2, arbitrary: numberText });

const intent = fc
  .record({
    clientOrderId: fc.oneof(fc.uuid(), fc.constant(''), anyText),
    strategy: fc.oneof(fc.constantFrom('', 'momentum', 'burst'), anyText),
    venue: fc.constantFrom('paper', '', 'okx'),
    symbol,
    side: fc.oneof(fc.constantFrom(Side.SIDE_BUY, Side.SIDE_SELL), fc.integer({ min: -1, max: 5 })),
    type: fc.integer({ min: 0, max: 5 }),
    quantity,
    limitPrice: price,
    referencePrice: price,
    tsNs: fc.oneof(fc.constant(BigInt(Date.now()) * 1_000_000n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  })
  .map((i) => OrderIntent.fromPartial(i));

const limitsDoc = fc.record(
  {
    global: fc.record({ maxOrderQuantity: quantity, maxOrderNotional: quantity, maxPosition: quantity, priceBandBps: fc.constantFrom('100', '-1', 'x'), maxOpenOrders: fc.oneof(fc.integer({ min: -1, max: 100 }), fc.constant('3')) }, { requiredKeys: [] }),
    perSymbol: fc.dictionary(symbol, fc.record({ maxPosition: quantity }, { requiredKeys: [] }), { maxKeys: 2 }),
    perStrategy: fc.dictionary(fc.constantFrom('momentum', 'burst', '__proto__'), fc.record({ maxOrderQuantity: quantity }, { requiredKeys: [] }), { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);

const riskRequest: fc.Arbitrary<GrpcRequest> = fc.oneof(
  { weight: 5, arbitrary: fc.oneof(intent.map((i) => ({ intent: i })), fc.constant({})).map((r) => ({ method: 'checkOrder', message: CheckOrderRequest.fromPartial(r) })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ limitsJson: fc.oneof(shaped(limitsDoc).map(toJsonText), anyText), actor: fc.oneof(fc.constantFrom('fuzz', '', ' '), anyText), reason: anyText, expectedRevision: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })) })
      .map((r) => ({ method: 'updateLimits', message: UpdateLimitsRequest.fromPartial(r) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.record({ symbol: fc.oneof(fc.constant(''), symbol), strategy: fc.oneof(fc.constant(''), fc.constant(''), anyText), engaged: fc.boolean(), actor: fc.constant('fuzz'), reason: anyText }), fc.nat({ max: 9 }))
      .map(([killSwitch, n]) => ({ method: 'setKillSwitch', message: SetKillSwitchRequest.fromPartial(n === 0 ? {} : { killSwitch }) })),
  },
  { weight: 2, arbitrary: fc.oneof(fc.constant(''), symbol).map((s) => ({ method: 'getPositions', message: GetPositionsRequest.fromPartial({ symbol: s }) })) },
  { weight: 1, arbitrary: fc.constantFrom('getLimits', 'getRiskSnapshot').map((method) => ({ method, message: {} })) },
  { weight: 2, arbitrary: fc.record({ method: fc.constantFrom('checkOrder', 'updateLimits', 'setKillSwitch', 'getPositions', 'getLimits', 'getRiskSnapshot'), raw: protoBytes }) },
);

const shardSymbols = new Set(SYMBOLS);

/** What a risk answer promises about the request it answered. */
function riskAnswerProblem(request: GrpcRequest, answer: unknown): string | undefined {
  if ('raw' in request) return undefined;
  if (request.method === 'checkOrder') {
    const r = answer as CheckOrderResponse;
    const i = (request.message as { intent?: OrderIntent }).intent;
    if (!r.approved) return r.reason === '' || !(RISK_REASONS as readonly string[]).includes(r.reason) ? `rejected with reason ${JSON.stringify(r.reason)}` : undefined;
    if (i === undefined) return 'approved without an intent';
    // An approval is a promise that the order is well formed and on this shard.
    let q: Decimal;
    try {
      q = Decimal.parse(i.quantity);
    } catch {
      return `approved quantity ${JSON.stringify(i.quantity)}, which is no decimal`;
    }
    if (!q.isPositive()) return `approved quantity ${q}`;
    if (i.side !== Side.SIDE_BUY && i.side !== Side.SIDE_SELL) return `approved side ${i.side}`;
    if (!shardSymbols.has(parseSymbol(i.symbol))) return `approved symbol ${JSON.stringify(i.symbol)} off the shard`;
    if (!Decimal.parse(r.notional).isPositive()) return `approved with notional ${r.notional}`;
    return undefined;
  }
  if (request.method === 'updateLimits') {
    const r = answer as UpdateLimitsResponse;
    if (!r.limits || r.limits.revision <= 0n) return `limits change answered with revision ${r.limits?.revision}`;
    parseLimitsJson(r.limits.limitsJson);
    return undefined;
  }
  if (request.method === 'getPositions') {
    const asked = (request.message as { symbol: string }).symbol;
    const r = answer as GetPositionsResponse;
    // "Empty means every symbol": of this shard. A position of a symbol the shard does not keep is made up.
    for (const p of r.positions) if (!shardSymbols.has(p.symbol)) return `position answered for ${JSON.stringify(p.symbol)} (asked ${JSON.stringify(asked)}), which this shard does not keep`;
    return undefined;
  }
  return undefined;
}

async function startWith(def: Parameters<typeof startService>[0], ns: NatsNamespace, definition: ServiceDefinition, extra: Record<string, string>): Promise<{ service: StartedService<unknown>; client: RawGrpcClient }> {
  const service = (await startService(def, serviceEnv(ns, SYMBOLS, extra))) as unknown as StartedService<unknown>;
  return { service, client: new RawGrpcClient(`127.0.0.1:${service.grpcPort}`, definition) };
}

/**
 * The risk service's gRPC API, served in-process on the real NATS server: CheckOrder,
 * UpdateLimits, SetKillSwitch, GetPositions, GetLimits, GetRiskSnapshot with fuzzed requests,
 * encoded or raw. The checks inside (`orderToCheck`, the limits and kill-switch validation) live
 * in the service's `start`, so the API is the way in.
 */
export const riskGrpc = target<GrpcRequest, ServiceContext>({
  name: 'risk.grpc',
  calls: 'services/risk RiskService (CheckOrder, UpdateLimits, SetKillSwitch, GetPositions, GetLimits, GetRiskSnapshot) over gRPC',
  weight: 4,
  ciRuns: 150,
  codes: [],
  requires: ['nats'],
  async: true,
  arbitrary: riskRequest,
  async setup() {
    const ns = await natsNamespace('fuzzrisk', SYMBOLS, ['paper']);
    for (const [s, bid, ask] of [
      ['BTC-USDT', '99', '101'],
      ['ETH-USDT', '9.9', '10.1'],
    ] as const) {
      await ns.bus.publish(ns.bus.subjects.marketData('sim', s, 'bbo'), Bbo, Bbo.fromPartial({ venue: 'sim', symbol: s, bid: { price: bid, size: '5' }, ask: { price: ask, size: '5' } }));
    }
    const started = await startWith(riskService as Parameters<typeof startService>[0], ns, RiskServiceService as unknown as ServiceDefinition, {
      RISK_MAX_ORDER_QUANTITY: '100',
      RISK_MAX_ORDER_NOTIONAL: '100000',
      RISK_MAX_POSITION: '1000',
      RISK_LIMITS_APPLY_TIMEOUT_MS: '1000',
    });
    return { ns, ...started };
  },
  teardown: stopService,
  async run(request, c) {
    let answer: unknown;
    try {
      answer = await c.client.call(request, DEADLINE_MS);
    } catch (err) {
      grpcOutcome(err);
    }
    const problem = riskAnswerProblem(request, answer);
    if (problem !== undefined) throw new Broken(problem);
    return undefined;
  },
});

const depth = fc.oneof(fc.integer({ min: 0, max: 1_100 }), fc.constantFrom(0, 1, 1_000, 1_001, 2 ** 32 - 1));
const venue = fc.oneof(fc.constantFrom('', 'sim', 'okx', 'OKX', ' sim '), anyText);

/** The order-book service's GetBook over gRPC, served in-process on the real NATS server. */
export const orderBookGrpc = target<GrpcRequest, ServiceContext>({
  name: 'order-book.grpc',
  calls: 'services/order-book OrderBookService.GetBook over gRPC',
  weight: 4,
  ciRuns: 150,
  codes: [],
  requires: ['nats'],
  async: true,
  arbitrary: fc.oneof(
    { weight: 4, arbitrary: fc.record({ venue, symbol, depth }).map((r) => ({ method: 'getBook', message: GetBookRequest.fromPartial(r) })) },
    { weight: 1, arbitrary: protoBytes.map((raw) => ({ method: 'getBook', raw })) },
  ),
  async setup() {
    const ns = await natsNamespace('fuzzbook', SYMBOLS, ['paper']);
    const started = await startWith(orderBookService as Parameters<typeof startService>[0], ns, OrderBookServiceService as unknown as ServiceDefinition, { MARKET_VENUES: 'sim,okx' });
    return { ns, ...started };
  },
  teardown: stopService,
  async run(request, c) {
    let answer: GetBookResponse;
    try {
      answer = (await c.client.call(request, DEADLINE_MS)) as GetBookResponse;
    } catch (err) {
      grpcOutcome(err);
    }
    if (!('raw' in request)) {
      const asked = request.message as { depth: number };
      const levels = asked.depth === 0 ? 10 : asked.depth;
      if (answer.bids.length > levels || answer.asks.length > levels) throw new Broken(`asked ${asked.depth} levels, answered ${answer.bids.length}/${answer.asks.length}`);
    }
    if (!SYMBOLS.includes(answer.symbol)) throw new Broken(`answered a book of ${answer.symbol}`);
    return undefined;
  },
});

const int64 = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 2n * 10n ** 18n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));

/** The recorder's GetBars (and GetRecorderStatus) over gRPC, served in-process on real NATS and PostgreSQL. */
export const recorderGrpc = target<GrpcRequest, ServiceContext>({
  name: 'recorder.grpc',
  calls: 'services/recorder RecorderService.GetBars, GetRecorderStatus over gRPC (PostgreSQL)',
  weight: 3,
  ciRuns: 100,
  codes: [],
  requires: ['nats', 'postgres'],
  async: true,
  arbitrary: fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record({ venue, symbol, interval: fc.oneof(fc.constantFrom('1m', '1s', 'v10', '60s', ''), anyText), fromTsNs: int64, toTsNs: int64, limit: fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.constant(2 ** 32 - 1)) })
        .map((r) => ({ method: 'getBars', message: GetBarsRequest.fromPartial(r) })),
    },
    { weight: 1, arbitrary: fc.record({ method: fc.constantFrom('getBars', 'getRecorderStatus'), raw: protoBytes }) },
  ),
  async setup() {
    const ns = await natsNamespace('fuzzrec', SYMBOLS, ['paper']);
    const { schema, drop } = await postgresSchema(ns.databaseUrl, ns.namespace);
    const started = await startWith(recorderService as Parameters<typeof startService>[0], ns, RecorderServiceService as unknown as ServiceDefinition, { DATABASE_URL: ns.databaseUrl, DATABASE_SCHEMA: schema });
    return { ns, ...started, drop };
  },
  teardown: stopService,
  async run(request, c) {
    let answer: unknown;
    try {
      answer = await c.client.call(request, DEADLINE_MS);
    } catch (err) {
      grpcOutcome(err);
    }
    if (request.method === 'getBars') {
      const bars = (answer as GetBarsResponse).bars;
      if (bars.length > 20_000) throw new Broken(`${bars.length} bars in one answer`);
    }
    return undefined;
  },
});
