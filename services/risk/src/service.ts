import { Decimal, nowNanos, parseSymbol } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import {
  ApprovedOrder,
  Bbo,
  ExecutionReport,
  KillSwitch,
  OrderIntent,
  OrderRejection,
  RiskServiceService,
  decimalField,
  endsOrder,
  fillOf,
  optionalDecimalField,
  sideFromWire,
} from '@meridian/proto';
import type { Position, RiskServiceServer } from '@meridian/proto';
import { Portfolio, WorkingOrders } from '@meridian/portfolio';
import { checkOrder } from '@meridian/risk-rules';
import type { KillSwitchState, OrderToCheck, RiskDecision } from '@meridian/risk-rules';
import { GLOBAL_SCOPE, ReplayGate } from '@meridian/bus';
import { Status, field, grpcError } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, ServiceContext, ServiceDefinition } from '@meridian/runtime';
import { limitsFromConfig } from './limits';

const schema = {
  RISK_MAX_ORDER_QUANTITY: field.decimal('Largest quantity of one order (all symbols unless overridden)', '10', { positive: true }),
  RISK_MAX_ORDER_NOTIONAL: field.decimal('Largest quantity x price of one order, quote currency', '5000', { positive: true }),
  RISK_MAX_POSITION: field.decimal('Largest absolute position, long or short, counting working orders', '1', { positive: true }),
  RISK_LIMITS_PER_SYMBOL: field.string('JSON overrides per symbol, e.g. {"ETH-USDT":{"maxPosition":"5"}}', ''),
  INTENT_MAX_AGE_MS: field.int('Intents older than this are rejected as stale', 10_000, { min: 1 }),
  MARKET_VENUE: field.string('Market-data venue whose BBO marks positions', 'sim'),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics, health } = ctx;
  const limits = limitsFromConfig(
    {
      maxOrderQuantity: config.RISK_MAX_ORDER_QUANTITY,
      maxOrderNotional: config.RISK_MAX_ORDER_NOTIONAL,
      maxPosition: config.RISK_MAX_POSITION,
    },
    config.RISK_LIMITS_PER_SYMBOL,
  );
  const portfolio = new Portfolio();
  const working = new Map<string, WorkingOrders>();
  const decided = new Set<string>();
  const marks = new Map<string, Decimal>();

  const decisions = metrics.counter({
    name: 'risk_decisions_total',
    help: 'Pre-trade decisions by result and reason',
    labelNames: ['result', 'reason'],
  });
  const positionGauge = metrics.gauge({ name: 'position_quantity', help: 'Signed position', labelNames: ['symbol'] });
  const pnlGauge = metrics.gauge({
    name: 'pnl_quote',
    help: 'P&L in quote currency by kind: realized (gross of fees), fees, unrealized (at the BBO mid); display only, exact values via gRPC',
    labelNames: ['symbol', 'kind'],
    // Unrealized P&L moves with every BBO: computed when scraped, for positions that have a mark.
    collect() {
      for (const symbol of ctx.shard.symbols) {
        const mark = marks.get(symbol);
        if (mark && portfolio.has(symbol)) this.set({ symbol, kind: 'unrealized' }, portfolio.position(symbol).unrealizedPnl(mark).toNumber());
      }
    },
  });
  const killGauge = metrics.gauge({ name: 'kill_switch_engaged', help: '1 while a kill switch is engaged', labelNames: ['scope'] });
  const kill: { global: boolean; symbols: Set<string> } = { global: false, symbols: new Set() };
  const workingOf = (symbol: string) => {
    let w = working.get(symbol);
    if (!w) working.set(symbol, (w = new WorkingOrders()));
    return w;
  };
  const applyKill = (k: KillSwitch) => {
    if (k.symbol === '' || k.symbol === GLOBAL_SCOPE) kill.global = k.engaged;
    else if (k.engaged) kill.symbols.add(k.symbol);
    else kill.symbols.delete(k.symbol);
    killGauge.set({ scope: k.symbol || GLOBAL_SCOPE }, k.engaged ? 1 : 0);
  };

  // Positions, working orders and decisions are the fold of the streams: replayed at start.
  const gate = new ReplayGate();
  await bus.follow('CONTROL', bus.subjects.killSwitchAll(), KillSwitch, applyKill, {
    deliver: 'last_per_subject',
    onCaughtUp: gate.expect(),
  });
  for (const symbol of ctx.shard.symbols) {
    const w = workingOf(symbol);
    await bus.follow(
      'ORDERS',
      bus.subjects.approvedFor(symbol),
      ApprovedOrder,
      (a) => {
        const i = a.intent;
        if (!i) return;
        decided.add(i.clientOrderId);
        w.open(i.clientOrderId, sideFromWire(i.side), decimalField('quantity', i.quantity));
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow(
      'ORDERS',
      bus.subjects.rejected(symbol),
      OrderRejection,
      (r) => {
        if (r.intent) decided.add(r.intent.clientOrderId);
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow(
      'EXECUTIONS',
      bus.subjects.executionsFor(symbol),
      ExecutionReport,
      (e) => {
        const fill = fillOf(e);
        if (fill) {
          portfolio.applyFill(symbol, fill);
          w.fill(e.clientOrderId, fill.quantity);
          const p = portfolio.position(symbol);
          positionGauge.set({ symbol }, p.quantity.toNumber());
          pnlGauge.set({ symbol, kind: 'realized' }, p.realizedPnl.toNumber());
          pnlGauge.set({ symbol, kind: 'fees' }, p.fees.toNumber());
        } else if (endsOrder(e)) {
          w.close(e.clientOrderId);
        }
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow(
      'MARKET',
      bus.subjects.marketData(config.MARKET_VENUE, symbol, 'bbo'),
      Bbo,
      (b) => {
        if (b.bid && b.ask) marks.set(symbol, Decimal.parse(b.bid.price).add(Decimal.parse(b.ask.price)).div(2n, 12));
      },
      { deliver: 'last_per_subject' },
    );
  }
  await gate.wait();
  logger.info({ positions: portfolio.positions().length, decided: decided.size }, 'risk state rebuilt from the streams');

  const killState = (): KillSwitchState => ({ global: kill.global, symbols: kill.symbols });
  const orderToCheck = (i: OrderIntent): OrderToCheck => ({
    symbol: parseSymbol(i.symbol),
    side: sideFromWire(i.side) as Side,
    quantity: decimalField('quantity', i.quantity),
    limitPrice: optionalDecimalField('limit_price', i.limitPrice),
    referencePrice: optionalDecimalField('reference_price', i.referencePrice),
  });
  const evaluate = (i: OrderIntent): RiskDecision => {
    let order: OrderToCheck;
    try {
      order = orderToCheck(i);
    } catch (err) {
      return { approved: false, reason: 'INVALID_ORDER', detail: (err as Error).message, values: {} };
    }
    if (!ctx.shard.symbols.includes(order.symbol)) {
      return {
        approved: false,
        reason: 'INVALID_ORDER',
        detail: `symbol ${order.symbol} is not on this risk shard`,
        values: { symbol: order.symbol },
      };
    }
    const t = workingOf(order.symbol).totals();
    return checkOrder(
      order,
      { position: portfolio.position(order.symbol).quantity, workingBuy: t.buy, workingSell: t.sell },
      limits,
      killState(),
    );
  };

  const onIntent = async (i: OrderIntent) => {
    // A redelivered intent (risk restarted after publishing) keeps its first decision.
    if (decided.has(i.clientOrderId)) return;
    const ageMs = Date.now() - Number(i.tsNs / 1_000_000n);
    const decision: RiskDecision =
      ageMs > config.INTENT_MAX_AGE_MS
        ? {
            approved: false,
            reason: 'INVALID_ORDER',
            detail: `intent is ${ageMs} ms old, older than INTENT_MAX_AGE_MS ${config.INTENT_MAX_AGE_MS}`,
            values: { ageMs: String(ageMs) },
          }
        : evaluate(i);
    // One message id for either outcome: a retried decision can never publish both.
    const msgId = `decision-${i.clientOrderId}`;
    if (decision.approved) {
      const venue = i.venue;
      await bus.publish(
        bus.subjects.approved(venue, i.symbol),
        ApprovedOrder,
        ApprovedOrder.fromPartial({ intent: i, notional: decision.notional.toString(), approvedTsNs: nowNanos() }),
        { msgId },
      );
      workingOf(i.symbol).open(i.clientOrderId, sideFromWire(i.side), decimalField('quantity', i.quantity));
      decisions.inc({ result: 'approved', reason: '' });
    } else {
      await bus.publish(
        bus.subjects.rejected(i.symbol),
        OrderRejection,
        OrderRejection.fromPartial({
          intent: i,
          reason: decision.reason,
          detail: decision.detail,
          values: decision.values,
          rejectedTsNs: nowNanos(),
        }),
        { msgId },
      );
      decisions.inc({ result: 'rejected', reason: decision.reason });
      logger.info(
        { clientOrderId: i.clientOrderId, symbol: i.symbol, reason: decision.reason, detail: decision.detail },
        'intent rejected',
      );
    }
    decided.add(i.clientOrderId);
  };
  for (const decl of bus.topology.durables('risk', ctx.shard)) {
    await bus.consume(decl, OrderIntent, onIntent);
  }
  health.flag('state_rebuilt', true);

  const positionOf = (symbol: string): Position => {
    const p = portfolio.position(symbol);
    const s = p.snapshot();
    const mark = marks.get(symbol);
    return {
      symbol,
      quantity: s.quantity.toString(),
      averagePrice: s.averagePrice.toString(),
      realizedPnl: s.realizedPnl.toString(),
      unrealizedPnl: mark ? p.unrealizedPnl(mark).toString() : '',
      fees: s.fees.toString(),
      markPrice: mark?.toString() ?? '',
      fillCount: s.fillCount,
    };
  };

  const grpcImpl: RiskServiceServer = {
    checkOrder: (call, callback) => {
      if (!call.request.intent) return callback(grpcError(Status.INVALID_ARGUMENT, 'intent is required'));
      const d = evaluate(call.request.intent);
      callback(
        null,
        d.approved
          ? { approved: true, reason: '', detail: '', values: {}, notional: d.notional.toString() }
          : { approved: false, reason: d.reason, detail: d.detail, values: d.values, notional: '' },
      );
    },
    getPositions: (call, callback) => {
      const wanted = call.request.symbol;
      const symbols = wanted === '' ? ctx.shard.symbols : [wanted];
      callback(null, { positions: symbols.map(positionOf) });
    },
    setKillSwitch: (call, callback) => {
      const k = call.request.killSwitch;
      if (!k) return callback(grpcError(Status.INVALID_ARGUMENT, 'kill_switch is required'));
      const scope = k.symbol === '' ? GLOBAL_SCOPE : k.symbol;
      const msg = KillSwitch.fromPartial({ ...k, tsNs: nowNanos() });
      bus.publish(bus.subjects.killSwitch(scope), KillSwitch, msg).then(
        () => {
          applyKill(msg);
          logger.warn({ scope, engaged: k.engaged, actor: k.actor, reason: k.reason }, 'kill switch changed');
          callback(null, { globalEngaged: kill.global, engagedSymbols: [...kill.symbols].sort() });
        },
        (err: unknown) => callback(grpcError(Status.UNAVAILABLE, `kill switch not published: ${(err as Error).message}`)),
      );
    },
  };
  return {
    grpc: [{ name: 'RiskService', definition: RiskServiceService, implementation: grpcImpl }],
    stop: async () => undefined,
  };
}

export const riskService: ServiceDefinition<typeof schema> = { name: 'risk', ports: { http: 9405, grpc: 50405 }, config: schema, start };
