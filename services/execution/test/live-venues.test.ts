// The execution service on the live venues' protocols: VENUE=okx against a local OKX v5 server and
// VENUE=alpaca against a local Alpaca v2 server (libs/venue-sim), each over a SimulatedVenue whose
// market this test seeds directly, with real NATS JetStream (NATS_URL) and credentials given as
// <KEY>_FILE files. For each venue: a market order is acked once and filled with the venue's trade
// ids; a resting order is cancelled over gRPC; a dropped connection after the venue applied the
// order, a 5xx, and an answer slower than VENUE_TIMEOUT_MS (the service's own in-doubt path) each
// leave exactly one order at the venue and one ack; a restart while orders rest acks nothing again
// and catches up a fill that happened while it was down; and the service run as a real process at
// LOG_LEVEL=debug never writes a credential to its output or its /metrics.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { Decimal, newId, nowNanos } from '@meridian/domain';
import type { Side as DomainSide } from '@meridian/domain';
import {
  ApprovedOrder,
  BookUpdateBatch,
  ExecutionKind,
  ExecutionReport,
  ExecutionServiceClient,
  OrderStatus,
  OrderType,
  Side,
  TimeInForce,
} from '@meridian/proto';
import type { CancelOrderResponse, GetOrderResponse, OrderIntent } from '@meridian/proto';
import { startService } from '@meridian/runtime';
import type { StartedService } from '@meridian/runtime';
import { OtlpCollector, ServiceProcess, assertBuilt, createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { AlpacaSimServer, OkxServer, SimulatedVenue } from '@meridian/venue-sim';
import type { SimOrder } from '@meridian/venue-sim';
import { executionService } from '../src/service';

jest.setTimeout(120_000);

const d = (v: string) => Decimal.parse(v);
const PACKAGE_DIR = join(__dirname, '..');
/** Short enough that the slow-answer case goes through the service's own reconciliation. */
const VENUE_TIMEOUT_MS = 1_000;
const RECONCILE_INTERVAL_MS = 200;
/** How long a case waits after its outcome for anything that should not come (a second ack, a late answer). */
const QUIET_MS = 1_500;

type Levels = readonly (readonly [price: string, size: string])[];

/** One live venue: its local server over a SimulatedVenue, the service's settings for it, and what the test reads back from it. */
interface LiveVenue {
  readonly venue: 'okx' | 'alpaca';
  readonly symbol: string;
  readonly sim: SimulatedVenue;
  /** Keys the service reads for this venue (URLs, environment, credential files). */
  readonly env: Record<string, string>;
  /** Every credential value the service was given. */
  readonly secrets: readonly string[];
  readonly book: { readonly bids: Levels; readonly asks: Levels };
  /** A market buy that sweeps two levels of `book`, and the fills it must get. */
  readonly market: { readonly quantity: string; readonly referencePrice: string; readonly fills: readonly (readonly [quantity: string, price: string])[] };
  /** Resting buy prices, far below the book; `between` a sell print that trades through `high` but not `low`. */
  readonly resting: { readonly quantity: string; readonly high: string; readonly low: string; readonly between: string };
  /** The venue's own orders with this client order id. */
  ordersAt(clientOrderId: string): SimOrder[];
  /** The venue's id of an order as its API reports it. */
  venueOrderId(order: SimOrder): string;
  /** The venue's trade ids of an order's fills, as its API reports them. */
  tradeIds(clientOrderId: string): string[];
  /** Faults on order placement; each returns how many requests it has hit so far. */
  dropAfterPlace(): () => number;
  failPlace(): () => number;
  /** The placement answered `ms` after the venue applied it, and its pushes held as long. */
  slowPlace(ms: number): () => number;
  clearFaults(): void;
  /** Cuts the private stream (the adapter reconnects and logs in again). */
  dropStream(): void;
  close(): Promise<void>;
}

/** Credentials as mounted secret files (trailing newline included, as `kubectl create secret --from-file` leaves it). */
function credentialFiles(dir: string, values: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const path = join(dir, key.toLowerCase());
    writeFileSync(path, `${value}\n`, { mode: 0o600 });
    env[`${key}_FILE`] = path;
  }
  return env;
}

