import { L2Book } from '@meridian/book';
import { Decimal, newId, nowNanos } from '@meridian/domain';
import { InvalidOrderTransitionError, ManagedOrder } from '@meridian/orders';
import type { OrderTerms } from '@meridian/orders';
import {
  ApprovedOrder,
  BookUpdateBatch,
  ExecutionReport,
  ExecutionServiceService,
  OrderIntent,
  OrderRejection,
  ParentOrderEvent,
  TradeBatch,
  sideFromWire,
} from '@meridian/proto';
import type { ExecutionServiceServer, Order } from '@meridian/proto';
import { PoisonMessageError, ReplayGate } from '@meridian/bus';
import { ConfigError, Status, grpcError, withDeadline } from '@meridian/runtime';
import type { RunningService, ServiceContext, ServiceDefinition } from '@meridian/runtime';
import { SettledIds } from '@meridian/portfolio';
import type { Delivery } from '@meridian/bus';
import type { ServiceError } from '@grpc/grpc-js';
import { SlippageGuard } from '@meridian/venue-trading';
import type { VenueEvent, VenueOutcome } from '@meridian/venue-trading';
import { executionSchema } from './config';
import type { ExecutionConfig } from './config';
import { ReportOutbox } from './outbox';
import { OrderRegistry } from './registry';
import type { OrderEntry } from './registry';
import { eventOfReport, orderToWire, reportOf } from './reports';
import { SerialQueue } from './serial-queue';
import { referencePriceOf, termsOfIntent, venueRequestOf } from './terms';
import { applyVenueFill, applyVenueState } from './venue-sync';
import type { ApplyEvent } from './venue-sync';
import { createVenue } from './venues';
import type { ExecutionVenue } from './venues';
import { ParentManager, ParentRequestError, emptyHistory, foldParentEvent } from './parents';
import type { Grid, ParentHistory } from './parents';

const DEFAULT_WAIT_MS = 5_000;
/**
 * How long after a placement whose outcome is unknown "the venue has no such order" is not yet an
 * answer: the adapter may still be retrying that request (OKX: up to 5 attempts of 5 s), and sending
 * again meanwhile could see the resend refused while the first one lands and fills.
 */
const IN_DOUBT_GRACE_NS = 30_000_000_000n;
const MAX_WAIT_MS = 60_000;
/** Risk rejections kept for SubmitOrder callers that arrive after the rejection did. */
const REMEMBERED_REJECTIONS = 10_000;

