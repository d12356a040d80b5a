import { Decimal, nowNanos, parseSymbol } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import {
  ApprovedOrder,
  ExecutionReport,
  KillSwitch,
  OrderIntent,
  OrderRejection,
  RiskLimitsChange,
  RiskServiceService,
  decimalField,
  endsOrder,
  fillOf,
  optionalDecimalField,
  sideFromWire,
} from '@meridian/proto';
import type { LimitsRevision as WireLimitsRevision, Position, RiskServiceServer } from '@meridian/proto';
import { COST_METHODS, Portfolio, SettledIds } from '@meridian/portfolio';
import { AccountPnl, InvalidLimitsError, InvalidRiskInputError, RiskState } from '@meridian/risk-rules';
import type { CircuitBreakerConfig, KillSwitchState, OrderToCheck, RiskDecision } from '@meridian/risk-rules';
import { GLOBAL_SCOPE, ReplayGate } from '@meridian/bus';
import { ConfigError, Status, field, grpcError, withDeadline } from '@meridian/runtime';
import type { AdminPrincipal, BaseSchema, ConfigOf, ServiceContext, ServiceDefinition } from '@meridian/runtime';
import type { ServiceError } from '@grpc/grpc-js';
import { dayStartField, limitsDocumentField, limitsFromConfig, perSymbolField } from './limits';
import { CONFIG_ACTOR, limitsToJson, parseLimitsJson } from './limits-revision';
import type { LimitsRevision } from './limits-revision';
import { Marks } from './marks';
import { PostTrade } from './post-trade';
import { postTradeSchema } from './post-trade-config';
import { StopRequestError, specOf } from './stop-manager';

const schema = {
  RISK_MAX_ORDER_QUANTITY: field.decimal('Largest quantity of one order (all symbols unless overridden)', '10', { positive: true }),
  RISK_MAX_ORDER_NOTIONAL: field.decimal('Largest quantity x price of one order, quote currency', '5000', { positive: true }),
  RISK_MAX_POSITION: field.decimal('Largest absolute position, long or short, counting working orders', '1', { positive: true }),
  RISK_LIMITS_PER_SYMBOL: perSymbolField('JSON overrides per symbol, e.g. {"ETH-USDT":{"maxPosition":"5"}}'),
  RISK_LIMITS: limitsDocumentField(
    'JSON limits document {global, perStrategy, perSymbol} for every other limit (see libs/risk-rules), e.g. {"global":{"maxGrossExposure":"250000","maxSymbolOrdersPerWindow":5}}',
  ),
  RISK_DAY_START_UTC: dayStartField('When the trading day starts (HH:MM UTC), for the daily loss limit; default 00:00'),
  INTENT_MAX_AGE_MS: field.int('Intents older than this are rejected as stale', 10_000, { min: 1 }),
  RISK_ORDER_RETENTION_MS: field.int(
    'How long an order is remembered after it settled (ended, filled in full or rejected), ms: a late fill, end or redelivered intent of it is matched while it is; forgotten between one and two of this after it settles. At least INTENT_MAX_AGE_MS',
    3_600_000,
    { min: 1_000 },
  ),
  MARKET_VENUE: field.string('Market-data venue whose BBO (or trades, RISK_MARK_SOURCE) marks positions and whose bars are the history of Value at Risk', 'sim'),
  RISK_COST_METHOD: field.oneOf('How positions are costed for realized P&L: WAC (weighted average, as the recorder stores it), FIFO or LIFO', COST_METHODS, 'WAC'),
  RISK_LIMITS_APPLY_TIMEOUT_MS: field.int('How long UpdateLimits waits to read its change back from ctl.config.risk and apply it', 5_000, { min: 1 }),
  ...postTradeSchema,
};
type Config = ConfigOf<typeof schema & BaseSchema>;

/** Kill-switch subjects of strategies: `ctl.killswitch.strategy_<name>` (symbols are upper case, so never collide). */
const STRATEGY_SCOPE_PREFIX = 'strategy_';

/** The Nats-Msg-Id of a limits change: a second publish of one revision (a concurrent update) is dropped. */
type GrpcError = ReturnType<typeof grpcError>;
const isGrpcError = (err: unknown): err is GrpcError => err instanceof Error && typeof (err as Partial<GrpcError>).code === 'number';
const limitsMsgId = (revision: bigint) => `risk-limits-${revision}`;