async function okxVenue(dir: string): Promise<LiveVenue> {
  const account = 'okx-exec';
  const key = { apiKey: randomUUID(), secretKey: randomBytes(16).toString('hex').toUpperCase(), passphrase: `Pp!${randomBytes(6).toString('hex')}`, account, demo: true };
  const sim = new SimulatedVenue({
    instruments: [{ symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: d('0.1'), lotSize: d('0.0001'), minQuantity: d('0.0001') }],
    fees: { maker: d('0.0008'), taker: d('0.001'), scale: 8 },
  });
  // USDT only: the venue's BTC holding is then exactly what the platform bought (its start-up positions check agrees).
  sim.openAccount({ id: account, mode: 'cash', balances: { USDT: d('1000000') } });
  const server = await OkxServer.start({ exchange: sim, keys: [key] });
  const files = credentialFiles(dir, { OKX_API_KEY: key.apiKey, OKX_API_SECRET: key.secretKey, OKX_API_PASSPHRASE: key.passphrase });
  const fired = (kind: 'drop' | 'server_error' | 'delay') => {
    const before = server.faults.fired[kind];
    return () => server.faults.fired[kind] - before;
  };
  const place = { method: 'POST', path: '/api/v5/trade/order' } as const;
  return {
    venue: 'okx',
    symbol: 'BTC-USDT',
    sim,
    env: { VENUE: 'okx', MARKET_VENUE: 'okx', OKX_ENV: 'demo', OKX_REST_URL: server.restUrl, OKX_WS_URL: server.privateWsUrl, ...files },
    secrets: [key.apiKey, key.secretKey, key.passphrase],
    book: { bids: [['29999.9', '2']], asks: [['30000.1', '0.3'], ['30001', '10']] },
    market: { quantity: '0.5', referencePrice: '30000.1', fills: [['0.3', '30000.1'], ['0.2', '30001']] },
    resting: { quantity: '0.01', high: '29000', low: '28000', between: '28500' },
    // Platform ids (ULIDs) are valid clOrdIds, so OKX keeps them as they are.
    ordersAt: (cid) => sim.orders(account).filter((o) => o.clientOrderId === cid),
    venueOrderId: (o) => o.orderId,
    tradeIds: (cid) => sim.fills(account).filter((f) => f.clientOrderId === cid).map((f) => f.tradeId),
    dropAfterPlace() {
      const n = fired('drop');
      server.faults.add({ fault: { kind: 'drop', stage: 'after_apply' }, ...place, times: 1 });
      return n;
    },
    failPlace() {
      const n = fired('server_error');
      server.faults.add({ fault: { kind: 'server_error', status: 503 }, ...place, times: 1 });
      return n;
    },
    slowPlace(ms) {
      const n = fired('delay');
      server.faults.add({ fault: { kind: 'delay', ms, stage: 'after_apply' }, ...place, times: 1 });
      server.faults.ws.pushDelayMs = ms;
      return n;
    },
    clearFaults: () => server.faults.clear(),
    dropStream: () => server.dropConnections(),
    close: () => server.close(),
  };
}

