// What the post-trade tests of risk share: publishing market data, fills and intents as the other
// services do, calling RiskService, and reading metrics.
import { Metadata } from '@grpc/grpc-js';
import type { Bus } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { Bar, Bbo, ExecutionKind, ExecutionReport, OrderIntent, OrderType, Side, TradeBatch } from '@meridian/proto';

export function call<Req, Res>(fn: (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: Error | null, res: Res) => void) => void, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => fn(req, new Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

/** The gRPC error of a call that must fail. */
export async function failure<Res>(p: Promise<Res>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code: number; details: string };
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to fail');
}

export async function publishBbo(bus: Bus, symbol: string, bid: string, ask: string): Promise<number> {
  const r = await bus.publish(
    bus.subjects.marketData('sim', symbol, 'bbo'),
    Bbo,
    Bbo.fromPartial({ venue: 'sim', symbol, seq: 1n, bid: { price: bid, size: '1' }, ask: { price: ask, size: '1' }, tsNs: nowNanos() }),
  );
  return r.seq;
}

export async function publishTrades(bus: Bus, symbol: string, prices: string[]): Promise<void> {
  await bus.publish(
    bus.subjects.marketData('sim', symbol, 'trades'),
    TradeBatch,
    TradeBatch.fromPartial({ trades: prices.map((price, i) => ({ venue: 'sim', symbol, tradeId: `${symbol}-${Date.now()}-${i}`, price, size: '1', tsNs: nowNanos() })) }),
  );
}

export async function publishBar(bus: Bus, symbol: string, startTsNs: bigint, close: string, revision = 0): Promise<void> {
  await bus.publish(
    bus.subjects.bars('sim', symbol, '1m'),
    Bar,
    Bar.fromPartial({ venue: 'sim', symbol, interval: '1m', startTsNs, endTsNs: startTsNs + 60_000_000_000n, open: close, high: close, low: close, close, volume: '1', notional: close, tradeCount: 1n, revision }),
  );
}

let fills = 0;
export async function publishFill(bus: Bus, f: { id?: string; strategy: string; symbol: string; side: 'BUY' | 'SELL'; quantity: string; price: string; fee: string }): Promise<void> {
  const id = f.id ?? `fill-${++fills}-${Date.now()}`;
  const report = ExecutionReport.fromPartial({
    kind: ExecutionKind.EXECUTION_KIND_FILL,
    venue: 'paper',
    symbol: f.symbol,
    strategy: f.strategy,
    clientOrderId: id,
    executionId: `${id}-fill-1`,
    side: f.side === 'BUY' ? Side.SIDE_BUY : Side.SIDE_SELL,
    fillQuantity: f.quantity,
    fillPrice: f.price,
    fee: f.fee,
    tsNs: nowNanos(),
  });
  await bus.publish(bus.subjects.execution('paper', f.symbol, 'fill'), ExecutionReport, report, { msgId: report.executionId });
}

export function intent(id: string, symbol: string, side: 'BUY' | 'SELL', quantity: string, referencePrice: string, strategy = 'alpha'): OrderIntent {
  return OrderIntent.fromPartial({
    clientOrderId: id,
    strategy,
    venue: 'paper',
    symbol,
    side: side === 'BUY' ? Side.SIDE_BUY : Side.SIDE_SELL,
    type: OrderType.ORDER_TYPE_MARKET,
    quantity,
    referencePrice,
    tsNs: nowNanos(),
  });
}

/** Sample values of one metric by their labels other than `service`, e.g. `{kind=equity}`. */
export function series(body: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].filter(([, k]) => k !== 'service').map(([, k, v]) => `${k}=${v}`);
    out[labels.sort().join(',')] = Number(m[3]);
  }
  return out;
}
