// What the paper-venue tests of execution share: the service's environment, a risk service to
// submit through, an intent as risk approves it, and a unary gRPC call as a promise.
import { Metadata } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import type { Bus } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { Bbo, OrderType, Side, TimeInForce } from '@meridian/proto';
import type { OrderIntent } from '@meridian/proto';
import { ServiceProcess, assertBuilt } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { join } from 'node:path';

/** Execution on the paper venue for one symbol (tick 0.01, lot 0.0001), in process, quiet, on free ports. */
export function paperServiceEnv(env: TestEnvironment, symbol: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...env.serviceEnv(symbol),
    VENUE: 'paper',
    MARKET_VENUE: 'sim',
    PAPER_INSTRUMENTS: `${symbol}=0.01/0.0001`,
    RECONCILE_INTERVAL_MS: '200',
    ...extra,
  };
}

/**
 * The risk service (built, as its own process) beside an execution started with `serviceEnv`:
 * orders of at most 1, notional 100,000, positions of 100. A BBO of 99.9 / 100.1 for `symbol` is
 * published first, for its notional checks.
 */
export async function startPaperRisk(bus: Bus, symbol: string, serviceEnv: Record<string, string>): Promise<ServiceProcess> {
  await bus.publish(
    bus.subjects.marketData('sim', symbol, 'bbo'),
    Bbo,
    Bbo.fromPartial({ venue: 'sim', symbol, seq: 1n, bid: { price: '99.9', size: '1' }, ask: { price: '100.1', size: '1' }, tsNs: nowNanos() }),
  );
  const riskDir = join(__dirname, '..', '..', 'risk');
  assertBuilt(riskDir, '@meridian/risk');
  return ServiceProcess.start(riskDir, { ...serviceEnv, LOG_LEVEL: 'info', RISK_MAX_ORDER_QUANTITY: '1', RISK_MAX_ORDER_NOTIONAL: '100000', RISK_MAX_POSITION: '100' }, { name: 'risk', timeoutMs: 60_000 });
}

/** A market IOC buy of `quantity` on the paper venue, as the coordinator sends it; `over` changes any field. */
export function paperIntent(cid: string, symbol: string, quantity: string, over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    clientOrderId: cid,
    strategy: 'test',
    venue: 'paper',
    symbol,
    side: Side.SIDE_BUY,
    type: OrderType.ORDER_TYPE_MARKET,
    timeInForce: TimeInForce.TIME_IN_FORCE_IOC,
    quantity,
    limitPrice: '',
    referencePrice: '100.1',
    tsNs: nowNanos(),
    stopPrice: '',
    postOnly: false,
    parentOrderId: '',
    ...over,
  };
}

/** A unary call of a grpc-js client method with a 20 s deadline. */
export function call<Req, Res>(fn: (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null, res: Res) => void) => void, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, new Metadata(), { deadline: Date.now() + 20_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}