async function alpacaVenue(dir: string): Promise<LiveVenue> {
  const account = 'alpaca-exec';
  const keyId = `PK${randomBytes(9).toString('hex').toUpperCase()}`;
  const secret = randomBytes(20).toString('base64url');
  const sim = new SimulatedVenue({
    instruments: [{ symbol: 'AAPL', baseCurrency: 'AAPL', quoteCurrency: 'USD', tickSize: d('0.01'), lotSize: Decimal.ONE }],
    fees: { maker: Decimal.ZERO, taker: Decimal.ZERO, scale: 2 },
  });
  // The server opens the account (margin, USD) on the simulator.
  const server = await AlpacaSimServer.start({ sim, keys: [{ keyId, secret, account }], accounts: [{ id: account, cash: d('1000000') }], onError: (err) => process.stderr.write(`alpaca sim: ${String(err)}\n`) });
  const files = credentialFiles(dir, { ALPACA_API_KEY_ID: keyId, ALPACA_API_SECRET_KEY: secret });
  const book = server.book(account);
  const counter = () => {
    const before = server.faults.fired;
    return () => server.faults.fired - before;
  };
  const place = { method: 'POST', path: /^\/v2\/orders$/ };
  return {
    venue: 'alpaca',
    symbol: 'AAPL',
    sim,
    env: { VENUE: 'alpaca', MARKET_VENUE: 'alpaca', ALPACA_ENV: 'paper', ALPACA_TRADING_URL: server.baseUrl, ALPACA_STREAM_URL: server.streamUrl, ...files },
    secrets: [keyId, secret],
    book: { bids: [['189.99', '100']], asks: [['190.01', '100'], ['190.02', '200'], ['190.03', '300']] },
    market: { quantity: '150', referencePrice: '190.01', fills: [['100', '190.01'], ['50', '190.02']] },
    resting: { quantity: '3', high: '185', low: '180', between: '183' },
    ordersAt: (cid) => sim.orders(account).filter((o) => o.clientOrderId === cid),
    venueOrderId: (o) => book.orderUuid(o.orderId),
    // Alpaca's trade id is the execution id of the fill activity (`<time>::<execution_id>`).
    tradeIds: (cid) => book.fillRecords().filter((r) => r.fill.clientOrderId === cid).map((r) => r.executionId),
    dropAfterPlace() {
      const n = counter();
      server.faults.drop('after', { ...place, times: 1 });
      return n;
    },
    failPlace() {
      const n = counter();
      server.faults.fail(503, { ...place, times: 1 });
      return n;
    },
    slowPlace(ms) {
      const n = counter();
      server.faults.delay(ms, { ...place, times: 1 }, 'after');
      server.faults.delayStream(ms);
      return n;
    },
    clearFaults: () => server.faults.clear(),
    dropStream: () => server.dropStreams(),
    close: () => server.close(),
  };
}

// ---- shared by both venues

let env: TestEnvironment;
let bus: Bus;
let credentialDir: string;
const reports: ExecutionReport[] = [];
let bookSeq = 1n;

beforeAll(async () => {
  env = await createTestEnvironment('execlive');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'execution-live-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [
    { symbols: ['BTC-USDT'], venues: ['okx'] },
    { symbols: ['AAPL'], venues: ['alpaca'] },
  ]);
  await bus.follow('EXECUTIONS', bus.subjects.executionsAll(), ExecutionReport, (r) => void reports.push(r), { deliver: 'all' });
  credentialDir = mkdtempSync(join(tmpdir(), 'execution-credentials-'));
});

afterAll(async () => {
  await bus?.close();
  await env?.cleanup();
  if (credentialDir) rmSync(credentialDir, { recursive: true, force: true });
});

const of = (cid: string) => reports.filter((r) => r.clientOrderId === cid);
const kinds = (cid: string) => of(cid).map((r) => r.kind);
const status = (cid: string) => of(cid).at(-1)?.status;
const { EXECUTION_KIND_ACK: ACK, EXECUTION_KIND_FILL: FILL, EXECUTION_KIND_CANCEL: CANCEL } = ExecutionKind;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serviceEnv(v: LiveVenue, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...env.serviceEnv(v.symbol),
    VENUE_TIMEOUT_MS: String(VENUE_TIMEOUT_MS),
    RECONCILE_INTERVAL_MS: String(RECONCILE_INTERVAL_MS),
    ...v.env,
    ...extra,
  };
}

