import { ApprovedOrder, ExecutionKind, ExecutionReport, OrderRejection, RecorderServiceService, barToWire, executionKindToJSON, orderStatusToJSON, orderTypeToJSON, sideFromWire, sideToJSON } from '@meridian/proto';
import type { RecorderServiceServer } from '@meridian/proto';
import { PoisonMessageError } from '@meridian/bus';
import { BarStore } from '@meridian/history';
import { Database, migrate, redact } from '@meridian/store';
import { Status, field, grpcError } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, ServiceContext, ServiceDefinition } from '@meridian/runtime';
import { recordBars } from './bar-recorder';
import { DatabaseReadiness } from './database-readiness';
import { guardPoolErrors } from './pool-errors';
import { InvalidGetBarsRequestError, barQueryOf } from './get-bars';
import { RecorderRepository } from './repository';
import { recordRiskHistory } from './risk-history';
import { recordRiskLimitChanges } from './risk-limits-audit';

const schema = {
  DATABASE_URL: field.url('PostgreSQL connection URL', 'postgres://postgres@127.0.0.1:5432/postgres', ['postgres', 'postgresql']),
  DATABASE_SCHEMA: field.string('Schema holding the platform tables (created and migrated on start)', 'meridian'),
  BARS_BATCH_MAX: field.int('Most bars written in one bulk upsert', 512, { min: 1, max: 4_096 }),
  // The bar consumer's ack wait is its first backoff step (0.5 s): a batch must be written well within it.
  BARS_BATCH_WAIT_MS: field.int('Longest a bar waits for its batch to fill before the batch is written, ms', 50, { min: 1, max: 250 }),
  DATABASE_PROBE_INTERVAL_MS: field.int('Time between readiness probes of the database (SELECT 1), ms', 1_000, { min: 50, max: 60_000 }),
  DATABASE_PROBE_TIMEOUT_MS: field.int('A readiness probe of the database not answered within this fails, ms', 2_000, { min: 50, max: 60_000 }),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

const nsToDate = (ns: bigint) => new Date(Number(ns / 1_000_000n));
const stripPrefix = (value: string, prefix: string) => (value.startsWith(prefix) ? value.slice(prefix.length) : value);
const orNull = (s: string) => (s === '' ? null : s);

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics } = ctx;
  const db = await Database.open({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  // A connection that dies while checked out must fail its query, not the process.
  guardPoolErrors(db.pool, (err) => logger.warn({ err }, 'database connection lost'));
  const applied = await migrate(db);
  logger.info({ database: redact(config.DATABASE_URL), schema: config.DATABASE_SCHEMA, applied }, 'database migrated');
  const repo = new RecorderRepository(db);
  // Readiness reports the database: a recorder that cannot write is not ready (its messages wait
  // in the stream and are retried), and says so once per change.
  const database = new DatabaseReadiness(
    () => db.pool.query('SELECT 1'),
    { intervalMs: config.DATABASE_PROBE_INTERVAL_MS, timeoutMs: config.DATABASE_PROBE_TIMEOUT_MS },
    {
      changed: (up, err) => (up ? logger.info({ database: redact(config.DATABASE_URL) }, 'database reachable again') : logger.error({ database: redact(config.DATABASE_URL), err }, 'database unreachable: not ready')),
    },
  );
  ctx.health.addCheck('database', () => database.up);
  database.start();
  const rows = metrics.counter({ name: 'recorder_rows_total', help: 'Rows written by table', labelNames: ['table'] });

  const poison = (what: string, err: unknown): never => {
    throw new PoisonMessageError('invalid_message', `${what}: ${(err as Error).message}`);
  };
  const [approved, rejected, executions, bars, riskLimits, riskEquity, riskEvents] = bus.topology.durables('recorder', ctx.shard);
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

  // The audit of risk limit changes (ctl.config.risk): who, when, why, what.
  const riskLimitRows = metrics.counter({ name: 'recorder_risk_limit_changes_total', help: 'Risk limit changes received, by outcome (written; duplicate: already recorded)', labelNames: ['outcome'] });
  await recordRiskLimitChanges(bus, riskLimits!, db, (inserted) => {
    riskLimitRows.inc({ outcome: inserted ? 'written' : 'duplicate' });
    if (inserted) rows.inc({ table: 'risk_limit_changes' });
  });

  // Risk's equity curve and events (RISK stream).
  const riskHistoryRows = metrics.counter({ name: 'recorder_risk_history_total', help: 'Risk equity points and events received, by table and outcome (written; duplicate: already recorded)', labelNames: ['table', 'outcome'] });
  await recordRiskHistory(bus, { equity: riskEquity!, events: riskEvents! }, db, (table, inserted) => {
    riskHistoryRows.inc({ table, outcome: inserted ? 'written' : 'duplicate' });
    if (inserted) rows.inc({ table });
  });

  const barStore = new BarStore(db);
  const barRows = metrics.counter({ name: 'recorder_bars_received_total', help: 'Bars handed to bulk writes that committed, by outcome (written: new or a higher revision; ignored: a duplicate or an older revision)', labelNames: ['outcome'] });
  const barBatchSize = metrics.histogram({ name: 'recorder_bar_batch_size', help: 'Bars per bulk write', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256] });
  const barWriteSeconds = metrics.histogram({ name: 'recorder_bar_write_seconds', help: 'Time of one bulk bar write' });
  const barBatchFailures = metrics.counter({ name: 'recorder_bar_batch_failures_total', help: 'Bulk bar writes that failed (their bars were retried one by one)' });
  await recordBars(
    bus,
    bars!,
    barStore,
    { maxBatch: config.BARS_BATCH_MAX, maxWaitMs: config.BARS_BATCH_WAIT_MS },
    {
      stored: (received, written) => {
        rows.inc({ table: 'bars' }, written);
        barRows.inc({ outcome: 'written' }, written);
        barRows.inc({ outcome: 'ignored' }, received - written);
      },
      written: (n, seconds) => {
        barBatchSize.observe(n);
        barWriteSeconds.observe(seconds);
      },
      split: (n, err) => {
        barBatchFailures.inc();
        logger.warn({ err, bars: n }, 'bulk bar write failed; writing its bars one by one');
      },
    },
  );

  const grpcImpl: RecorderServiceServer = {
    getBars: (call, callback) => {
      let query;
      try {
        query = barQueryOf(call.request);
      } catch (err) {
        const code = err instanceof InvalidGetBarsRequestError ? Status.INVALID_ARGUMENT : Status.INTERNAL;
        return callback(grpcError(code, (err as Error).message));
      }
      barStore.query(query).then(
        (found) => callback(null, { bars: found.map(barToWire) }),
        (err: unknown) => callback(grpcError(Status.UNAVAILABLE, `database query failed: ${(err as Error).message}`)),
      );
    },
    getRecorderStatus: (_call, callback) => {
      repo.counts().then(
        (c) => callback(null, c),
        (err: unknown) => callback(grpcError(Status.UNAVAILABLE, `database query failed: ${(err as Error).message}`)),
      );
    },
  };
  return {
    grpc: [{ name: 'RecorderService', definition: RecorderServiceService, implementation: grpcImpl }],
    stop: () => database.stop(),
    // After the bus has drained, so no handler is left holding a connection.
    close: () => db.close(),
  };
}

/** The recorder as a service definition: `main.ts` runs it, tests start it in-process. */
export const recorderService: ServiceDefinition<typeof schema> = { name: 'recorder', ports: { http: 9407, grpc: 50407 }, config: schema, start };
