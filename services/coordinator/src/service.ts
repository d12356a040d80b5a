import { newId, nowNanos } from '@meridian/domain';
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
import { InvalidSignalError, SignalStrategy } from '@meridian/strategy';
import type { SignalState } from '@meridian/strategy';
import { MODEL_NAME, PoisonMessageError, ReplayGate } from '@meridian/bus';
import { field } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, Field, ServiceContext, ServiceDefinition } from '@meridian/runtime';

/** A model name as the inference registry accepts it: a token of sig.<model>.<symbol>. */
function modelNameField(doc: string, def: string): Field<string> {
  return {
    doc,
    default: def,
    parse: (raw) => {
      if (!MODEL_NAME.test(raw)) throw new Error(`expected a model name (1-64 of A-Z a-z 0-9 _ -), got ${JSON.stringify(raw)}`);
      return raw;
    },
  };
}

const schema = {
  STRATEGY_ID: field.string('Strategy name stamped on every intent', 'momentum-v1'),
  SIGNAL_MODEL: modelNameField('The model whose signals this strategy acts on (sig.<model>.<symbol>: momentum, or a registered model name); other models\' signals are counted as skipped', 'momentum'),
  EXECUTION_VENUE: field.string('Venue intents are routed to', 'paper'),
  POSITION_NOTIONAL: field.decimal('Quote-currency size of a full-conviction (|score| = 1) position', '10000', { positive: true }),
  MAX_ORDER_NOTIONAL: field.decimal('Largest single order, in quote currency', '4000', { positive: true }),
  ORDER_LOT: field.decimal('Quantity increment of orders', '0.001', { positive: true }),
  ENTRY_THRESHOLD: field.number('Scores closer to 0 than this target a flat position', 0.15, { min: 0, max: 1 }),
  SIGNAL_MAX_AGE_MS: field.int('Signals older than this are ignored', 5_000, { min: 1 }),
  INTENT_INTERVAL_MS: field.int('Least time between two intents of one symbol', 1_000, { min: 0 }),
  ORDER_RETENTION_MS: field.int(
    'How long an order is remembered after it settled (ended, filled in full or rejected), ms: its late fills and ends are matched while it is; forgotten between one and two of this after it settles',
    3_600_000,
    { min: 1_000 },
  ),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics, health } = ctx;
  // The decision itself lives in @meridian/strategy, which the backtester runs too.
  const strategy = new SignalStrategy({
    strategyId: config.STRATEGY_ID,
    positionNotional: config.POSITION_NOTIONAL,
    maxOrderNotional: config.MAX_ORDER_NOTIONAL,
    orderLot: config.ORDER_LOT,
    entryThreshold: config.ENTRY_THRESHOLD,
    signalMaxAgeMs: config.SIGNAL_MAX_AGE_MS,
    intentIntervalMs: config.INTENT_INTERVAL_MS,
  });
  const strategyId = strategy.config.strategyId;
  const intents = metrics.counter({ name: 'coordinator_intents_total', help: 'Order intents published', labelNames: ['side'] });
  const skipped = metrics.counter({
    name: 'coordinator_signals_skipped_total',
    help: 'Signals not acted on, by reason',
    labelNames: ['reason'],
  });

  const states = new Map<string, SignalState>();
  const rebuilt = health.flag('state_rebuilt');
  const gate = new ReplayGate();
  for (const symbol of ctx.shard.symbols) {
    const s = strategy.newState(symbol);
    states.set(symbol, s);
    // State is the fold of the streams: replaying them from the start rebuilds it after a restart.
    await bus.follow(
      'ORDERS',
      bus.subjects.intent(symbol),
      OrderIntent,
      (i) => {
        if (i.strategy === strategyId) s.intentOpened(i.clientOrderId, sideFromWire(i.side), decimalField('quantity', i.quantity));
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow(
      'ORDERS',
      bus.subjects.rejected(symbol),
      OrderRejection,
      (r) => {
        if (r.intent) s.ended(r.intent.clientOrderId);
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow(
      'EXECUTIONS',
      bus.subjects.executionsFor(symbol),
      ExecutionReport,
      (e) => {
        const fill = fillOf(e);
        if (fill) s.filled(e.clientOrderId, fill.side, fill.quantity);
        else if (endsOrder(e)) s.ended(e.clientOrderId);
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
  }
  await gate.wait();
  rebuilt.set(true);
  logger.info({ symbols: [...states.keys()] }, 'strategy state rebuilt from the streams');

  // Rebuilt from every stream: from now on an order's events arrive together, and a settled order
  // can be forgotten once no late event of it can still be on its way.
  metrics.gauge({
    name: 'coordinator_orders_remembered',
    help: 'Orders of this strategy held in memory: working, or settled within ORDER_RETENTION_MS',
    collect() {
      let n = 0;
      for (const s of states.values()) n += s.working.tracked;
      this.set(n);
    },
  });
  const forgotten = metrics.counter({ name: 'coordinator_orders_forgotten_total', help: 'Settled orders dropped from memory after ORDER_RETENTION_MS' });
  const retentionTimer = setInterval(() => {
    for (const s of states.values()) forgotten.inc(s.working.forgetSettled());
  }, config.ORDER_RETENTION_MS);

  const onSignal = async (sig: Signal) => {
    const s = states.get(sig.symbol);
    if (!s) throw new PoisonMessageError('unknown_symbol', `signal for ${sig.symbol}, not on this shard`);
    // Every model of a symbol publishes under sig.*.<symbol>, which the durable reads: one
    // strategy follows one model, or it would flip between them at whichever spoke last.
    if (sig.model !== config.SIGNAL_MODEL) return void skipped.inc({ reason: 'other_model' });
    let decision;
    try {
      decision = strategy.decide(s, { score: sig.score, referencePrice: sig.referencePrice, tsMs: Number(sig.tsNs / 1_000_000n) }, Date.now());
    } catch (err) {
      if (err instanceof InvalidSignalError) throw new PoisonMessageError('invalid_signal', err.message);
      throw err;
    }
    if (decision.kind === 'skip') return void skipped.inc({ reason: decision.reason });
    const clientOrderId = newId();
    const intent = OrderIntent.fromPartial({
      clientOrderId,
      strategy: strategyId,
      venue: config.EXECUTION_VENUE,
      symbol: s.symbol,
      side: sideToWire(decision.side),
      type: OrderType.ORDER_TYPE_MARKET,
      timeInForce: TimeInForce.TIME_IN_FORCE_IOC,
      quantity: decision.quantity.toString(),
      referencePrice: decision.referencePrice.toString(),
      tsNs: nowNanos(),
    });
    s.intentSent(clientOrderId, decision.side, decision.quantity, Date.now());
    await bus.publish(bus.subjects.intent(s.symbol), OrderIntent, intent, { msgId: clientOrderId });
    intents.inc({ side: decision.side });
    logger.debug({ clientOrderId, symbol: s.symbol, side: decision.side, quantity: decision.quantity.toString(), score: sig.score }, 'intent sent');
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
          strategy: strategyId,
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
    stop: async () => clearInterval(retentionTimer),
  };
}

export const coordinatorService: ServiceDefinition<typeof schema> = { name: 'coordinator', ports: { http: 9404, grpc: 50404 }, config: schema, start };
