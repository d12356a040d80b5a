import { Bar as WireBar, InferenceModelChange, InferenceServiceService, Signal } from '@meridian/proto';
import { parseBarInterval } from '@meridian/signals';
import type { RunningService, ServiceContext, ServiceDefinition } from '@meridian/runtime';
import { Database, migrate, redact } from '@meridian/store';
import { modelBarOf } from './bars';
import { checkConfig, replicaId, schema } from './config';
import type { Config } from './config';
import { inferenceGrpc } from './grpc';
import { inferenceMetrics } from './metrics';
import { ModelHost } from './model-host';
import { MomentumSignals } from './momentum';
import { ModelRegistry } from './registry';

async function start(ctx: ServiceContext<Config>): Promise<RunningService> {
  const { bus, config, logger } = ctx;
  checkConfig(config);
  const interval = parseBarInterval(config.BAR_INTERVAL);
  const stepMs = interval.kind === 'time' ? Number(interval.ns / 1_000_000n) : 0;
  const metrics = inferenceMetrics(ctx.metrics);
  const momentum = new MomentumSignals(
    ctx.shard.symbols,
    { fastPeriod: config.MOMENTUM_FAST, slowPeriod: config.MOMENTUM_SLOW, volPeriod: config.MOMENTUM_VOL },
    config.MARKET_VENUE,
    stepMs * config.MOMENTUM_FAST,
  );

  let models: { host: ModelHost; registry: ModelRegistry; db: Database } | undefined;
  let reconcileTimer: NodeJS.Timeout | undefined;
  if (config.MODEL_DIR !== '') {
    const db = await Database.open({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
    try {
      const applied = await migrate(db);
      logger.info({ database: redact(config.DATABASE_URL), schema: config.DATABASE_SCHEMA, applied }, 'database migrated');
      const registry = new ModelRegistry(db, replicaId(config));
      const host = new ModelHost({
        modelDir: config.MODEL_DIR,
        intraOpNumThreads: config.ORT_INTRA_OP_THREADS,
        batch: { maxBatch: config.PREDICT_BATCH_MAX, maxWaitNs: BigInt(config.PREDICT_BATCH_MAX_WAIT_US) * 1_000n },
        historyBars: config.MODEL_BAR_HISTORY,
        symbols: ctx.shard.symbols,
        venue: config.MARKET_VENUE,
        stepMs,
        registry,
        logger,
        metrics,
        publish: async (signal) => void (await bus.publish(bus.subjects.signal(signal.model, signal.symbol), Signal, signal)),
      });
      // Follow the changes before reading the registry, so none falls between the two.
      await bus.follow(
        'CONTROL',
        bus.subjects.config('inference'),
        InferenceModelChange,
        async (change) => {
          logger.info({ model: change.name, version: change.version, revision: change.revision.toString(), actor: change.actor }, 'model change announced');
          await host.reconcile('change');
        },
        { deliver: 'new' },
      );
      await host.reconcile('start');
      models = { host, registry, db };
      if (config.MODEL_RECONCILE_INTERVAL_MS > 0) {
        reconcileTimer = setInterval(() => void host.reconcile('periodic').catch((err: unknown) => logger.warn({ err }, 'periodic registry check failed')), config.MODEL_RECONCILE_INTERVAL_MS);
        reconcileTimer.unref();
      }
      logger.info({ modelDir: config.MODEL_DIR, serving: host.all().map((s) => `${s.name} ${s.version}`) }, 'model registry ready');
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  // With models, each symbol's recent bars are read back from MARKET so they start warm; only
  // bars after that replay are live (forecast, and fed to momentum as before).
  const lookBackMs = config.MODEL_BAR_HISTORY * stepMs;
  for (const symbol of ctx.shard.symbols) {
    let live = models === undefined;
    // Bars are built once, by ingestion, for every consumer (the recorder keeps the same series).
    await bus.follow(
      'MARKET',
      bus.subjects.bars(config.MARKET_VENUE, symbol, interval.token),
      WireBar,
      async (wire) => {
        // The models have already moved past the bar a correction revises: feeding it twice would count it twice.
        if (wire.revision > 0) {
          metrics.revisions.inc();
          return;
        }
        const bar = modelBarOf(wire);
        if (!bar) {
          metrics.invalidBars.inc();
          logger.warn({ symbol, interval: wire.interval, start: wire.startTsNs.toString(), close: wire.close }, 'invalid bar ignored');
          return;
        }
        models?.host.onBar(symbol, bar, wire, live);
        if (!live) return;
        const signal = momentum.onBar(symbol, bar, wire);
        if (!signal) return;
        metrics.score.set({ model: signal.model, symbol }, signal.score);
        await bus.publish(bus.subjects.signal(signal.model, symbol), Signal, signal);
        metrics.published.inc({ model: signal.model });
      },
      models ? { deliver: { startTime: new Date(Date.now() - lookBackMs) }, onCaughtUp: () => (live = true) } : { deliver: 'new' },
    );
  }

  return {
    grpc: [{ name: 'InferenceService', definition: InferenceServiceService, implementation: inferenceGrpc({ ctx, momentum, metrics, stepMs, ...(models ? { models } : {}) }) }],
    stop: async () => {
      clearInterval(reconcileTimer);
    },
    close: async () => {
      await models?.host.close();
      await models?.db.close();
    },
  };
}

export const inferenceService: ServiceDefinition<typeof schema> = { name: 'inference', ports: { http: 9403, grpc: 50403 }, config: schema, start };
