import { Decimal, nowNanos } from '@meridian/domain';
import { InferenceServiceService, Signal, TradeBatch } from '@meridian/proto';
import type { InferenceServiceServer } from '@meridian/proto';
import { MOMENTUM_MODEL, MomentumModel, TimeBarBuilder } from '@meridian/signals';
import type { Bar } from '@meridian/signals';
import { Status, field, grpcError, runService } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, ServiceContext } from '@meridian/runtime';

const schema = {
  MARKET_VENUE: field.string('Market-data venue whose trades feed the models', 'sim'),
  BAR_INTERVAL_MS: field.int('Time-bar length the momentum model reads, ms', 1_000, { min: 10 }),
  MOMENTUM_FAST: field.int('Fast EMA period, bars', 8, { min: 1 }),
  MOMENTUM_SLOW: field.int('Slow EMA period, bars', 32, { min: 2 }),
  MOMENTUM_VOL: field.int('Volatility window, bars', 32, { min: 2 }),
};
type Config = ConfigOf<typeof schema & BaseSchema>;

async function start(ctx: ServiceContext<Config>) {
  const { bus, config, logger, metrics } = ctx;
  if (config.MOMENTUM_FAST >= config.MOMENTUM_SLOW) {
    throw new Error(`MOMENTUM_FAST (${config.MOMENTUM_FAST}) must be smaller than MOMENTUM_SLOW (${config.MOMENTUM_SLOW})`);
  }
  const published = metrics.counter({ name: 'signals_published_total', help: 'Signals published', labelNames: ['model'] });
  const scoreGauge = metrics.gauge({ name: 'signal_score', help: 'Latest signal score in [-1, 1]', labelNames: ['model', 'symbol'] });
  const invalidTrades = metrics.counter({ name: 'inference_invalid_trades_total', help: 'Trades with a non-positive or unreadable price or size, ignored' });
  const lateTrades = metrics.counter({ name: 'inference_late_trades_total', help: 'Trades older than the bar being built, ignored' });

  const latest = new Map<string, Signal>();
  for (const symbol of ctx.shard.symbols) {
    const bars = new TimeBarBuilder(config.BAR_INTERVAL_MS);
    const model = new MomentumModel({ fastPeriod: config.MOMENTUM_FAST, slowPeriod: config.MOMENTUM_SLOW, volPeriod: config.MOMENTUM_VOL });
    let lastPrice = '';
    let late = 0;
    const onBar = async (bar: Bar): Promise<void> => {
      const out = model.onBar(bar);
      if (!out) return;
      const signal = Signal.fromPartial({
        model: MOMENTUM_MODEL,
        venue: config.MARKET_VENUE,
        symbol,
        score: out.score,
        referencePrice: lastPrice,
        horizonMs: BigInt(config.BAR_INTERVAL_MS * config.MOMENTUM_FAST),
        features: { ...out.features },
        tsNs: nowNanos(),
      });
      latest.set(symbol, signal);
      scoreGauge.set({ model: MOMENTUM_MODEL, symbol }, out.score);
      await bus.publish(bus.subjects.signal(MOMENTUM_MODEL, symbol), Signal, signal);
      published.inc({ model: MOMENTUM_MODEL });
    };
    await bus.follow(
      'MARKET',
      bus.subjects.marketData(config.MARKET_VENUE, symbol, 'trades'),
      TradeBatch,
      async (batch) => {
        for (const t of batch.trades) {
          const price = Number(t.price);
          const size = Number(t.size);
          if (!(price > 0) || !(size > 0)) {
            // One bad trade must not cost the rest of its batch.
            invalidTrades.inc();
            logger.warn({ symbol, tradeId: t.tradeId, price: t.price, size: t.size }, 'invalid trade ignored');
            continue;
          }
          lastPrice = Decimal.parse(t.price).toString();
          const closed = bars.addTrade(price, size, Number(t.tsNs / 1_000_000n));
          if (bars.lateTrades !== late) {
            lateTrades.inc(bars.lateTrades - late);
            late = bars.lateTrades;
          }
          for (const bar of closed) await onBar(bar);
        }
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