export async function startExecution(ctx: ServiceContext<ExecutionConfig>): Promise<RunningService> {
  const { bus, config, logger, metrics, health } = ctx;
  // A venue's answer about an order may trail its settling by up to a request's timeout: while it
  // can still come, the order must be remembered, or the answer is taken for an unknown order's.
  if (config.ORDER_RETENTION_MS < config.VENUE_TIMEOUT_MS) {
    throw new ConfigError([`ORDER_RETENTION_MS: ${config.ORDER_RETENTION_MS} ms must be at least VENUE_TIMEOUT_MS, ${config.VENUE_TIMEOUT_MS} ms`]);
  }
  const venueId = config.VENUE;
  const symbols = new Set(ctx.shard.symbols);

  const reports = metrics.counter({ name: 'execution_reports_total', help: 'Execution reports published, by kind', labelNames: ['kind'] });
  const venueRequests = metrics.counter({ name: 'execution_venue_requests_total', help: 'Requests to the venue by operation and outcome', labelNames: ['op', 'outcome'] });
  const refusedTransitions = metrics.counter({ name: 'execution_invalid_transitions_total', help: 'Venue events the order state machine refused (the venue contradicted itself or the platform), by event', labelNames: ['event'] });
  const rejections = metrics.counter({ name: 'execution_rejections_total', help: 'Orders execution refused before the venue, by reason', labelNames: ['reason'] });
  const reconciled = metrics.counter({ name: 'execution_reconciliations_total', help: 'Orders looked up at the venue to settle their state, by result', labelNames: ['result'] });
  const unknownEvents = metrics.counter({ name: 'execution_unknown_venue_events_total', help: 'Venue events about orders this shard does not know (placed outside the platform)' });
  const publishFailures = metrics.counter({ name: 'execution_publish_failures_total', help: 'Failed attempts to store an execution report (each is retried)' });
  const outboxGauge = metrics.gauge({ name: 'execution_outbox_pending', help: 'Execution reports waiting to be stored in JetStream' });
  const ackLatency = metrics.histogram({ name: 'execution_ack_latency_seconds', help: 'Risk approval to venue acknowledgement, seconds' });
  const registry = new OrderRegistry();
  metrics.gauge({
    name: 'execution_orders_in_doubt',
    help: 'Orders whose last request has an unknown outcome (being reconciled)',
    collect() {
      this.set(registry.inDoubtCount);
    },
  });
  metrics.gauge({
    name: 'execution_open_orders',
    help: 'Orders working at the venue or not yet answered',
    collect() {
      this.set(registry.open().length);
    },
  });

  const parentsEnded = metrics.counter({ name: 'execution_parent_orders_ended_total', help: 'Parent orders of execution algorithms that ended, by outcome and reason', labelNames: ['outcome', 'reason'] });
  /** Children the parent asked to cancel before risk's approval reached this service. */
  const cancelBeforeVenue = new Set<string>();
  const parents = new ParentManager({
    bus,
    venue: venueId,
    logger,
    cancelChild: (cid) => {
      const entry = registry.get(cid);
      if (!entry) {
        cancelBeforeVenue.add(cid);
        return;
      }
      if (entry.order.isTerminal) return;
      void queueOf(entry.order.terms.symbol)
        .run(async () => {
          if (entry.order.isTerminal) return;
          if (entry.order.state === 'new' && !entry.sent) {
            apply(entry.order, { type: 'cancel', reason: 'PARENT_CANCELLED: cancelled before it reached the venue', tsNs: nowNanos() });
            return;
          }
          await settle(entry, await withTimeout(() => venue.trading.cancel({ clientOrderId: cid, symbol: entry.order.terms.symbol })), 'cancel');
        })
        .catch((err) => logger.error({ err, clientOrderId: cid }, 'cancelling a child order failed'));
    },
    ended: (outcome, reason) => parentsEnded.inc({ outcome, reason }),
  });
  /** Parents' histories while the streams are replayed; restored once the venue is up. */
  const histories = new Map<string, ParentHistory>();
  let parentsLive = false;
  const historyOf = (id: string): ParentHistory => {
    let h = histories.get(id);
    if (!h) histories.set(id, (h = emptyHistory()));
    return h;
  };

  const outbox = new ReportOutbox(bus, {
    published: () => undefined,
    failed: (err, attempt) => {
      publishFailures.inc();
      if (attempt === 1 || attempt % 20 === 0) logger.warn({ err, attempt }, 'storing an execution report failed; retrying');
    },
    pending: (n) => outboxGauge.set(n),
  });

  const queues = new Map<string, SerialQueue>();
  const books = new Map<string, L2Book>();
  for (const s of symbols) {
    queues.set(s, new SerialQueue());
    books.set(s, new L2Book(s));
  }
  const queueOf = (symbol: string): SerialQueue => {
    const q = queues.get(symbol);
    if (!q) throw new PoisonMessageError('unknown_symbol', `order for ${symbol}, not on this shard (${[...symbols].join(', ')})`);
    return q;
  };
  const slippage = config.SLIPPAGE_LIMIT_BPS.isZero() ? undefined : new SlippageGuard(config.SLIPPAGE_LIMIT_BPS);

  /** Applies one event, publishes its transition, wakes waiters; a refused event is counted and logged. */
  const apply: ApplyEvent = (order, event) => {
    let transition;
    try {
      transition = registry.apply(order, event);
    } catch (err) {
      if (!(err instanceof InvalidOrderTransitionError)) throw err;
      refusedTransitions.inc({ event: event.type });
      logger.error({ clientOrderId: order.clientOrderId, event: event.type, err }, 'venue event refused by the order state machine');
      return;
    }
    if (!transition) return;
    const out = reportOf(order, transition);
    if (out) {
      outbox.enqueue(bus.subjects.execution(venueId, order.terms.symbol, out.subjectKind), out.report);
      reports.inc({ kind: out.subjectKind });
    }
    if (transition.from === 'new' && transition.to !== 'rejected') {
      const entry = registry.get(order.clientOrderId);
      if (entry && entry.approvedNs > 0n) ackLatency.observe(Number(nowNanos() - entry.approvedNs) / 1e9);
    }
    registry.notify(order.clientOrderId);
    if (order.terms.parentId !== undefined) {
      void parents.onChildTransition(order, transition).catch((err) => logger.error({ err, clientOrderId: order.clientOrderId }, 'a parent order failed on its child'));
    }
  };

  // ---- Rebuild: the orders this venue was given and what it already reported about them.
  const gate = new ReplayGate();
  /**
   * Reports read before their order's approval (the two streams are followed apart). After the
   * replay only another process's reports can be early, by moments; one whose approval has not
   * come within the retention never will (or its order was forgotten), so it is dropped then.
   */
  const pendingReports = new Map<string, ExecutionReport[]>();
  const unmatched = new SettledIds();
  /** The paper venue's memory of orders and fills, once the venue is up (a scrape may come before). */
  let venueMemory: ExecutionVenue['memory'] = undefined;
  metrics.gauge({
    name: 'execution_orders_remembered',
    help: 'What execution holds in memory, by kind: order (working, or settled within ORDER_RETENTION_MS), parent (parent orders working or ended within it), report (orders whose execution reports wait for their approval); with the paper venue also venue_order and venue_fill (the orders and fills its in-process exchange holds)',
    labelNames: ['kind'],
    collect() {
      this.set({ kind: 'order' }, registry.size);
      this.set({ kind: 'parent' }, parents.size);
      this.set({ kind: 'report' }, pendingReports.size);
      if (venueMemory) {
        const held = venueMemory.remembered();
        this.set({ kind: 'venue_order' }, held.orders);
        this.set({ kind: 'venue_fill' }, held.fills);
      }
    },
  });
  const forgottenOrders = metrics.counter({
    name: 'execution_orders_forgotten_total',
    help: "Settled orders, ended parents and unmatched reports dropped from memory after ORDER_RETENTION_MS, by kind (order, parent, report; with the paper venue also venue_order and venue_fill, what its exchange dropped with the registry's orders)",
    labelNames: ['kind'],
  });
  const rebuildFrom = (entry: OrderEntry, r: ExecutionReport) => {
    const event = eventOfReport(r);
    if (event) {
      const parentId = entry.order.terms.parentId;
      // Histories feed the parents' restore at start-up; once the parents run, a child's reports are
      // only this service's own transitions read back, which its parent had already.
      if (parentId !== undefined && !parentsLive) {
        const cid = entry.order.clientOrderId;
        const u = historyOf(parentId).updates;
        if (event.type === 'ack') u.push({ clientOrderId: cid, kind: 'ack', nowNs: event.tsNs });
        if (event.type === 'fill' && !entry.order.hasFill(event.tradeId)) u.push({ clientOrderId: cid, kind: 'fill', fillQuantity: event.quantity, fillPrice: event.price, tradeId: event.tradeId, nowNs: event.tsNs });
        if (event.type === 'cancel' || event.type === 'expire') u.push({ clientOrderId: cid, kind: 'cancel', reason: event.reason, nowNs: event.tsNs });
        if (event.type === 'reject') u.push({ clientOrderId: cid, kind: 'reject', reason: event.reason, nowNs: event.tsNs });
      }
      try {
        registry.apply(entry.order, event);
      } catch (err) {
        refusedTransitions.inc({ event: event.type });
        logger.error({ clientOrderId: r.clientOrderId, executionId: r.executionId, err }, 'stored execution report contradicts its order');
      }
    }
  };
  /** The order of an approval, added on first sight; 'forgotten' when it was handled before and forgotten since it settled. */
  const addApproved = (a: ApprovedOrder, d: Delivery): OrderEntry | 'forgotten' | undefined => {
    const i = a.intent;
    if (!i) return undefined;
    const known = registry.get(i.clientOrderId);
    if (known) {
      registry.approvalSeen(d.subject, d.streamSequence);
      return known;
    }
    let terms: OrderTerms;
    try {
      terms = termsOfIntent(i);
    } catch (err) {
      logger.error({ clientOrderId: i.clientOrderId, err }, 'approved order with invalid terms');
      return undefined;
    }
    if (registry.wasForgotten(d.subject, d.streamSequence)) return 'forgotten';
    registry.approvalSeen(d.subject, d.streamSequence);
    const entry: OrderEntry = {
      order: new ManagedOrder(terms, a.approvedTsNs),
      referencePrice: safeReference(i),
      sent: false,
      approvedNs: a.approvedTsNs,
      sentNs: 0n,
    };
    registry.add(entry);
    for (const r of pendingReports.get(i.clientOrderId) ?? []) rebuildFrom(entry, r);
    pendingReports.delete(i.clientOrderId);
    return entry;
  };
  const safeReference = (i: OrderIntent): Decimal | undefined => {
    try {
      return referencePriceOf(i);
    } catch {
      // A reference price that does not parse only weakens the slippage estimate (the touch is used).
      return undefined;
    }
  };
  const riskRejections = new Map<string, OrderRejection>();
  for (const symbol of symbols) {
    await bus.follow(
      'ORDERS',
      bus.subjects.parents(venueId, symbol),
      ParentOrderEvent,
      (e) => {
        if (!parentsLive) foldParentEvent(historyOf(e.parentOrderId), e, symbol);
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    // Risk's rejections: children of parents (history, then live) and SubmitOrder callers.
    await bus.follow(
      'ORDERS',
      bus.subjects.rejected(symbol),
      OrderRejection,
      (r) => {
        const i = r.intent;
        if (!i || i.clientOrderId === '') return;
        if (i.parentOrderId !== '') {
          if (parentsLive) {
            void parents
              .onRiskRejection(i.clientOrderId, r.reason)
              // Once its parent has the rejection it asks no more cancels of this child, and an
              // approval will never come to take the child's pending cancel: drop it, or it stays.
              .then(() => cancelBeforeVenue.delete(i.clientOrderId))
              .catch((err) => logger.error({ err }, 'a parent order failed on a rejection'));
          } else historyOf(i.parentOrderId).updates.push({ clientOrderId: i.clientOrderId, kind: 'reject', reason: r.reason, nowNs: r.rejectedTsNs });
        }
        riskRejections.set(i.clientOrderId, r);
        if (riskRejections.size > REMEMBERED_REJECTIONS) riskRejections.delete(riskRejections.keys().next().value!);
        registry.notify(i.clientOrderId);
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow('ORDERS', bus.subjects.approved(venueId, symbol), ApprovedOrder, (a, d) => void addApproved(a, d), { deliver: 'all', onCaughtUp: gate.expect() });
    await bus.follow(
      'EXECUTIONS',
      bus.subjects.executionsFor(symbol),
      ExecutionReport,
      (r) => {
        if (r.venue !== venueId) return;
        const entry = registry.get(r.clientOrderId);
        if (entry) rebuildFrom(entry, r);
        else {
          // The two streams are followed separately: a report may be read before its approval.
          const list = pendingReports.get(r.clientOrderId) ?? [];
          list.push(r);
          pendingReports.set(r.clientOrderId, list);
          unmatched.mark(r.clientOrderId);
        }
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
  }
  await gate.wait();
  if (pendingReports.size > 0) logger.warn({ orders: pendingReports.size }, 'execution reports without an approved order on this shard (ignored)');
  pendingReports.clear();
  logger.info({ orders: [...registry.values()].length, open: registry.open().length }, 'orders rebuilt from the streams');

  // ---- The venue.
  const venue = await createVenue(config, ctx.shard.symbols, [...registry.values()].map((e) => e.order.snapshot()), logger);
  venueMemory = venue.memory;
  const connected = health.flag('venue_connected', false);
  const onVenueEvent = (event: VenueEvent) => {
    if (event.kind === 'connection') {
      connected.set(event.connected);
      logger[event.connected ? 'info' : 'warn']({ detail: event.detail }, event.connected ? 'venue stream connected' : 'venue stream disconnected');
      if (event.connected) void reconcileOpen('reconnect');
      return;
    }
    const cid = event.order.clientOrderId;
    const entry = registry.get(cid);
    if (!entry) {
      unknownEvents.inc();
      logger.warn({ clientOrderId: cid, venueOrderId: event.order.venueOrderId, symbol: event.order.symbol }, 'venue event for an order this shard does not know');
      return;
    }
    void queueOf(entry.order.terms.symbol)
      .run(async () => {
        if (event.kind === 'fill') applyVenueFill(entry.order, event.fill, apply);
        if (!applyVenueState(entry.order, event.order, apply)) await catchUpFills(entry);
      })
      .catch((err) => logger.error({ err, clientOrderId: cid }, 'applying a venue event failed'));
  };
  venue.trading.onEvent(onVenueEvent);

  /** Fetches the fills the venue has for an order and applies those not applied yet. */
  const catchUpFills = async (entry: OrderEntry) => {
    const o = entry.order;
    const fills = await venue.trading.fillsSince(o.snapshot().createdNs - 60_000_000_000n, o.terms.symbol);
    for (const f of fills) if (f.clientOrderId === o.clientOrderId) applyVenueFill(o, f, apply);
  };

  /** Settles an order by asking the venue; sends it when the venue has never seen it. */
  const reconcile = async (entry: OrderEntry, why: string): Promise<void> => {
    const o = entry.order;
    const ref = { clientOrderId: o.clientOrderId, symbol: o.terms.symbol };
    let state;
    try {
      state = await venue.trading.order(ref);
    } catch (err) {
      reconciled.inc({ result: 'lookup_failed' });
      logger.warn({ clientOrderId: o.clientOrderId, why, err }, 'order lookup at the venue failed; will retry');
      registry.setInDoubt(entry, true);
      return;
    }
    if (state === undefined) {
      if (o.state === 'new' && entry.sent && nowNanos() - entry.sentNs < IN_DOUBT_GRACE_NS) {
        reconciled.inc({ result: 'not_yet_at_venue' });
        registry.setInDoubt(entry, true);
        return;
      }
      if (o.state === 'new') {
        // Never reached the venue: sending it now cannot double it (the client order id is the venue's idempotency key).
        reconciled.inc({ result: 'not_at_venue' });
        registry.setInDoubt(entry, false);
        await send(entry);
        return;
      }
      reconciled.inc({ result: 'missing_at_venue' });
      registry.setInDoubt(entry, true);
      logger.error({ clientOrderId: o.clientOrderId, state: o.state, why }, 'the venue does not know an order it acknowledged');
      return;
    }
    if (!applyVenueState(o, state, apply)) {
      await catchUpFills(entry);
      applyVenueState(o, state, apply);
    }
    registry.setInDoubt(entry, false);
    reconciled.inc({ result: 'settled' });
  };

  const reconcileOpen = async (why: string) => {
    for (const entry of registry.open()) {
      await queueOf(entry.order.terms.symbol)
        .run(() => reconcile(entry, why))
        .catch((err) => logger.error({ err, clientOrderId: entry.order.clientOrderId }, 'reconciliation failed'));
    }
  };

  const settle = async (entry: OrderEntry, outcome: VenueOutcome, op: 'submit' | 'cancel') => {
    venueRequests.inc({ op, outcome: outcome.kind });
    const o = entry.order;
    switch (outcome.kind) {
      case 'accepted':
        if (!applyVenueState(o, outcome.order, apply)) await catchUpFills(entry);
        return;
      case 'rejected':
        if (op === 'submit') apply(o, { type: 'reject', reason: `${outcome.code}: ${outcome.message}`, tsNs: nowNanos() });
        else logger.warn({ clientOrderId: o.clientOrderId, code: outcome.code, message: outcome.message }, 'the venue refused a cancel');
        return;
      case 'in_doubt':
        registry.setInDoubt(entry, true);
        logger.warn({ clientOrderId: o.clientOrderId, op, detail: outcome.message }, 'venue request outcome unknown; reconciling');
        return;
    }
  };

  const withTimeout = (op: () => Promise<VenueOutcome>): Promise<VenueOutcome> =>
    withDeadline(
      op().catch((err: Error): VenueOutcome => ({ kind: 'in_doubt', message: err.message })),
      config.VENUE_TIMEOUT_MS,
      (): VenueOutcome => ({ kind: 'in_doubt', message: `no answer within ${config.VENUE_TIMEOUT_MS} ms` }),
    );

  /** Sends an order to the venue (called on the order's symbol queue). */
  const send = async (entry: OrderEntry) => {
    const o = entry.order;
    if (slippage && (o.terms.kind === 'market' || o.terms.kind === 'limit')) {
      const verdict = slippage.check(books.get(o.terms.symbol), { side: o.terms.side, quantity: o.terms.quantity, limitPrice: o.terms.limitPrice, referencePrice: entry.referencePrice });
      if (!verdict.ok) {
        rejections.inc({ reason: verdict.reason });
        apply(o, { type: 'reject', reason: `${verdict.reason}: ${verdict.detail}`, tsNs: nowNanos() });
        logger.warn({ clientOrderId: o.clientOrderId, reason: verdict.reason, ...verdict.values }, 'order refused before the venue');
        return;
      }
    }
    entry.sent = true;
    entry.sentNs = nowNanos();
    await settle(entry, await withTimeout(() => venue.trading.submit(venueRequestOf(o.terms))), 'submit');
  };

  // ---- Start the venue, then bring the open orders to what it says.
  await venue.trading.start();
  await reconcileOpen('start-up');
  const positionsCheck = await venue.checkPositions(registry);
  if (positionsCheck.length > 0) logger.warn({ mismatches: positionsCheck }, 'venue positions differ from the fills the platform recorded');

  const grids = new Map<string, Grid>();
  try {
    for (const i of await venue.trading.instruments()) grids.set(i.symbol, { tickSize: i.tickSize, lotSize: i.lotSize });
  } catch (err) {
    logger.warn({ err }, 'the venue did not list its instruments: execution algorithms are refused until a restart');
  }
  for (const [id, h] of histories) {
    const symbol = h.created?.intent.symbol ?? '';
    const book = books.get(symbol);
    await parents.restore(id, h, { bid: book?.bestBid()?.price, ask: book?.bestAsk()?.price }).catch((err) => logger.error({ err, parentOrderId: id }, 'a parent order could not be restored'));
  }
  histories.clear();
  parentsLive = true;

  const reconcileTimer = setInterval(() => {
    for (const entry of registry.inDoubt()) {
      void queueOf(entry.order.terms.symbol)
        .run(() => reconcile(entry, 'in doubt'))
        .catch((err) => logger.error({ err }, 'reconciliation failed'));
    }
  }, config.RECONCILE_INTERVAL_MS);
  reconcileTimer.unref();

  // Rebuilt from the streams, the venue's history and the parents restored: from now on a settled
  // order can be forgotten once nothing about it can still be on its way.
  const forgetSettled = (): void => {
    // A child stays while its parent works: the parent may still ask to cancel it, and must find it
    // settled, not unknown (an unknown child is one whose approval is yet to come).
    const parentWorks = (e: OrderEntry) => e.order.terms.parentId !== undefined && parents.isWorking(e.order.terms.parentId);
    // The paper venue forgets exactly these: what execution still remembers (in doubt, a working
    // parent's child) stays there too, for the lookups that settle it.
    const forgotten: string[] = [];
    forgottenOrders.inc({ kind: 'order' }, registry.forgetSettled(parentWorks, (e) => forgotten.push(e.order.clientOrderId)));
    if (venue.memory) {
      const dropped = venue.memory.forget(forgotten);
      forgottenOrders.inc({ kind: 'venue_order' }, dropped.orders);
      forgottenOrders.inc({ kind: 'venue_fill' }, dropped.fills);
    }
    forgottenOrders.inc({ kind: 'parent' }, parents.forgetEnded());
    let reports = 0;
    for (const id of unmatched.sweep()) if (pendingReports.delete(id)) reports++;
    forgottenOrders.inc({ kind: 'report' }, reports);
  };
  const retentionTimer = setInterval(forgetSettled, config.ORDER_RETENTION_MS);
  retentionTimer.unref();

  // ---- Market data: the book prices slippage; the paper venue mirrors it and the trades.
  for (const symbol of symbols) {
    const book = books.get(symbol)!;
    await bus.follow(
      'MARKET',
      bus.subjects.marketData(config.MARKET_VENUE, symbol, 'book'),
      BookUpdateBatch,
      async (batch) => {
        for (const u of batch.updates) {
          const bids = u.bids.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) }));
          const asks = u.asks.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) }));
          const r = u.snapshot ? book.applySnapshot(u.seq, bids, asks) : book.applyDelta(u.seq, bids, asks);
          if (r.ok && venue.mirror) venue.mirror.book(symbol, { snapshot: u.snapshot, bids, asks });
        }
        if (book.synced && parents.working(symbol)) await parents.onMarket(symbol, { nowNs: nowNanos(), bid: book.bestBid()?.price, ask: book.bestAsk()?.price });
      },
      { deliver: 'new' },
    );
    await bus.follow(
      'MARKET',
      bus.subjects.marketData(config.MARKET_VENUE, symbol, 'trades'),
      TradeBatch,
      async (batch) => {
        let volume = Decimal.ZERO;
        let last: Decimal | undefined;
        for (const t of batch.trades) {
          const trade = { price: Decimal.parse(t.price), quantity: Decimal.parse(t.size), aggressor: sideFromWire(t.aggressor) };
          venue.mirror?.trade(symbol, trade);
          volume = volume.add(trade.quantity);
          last = trade.price;
        }
        if (last !== undefined && parents.working(symbol)) await parents.onMarket(symbol, { nowNs: nowNanos(), tradePrice: last, tradeVolume: volume });
      },
      { deliver: 'new' },
    );
  }
  health.addCheck('books_synced', () => [...books.values()].every((b) => b.synced));

  // ---- Approved orders: the only way an order reaches the venue.
  const onApproved = async (a: ApprovedOrder, d: Delivery) => {
    const i = a.intent;
    if (!i) throw new PoisonMessageError('invalid_order', 'approved order without intent');
    await queueOf(i.symbol).run(async () => {
      const entry = addApproved(a, d);
      if (!entry) throw new PoisonMessageError('invalid_order', `approved order ${i.clientOrderId} has invalid terms`);
      if (entry === 'forgotten') {
        logger.warn({ clientOrderId: i.clientOrderId, seq: d.streamSequence, deliveries: d.deliveryCount }, 'approval of an order settled and forgotten delivered again: not sent');
        return;
      }
      // Redelivered after a restart: what was reported already stands; finish only what did not happen.
      if (entry.order.state !== 'new' || entry.sent) return;
      if (cancelBeforeVenue.delete(entry.order.clientOrderId)) {
        apply(entry.order, { type: 'cancel', reason: 'PARENT_CANCELLED: cancelled before it reached the venue', tsNs: nowNanos() });
        return;
      }
      if (registry.isInDoubt(entry)) return reconcile(entry, 'redelivered');
      await send(entry);
    });
  };
  for (const decl of bus.topology.durables('execution', ctx.shard)) await bus.consume(decl, ApprovedOrder, onApproved);

  const waitMsOf = (ms: number) => (ms === 0 ? DEFAULT_WAIT_MS : Math.min(ms, MAX_WAIT_MS));
  const wire = (entry: OrderEntry): Order => orderToWire(entry.order.snapshot());

  const grpcImpl: ExecutionServiceServer = {
    submitOrder: (call, callback) => {
      void (async () => {
        const intent = call.request.intent;
        if (!intent) return callback(grpcError(Status.INVALID_ARGUMENT, 'intent is required'));
        const order: OrderIntent = { ...intent, clientOrderId: intent.clientOrderId || newId(), venue: intent.venue || venueId, tsNs: intent.tsNs || nowNanos() };
        if (order.venue !== venueId) return callback(grpcError(Status.INVALID_ARGUMENT, `venue ${JSON.stringify(order.venue)} is not this shard's venue ${venueId}`));
        if (!symbols.has(order.symbol)) return callback(grpcError(Status.INVALID_ARGUMENT, `symbol ${JSON.stringify(order.symbol)} is not on this shard (${[...symbols].join(', ')})`));
        try {
          termsOfIntent(order);
          sideFromWire(order.side);
        } catch (err) {
          return callback(grpcError(Status.INVALID_ARGUMENT, (err as Error).message));
        }
        const cid = order.clientOrderId;
        if (call.request.algo) {
          const grid = grids.get(order.symbol);
          if (!grid) return callback(grpcError(Status.FAILED_PRECONDITION, `the venue gave no trading rules for ${order.symbol}: execution algorithms need its tick and lot size`));
          try {
            const book = books.get(order.symbol)!;
            await parents.create(order, call.request.algo, grid, { bid: book.bestBid()?.price, ask: book.bestAsk()?.price });
          } catch (err) {
            if (err instanceof ParentRequestError) return callback(grpcError(Status.INVALID_ARGUMENT, err.message));
            return callback(grpcError(Status.UNAVAILABLE, `the parent order could not be stored: ${(err as Error).message}`));
          }
          return callback(null, { order: parents.wire(cid), outcome: 'ACCEPTED', reason: '', detail: '' });
        }
        try {
          await bus.publish(bus.subjects.intent(order.symbol), OrderIntent, order, { msgId: cid });
        } catch (err) {
          return callback(grpcError(Status.UNAVAILABLE, `the order could not be handed to risk: ${(err as Error).message}`));
        }
        const answered = () => riskRejections.has(cid) || (registry.get(cid)?.order.state ?? 'new') !== 'new';
        await registry.waitFor(cid, answered, waitMsOf(call.request.waitMs));
        const rejection = riskRejections.get(cid);
        const entry = registry.get(cid);
        if (rejection) return callback(null, { order: undefined, outcome: 'REJECTED', reason: rejection.reason, detail: rejection.detail });
        if (!entry || entry.order.state === 'new') return callback(null, { order: entry ? wire(entry) : undefined, outcome: 'PENDING', reason: '', detail: '' });
        const s = entry.order.snapshot();
        if (s.state === 'rejected') return callback(null, { order: wire(entry), outcome: 'REJECTED', reason: (s.reason ?? '').split(':')[0] ?? '', detail: s.reason ?? '' });
        callback(null, { order: wire(entry), outcome: 'ACCEPTED', reason: '', detail: '' });
      })().catch((err) => callback(grpcError(Status.INTERNAL, (err as Error).message)));
    },
    cancelOrder: (call, callback) => {
      // An operator's cancel is an admin operation: authenticated (ADMIN_AUTH) and audited by the runtime.
      try {
        ctx.admin.authorize(call, 'CancelOrder', { clientOrderId: call.request.clientOrderId });
      } catch (err) {
        return callback(err as ServiceError);
      }
      void (async () => {
        const parentId = call.request.clientOrderId;
        if (parents.has(parentId)) {
          // The parent cancels its working children and ends once they are confirmed.
          await parents.cancel(parentId);
          return callback(null, { order: parents.wire(parentId) });
        }
        const entry = registry.get(call.request.clientOrderId);
        if (!entry) return callback(grpcError(Status.NOT_FOUND, `no order ${JSON.stringify(call.request.clientOrderId)} on this execution shard`));
        if (entry.order.isTerminal) return callback(grpcError(Status.FAILED_PRECONDITION, `order ${entry.order.clientOrderId} is already ${entry.order.state}`));
        const o = entry.order;
        let outcome: VenueOutcome = { kind: 'in_doubt', message: 'not sent' };
        await queueOf(o.terms.symbol).run(async () => {
          if (o.isTerminal) return;
          outcome = await withTimeout(() => venue.trading.cancel({ clientOrderId: o.clientOrderId, symbol: o.terms.symbol }));
          await settle(entry, outcome, 'cancel');
        });
        const done = await registry.waitFor(o.clientOrderId, () => o.isTerminal, waitMsOf(call.request.waitMs));
        const refused = outcome as VenueOutcome;
        if (!done && refused.kind === 'rejected') return callback(grpcError(Status.FAILED_PRECONDITION, `the venue refused the cancel: ${refused.code}: ${refused.message}`));
        callback(null, { order: wire(entry) });
      })().catch((err) => callback(grpcError(Status.INTERNAL, (err as Error).message)));
    },
    getOrder: (call, callback) => {
      const parent = parents.wire(call.request.clientOrderId);
      if (parent) return callback(null, { order: parent });
      const entry = registry.get(call.request.clientOrderId);
      if (!entry) return callback(grpcError(Status.NOT_FOUND, `no order ${JSON.stringify(call.request.clientOrderId)} on this execution shard`));
      callback(null, { order: wire(entry) });
    },
    listOrders: (call, callback) => {
      const { symbol, openOnly } = call.request;
      const list = openOnly ? registry.open(symbol === '' ? undefined : symbol) : [...registry.values()].filter((e) => symbol === '' || e.order.terms.symbol === symbol);
      callback(null, { orders: list.map(wire) });
    },
  };

  return {
    grpc: [{ name: 'ExecutionService', definition: ExecutionServiceService, implementation: grpcImpl }],
    stop: async () => {
      clearInterval(reconcileTimer);
      clearInterval(retentionTimer);
      parents.stop();
      await Promise.all([...queues.values()].map((q) => q.run(async () => undefined)));
      await venue.trading.close();
      await withDeadline(outbox.flush(), 5_000, () => undefined);
      if (outbox.size > 0) logger.error({ pending: outbox.size }, 'execution reports not stored at shutdown: the next start reconciles them from the venue');
      outbox.stop();
    },
  };
}


export const executionService: ServiceDefinition<typeof executionSchema> = {
  name: 'execution',
  ports: { http: 9406, grpc: 50406 },
  config: executionSchema,
  venues: (c) => [c.VENUE],
  start: startExecution,
};
