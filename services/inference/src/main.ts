import { nowNanos } from '@meridian/domain';
import { Bar as WireBar, InferenceServiceService, Signal } from '@meridian/proto';
import type { InferenceServiceServer } from '@meridian/proto';
import { MOMENTUM_MODEL, MomentumModel, parseBarInterval } from '@meridian/signals';
import type { Bar } from '@meridian/signals';
import { ConfigError, Status, field, grpcError, runService } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, Field, ServiceContext } from '@meridian/runtime';

const schema = {
  MARKET_VENUE: field.string('Market-data venue whose bars feed the models', 'sim'),
  BAR_INTERVAL: {
    doc: 'Interval of the time bars (published by ingestion) the momentum model reads: 100ms, 1s, 1m…',
    default: '1s',
    parse: (raw: string) => {
      const interval = parseBarInterval(raw);
      if (interval.kind !== 'time') throw new Error(`${raw} is a volume bar; the momentum model reads time bars`);
      return interval.token;
    },
  } satisfies Field<string>,
  MOMENTUM_FAST: field.int('Fast EMA period, bars', 8, { min: 1 }),
  MOMENTUM_SLOW: field.int('Slow EMA period, bars', 32, { min: 2 }),
  MOMENTUM_VOL: field.int('Volatility window, bars', 32, { min: 2 }),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

/** The model's floating-point view of a wire bar (statistics, not money), or undefined when unreadable. */
function modelBarOf(b: WireBar): Bar | undefined {
  const [open, high, low, close, volume] = [b.open, b.high, b.low, b.close, b.volume].map(Number) as [number, number, number, number, number];
  if (!(open > 0 && high > 0 && low > 0 && close > 0 && volume >= 0)) return undefined;
  return {
    startMs: Number(b.startTsNs / 1_000_000n),
    endMs: Number(b.endTsNs / 1_000_000n),
    open,
    high,
    low,
    close,
    volume,
    trades: Number(b.tradeCount),
  };
}

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics } = ctx;
  if (config.MOMENTUM_FAST >= config.MOMENTUM_SLOW) {
    throw new ConfigError([`MOMENTUM_FAST: ${config.MOMENTUM_FAST} must be smaller than MOMENTUM_SLOW (${config.MOMENTUM_SLOW})`]);
  }
  const interval = parseBarInterval(config.BAR_INTERVAL);
  const intervalMs = interval.kind === 'time' ? Number(interval.ns / 1_000_000n) : 0;
  const published = metrics.counter({ name: 'signals_published_total', help: 'Signals published', labelNames: ['model'] });
  const scoreGauge = metrics.gauge({ name: 'signal_score', help: 'Latest signal score in [-1, 1]', labelNames: ['model', 'symbol'] });
  const revisions = metrics.counter({ name: 'inference_bar_revisions_ignored_total', help: 'Corrected bars (revision > 0) not fed to the model again' });
  const invalidBars = metrics.counter({ name: 'inference_invalid_bars_total', help: 'Bars with an unreadable or non-positive price, ignored' });

  const latest = new Map<string, Signal>();
  for (const symbol of ctx.shard.symbols) {
    const model = new MomentumModel({ fastPeriod: config.MOMENTUM_FAST, slowPeriod: config.MOMENTUM_SLOW, volPeriod: config.MOMENTUM_VOL });
    // Bars are built once, by ingestion, for every consumer (the recorder keeps the same series).
    await bus.follow(
      'MARKET',
      bus.subjects.bars(config.MARKET_VENUE, symbol, interval.token),
      WireBar,
      async (wire) => {
        // The model has already moved past the bar a correction revises: feeding it twice would count it twice.
        if (wire.revision > 0) {
          revisions.inc();
          return;
        }
        const bar = modelBarOf(wire);
        if (!bar) {
          invalidBars.inc();
          logger.warn({ symbol, interval: wire.interval, start: wire.startTsNs.toString(), close: wire.close }, 'invalid bar ignored');
          return;
        }
        const out = model.onBar(bar);
        if (!out) return;
        const signal = Signal.fromPartial({
          model: MOMENTUM_MODEL,
          venue: config.MARKET_VENUE,
          symbol,
          score: out.score,
          referencePrice: wire.close,
          horizonMs: BigInt(intervalMs * config.MOMENTUM_FAST),
          features: { ...out.features },
          tsNs: nowNanos(),
        });
        latest.set(symbol, signal);
        scoreGauge.set({ model: MOMENTUM_MODEL, symbol }, out.score);
        await bus.publish(bus.subjects.signal(MOMENTUM_MODEL, symbol), Signal, signal);
        published.inc({ model: MOMENTUM_MODEL });
      },
      { deliver: 'new' },
    );
  }

  const grpcImpl: InferenceServiceServer = {
    predict: (call, callback) => {
      const { symbol, model } = call.request;
      if (model !== '' && model !== MOMENTUM_MODEL) {
        callback(grpcError(Status.NOT_FOUND, `unknown model ${JSON.stringify(model)}; available: ${MOMENTUM_MODEL}`));
        return;
      }
      const signal = latest.get(symbol);
      if (!signal) {
        callback(
          grpcError(
            Status.UNAVAILABLE,
            `no signal yet for ${JSON.stringify(symbol)} (the model warms up over ${config.MOMENTUM_SLOW} bars)`,
          ),
        );
        return;
      }
      callback(null, { signal });
    },
  };
  return {
    grpc: [{ name: 'InferenceService', definition: InferenceServiceService, implementation: grpcImpl }],
    stop: async () => undefined,
  };
}

runService({ name: 'inference', ports: { http: 9403, grpc: 50403 }, config: schema, start });
