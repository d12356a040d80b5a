import { Decimal, newId, nowNanos, sideSign } from '@meridian/domain';
import {
  CoordinatorServiceService,
  ExecutionReport,
  OrderIntent,
  OrderRejection,
  OrderType,
  Signal,
  TimeInForce,
  decimalField,
  endsOrder,
  fillOf,
  sideFromWire,
  sideToWire,
} from '@meridian/proto';
import type { CoordinatorServiceServer, StrategyState } from '@meridian/proto';
import { WorkingOrders } from '@meridian/portfolio';
import { planOrder, targetPosition, validateSizingConfig } from '@meridian/strategy';
import { PoisonMessageError, ReplayGate } from '@meridian/bus';
import { field, runService } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, ServiceContext } from '@meridian/runtime';

const schema = {
  STRATEGY_ID: field.string('Strategy name stamped on every intent', 'momentum-v1'),
  EXECUTION_VENUE: field.string('Venue intents are routed to', 'paper'),
  POSITION_NOTIONAL: field.decimal('Quote-currency size of a full-conviction (|score| = 1) position', '10000', { positive: true }),
  MAX_ORDER_NOTIONAL: field.decimal('Largest single order, in quote currency', '4000', { positive: true }),
  ORDER_LOT: field.decimal('Quantity increment of orders', '0.001', { positive: true }),
  ENTRY_THRESHOLD: field.number('Scores closer to 0 than this target a flat position', 0.15, { min: 0, max: 1 }),
  SIGNAL_MAX_AGE_MS: field.int('Signals older than this are ignored', 5_000, { min: 1 }),
  INTENT_INTERVAL_MS: field.int('Least time between two intents of one symbol', 1_000, { min: 0 }),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

interface SymbolState {
  symbol: string;
  position: Decimal;
  working: WorkingOrders;
  lastScore: number;
  target: Decimal;
  intentsSent: bigint;
  lastIntentMs: number;
}

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics, health } = ctx;
  const strategy = config.STRATEGY_ID;
  const intents = metrics.counter({ name: 'coordinator_intents_total', help: 'Order intents published', labelNames: ['side'] });
  const skipped = metrics.counter({
    name: 'coordinator_signals_skipped_total',
    help: 'Signals not acted on, by reason',
    labelNames: ['reason'],
  });

  const states = new Map<string, SymbolState>();
  const rebuilt = health.flag('state_rebuilt');
  const gate = new ReplayGate();
  for (const symbol of ctx.shard.symbols) {
    const s: SymbolState = {
      symbol,
      position: Decimal.ZERO,
      working: new WorkingOrders(),
      lastScore: 0,
      target: Decimal.ZERO,
      intentsSent: 0n,
      lastIntentMs: 0,
    };
    states.set(symbol, s);
    // State is the fold of the streams: replaying them from the start rebuilds it after a restart.
    await bus.follow(
      'ORDERS',
      bus.subjects.intent(symbol),
      OrderIntent,
      (i) => {
        if (i.strategy === strategy) s.working.open(i.clientOrderId, sideFromWire(i.side), decimalField('quantity', i.quantity));
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow(
      'ORDERS',
      bus.subjects.rejected(symbol),
      OrderRejection,
      (r) => {
        if (r.intent) s.working.close(r.intent.clientOrderId);
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
          s.position = s.position.add(sideSign(fill.side) === 1 ? fill.quantity : fill.quantity.neg());
          s.working.fill(e.clientOrderId, fill.quantity);
        } else if (endsOrder(e)) {
          s.working.close(e.clientOrderId);
        }
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
  }
  await gate.wait();
  rebuilt.set(true);
  logger.info({ symbols: [...states.keys()] }, 'strategy state rebuilt from the streams');

  const onSignal = async (sig: Signal) => {
    const s = states.get(sig.symbol);
    if (!s) throw new PoisonMessageError('unknown_symbol', `signal for ${sig.symbol}, not on this shard`);
    s.lastScore = sig.score;
    const ageMs = Date.now() - Number(sig.tsNs / 1_000_000n);
    if (ageMs > config.SIGNAL_MAX_AGE_MS) return void skipped.inc({ reason: 'stale' });
    if (s.working.totals().count > 0) return void skipped.inc({ reason: 'order_working' });
    if (Date.now() - s.lastIntentMs < config.INTENT_INTERVAL_MS) return void skipped.inc({ reason: 'throttled' });
    let reference: Decimal;
    try {
      reference = decimalField('reference_price', sig.referencePrice);
    } catch (err) {
      throw new PoisonMessageError('invalid_signal', (err as Error).message);
    }
    if (!reference.isPositive()) throw new PoisonMessageError('invalid_signal', `reference price ${reference} is not positive`);
    const sizing = validateSizingConfig({
      maxPosition: config.POSITION_NOTIONAL.div(reference, 12, 'down').quantize(config.ORDER_LOT, 'down'),
      maxOrderQuantity: Decimal.max(
        config.MAX_ORDER_NOTIONAL.div(reference, 12, 'down').quantize(config.ORDER_LOT, 'down'),
        config.ORDER_LOT,
      ),
      minOrderQuantity: config.ORDER_LOT,
      lotSize: config.ORDER_LOT,
      entryThreshold: config.ENTRY_THRESHOLD,
    });
    s.target = targetPosition(sig.score, sizing);
    const plan = planOrder(s.target, s.position, s.working.signed(), sizing);
    if (!plan) return void skipped.inc({ reason: 'on_target' });
    const clientOrderId = newId();
    const intent = OrderIntent.fromPartial({
      clientOrderId,
      strategy,
      venue: config.EXECUTION_VENUE,
      symbol: s.symbol,
      side: sideToWire(plan.side),
      type: OrderType.ORDER_TYPE_MARKET,
      timeInForce: TimeInForce.TIME_IN_FORCE_IOC,
      quantity: plan.quantity.toString(),
      referencePrice: reference.toString(),
      tsNs: nowNanos(),
    });
    s.working.open(clientOrderId, plan.side, plan.quantity);
    s.lastIntentMs = Date.now();
    await bus.publish(bus.subjects.intent(s.symbol), OrderIntent, intent, { msgId: clientOrderId });
    s.intentsSent += 1n;
    intents.inc({ side: plan.side });
    logger.debug({ clientOrderId, symbol: s.symbol, side: plan.side, quantity: plan.quantity.toString(), score: sig.score }, 'intent sent');
  };

  for (const decl of bus.topology.durables('coordinator', ctx.shard)) {
    await bus.consume(decl, Signal, onSignal);
  }

  const grpcImpl: CoordinatorServiceServer = {
    getStrategyState: (call, callback) => {
      const wanted = call.request.symbol;
      const out: StrategyState[] = [...states.values()]
        .filter((s) => wanted === '' || s.symbol === wanted)
        .map((s) => ({
          strategy,
          symbol: s.symbol,
          lastScore: s.lastScore,
          targetPosition: s.target.toString(),
          position: s.position.toString(),
          workingQuantity: s.working.signed().toString(),
          intentsSent: s.intentsSent,
        }));
      callback(null, { states: out });
    },
  };
  return {
    grpc: [{ name: 'CoordinatorService', definition: CoordinatorServiceService, implementation: grpcImpl }],
    stop: async () => undefined,
  };
}

runService({ name: 'coordinator', ports: { http: 9404, grpc: 50404 }, config: schema, start });
