import { nowNanos } from '@meridian/domain';
import { Signal } from '@meridian/proto';
import type { Bar as WireBar } from '@meridian/proto';
import { MOMENTUM_MODEL, MomentumModel } from '@meridian/signals';
import type { Bar, MomentumConfig } from '@meridian/signals';

/**
 * The momentum model per symbol (fast/slow EMAs normalised by realised volatility), fed live
 * bars only, and its latest signal per symbol for Predict.
 */
export class MomentumSignals {
  private readonly models = new Map<string, MomentumModel>();
  private readonly latest = new Map<string, Signal>();

  constructor(
    symbols: readonly string[],
    config: MomentumConfig,
    private readonly venue: string,
    /** The horizon the score speaks for: the fast EMA's span. */
    private readonly horizonMs: number,
  ) {
    for (const symbol of symbols) this.models.set(symbol, new MomentumModel(config));
  }

  /** The signal of a live bar, once the model is warm. */
  onBar(symbol: string, bar: Bar, wire: WireBar): Signal | undefined {
    const out = this.models.get(symbol)?.onBar(bar);
    if (!out) return undefined;
    const signal = Signal.fromPartial({
      model: MOMENTUM_MODEL,
      venue: this.venue,
      symbol,
      score: out.score,
      referencePrice: wire.close,
      horizonMs: BigInt(this.horizonMs),
      features: { ...out.features },
      tsNs: nowNanos(),
      originTsNs: wire.endTsNs,
    });
    this.latest.set(symbol, signal);
    return signal;
  }

  latestOf(symbol: string): Signal | undefined {
    return this.latest.get(symbol);
  }
}
