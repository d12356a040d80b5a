import { PlatformError, nowNanos } from '@meridian/domain';
import { BarWindow, expectedSigmas, scoreOf } from '@meridian/forecasting';
import type { BarWindowInput } from '@meridian/forecasting';
import { Signal } from '@meridian/proto';
import type { Bar as WireBar } from '@meridian/proto';
import type { Bar } from '@meridian/signals';
import type { Logger } from '@meridian/runtime';
import { BarHistory } from './bars';
import { quantileForecasts } from './forecast';
import type { InferenceMetrics } from './metrics';
import { loadModelFile } from './model-file';
import type { ActiveModel, ModelRegistry, RegisteredModel } from './registry';
import { ServedModel } from './served-model';
import type { BatchSettings } from './served-model';

export interface ModelHostOptions {
  readonly modelDir: string;
  readonly intraOpNumThreads: number;
  readonly batch: BatchSettings;
  readonly historyBars: number;
  readonly symbols: readonly string[];
  readonly venue: string;
  /** Length of one bar, ms: one forecast step. */
  readonly stepMs: number;
  readonly registry: ModelRegistry;
  readonly logger: Logger;
  readonly metrics: InferenceMetrics;
  readonly publish: (signal: Signal) => Promise<void>;
}

/** Why a swap happened, for the metrics and the audit. */
export type LoadStage = 'start' | 'activate' | 'change' | 'periodic';

/** The live input of a symbol, or how many bars it still needs. */
export type LiveInputResult = { readonly input: BarWindowInput } | { readonly missingBars: number };

/**
 * The neural models this replica serves: one ServedModel per name (the registry's active
 * version), its live window per symbol of the shard, and each symbol's recent bars. A new version
 * is loaded and checked beside the old one (`prepare`), and only then switched to (`commit`):
 * its windows are rebuilt from the recent bars at that moment, so it forecasts on the next bar,
 * and the old version answers what was already queued for it before its session is released.
 * Loads run one at a time.
 */
export class ModelHost {
  private readonly served = new Map<string, ServedModel>();
  private readonly windows = new Map<ServedModel, Map<string, BarWindow>>();
  private readonly history = new Map<string, BarHistory>();
  private serial: Promise<unknown> = Promise.resolve();
  /** `name version` refused on this replica: the periodic reconcile does not try them again (a change or a restart does). */
  private readonly refused = new Set<string>();

  constructor(private readonly o: ModelHostOptions) {
    for (const symbol of o.symbols) this.history.set(symbol, new BarHistory(o.historyBars));
  }

  model(name: string): ServedModel | undefined {
    return this.served.get(name);
  }

  names(): string[] {
    return [...this.served.keys()];
  }

  all(): ServedModel[] {
    return [...this.served.values()];
  }