/** The venue's market (the liquidity its orders meet) and the same book on the bus (what the slippage guard prices against). */
async function seedMarket(v: LiveVenue): Promise<void> {
  const levels = (l: Levels) => l.map(([price, size]) => ({ price, size }));
  v.sim.applyMarketBook(v.symbol, {
    snapshot: true,
    bids: v.book.bids.map(([p, s]) => ({ price: d(p), size: d(s) })),
    asks: v.book.asks.map(([p, s]) => ({ price: d(p), size: d(s) })),
  });
  await bus.publish(
    bus.subjects.marketData(v.venue, v.symbol, 'book'),
    BookUpdateBatch,
    BookUpdateBatch.fromPartial({ updates: [{ venue: v.venue, symbol: v.symbol, seq: bookSeq++, snapshot: true, bids: levels(v.book.bids), asks: levels(v.book.asks), tsNs: nowNanos() }] }),
  );
}

/** An external print at `price` for `quantity` (the market trading through resting buys above it). */
function printAt(v: LiveVenue, price: string, quantity: string, aggressor: DomainSide = 'SELL'): void {
  v.sim.applyMarketTrade(v.symbol, { price: d(price), quantity: d(quantity), aggressor });
}

function intent(v: LiveVenue, over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    clientOrderId: newId(),
    strategy: 'live-test',
    venue: v.venue,
    symbol: v.symbol,
    side: Side.SIDE_BUY,
    type: OrderType.ORDER_TYPE_MARKET,
    timeInForce: TimeInForce.TIME_IN_FORCE_IOC,
    quantity: v.market.quantity,
    limitPrice: '',
    referencePrice: v.market.referencePrice,
    tsNs: nowNanos(),
    stopPrice: '',
    postOnly: false,
    parentOrderId: '',
    ...over,
  };
}

function restingIntent(v: LiveVenue, price: string): OrderIntent {
  return intent(v, { type: OrderType.ORDER_TYPE_LIMIT, timeInForce: TimeInForce.TIME_IN_FORCE_GTC, limitPrice: price, quantity: v.resting.quantity, referencePrice: price });
}

/** Publishes an approval as risk would; returns its client order id. */
async function approve(v: LiveVenue, i: OrderIntent): Promise<string> {
  await bus.publish(bus.subjects.approved(v.venue, v.symbol), ApprovedOrder, ApprovedOrder.fromPartial({ intent: i, notional: '0', approvedTsNs: nowNanos() }), { msgId: `approved-${i.clientOrderId}` });
  return i.clientOrderId;
}