/** The circuit breaker of the configuration: a cause is watched only when its threshold is set (not 0). */
function breakerConfigOf(config: Config): CircuitBreakerConfig {
  return {
    coolDownMs: config.RISK_BREAKER_COOL_DOWN_MS,
    autoReset: config.RISK_BREAKER_AUTO_RESET,
    ...(config.RISK_BREAKER_MAX_LOSS.isPositive() ? { maxLossInWindow: config.RISK_BREAKER_MAX_LOSS, lossWindowMs: config.RISK_BREAKER_LOSS_WINDOW_MS } : {}),
    ...(config.RISK_BREAKER_MAX_REJECTS > 0 ? { maxRejects: config.RISK_BREAKER_MAX_REJECTS, rejectWindowMs: config.RISK_BREAKER_REJECT_WINDOW_MS } : {}),
    ...(config.RISK_BREAKER_MAX_MARKET_DATA_AGE_MS > 0 ? { maxMarketDataAgeMs: config.RISK_BREAKER_MAX_MARKET_DATA_AGE_MS } : {}),
  };
}

const STOP_STATUS = { INVALID_ARGUMENT: Status.INVALID_ARGUMENT, FAILED_PRECONDITION: Status.FAILED_PRECONDITION, NOT_FOUND: Status.NOT_FOUND } as const;

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics, health } = ctx;
  if (config.RISK_VAR_HORIZON >= config.RISK_VAR_LOOKBACK) {
    throw new ConfigError([`RISK_VAR_HORIZON: ${config.RISK_VAR_HORIZON} bars must be fewer than RISK_VAR_LOOKBACK, ${config.RISK_VAR_LOOKBACK} bars of history`]);
  }
  // A forgotten intent redelivered later must be too old to be decided again (it is refused as stale).
  if (config.RISK_ORDER_RETENTION_MS < config.INTENT_MAX_AGE_MS) {
    throw new ConfigError([`RISK_ORDER_RETENTION_MS: ${config.RISK_ORDER_RETENTION_MS} ms must be at least INTENT_MAX_AGE_MS, ${config.INTENT_MAX_AGE_MS} ms`]);
  }
  const limits = limitsFromConfig(
    {
      maxOrderQuantity: config.RISK_MAX_ORDER_QUANTITY,
      maxOrderNotional: config.RISK_MAX_ORDER_NOTIONAL,
      maxPosition: config.RISK_MAX_POSITION,
    },
    config.RISK_LIMITS_PER_SYMBOL,
    config.RISK_LIMITS,
  );
  /** The limits in force: the environment's (revision 0) until a change is read from ctl.config.risk. */
  let current: LimitsRevision = {
    revision: 0n,
    book: limits,
    json: limitsToJson(limits),
    actor: CONFIG_ACTOR,
    reason: 'RISK_MAX_*, RISK_LIMITS_PER_SYMBOL, RISK_LIMITS',
    changedTsNs: nowNanos(),
  };
  /** The highest revision seen on the stream, applied or refused: the next change is one more. */
  let lastRevision = 0n;
  const portfolio = new Portfolio({ costMethod: config.RISK_COST_METHOD });
  // Working orders, exposures at marks, open-order counts and rate windows: running totals, so a
  // decision costs the same with 10 or 10,000 open orders. Both paths below check against it.
  const state = new RiskState(limits);
  // Intents decided (approved or rejected): a redelivery keeps its first decision. Forgotten once
  // the order settled, on the retention timer, like the state's settled orders.
  const decided = new Set<string>();
  const decidedSettled = new SettledIds();
  const remember = (clientOrderId: string): void => {
    decided.add(clientOrderId);
    decidedSettled.mark(clientOrderId);
  };
  // Marks (the BBO mid or the last trade, RISK_MARK_SOURCE) value P&L, exposures, stops and equity alike.
  const marks = new Marks();
  const markOf = (symbol: string): Decimal | undefined => marks.price(symbol);
  const pnl = new AccountPnl(portfolio, markOf, config.RISK_DAY_START_UTC);
  const post = new PostTrade({
    bus,
    marks,
    config,
    breaker: breakerConfigOf(config),
    logger,
    metrics,
    symbols: ctx.shard.symbols,
    portfolio,
    state,
    pnl,
    working: (id) => !decided.has(id) || state.isOpen(id),
  });

  const decisions = metrics.counter({
    name: 'risk_decisions_total',
    help: 'Pre-trade decisions by result and reason',
    labelNames: ['result', 'reason'],
  });
  const positionGauge = metrics.gauge({ name: 'position_quantity', help: 'Signed position', labelNames: ['symbol'] });
  const pnlGauge = metrics.gauge({
    name: 'pnl_quote',
    help: 'P&L in quote currency by kind: realized (gross of fees), fees, unrealized (at the mark: BBO mid or last trade); display only, exact values via gRPC',
    labelNames: ['symbol', 'kind'],
    // Unrealized P&L moves with every BBO: computed when scraped, for positions that have a mark.
    collect() {
      for (const symbol of ctx.shard.symbols) {
        const mark = markOf(symbol);
        if (mark && portfolio.has(symbol)) this.set({ symbol, kind: 'unrealized' }, portfolio.position(symbol).unrealizedPnl(mark).toNumber());
      }
    },
  });
  metrics.gauge({
    name: 'risk_exposure_quote',
    help: 'Account exposure at marks in quote currency, worst case with working orders: gross, net_long (every working buy fills), net_short (every working sell fills)',
    labelNames: ['kind'],
    collect() {
      const a = state.account();
      this.set({ kind: 'gross' }, a.grossExposure.toNumber());
      this.set({ kind: 'net_long' }, a.netExposureLong.toNumber());
      this.set({ kind: 'net_short' }, a.netExposureShort.toNumber());
    },
  });
  metrics.gauge({
    name: 'risk_orders_remembered',
    help: 'Orders risk holds in memory: in its running state (working, or settled within RISK_ORDER_RETENTION_MS) and among decided intents (kept to refuse a redelivery a second decision)',
    labelNames: ['kind'],
    collect() {
      this.set({ kind: 'state' }, state.trackedOrders);
      this.set({ kind: 'decided' }, decided.size);
    },
  });
  const forgottenOrders = metrics.counter({
    name: 'risk_orders_forgotten_total',
    help: 'Settled orders dropped from memory after RISK_ORDER_RETENTION_MS, by kind (state, decided)',
    labelNames: ['kind'],
  });
  metrics.gauge({
    name: 'risk_open_orders',
    help: 'Working orders risk counts against the open-order limits',
    collect() {
      this.set(state.account().openOrders);
    },
  });
  metrics.gauge({
    name: 'risk_open_positions',
    help: 'Symbols holding a position or working orders',
    collect() {
      this.set(state.account().openPositions);
    },
  });
  metrics.gauge({
    name: 'risk_equity_quote',
    help: 'Account equity (realized - fees + unrealized at marks), its peak, today\'s P&L and the drawdown from the peak, as the loss limits see them',
    labelNames: ['kind'],
    collect() {
      const p = pnl.state(Date.now());
      this.set({ kind: 'equity' }, p.equity.toNumber());
      this.set({ kind: 'peak' }, p.peakEquity.toNumber());
      this.set({ kind: 'daily_pnl' }, p.dailyPnl.toNumber());
      this.set({ kind: 'drawdown' }, p.peakEquity.sub(p.equity).toNumber());
    },
  });
  const checkSeconds = metrics.histogram({
    name: 'risk_check_seconds',
    help: 'Time of one pre-trade check in process, by path (intent: the JetStream intents, grpc: CheckOrder)',
    labelNames: ['path'],
    buckets: [0.000001, 0.0000025, 0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.00025, 0.001],
  });
  const limitsChanges = metrics.counter({
    name: 'risk_limits_changes_total',
    help: 'Limits changes read from ctl.config.risk: applied, or refused (invalid; the previous limits stay)',
    labelNames: ['outcome'],
  });
  const limitsRevisionGauge = metrics.gauge({ name: 'risk_limits_revision', help: 'Revision of the limits in force (0: the environment)' });
  limitsRevisionGauge.set(0);
  /** UpdateLimits calls waiting to see their revision read back from the stream. */
  const waiters = new Map<bigint, (applied: boolean) => void>();
  /**
   * A change read from ctl.config.risk, the only way limits change: at start (the last value,
   * over the environment's limits) and live, so every replica and a restarted risk converge on it.
   */
  let readingLastValue = false;
  const applyLimitsChange = (c: RiskLimitsChange) => {
    if (c.revision > lastRevision) lastRevision = c.revision;
    let applied = false;
    try {
      const book = parseLimitsJson(c.limitsJson);
      state.setLimits(book);
      current = { revision: c.revision, book, json: limitsToJson(book), actor: c.actor, reason: c.reason, changedTsNs: c.tsNs };
      limitsRevisionGauge.set(Number(c.revision));
      limitsChanges.inc({ outcome: 'applied' });
      applied = true;
      logger.warn({ revision: c.revision.toString(), actor: c.actor, reason: c.reason, limits: current.json }, 'risk limits changed');
    } catch (err) {
      limitsChanges.inc({ outcome: 'refused' });
      logger.error(
        { revision: c.revision.toString(), actor: c.actor, path: err instanceof InvalidLimitsError ? err.path : undefined, err, inForce: current.revision.toString() },
        'limits change refused: the previous limits stay in force',
      );
      // At start the stream keeps only this last change; the limits it was meant to replace are
      // in it (what a running replica keeps in force), so a restart converges on those too.
      if (readingLastValue && c.previousRevision > 0n) {
        try {
          const book = parseLimitsJson(c.previousJson);
          state.setLimits(book);
          current = { revision: c.previousRevision, book, json: limitsToJson(book), actor: '', reason: `the limits revision ${c.revision} replaced`, changedTsNs: 0n };
          limitsRevisionGauge.set(Number(c.previousRevision));
          logger.warn({ revision: c.previousRevision.toString() }, 'limits of the previous revision restored from the refused change');
        } catch (prevErr) {
          logger.error({ revision: c.previousRevision.toString(), err: prevErr }, 'the previous limits of the refused change are invalid too: the environment\'s limits stay');
        }
      }
    }
    const waiter = waiters.get(c.revision);
    waiters.delete(c.revision);
    waiter?.(applied);
  };
  const killGauge = metrics.gauge({ name: 'kill_switch_engaged', help: '1 while a kill switch is engaged', labelNames: ['scope'] });
  const kill: { global: boolean; symbols: Set<string>; strategies: Set<string> } = { global: false, symbols: new Set(), strategies: new Set() };
  /** The subject token of a switch: global, the symbol, or strategy_<name>. */
  const scopeOf = (k: Pick<KillSwitch, 'symbol' | 'strategy'>) =>
    k.strategy !== '' ? `${STRATEGY_SCOPE_PREFIX}${k.strategy}` : k.symbol === '' ? GLOBAL_SCOPE : k.symbol;
  const applyKill = (k: KillSwitch) => {
    if (k.strategy !== '') {
      if (k.engaged) kill.strategies.add(k.strategy);
      else kill.strategies.delete(k.strategy);
    } else if (k.symbol === '' || k.symbol === GLOBAL_SCOPE) kill.global = k.engaged;
    else if (k.engaged) kill.symbols.add(k.symbol);
    else kill.symbols.delete(k.symbol);
    killGauge.set({ scope: scopeOf(k) }, k.engaged ? 1 : 0);
  };
  const priceOf = (i: OrderIntent) => optionalDecimalField('limit_price', i.limitPrice) ?? optionalDecimalField('reference_price', i.referencePrice);
  const openIntent = (i: OrderIntent, approvedAtMs: number | undefined) =>
    state.open(
      i.clientOrderId,
      { symbol: i.symbol, strategy: i.strategy, side: sideFromWire(i.side), quantity: decimalField('quantity', i.quantity), price: priceOf(i) },
      approvedAtMs,
    );

  // Positions, working orders and decisions are the fold of the streams: replayed at start.
  // The limits first, before any order is replayed into the state's rate windows.
  const configGate = new ReplayGate();
  readingLastValue = true;
  await bus.follow('CONTROL', bus.subjects.config('risk'), RiskLimitsChange, applyLimitsChange, {
    deliver: 'last_per_subject',
    onCaughtUp: configGate.expect(),
  });
  await configGate.wait();
  readingLastValue = false;
  const t0 = Date.now();
  await post.readCheckpoints();
  const t1 = Date.now();
  const gate = new ReplayGate();
  let replaying = true;
  await bus.follow('CONTROL', bus.subjects.killSwitchAll(), KillSwitch, applyKill, {
    deliver: 'last_per_subject',
    onCaughtUp: gate.expect(),
  });
  for (const symbol of ctx.shard.symbols) {
    await bus.follow(
      'ORDERS',
      bus.subjects.approvedFor(symbol),
      ApprovedOrder,
      (a) => {
        const i = a.intent;
        if (!i) return;
        remember(i.clientOrderId);
        // Replayed approvals count in the rate windows at their own time; this service's own
        // approvals were counted when decided (a repeat open changes nothing).
        openIntent(i, a.approvedTsNs > 0n ? Number(a.approvedTsNs / 1_000_000n) : undefined);
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow(
      'ORDERS',
      bus.subjects.rejected(symbol),
      OrderRejection,
      (r) => {
        if (!r.intent) return;
        remember(r.intent.clientOrderId);
        post.rejectedOnStream(symbol, r);
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
          state.fill(e.clientOrderId, symbol, fill.side, fill.quantity, fill.price);
          pnl.filled(symbol, fill.price, replaying ? Number(e.tsNs / 1_000_000n) : Date.now());
          post.filled(symbol, e, fill);
          const p = portfolio.position(symbol);
          positionGauge.set({ symbol }, p.quantity.toNumber());
          pnlGauge.set({ symbol, kind: 'realized' }, p.realizedPnl.toNumber());
          pnlGauge.set({ symbol, kind: 'fees' }, p.fees.toNumber());
        } else if (endsOrder(e)) {
          state.close(e.clientOrderId, symbol);
          post.ended(symbol, e);
        }
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
  }
  await post.followBars(gate);
  await gate.wait();
  const t2 = Date.now();
  // Positions are rebuilt: stops resume on them, then the marks (from a trailing stop's checkpoint).
  post.restoreStops();
  const marksGate = new ReplayGate();
  await post.followMarks(marksGate);
  await marksGate.wait();
  replaying = false;
  await post.goLive();
  // Rebuilt from every stream: from now on an order's events arrive together, and a settled order
  // can be forgotten once no late event of it can still be on its way.
  const forgetSettled = (): void => {
    forgottenOrders.inc({ kind: 'state' }, state.forgetSettled());
    let forgotten = 0;
    for (const id of decidedSettled.sweep()) {
      // An approved order still working keeps its decision; looked at again next time.
      if (state.isOpen(id)) decidedSettled.mark(id);
      else if (decided.delete(id)) forgotten++;
    }
    forgottenOrders.inc({ kind: 'decided' }, forgotten);
  };
  const retentionTimer = setInterval(forgetSettled, config.RISK_ORDER_RETENTION_MS);
  const account = state.account();
  logger.info(
    {
      positions: portfolio.positions().length,
      decided: decided.size,
      openOrders: account.openOrders,
      grossExposure: account.grossExposure.toString(),
      stops: post.stops.armedCount,
      breakerTripped: post.breaker.tripped,
      // How long each step of the rebuild took: checkpoints, the order and execution streams, the marks and the resume.
      rebuildMs: { checkpoints: t1 - t0, streams: t2 - t1, marks: Date.now() - t2 },
    },
    'risk state rebuilt from the streams',
  );

  const killState: KillSwitchState = kill;
  const shardSymbols = new Set(ctx.shard.symbols);
  const orderToCheck = (i: OrderIntent): OrderToCheck => ({
    symbol: parseSymbol(i.symbol),
    side: sideFromWire(i.side) as Side,
    quantity: decimalField('quantity', i.quantity),
    limitPrice: optionalDecimalField('limit_price', i.limitPrice),
    referencePrice: optionalDecimalField('reference_price', i.referencePrice),
    strategy: i.strategy,
  });
  /** The one decision function of both paths: the same rules on the same state. */
  const evaluate = (i: OrderIntent, nowMs: number, path: 'intent' | 'grpc'): RiskDecision => {
    let order: OrderToCheck;
    try {
      order = orderToCheck(i);
    } catch (err) {
      return { approved: false, reason: 'INVALID_ORDER', detail: (err as Error).message, values: {} };
    }
    if (!shardSymbols.has(order.symbol)) {
      return {
        approved: false,
        reason: 'INVALID_ORDER',
        detail: `symbol ${order.symbol} is not on this risk shard`,
        values: { symbol: order.symbol },
      };
    }
    const t0 = process.hrtime.bigint();
    const decision = state.check(order, killState, nowMs, pnl.state(nowMs), post.breakerView());
    checkSeconds.observe({ path }, Number(process.hrtime.bigint() - t0) / 1e9);
    return decision;
  };

  const onIntent = async (i: OrderIntent) => {
    // A redelivered intent (risk restarted after publishing) keeps its first decision.
    if (decided.has(i.clientOrderId)) return;
    const nowMs = Date.now();
    const ageMs = nowMs - Number(i.tsNs / 1_000_000n);
    const decision: RiskDecision =
      ageMs > config.INTENT_MAX_AGE_MS
        ? {
            approved: false,
            reason: 'INVALID_ORDER',
            detail: `intent is ${ageMs} ms old, older than INTENT_MAX_AGE_MS ${config.INTENT_MAX_AGE_MS}`,
            values: { ageMs: String(ageMs) },
          }
        : evaluate(i, nowMs, 'intent');
    // One message id for either outcome: a retried decision can never publish both.
    const msgId = `decision-${i.clientOrderId}`;
    if (decision.approved) {
      const venue = i.venue;
      // Counted before the publish, in the same turn as the check: intents of other symbols are
      // decided while this publish is in flight, and must see this order in the account totals.
      openIntent(i, nowMs);
      try {
        await bus.publish(
          bus.subjects.approved(venue, i.symbol),
          ApprovedOrder,
          ApprovedOrder.fromPartial({ intent: i, notional: decision.notional.toString(), approvedTsNs: nowNanos() }),
          { msgId },
        );
      } catch (err) {
        // Not sent, unless the approval came back on the stream meanwhile: the retry decides again.
        if (!decided.has(i.clientOrderId)) state.release(i.clientOrderId, nowMs);
        throw err;
      }
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
      post.refused(decision.reason);
      logger.info(
        { clientOrderId: i.clientOrderId, symbol: i.symbol, reason: decision.reason, detail: decision.detail },
        'intent rejected',
      );
    }
    remember(i.clientOrderId);
  };
  for (const decl of bus.topology.durables('risk', ctx.shard)) {
    await bus.consume(decl, OrderIntent, onIntent);
  }
  health.flag('state_rebuilt', true);

  const positionOf = (symbol: string): Position => {
    const p = portfolio.position(symbol);
    const s = p.snapshot();
    const mark = markOf(symbol);
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

  const wireLimits = (r: LimitsRevision): WireLimitsRevision => ({
    revision: r.revision,
    limitsJson: r.json,
    actor: r.actor,
    reason: r.reason,
    changedTsNs: r.changedTsNs,
  });
  /**
   * The caller of an admin operation (audited by the runtime), or undefined once `callback` has
   * been answered with the refusal (UNAUTHENTICATED, PERMISSION_DENIED).
   */
  const adminCaller = (call: Parameters<typeof ctx.admin.authorize>[0], operation: string, callback: (err: ServiceError) => void, details: Record<string, unknown>): AdminPrincipal | undefined => {
    try {
      return ctx.admin.authorize(call, operation, details);
    } catch (err) {
      callback(err as ServiceError);
      return undefined;
    }
  };
  /** Who a change is recorded as: the authenticated principal, else (ADMIN_AUTH=off, no credential) what the request says. */
  const actorOf = (principal: AdminPrincipal, requested: string): string => (principal.authenticated ? principal.name : requested);
  /** UpdateLimits calls of this process, one at a time (a concurrent one on another replica is ABORTED). */
  let updating: Promise<unknown> = Promise.resolve();
  const updateLimits = async (limitsJson: string, actor: string, reason: string, expected: bigint): Promise<WireLimitsRevision> => {
    if (actor.trim() === '') throw grpcError(Status.INVALID_ARGUMENT, 'actor is required: every limits change is recorded with who made it');
    let book;
    try {
      book = parseLimitsJson(limitsJson);
    } catch (err) {
      if (err instanceof InvalidLimitsError) throw grpcError(Status.INVALID_ARGUMENT, `limits_json: ${err.message}`);
      throw err;
    }
    if (expected !== 0n && expected !== current.revision) {
      throw grpcError(Status.FAILED_PRECONDITION, `expected_revision ${expected} is not the revision in force, ${current.revision}`);
    }
    const revision = lastRevision + 1n;
    const change = RiskLimitsChange.fromPartial({
      revision,
      previousRevision: current.revision,
      actor,
      reason,
      limitsJson: limitsToJson(book),
      previousJson: current.json,
      tsNs: nowNanos(),
    });
    const applied = new Promise<boolean>((resolve) => waiters.set(revision, resolve));
    let result;
    try {
      result = await bus.publish(bus.subjects.config('risk'), RiskLimitsChange, change, { msgId: limitsMsgId(revision) });
    } catch (err) {
      waiters.delete(revision);
      throw grpcError(Status.UNAVAILABLE, `limits change not published: ${(err as Error).message}`);
    }
    if (result.duplicate) {
      waiters.delete(revision);
      throw grpcError(Status.ABORTED, `revision ${revision} was taken by a concurrent change: read the limits and try again`);
    }
    const outcome = await withDeadline(applied, config.RISK_LIMITS_APPLY_TIMEOUT_MS, () => undefined);
    waiters.delete(revision);
    if (outcome === false) throw grpcError(Status.INTERNAL, `revision ${revision} was published but refused when read back: see the risk log`);
    if (outcome === undefined && lastRevision < revision) {
      throw grpcError(Status.UNAVAILABLE, `revision ${revision} was published (stream sequence ${result.seq}) but not read back within ${config.RISK_LIMITS_APPLY_TIMEOUT_MS} ms`);
    }
    return wireLimits(current);
  };

  const grpcImpl: RiskServiceServer = {
    checkOrder: (call, callback) => {
      if (!call.request.intent) return callback(grpcError(Status.INVALID_ARGUMENT, 'intent is required'));
      const d = evaluate(call.request.intent, Date.now(), 'grpc');
      callback(
        null,
        d.approved
          ? { approved: true, reason: '', detail: '', values: {}, notional: d.notional.toString() }
          : { approved: false, reason: d.reason, detail: d.detail, values: d.values, notional: '' },
      );
    },
    getPositions: (call, callback) => {
      const wanted = call.request.symbol;
      if (wanted === '') return callback(null, { positions: ctx.shard.symbols.map(positionOf) });
      // Only a symbol of this shard: the portfolio creates a ledger for any name it is asked about.
      let symbol: string;
      try {
        symbol = parseSymbol(wanted);
      } catch (err) {
        return callback(grpcError(Status.INVALID_ARGUMENT, (err as Error).message));
      }
      if (!ctx.shard.symbols.includes(symbol)) return callback(grpcError(Status.NOT_FOUND, `symbol ${symbol} is not on this risk shard (${ctx.shard.symbols.join(', ')})`));
      callback(null, { positions: [positionOf(symbol)] });
    },
    setKillSwitch: (call, callback) => {
      const requested = call.request.killSwitch;
      const principal = adminCaller(call, 'SetKillSwitch', callback, { symbol: requested?.symbol, strategy: requested?.strategy, engaged: requested?.engaged, reason: requested?.reason });
      if (!principal) return;
      if (!requested) return callback(grpcError(Status.INVALID_ARGUMENT, 'kill_switch is required'));
      // The published message carries the principal as its actor, so every replica's log and the recorder see who it was.
      const k = { ...requested, actor: actorOf(principal, requested.actor) };
      if (k.symbol !== '' && k.strategy !== '') {
        return callback(grpcError(Status.INVALID_ARGUMENT, 'a kill switch applies to the account, one symbol or one strategy: set symbol or strategy, not both'));
      }
      const scope = scopeOf(k);
      let subject: string;
      try {
        subject = bus.subjects.killSwitch(scope);
      } catch (err) {
        return callback(grpcError(Status.INVALID_ARGUMENT, (err as Error).message));
      }
      const msg = KillSwitch.fromPartial({ ...k, tsNs: nowNanos() });
      bus.publish(subject, KillSwitch, msg).then(
        () => {
          applyKill(msg);
          logger.warn({ scope, engaged: k.engaged, actor: k.actor, reason: k.reason }, 'kill switch changed');
          callback(null, { globalEngaged: kill.global, engagedSymbols: [...kill.symbols].sort(), engagedStrategies: [...kill.strategies].sort() });
        },
        (err: unknown) => callback(grpcError(Status.UNAVAILABLE, `kill switch not published: ${(err as Error).message}`)),
      );
    },
    getLimits: (_call, callback) => callback(null, { limits: wireLimits(current) }),
    updateLimits: (call, callback) => {
      const { limitsJson, reason, expectedRevision } = call.request;
      const principal = adminCaller(call, 'UpdateLimits', callback, { expectedRevision: expectedRevision.toString(), reason });
      if (!principal) return;
      const actor = actorOf(principal, call.request.actor);
      const run = updating.then(() => updateLimits(limitsJson, actor, reason, expectedRevision));
      updating = run.catch(() => undefined);
      run.then(
        (limits) => callback(null, { limits }),
        (err: unknown) => callback(isGrpcError(err) ? err : grpcError(Status.INTERNAL, (err as Error).message)),
      );
    },
    getRiskSnapshot: (_call, callback) => {
      const nowMs = Date.now();
      const a = state.account();
      const p = pnl.state(nowMs);
      callback(null, {
        positions: ctx.shard.symbols.map(positionOf),
        exposure: { gross: a.grossExposure.toString(), netLong: a.netExposureLong.toString(), netShort: a.netExposureShort.toString() },
        openOrders: a.openOrders,
        openPositions: a.openPositions,
        equity: {
          equity: p.equity.toString(),
          peakEquity: p.peakEquity.toString(),
          dailyPnl: p.dailyPnl.toString(),
          drawdown: p.peakEquity.sub(p.equity).toString(),
        },
        limitsRevision: current.revision,
        globalKillEngaged: kill.global,
        engagedSymbols: [...kill.symbols].sort(),
        engagedStrategies: [...kill.strategies].sort(),
        tsNs: nowNanos(),
        ...post.snapshotFields(),
      });
    },
    setStop: (call, callback) => {
      const { symbol, price, distance, distanceBps, reason } = call.request;
      const principal = adminCaller(call, 'SetStop', callback, { symbol, price, distance, distanceBps, reason });
      if (!principal) return;
      const actor = actorOf(principal, call.request.actor);
      if (!shardSymbols.has(symbol)) return callback(grpcError(Status.INVALID_ARGUMENT, `symbol ${JSON.stringify(symbol)} is not on this risk shard`));
      if (actor.trim() === '') return callback(grpcError(Status.INVALID_ARGUMENT, 'actor is required: every stop is recorded with who set it'));
      let spec;
      try {
        spec = specOf(undefined, { price, distance, distanceBps });
      } catch (err) {
        if (err instanceof InvalidRiskInputError) return callback(grpcError(Status.INVALID_ARGUMENT, err.message));
        throw err;
      }
      post.stops.set(symbol, spec, actor, reason).then(
        (stop) => callback(null, { stop }),
        (err: unknown) => callback(stopError(err)),
      );
    },
    clearStop: (call, callback) => {
      const { symbol, reason } = call.request;
      const principal = adminCaller(call, 'ClearStop', callback, { symbol, reason });
      if (!principal) return;
      const actor = actorOf(principal, call.request.actor);
      if (actor.trim() === '') return callback(grpcError(Status.INVALID_ARGUMENT, 'actor is required: every stop change is recorded with who made it'));
      post.stops.clear(symbol, actor, reason).then(
        (stop) => callback(null, { stop }),
        (err: unknown) => callback(stopError(err)),
      );
    },
    resetCircuitBreaker: (call, callback) => {
      const { reason } = call.request;
      const principal = adminCaller(call, 'ResetCircuitBreaker', callback, { reason });
      if (!principal) return;
      const actor = actorOf(principal, call.request.actor);
      if (actor.trim() === '') return callback(grpcError(Status.INVALID_ARGUMENT, 'actor is required: every reset is recorded with who made it'));
      post.breaker.reset(Date.now(), actor, reason).then(
        (breaker) => callback(null, { breaker }),
        (err: unknown) => callback(grpcError(Status.UNAVAILABLE, `reset not checkpointed: ${(err as Error).message}`)),
      );
    },
  };
  const stopError = (err: unknown) =>
    err instanceof StopRequestError ? grpcError(STOP_STATUS[err.code], err.message) : grpcError(Status.UNAVAILABLE, `stop not checkpointed: ${(err as Error).message}`);
  return {
    grpc: [{ name: 'RiskService', definition: RiskServiceService, implementation: grpcImpl }],
    stop: async () => {
      clearInterval(retentionTimer);
      await post.stop();
    },
  };
}

export const riskService: ServiceDefinition<typeof schema> = { name: 'risk', ports: { http: 9405, grpc: 50405 }, config: schema, start };