  /** Runs `f` after every load started before it: one load (and its switch) at a time. */
  exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.serial.then(f, f);
    this.serial = run.catch(() => undefined);
    return run;
  }

  /** Loads a registered version and checks it against its row (sha256, metadata, shapes, dry run); not yet served. */
  async prepare(row: RegisteredModel): Promise<ServedModel> {
    const { model, descriptor } = await loadModelFile(this.o.modelDir, row.name, row.version, { intraOpNumThreads: this.o.intraOpNumThreads, expected: row });
    return new ServedModel(descriptor, model, this.o.batch, this.o.metrics.batchObserver(row.name));
  }

  /** Switches the name to `candidate`, its windows warmed from the recent bars; the old version is retired behind it. */
  commit(candidate: ServedModel): ServedModel | undefined {
    const windows = new Map<string, BarWindow>();
    for (const [symbol, bars] of this.history) {
      const w = new BarWindow(candidate.descriptor);
      for (const bar of bars) w.push(bar);
      windows.set(symbol, w);
    }
    const previous = this.served.get(candidate.name);
    this.windows.set(candidate, windows);
    this.served.set(candidate.name, candidate);
    const { modelInfo, swaps } = this.o.metrics;
    if (previous) {
      modelInfo.remove({ model: previous.name, version: previous.version, architecture: previous.descriptor.kind });
      this.windows.delete(previous);
      void previous.retire().catch((err: unknown) => this.o.logger.error({ err, model: previous.name, version: previous.version }, 'releasing a retired model failed'));
    }
    modelInfo.set({ model: candidate.name, version: candidate.version, architecture: candidate.descriptor.kind }, 1);
    swaps.inc({ model: candidate.name });
    const warm = [...windows.values()].filter((w) => w.ready).length;
    this.o.logger.info({ model: candidate.name, version: candidate.version, previousVersion: previous?.version, sha256: candidate.descriptor.sha256, warmSymbols: warm, symbols: windows.size }, 'model version serving');
    return previous;
  }

  /**
   * Loads the registry's active version of every name this replica does not serve at that
   * version. A version that fails its checks is refused (counted, audited, logged) and the name
   * keeps its current version, if any.
   */
  reconcile(stage: LoadStage): Promise<void> {
    return this.exclusive(async () => {
      const active = await this.o.registry.activeSet();
      if (stage !== 'periodic') this.refused.clear();
      for (const a of active) {
        if (this.served.get(a.model.name)?.version === a.model.version) continue;
        if (this.refused.has(`${a.model.name} ${a.model.version}`)) continue;
        await this.loadActive(a, stage);
      }
    });
  }

  private async loadActive(a: ActiveModel, stage: LoadStage): Promise<void> {
    const { name, version } = a.model;
    const previous = this.served.get(name);
    const actor = { name: 'replica', via: '' };
    let candidate: ServedModel;
    try {
      candidate = await this.prepare(a.model);
    } catch (err) {
      const code = err instanceof PlatformError ? err.code : 'INTERNAL';
      this.refused.add(`${name} ${version}`);
      this.o.metrics.refusals.inc({ model: name, stage, code });
      this.o.logger.error({ err, model: name, version, servingVersion: previous?.version, code, stage }, 'active model version refused: the version served before keeps serving');
      await this.o.registry.audit({ event: 'load_refused', name, version, previousVersion: previous?.version, actor, errorCode: code, detail: (err as Error).message }).catch((e: unknown) => this.o.logger.error({ err: e }, 'model audit not written'));
      return;
    }
    this.commit(candidate);
    await this.o.registry.audit({ event: 'loaded', name, version, previousVersion: previous?.version, actor, detail: `revision ${a.revision}, ${stage}` }).catch((e: unknown) => this.o.logger.error({ err: e }, 'model audit not written'));
  }

  /**
   * One bar of a symbol (revision 0, in time order): kept in the recent bars and fed to every
   * served model's window; when `live`, each full window is forecast and published.
   */
  onBar(symbol: string, bar: Bar, wire: WireBar, live: boolean): void {
    const history = this.history.get(symbol);
    if (!history) return;
    if (bar.startMs <= (history.last?.startMs ?? Number.NEGATIVE_INFINITY)) {
      this.o.metrics.invalidBars.inc();
      return;
    }
    history.push(bar);
    for (const served of this.served.values()) {
      const w = this.windows.get(served)?.get(symbol);
      if (!w) continue;
      let full: boolean;
      try {
        full = w.push(bar);
      } catch (err) {
        // The pipeline refused the bar before taking it (libs/signals' contract): skip it for this model only.
        this.o.metrics.invalidBars.inc();
        this.o.logger.warn({ err, model: served.name, symbol, startMs: bar.startMs }, 'bar refused by the feature pipeline');
        continue;
      }
      if (!full || !live) continue;
      const input = w.input()!;
      void served.forecast(input).then(
        (row) => this.publishForecast(served, symbol, input, row, wire),
        (err: unknown) => {
          this.o.metrics.forecastFailures.inc({ model: served.name });
          this.o.logger.error({ err, model: served.name, version: served.version, symbol }, 'live forecast failed');
        },
      );
    }
  }

  liveInput(name: string, symbol: string): LiveInputResult | undefined {
    const served = this.served.get(name);
    const w = served && this.windows.get(served)?.get(symbol);
    if (!w) return undefined;
    const input = w.input();
    return input ? { input } : { missingBars: w.missingBars };
  }

  /** The signal of one forecast from live features. */
  signalOf(served: ServedModel, symbol: string, input: BarWindowInput, row: Float32Array, referencePrice: string): Signal {
    const d = served.descriptor;
    const sigmas = expectedSigmas(d, row);
    return Signal.fromPartial({
      model: d.name,
      venue: this.o.venue,
      symbol,
      score: scoreOf(d, row),
      referencePrice,
      horizonMs: BigInt(d.horizon * this.o.stepMs),
      features: { expected_return_sigmas: sigmas, expected_log_return: sigmas * d.targetScale },
      tsNs: nowNanos(),
      modelVersion: d.version,
      architecture: d.kind,
      horizonSteps: d.horizon,
      stepMs: BigInt(this.o.stepMs),
      forecasts: quantileForecasts(d, row, { logClose: input.originLogClose }),
      originTsNs: BigInt(input.lastBar.endMs) * 1_000_000n,
    });
  }

  private async publishForecast(served: ServedModel, symbol: string, input: BarWindowInput, row: Float32Array, wire: WireBar): Promise<void> {
    const signal = this.signalOf(served, symbol, input, row, wire.close);
    try {
      await this.o.publish(signal);
      this.o.metrics.published.inc({ model: served.name });
      this.o.metrics.score.set({ model: served.name, symbol }, signal.score);
    } catch (err) {
      this.o.metrics.forecastFailures.inc({ model: served.name });
      this.o.logger.error({ err, model: served.name, version: served.version, symbol }, 'forecast not published');
    }
  }

  /** Releases every session once its queued forecasts are answered. */
  async close(): Promise<void> {
    const all = [...this.served.values()];
    this.served.clear();
    this.windows.clear();
    await Promise.all(all.map((s) => s.retire()));
  }
}
