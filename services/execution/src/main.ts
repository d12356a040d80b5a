import { L2Book } from '@meridian/book';
import { Decimal, nowNanos } from '@meridian/domain';
import {
  ApprovedOrder,
  BookUpdateBatch,
  ExecutionKind,
  ExecutionReport,
  ExecutionServiceService,
  OrderStatus,
  OrderType,
  TimeInForce,
  decimalField,
  fillOf,
  optionalDecimalField,
  sideFromWire,
  sideToWire,
} from '@meridian/proto';
import type { ExecutionServiceServer } from '@meridian/proto';
import { PoisonMessageError, ReplayGate } from '@meridian/bus';
import type { ExecutionSubjectKind } from '@meridian/bus';
import { Status, field, grpcError, runService } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, ServiceContext } from '@meridian/runtime';
import { PaperVenue } from './paper-venue';
import type { PaperFill, PaperOrder } from './paper-venue';
import { SerialQueue, isTerminal, orderToWire, remainingOf } from './orders';
import type { OrderRecord } from './orders';

const schema = {
  VENUE: field.string('Venue this replica executes on (the paper venue)', 'paper'),
  MARKET_VENUE: field.string('Market-data venue whose book the paper venue fills against', 'sim'),
  MAKER_FEE: field.decimal('Maker fee as a fraction of notional (0.0002 = 2 bps)', '0.0002', { nonNegative: true }),
  TAKER_FEE: field.decimal('Taker fee as a fraction of notional (0.0005 = 5 bps)', '0.0005', { nonNegative: true }),
  FEE_SCALE: field.int('Fraction digits fees are rounded (up) to', 8, { min: 0, max: 18 }),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

const KIND_SUBJECT: Record<ExecutionKind, ExecutionSubjectKind | undefined> = {
  [ExecutionKind.EXECUTION_KIND_ACK]: 'ack',
  [ExecutionKind.EXECUTION_KIND_FILL]: 'fill',
  [ExecutionKind.EXECUTION_KIND_CANCEL]: 'cancel',
  [ExecutionKind.EXECUTION_KIND_REJECT]: 'reject',
  [ExecutionKind.EXECUTION_KIND_UNSPECIFIED]: undefined,
  [ExecutionKind.UNRECOGNIZED]: undefined,
};

function quoteCurrency(symbol: string): string {
  const i = symbol.lastIndexOf('-');
  return i > 0 ? symbol.slice(i + 1) : 'USD';
}

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics, health } = ctx;
  const venueId = config.VENUE;
  const paper = new PaperVenue({ maker: config.MAKER_FEE, taker: config.TAKER_FEE, scale: config.FEE_SCALE });
  const reports = metrics.counter({ name: 'execution_reports_total', help: 'Execution reports published', labelNames: ['kind'] });

  const orders = new Map<string, OrderRecord>();
  const books = new Map<string, L2Book>();
  const queues = new Map<string, SerialQueue>();

  const publishReport = async (
    r: OrderRecord,
    kind: ExecutionKind,
    status: OrderStatus,
    extra: Partial<ExecutionReport> & { executionId: string },
  ) => {
    const report = ExecutionReport.fromPartial({
      kind,
      status,
      venue: venueId,
      symbol: r.order.symbol,
      clientOrderId: r.order.clientOrderId,
      venueOrderId: r.venueOrderId,
      strategy: r.strategy,
      side: sideToWire(r.order.side),
      orderQuantity: r.order.quantity.toString(),
      cumulativeQuantity: r.filled.toString(),
      leavesQuantity: isTerminal(status) ? '0' : remainingOf(r).toString(),
      tsNs: nowNanos(),
      ...extra,
    });
    await bus.publish(bus.subjects.execution(venueId, r.order.symbol, KIND_SUBJECT[kind]!), ExecutionReport, report, {
      msgId: report.executionId,
    });
    r.status = status;
    r.updatedTsNs = report.tsNs;
    reports.inc({ kind: KIND_SUBJECT[kind]! });
  };

  const publishFill = async (r: OrderRecord, f: PaperFill) => {
    r.fillCount += 1;
    r.filled = r.filled.add(f.quantity);
    r.notionalFilled = r.notionalFilled.add(f.price.mul(f.quantity));
    r.fees = r.fees.add(f.fee);
    const status = remainingOf(r).isZero() ? OrderStatus.ORDER_STATUS_FILLED : OrderStatus.ORDER_STATUS_PARTIALLY_FILLED;
    await publishReport(r, ExecutionKind.EXECUTION_KIND_FILL, status, {
      executionId: `${r.order.clientOrderId}-fill-${r.fillCount}`,
      fillQuantity: f.quantity.toString(),
      fillPrice: f.price.toString(),
      fee: f.fee.toString(),
      feeCurrency: quoteCurrency(r.order.symbol),
      maker: f.maker,
    });
  };

  const matchResting = async (symbol: string) => {
    const book = books.get(symbol)!;
    for (const r of orders.values()) {
      if (
        r.order.symbol !== symbol ||
        isTerminal(r.status) ||
        r.order.limitPrice === undefined ||
        r.status === OrderStatus.ORDER_STATUS_NEW
      )
        continue;
      const fill = paper.matchResting(book, r.order, remainingOf(r));
      if (fill) await publishFill(r, fill);
    }
  };

  // Rebuild: the orders this venue was given and what it already reported about them.
  const gate = new ReplayGate();
  for (const symbol of ctx.shard.symbols) {
    books.set(symbol, new L2Book(symbol));
    queues.set(symbol, new SerialQueue());
    await bus.follow(
      'ORDERS',
      bus.subjects.approved(venueId, symbol),
      ApprovedOrder,
      (a) => {
        if (a.intent && !orders.has(a.intent.clientOrderId)) orders.set(a.intent.clientOrderId, recordOf(a));
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
    await bus.follow(
      'EXECUTIONS',
      bus.subjects.executionsFor(symbol),
      ExecutionReport,
      (e) => {
        const r = orders.get(e.clientOrderId);
        if (!r || e.venue !== venueId) return;
        const fill = fillOf(e);
        if (fill) {
          r.fillCount += 1;
          r.filled = r.filled.add(fill.quantity);
          r.notionalFilled = r.notionalFilled.add(fill.price.mul(fill.quantity));
          r.fees = r.fees.add(fill.fee);
        }
        r.status = e.status;
        r.updatedTsNs = e.tsNs;
      },
      { deliver: 'all', onCaughtUp: gate.expect() },
    );
  }
  await gate.wait();

  for (const symbol of ctx.shard.symbols) {
    const book = books.get(symbol)!;
    const queue = queues.get(symbol)!;
    await bus.follow(
      'MARKET',
      bus.subjects.marketData(config.MARKET_VENUE, symbol, 'book'),
      BookUpdateBatch,
      async (batch) => {
        let changed = false;
        for (const u of batch.updates) {
          const bids = u.bids.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) }));
          const asks = u.asks.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) }));
          const r = u.snapshot ? book.applySnapshot(u.seq, bids, asks) : book.applyDelta(u.seq, bids, asks);
          if (!r.ok) continue;
          changed = true;
          if (u.snapshot) paper.bookReplaced(symbol);
          else {
            paper.levelsChanged(symbol, 'bid', bids);
            paper.levelsChanged(symbol, 'ask', asks);
          }
        }
        if (changed) await queue.run(() => matchResting(symbol));
      },
      { deliver: 'new' },
    );
  }

  function recordOf(a: ApprovedOrder): OrderRecord {
    const i = a.intent!;
    let order: PaperOrder;
    try {
      order = {
        clientOrderId: i.clientOrderId,
        symbol: i.symbol,
        side: sideFromWire(i.side),
        quantity: decimalField('quantity', i.quantity),
        limitPrice: i.type === OrderType.ORDER_TYPE_LIMIT ? optionalDecimalField('limit_price', i.limitPrice) : undefined,
        immediateOrCancel: i.type === OrderType.ORDER_TYPE_MARKET || i.timeInForce === TimeInForce.TIME_IN_FORCE_IOC,
      };
    } catch (err) {
      throw new PoisonMessageError('invalid_order', `approved order ${i.clientOrderId}: ${(err as Error).message}`);
    }
    return {
      order,
      venue: venueId,
      strategy: i.strategy,
      venueOrderId: `P-${i.clientOrderId}`,
      status: OrderStatus.ORDER_STATUS_NEW,
      filled: Decimal.ZERO,
      notionalFilled: Decimal.ZERO,
      fees: Decimal.ZERO,
      fillCount: 0,
      createdTsNs: a.approvedTsNs,
      updatedTsNs: a.approvedTsNs,
    };
  }

  const onApproved = async (a: ApprovedOrder) => {
    const i = a.intent;
    if (!i) throw new PoisonMessageError('invalid_order', 'approved order without intent');
    const queue = queues.get(i.symbol);
    if (!queue) throw new PoisonMessageError('unknown_symbol', `approved order for ${i.symbol}, not on this shard`);
    await queue.run(async () => {
      const known = orders.get(i.clientOrderId);
      // Redelivered after a restart: whatever was reported already stands; finish only what did not happen.
      const r = known ?? recordOf(a);
      orders.set(i.clientOrderId, r);
      if (r.status !== OrderStatus.ORDER_STATUS_NEW) return;
      const outcome = paper.execute(books.get(i.symbol)!, r.order);
      if (outcome.kind === 'rejected') {
        await publishReport(r, ExecutionKind.EXECUTION_KIND_REJECT, OrderStatus.ORDER_STATUS_REJECTED, {
          executionId: `${i.clientOrderId}-reject`,
          reason: outcome.reason,
        });
        logger.warn({ clientOrderId: i.clientOrderId, symbol: i.symbol, reason: outcome.reason }, 'order rejected by the paper venue');
        return;
      }
      await publishReport(r, ExecutionKind.EXECUTION_KIND_ACK, OrderStatus.ORDER_STATUS_ACKED, { executionId: `${i.clientOrderId}-ack` });
      for (const f of outcome.fills) await publishFill(r, f);
      if (outcome.remaining.isPositive() && !outcome.rests) {
        await publishReport(r, ExecutionKind.EXECUTION_KIND_CANCEL, OrderStatus.ORDER_STATUS_CANCELLED, {
          executionId: `${i.clientOrderId}-cancel`,
          reason: 'IOC: remainder not fillable at once',
        });
      }
    });
  };
  for (const decl of bus.topology.durables('execution', ctx.shard)) {
    await bus.consume(decl, ApprovedOrder, onApproved);
  }
  health.addCheck('books_synced', () => [...books.values()].every((b) => b.synced));

  const grpcImpl: ExecutionServiceServer = {
    getOrder: (call, callback) => {
      const r = orders.get(call.request.clientOrderId);
      if (!r)
        return callback(grpcError(Status.NOT_FOUND, `no order ${JSON.stringify(call.request.clientOrderId)} on this execution shard`));
      callback(null, { order: orderToWire(r) });
    },
    listOrders: (call, callback) => {
      const { symbol, openOnly } = call.request;
      const list = [...orders.values()].filter((r) => (symbol === '' || r.order.symbol === symbol) && (!openOnly || !isTerminal(r.status)));
      callback(null, { orders: list.map(orderToWire) });
    },
  };
  return {
    grpc: [{ name: 'ExecutionService', definition: ExecutionServiceService, implementation: grpcImpl }],
    stop: async () => undefined,
  };
}

runService({ name: 'execution', ports: { http: 9406, grpc: 50406 }, config: schema, venues: (c) => [c.VENUE], start });