/** A sample of the service's /metrics (0 when the series does not exist yet). */
async function metric(httpPort: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, val]) => `${k}="${val}"`);
  const line = text.split('\n').find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && wanted.every((w) => l.includes(w)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function unary<Req, Res>(fn: (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null, res: Res) => void) => void, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, new Metadata(), { deadline: Date.now() + 20_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

/** The execution service in this process, with a gRPC client. */
class InProcess {
  private constructor(
    readonly service: StartedService<unknown>,
    readonly client: ExecutionServiceClient,
  ) {}

  static async start(v: LiveVenue): Promise<InProcess> {
    const service = (await startService(executionService, serviceEnv(v))) as unknown as StartedService<unknown>;
    return new InProcess(service, new ExecutionServiceClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure()));
  }

  get httpPort(): number {
    return this.service.httpPort;
  }

  getOrder(cid: string): Promise<GetOrderResponse> {
    return unary(this.client.getOrder.bind(this.client), { clientOrderId: cid });
  }

  cancelOrder(cid: string): Promise<CancelOrderResponse> {
    return unary(this.client.cancelOrder.bind(this.client), { clientOrderId: cid, waitMs: 5_000 });
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.service.shutdown();
  }
}

/** Every form a leaked credential could take in a log line or a metric label. */
function leakedForms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

function describeVenue(name: string, create: (dir: string) => Promise<LiveVenue>): void {
  describe(`VENUE=${name} against its local server`, () => {
    let v: LiveVenue;
    let exec: InProcess | undefined;
    const credentialKeys: string[] = [];

    beforeAll(async () => {
      v = await create(credentialDir);
      // Venue credentials are read from process.env (venues.ts), not from the environment startService is given.
      for (const [k, val] of Object.entries(v.env)) {
        if (!k.endsWith('_FILE')) continue;
        process.env[k] = val;
        credentialKeys.push(k);
      }
      await seedMarket(v);
      exec = await InProcess.start(v);
      await seedMarket(v);
      await waitFor(`${name} execution ready`, async () => (await fetch(`http://127.0.0.1:${exec!.httpPort}/readyz`)).ok, 20_000, 50);
    });

    afterAll(async () => {
      await exec?.stop();
      for (const k of credentialKeys) delete process.env[k];
      await v?.close();
    });

    it('acks an approved market order once, then reports each fill with the venue trade id', async () => {
      await seedMarket(v);
      const acksBefore = await metric(exec!.httpPort, 'meridian_execution_reports_total', { kind: 'ack' });
      const cid = await approve(v, intent(v));
      await waitFor(`${cid} filled`, () => status(cid) === OrderStatus.ORDER_STATUS_FILLED, 20_000, 20);
      await sleep(QUIET_MS);

      expect(kinds(cid)).toEqual([ACK, ...v.market.fills.map(() => FILL)]);
      const fills = of(cid).filter((r) => r.kind === FILL);
      expect(fills.map((f) => [f.fillQuantity, f.fillPrice])).toEqual(v.market.fills);
      const venueTradeIds = v.tradeIds(cid);
      expect(venueTradeIds).toHaveLength(v.market.fills.length);
      expect(fills.map((f) => f.tradeId)).toEqual(venueTradeIds);
      expect(fills.every((f) => f.executionId === `${cid}-fill-${f.tradeId}` && f.venue === v.venue)).toBe(true);

      const [order] = v.ordersAt(cid);
      expect(v.ordersAt(cid)).toHaveLength(1);
      expect(of(cid)[0]!.venueOrderId).toBe(v.venueOrderId(order!));
      expect((await exec!.getOrder(cid)).order).toMatchObject({ status: OrderStatus.ORDER_STATUS_FILLED, filledQuantity: v.market.quantity, venueOrderId: v.venueOrderId(order!) });
      expect((await metric(exec!.httpPort, 'meridian_execution_reports_total', { kind: 'ack' })) - acksBefore).toBe(1);
    });

    it('cancels a resting limit order over gRPC CancelOrder', async () => {
      const cid = await approve(v, restingIntent(v, v.resting.low));
      await waitFor(`${cid} acked`, () => kinds(cid).includes(ACK), 20_000, 20);
      expect(v.ordersAt(cid).map((o) => o.status)).toEqual(['new']);

      const res = await exec!.cancelOrder(cid);
      expect(res.order!.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);
      await waitFor(`${cid} cancel reported`, () => kinds(cid).includes(CANCEL), 20_000, 20);
      await sleep(QUIET_MS);
      expect(kinds(cid)).toEqual([ACK, CANCEL]);
      expect(v.ordersAt(cid).map((o) => o.status)).toEqual(['cancelled']);
    });

    const faults: [string, (v: LiveVenue) => () => number][] = [
      ['the connection drops after the venue applied the order', (venue) => venue.dropAfterPlace()],
      ['the venue answers the placement with a 503', (venue) => venue.failPlace()],
    ];
    for (const [what, inject] of faults) {
      it(`${what}: one order at the venue, one ack`, async () => {
        const acksBefore = await metric(exec!.httpPort, 'meridian_execution_reports_total', { kind: 'ack' });
        const fired = inject(v);
        const cid = await approve(v, restingIntent(v, v.resting.low));
        await waitFor(`${cid} acked`, () => kinds(cid).includes(ACK), 20_000, 20);
        await sleep(QUIET_MS);
        v.clearFaults();

        expect(fired()).toBe(1);
        expect(v.ordersAt(cid)).toHaveLength(1);
        expect(kinds(cid)).toEqual([ACK]);
        expect(of(cid)[0]!.venueOrderId).toBe(v.venueOrderId(v.ordersAt(cid)[0]!));
        expect((await metric(exec!.httpPort, 'meridian_execution_reports_total', { kind: 'ack' })) - acksBefore).toBe(1);
        expect((await exec!.getOrder(cid)).order!.status).toBe(OrderStatus.ORDER_STATUS_ACKED);
      });
    }

    it('an answer slower than VENUE_TIMEOUT_MS: the order is in doubt, reconciled by client order id, acked once', async () => {
      const slowMs = VENUE_TIMEOUT_MS * 3;
      const settledBefore = await metric(exec!.httpPort, 'meridian_execution_reconciliations_total', { result: 'settled' });
      const timeoutsBefore = await metric(exec!.httpPort, 'meridian_execution_venue_requests_total', { op: 'submit', outcome: 'in_doubt' });
      const acksBefore = await metric(exec!.httpPort, 'meridian_execution_reports_total', { kind: 'ack' });
      const fired = v.slowPlace(slowMs);
      const sent = Date.now();
      const cid = await approve(v, restingIntent(v, v.resting.low));
      await waitFor(`${cid} acked`, () => kinds(cid).includes(ACK), 20_000, 20);
      const ackedAfterMs = Date.now() - sent;
      // Past the late answer and the held pushes: they must not add anything.
      await sleep(Math.max(0, slowMs - ackedAfterMs) + QUIET_MS);
      v.clearFaults();

      expect(fired()).toBe(1);
      expect(await metric(exec!.httpPort, 'meridian_execution_venue_requests_total', { op: 'submit', outcome: 'in_doubt' })).toBe(timeoutsBefore + 1);
      expect(await metric(exec!.httpPort, 'meridian_execution_reconciliations_total', { result: 'settled' })).toBeGreaterThan(settledBefore);
      expect(await metric(exec!.httpPort, 'meridian_execution_orders_in_doubt')).toBe(0);
      expect(v.ordersAt(cid)).toHaveLength(1);
      expect(kinds(cid)).toEqual([ACK]);
      expect((await metric(exec!.httpPort, 'meridian_execution_reports_total', { kind: 'ack' })) - acksBefore).toBe(1);
    });

    it('restarts while orders rest: no second ack, GetOrder shows the resting order, a fill made while down is caught up', async () => {
      const stays = await approve(v, restingIntent(v, v.resting.low));
      const fillsWhileDown = await approve(v, restingIntent(v, v.resting.high));
      await waitFor('both acked', () => kinds(stays).includes(ACK) && kinds(fillsWhileDown).includes(ACK), 20_000, 20);

      await exec!.stop();
      exec = undefined;
      printAt(v, v.resting.between, '1000');
      expect(v.ordersAt(fillsWhileDown).map((o) => o.status)).toEqual(['filled']);
      expect(v.ordersAt(stays).map((o) => o.status)).toEqual(['new']);

      exec = await InProcess.start(v);
      await seedMarket(v);
      await waitFor(`${fillsWhileDown} fill caught up`, () => status(fillsWhileDown) === OrderStatus.ORDER_STATUS_FILLED, 20_000, 20);
      await sleep(QUIET_MS);

      expect(kinds(stays)).toEqual([ACK]);
      expect(kinds(fillsWhileDown)).toEqual([ACK, FILL]);
      expect(of(fillsWhileDown).find((r) => r.kind === FILL)).toMatchObject({ tradeId: v.tradeIds(fillsWhileDown)[0], fillPrice: v.resting.high, fillQuantity: v.resting.quantity, maker: true });
      // This process acked nothing: every ack it knows of was rebuilt from the stream.
      expect(await metric(exec.httpPort, 'meridian_execution_reports_total', { kind: 'ack' })).toBe(0);
      expect(await metric(exec.httpPort, 'meridian_execution_invalid_transitions_total')).toBe(0);
      const order = (await exec.getOrder(stays)).order!;
      expect(order).toMatchObject({ status: OrderStatus.ORDER_STATUS_ACKED, limitPrice: v.resting.low, quantity: v.resting.quantity, venueOrderId: v.venueOrderId(v.ordersAt(stays)[0]!) });
      expect((await exec.getOrder(fillsWhileDown)).order!.status).toBe(OrderStatus.ORDER_STATUS_FILLED);
      const executionIds = reports.map((r) => r.executionId);
      expect(new Set(executionIds).size).toBe(executionIds.length);
    });

    it('as a process at LOG_LEVEL=debug, writes no credential to its output, its /metrics or its traces', async () => {
      await exec!.stop();
      exec = undefined;
      assertBuilt(PACKAGE_DIR, '@meridian/execution');
      const traces = await OtlpCollector.start();
      // Credentials only as files, as the chart mounts them; spans exported over OTLP to the collector.
      const childEnv = serviceEnv(v, { LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: traces.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
      const proc = await ServiceProcess.start(PACKAGE_DIR, childEnv, { name: `execution-${name}`, timeoutMs: 60_000, waitReady: false });
      let metricsText = '';
      try {
        await seedMarket(v);
        await waitFor('ready', async () => (await fetch(`${proc.httpUrl}/readyz`)).ok, 20_000, 50);
        const client = new ExecutionServiceClient(proc.grpcAddress, credentials.createInsecure());
        try {
          // Every path that talks to the venue: a fill, a dropped answer resolved by lookup, a 503, a cut stream, a cancel.
          const filled = await approve(v, intent(v));
          await waitFor(`${filled} filled`, () => status(filled) === OrderStatus.ORDER_STATUS_FILLED, 20_000, 20);
          v.dropAfterPlace();
          const dropped = await approve(v, restingIntent(v, v.resting.low));
          await waitFor(`${dropped} acked`, () => kinds(dropped).includes(ACK), 20_000, 20);
          v.failPlace();
          const failed = await approve(v, restingIntent(v, v.resting.low));
          await waitFor(`${failed} acked`, () => kinds(failed).includes(ACK), 20_000, 20);
          v.clearFaults();
          v.dropStream();
          await waitFor('the stream reconnected', () => proc.logs.filter((l) => l.includes('venue stream connected')).length >= 2, 20_000, 50);
          await unary(client.cancelOrder.bind(client), { clientOrderId: dropped, waitMs: 5_000 });
          await waitFor(`${dropped} cancelled`, () => kinds(dropped).includes(CANCEL), 20_000, 20);
        } finally {
          client.close();
        }
        metricsText = await proc.metrics();
      } finally {
        // Shutdown flushes the spans still batched.
        expect(await proc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
        await traces.stop();
      }

      const output = proc.logs.join('\n');
      const traceText = traces.text();
      // The traces hold the orders' hops: publishes of the execution reports above.
      expect(traces.spans().filter((s) => s.service === 'meridian-execution').length).toBeGreaterThan(0);
      // The capture is the real thing: debug lines, the venue's log lines, the metrics of the orders above.
      expect(proc.logs.some((l) => l.includes('"level":"debug"'))).toBe(true);
      expect(output).toContain('venue stream disconnected');
      expect(metricsText).toMatch(/^meridian_execution_reports_total\{kind="fill"[^}]*\} [1-9]/m);
      for (const secret of v.secrets) {
        for (const form of leakedForms(secret)) {
          expect(output.includes(form) ? `output contains ${form}` : 'clean').toBe('clean');
          expect(metricsText.includes(form) ? `/metrics contains ${form}` : 'clean').toBe('clean');
          expect(traceText.includes(form) ? `traces contain ${form}` : 'clean').toBe('clean');
        }
      }
    });
  });
}

describeVenue('okx', okxVenue);
describeVenue('alpaca', alpacaVenue);
