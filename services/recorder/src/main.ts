import { ApprovedOrder, ExecutionKind, ExecutionReport, OrderRejection, RecorderServiceService, executionKindToJSON, orderStatusToJSON, orderTypeToJSON, sideFromWire, sideToJSON } from '@meridian/proto';
import type { RecorderServiceServer } from '@meridian/proto';
import { PoisonMessageError } from '@meridian/bus';
import { Database, migrate, redact } from '@meridian/store';
import { Status, field, grpcError, runService } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, ServiceContext } from '@meridian/runtime';
import { RecorderRepository } from './repository';

const schema = {
  DATABASE_URL: field.url('PostgreSQL connection URL', 'postgres://postgres@127.0.0.1:5432/postgres', ['postgres', 'postgresql']),
  DATABASE_SCHEMA: field.string('Schema holding the platform tables (created and migrated on start)', 'meridian'),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

const nsToDate = (ns: bigint) => new Date(Number(ns / 1_000_000n));
const stripPrefix = (value: string, prefix: string) => (value.startsWith(prefix) ? value.slice(prefix.length) : value);
const orNull = (s: string) => (s === '' ? null : s);

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics } = ctx;
  const db = await Database.open({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  const applied = await migrate(db);
  logger.info({ database: redact(config.DATABASE_URL), schema: config.DATABASE_SCHEMA, applied }, 'database migrated');
  const repo = new RecorderRepository(db);
  await repo.loadPositions();
  const rows = metrics.counter({ name: 'recorder_rows_total', help: 'Rows written by table', labelNames: ['table'] });

  const poison = (what: string, err: unknown): never => {
    throw new PoisonMessageError('invalid_message', `${what}: ${(err as Error).message}`);
  };
  const [approved, rejected, executions] = bus.topology.durables('recorder', ctx.shard);
  await bus.consume(approved!, ApprovedOrder, async (a) => {
    const i = a.intent ?? poison('approved order', new Error('no intent'));
    let side;
    try {
      side = sideFromWire(i.side);
    } catch (err) {
      return poison(`approved order ${i.clientOrderId}`, err);
    }
    await repo.recordOrder({
      clientOrderId: i.clientOrderId,
      strategy: i.strategy,
      venue: i.venue,
      symbol: i.symbol,
      side,
      orderType: stripPrefix(orderTypeToJSON(i.type), 'ORDER_TYPE_'),
      quantity: i.quantity,
      limitPrice: orNull(i.limitPrice),
      referencePrice: orNull(i.referencePrice),
      notional: a.notional,
      intentTs: nsToDate(i.tsNs),
      approvedTs: nsToDate(a.approvedTsNs),
    });
    rows.inc({ table: 'orders' });
  });
  await bus.consume(rejected!, OrderRejection, async (r) => {
    const i = r.intent ?? poison('rejection', new Error('no intent'));
    await repo.recordRejection({
      clientOrderId: i.clientOrderId,
      strategy: i.strategy,
      symbol: i.symbol,
      side: stripPrefix(sideToJSON(i.side), 'SIDE_'),
      quantity: i.quantity,
      reason: r.reason,
      detail: r.detail,
      rejectedTs: nsToDate(r.rejectedTsNs),
    });
    rows.inc({ table: 'order_rejections' });
  });
  await bus.consume(executions!, ExecutionReport, async (e, delivery) => {
    let side;
    try {
      side = sideFromWire(e.side);
    } catch (err) {
      return poison(`execution ${e.executionId}`, err);
    }
    await repo.recordExecution({
      executionId: e.executionId,
      clientOrderId: e.clientOrderId,
      venueOrderId: e.venueOrderId,
      kind: stripPrefix(executionKindToJSON(e.kind), 'EXECUTION_KIND_'),
      status: stripPrefix(orderStatusToJSON(e.status), 'ORDER_STATUS_'),
      venue: e.venue,
      symbol: e.symbol,
      side,
      fillQuantity: orNull(e.fillQuantity),
      fillPrice: orNull(e.fillPrice),
      fee: orNull(e.fee),
      feeCurrency: orNull(e.feeCurrency),
      maker: e.kind === ExecutionKind.EXECUTION_KIND_FILL ? e.maker : null,
      reason: orNull(e.reason),
      ts: nsToDate(e.tsNs),
      streamSeq: delivery.streamSequence,
    });
    rows.inc({ table: 'executions' });
  });

  const grpcImpl: RecorderServiceServer = {
    // Being built in this change (issue 3).
    getBars: (_call, callback) => callback(grpcError(Status.UNIMPLEMENTED, 'GetBars is not implemented yet')),
    getRecorderStatus: (_call, callback) => {
      repo.counts().then(
        (c) => callback(null, c),
        (err: unknown) => callback(grpcError(Status.UNAVAILABLE, `database query failed: ${(err as Error).message}`)),
      );
    },
  };
  return {
    grpc: [{ name: 'RecorderService', definition: RecorderServiceService, implementation: grpcImpl }],
    stop: async () => undefined,
    // After the bus has drained, so no handler is left holding a connection.
    close: () => db.close(),
  };
}

runService({ name: 'recorder', ports: { http: 9407, grpc: 50407 }, config: schema, start });
