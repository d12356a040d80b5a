import type { sendUnaryData, ServerUnaryCall, ServiceError } from '@grpc/grpc-js';
import { PlatformError, nowNanos } from '@meridian/domain';
import { expectedSigmas, scoreOf } from '@meridian/forecasting';
import { InferenceModelChange, ModelVersion, Signal } from '@meridian/proto';
import type { FeatureWindow, InferenceServiceServer, LoadedModel, PredictResponse } from '@meridian/proto';
import { MOMENTUM_MODEL } from '@meridian/signals';
import { Status, grpcError } from '@meridian/runtime';
import type { AdminPrincipal, Logger, ServiceContext } from '@meridian/runtime';
import type { Config } from './config';
import { InvalidModelIdError, InvalidPredictError, ModelAlreadyRegisteredError, ModelNotRegisteredError } from './errors';
import { quantileForecasts } from './forecast';
import type { InferenceMetrics } from './metrics';
import { checkModelId, loadModelFile } from './model-file';
import type { ModelHost } from './model-host';
import type { MomentumSignals } from './momentum';
import type { Actor, ModelRegistry, RegisteredModel } from './registry';
import type { ServedModel, WindowInput } from './served-model';

export interface InferenceGrpcDeps {
  readonly ctx: ServiceContext<Config>;
  readonly momentum: MomentumSignals;
  readonly metrics: InferenceMetrics;
  readonly stepMs: number;
  /** Absent when MODEL_DIR is empty: momentum only. */
  readonly models?: { readonly host: ModelHost; readonly registry: ModelRegistry };
}

const nanos = (d: Date | undefined): bigint => (d ? BigInt(d.getTime()) * 1_000_000n : 0n);

export function modelVersionOf(m: RegisteredModel): ModelVersion {
  return ModelVersion.fromPartial({
    name: m.name,
    version: m.version,
    sha256: m.sha256,
    sizeBytes: BigInt(m.sizeBytes),
    architecture: m.kind,
    featureSpecHash: m.featureSpecHash,
    inputs: m.inputs.map((t) => ({ name: t.name, dims: t.dims.map(String) })),
    outputs: m.outputs.map((t) => ({ name: t.name, dims: t.dims.map(String) })),
    lookback: m.lookback,
    horizon: m.horizon,
    quantiles: [...m.quantiles],
    featureSpecJson: JSON.stringify(m.featureSpec),
    targetScalingJson: JSON.stringify(m.targetScaling),
    registeredBy: m.registeredBy,
    registeredTsNs: nanos(m.registeredAt),
    active: m.active,
    activatedBy: m.activatedBy ?? '',
    activatedTsNs: nanos(m.activatedAt),
  });
}

/**
 * The gRPC status of an error: the request's fault (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS),
 * a model file that fails its checks (FAILED_PRECONDITION, the typed error's code first in the
 * message and in the `error-code` trailer), or the service's (UNAVAILABLE for the database,
 * INTERNAL otherwise).
 */
export function statusOf(err: unknown): ServiceError {
  if (typeof (err as ServiceError)?.code === 'number' && (err as ServiceError).metadata) return err as ServiceError;
  const code =
    err instanceof InvalidPredictError || err instanceof InvalidModelIdError
      ? Status.INVALID_ARGUMENT
      : err instanceof ModelNotRegisteredError
        ? Status.NOT_FOUND
        : err instanceof ModelAlreadyRegisteredError
          ? Status.ALREADY_EXISTS
          : err instanceof PlatformError && !err.code.startsWith('DB_')
            ? Status.FAILED_PRECONDITION
            : err instanceof PlatformError
              ? Status.UNAVAILABLE
              : Status.INTERNAL;
  const errorCode = err instanceof PlatformError ? err.code : 'INTERNAL';
  const e = grpcError(code, `${errorCode}: ${(err as Error)?.message ?? String(err)}`);
  e.metadata.set('error-code', errorCode);
  if (err instanceof InvalidPredictError) e.metadata.set('reason', err.reason);
  return e;
}

/** Checks one explicit window against the model's shapes, as a WindowInput. */
function windowInput(served: ServedModel, w: FeatureWindow, i: number): WindowInput {
  const d = served.descriptor;
  const wantPast = d.lookback * d.pastFeatures;
  const wantFuture = d.horizon * d.futureFeatures;
  const where = `windows[${i}]`;
  if (w.past.length !== wantPast) {
    throw new InvalidPredictError('window_shape', `${where}.past holds ${w.past.length} values; model ${d.name} ${d.version} reads lookback ${d.lookback} × ${d.pastFeatures} past features = ${wantPast}`);
  }
  if (w.future.length !== wantFuture) {
    throw new InvalidPredictError('window_shape', `${where}.future holds ${w.future.length} values; model ${d.name} ${d.version} reads horizon ${d.horizon} × ${d.futureFeatures} known future features = ${wantFuture}`);
  }
  return { past: float32Of(w.past, `${where}.past`), future: float32Of(w.future, `${where}.future`) };
}

/** The values as float32, refusing one that is not finite there (NaN, ±Infinity, or beyond float32's range). */
function float32Of(values: readonly number[], where: string): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = (out[i] = values[i]!);
    // x - x is 0 for every finite number and NaN otherwise: one check for NaN and both infinities.
    if (x - x !== 0) throw new InvalidPredictError('non_finite', `${where}[${i}] is ${values[i]}, not a finite float32`);
  }
  return out;
}

export function inferenceGrpc(deps: InferenceGrpcDeps): InferenceServiceServer {
  const { ctx, momentum, metrics, models } = deps;
  const { config, logger, bus, admin, shard } = ctx;
  const symbols = new Set<string>(shard.symbols);

  const predict = async (symbol: string, modelName: string, windows: readonly FeatureWindow[]): Promise<PredictResponse> => {
    if (modelName === MOMENTUM_MODEL) {
      if (windows.length > 0) throw new InvalidPredictError('windows_for_momentum', `model ${MOMENTUM_MODEL} reads live bars only; windows are for the neural models (${models?.host.names().join(', ') || 'none loaded'})`);
      const signal = momentum.latestOf(symbol);
      if (!signal) throw grpcError(Status.UNAVAILABLE, `no signal yet for ${JSON.stringify(symbol)} (the model warms up over ${config.MOMENTUM_SLOW} bars)`);
      return { signal, forecasts: [] };
    }
    const served = models?.host.model(modelName);
    if (!served) throw grpcError(Status.NOT_FOUND, `unknown model ${JSON.stringify(modelName)}; available: ${[MOMENTUM_MODEL, ...(models?.host.names() ?? [])].join(', ')}`);
    const d = served.descriptor;
    if (windows.length > 0) {
      if (symbol !== '') throw new InvalidPredictError('symbol_and_windows', `give a symbol (live features) or windows (your own inputs), not both: symbol ${JSON.stringify(symbol)} with ${windows.length} windows`);
      if (windows.length > config.PREDICT_MAX_WINDOWS) throw new InvalidPredictError('too_many_windows', `${windows.length} windows; at most ${config.PREDICT_MAX_WINDOWS} per call (PREDICT_MAX_WINDOWS)`);
      const inputs = windows.map((w, i) => windowInput(served, w, i));
      const rows = await Promise.all(inputs.map((x) => served.forecast(x)));
      const tsNs = nowNanos();
      const forecasts = rows.map((row) =>
        Signal.fromPartial({
          model: d.name,
          score: scoreOf(d, row),
          features: { expected_return_sigmas: expectedSigmas(d, row) },
          tsNs,
          modelVersion: d.version,
          architecture: d.kind,
          horizonSteps: d.horizon,
          stepMs: BigInt(deps.stepMs),
          horizonMs: BigInt(d.horizon * deps.stepMs),
          forecasts: quantileForecasts(d, row),
        }),
      );
      return { signal: undefined, forecasts };
    }
    if (symbol === '') throw new InvalidPredictError('no_input', `give a symbol of this replica (${[...symbols].join(', ')}) or windows`);
    if (!symbols.has(symbol)) throw grpcError(Status.NOT_FOUND, `symbol ${JSON.stringify(symbol)} is not served by this replica (${[...symbols].join(', ')})`);
    const live = models!.host.liveInput(modelName, symbol);
    if (!live || !('input' in live)) {
      throw grpcError(Status.UNAVAILABLE, `model ${d.name} ${d.version} is warming up on ${symbol}: ${live && 'missingBars' in live ? live.missingBars : d.lookback} more bars`);
    }
    const row = await served.forecast(live.input);
    return { signal: models!.host.signalOf(served, symbol, live.input, row, String(live.input.lastBar.close)), forecasts: [] };
  };

  const outcomeOf = (err: ServiceError): string =>
    err.code === Status.INVALID_ARGUMENT ? 'invalid_argument' : err.code === Status.NOT_FOUND ? 'not_found' : err.code === Status.UNAVAILABLE ? 'unavailable' : 'error';

  /** The admin principal, or undefined once `callback` has the refusal. */
  const adminCaller = (call: ServerUnaryCall<unknown, unknown>, operation: string, details: Record<string, unknown>, callback: (err: ServiceError) => void): AdminPrincipal | undefined => {
    try {
      return admin.authorize(call, operation, details);
    } catch (err) {
      callback(err as ServiceError);
      return undefined;
    }
  };

  const registryOff = () => grpcError(Status.FAILED_PRECONDITION, 'the model registry is off on this replica (MODEL_DIR is empty): momentum only');

  const answer = <T>(callback: sendUnaryData<T>, work: Promise<T>, onError?: (err: ServiceError) => void) => {
    work.then(
      (res) => callback(null, res),
      (err: unknown) => {
        const status = statusOf(err);
        if (status.code === Status.INTERNAL) logger.error({ err }, 'gRPC call failed');
        onError?.(status);
        callback(status);
      },
    );
  };

  return {
    predict: (call, callback) => {
      const { symbol, windows } = call.request;
      const modelName = call.request.model !== '' ? call.request.model : config.PREDICT_DEFAULT_MODEL;
      answer(
        callback,
        predict(symbol, modelName, windows).then((res) => {
          metrics.predictRequests.inc({ model: modelName, outcome: 'ok' });
          return res;
        }),
        (status) => {
          metrics.predictRequests.inc({ model: modelName, outcome: outcomeOf(status) });
          if (status.code === Status.INVALID_ARGUMENT) metrics.predictInvalid.inc({ reason: reasonOf(status) });
        },
      );
    },

    registerModel: (call, callback) => {
      const { name, version } = call.request;
      const principal = adminCaller(call, 'RegisterModel', { model: name, version }, callback);
      if (!principal) return;
      if (!models) return callback(registryOff());
      const actor: Actor = { name: principal.name, via: principal.via };
      answer(
        callback,
        (async () => {
          let loaded;
          try {
            loaded = await loadModelFile(config.MODEL_DIR, name, version, { intraOpNumThreads: config.ORT_INTRA_OP_THREADS });
            const { model, created } = await models.registry.register(loaded.descriptor, actor);
            logger.info({ model: name, version, sha256: model.sha256, created, actor: actor.name }, created ? 'model version registered' : 'model version already registered');
            return { model: modelVersionOf(model), created };
          } catch (err) {
            if (!(err instanceof PlatformError && err.code.startsWith('DB_'))) await refused(models.registry, metrics, logger, 'register', name, version, actor, err);
            throw err;
          } finally {
            await loaded?.model.dispose();
          }
        })(),
      );
    },

    activateModel: (call, callback) => {
      const { name, version, expectedSha256, reason } = call.request;
      const principal = adminCaller(call, 'ActivateModel', { model: name, version, reason }, callback);
      if (!principal) return;
      if (!models) return callback(registryOff());
      const { host, registry } = models;
      const actor: Actor = { name: principal.name, via: principal.via };
      answer(
        callback,
        host.exclusive(async () => {
          checkModelId(name, version);
          const row = await registry.get(name, version);
          if (expectedSha256 !== '' && expectedSha256.toLowerCase() !== row.sha256) {
            throw grpcError(Status.FAILED_PRECONDITION, `expected_sha256 ${expectedSha256} is not the registered ${row.sha256} of ${name} ${version}`);
          }
          const serving = host.model(name);
          if (row.active && serving?.version === version) {
            const active = (await registry.activeSet()).find((a) => a.model.name === name)!;
            return { model: modelVersionOf(row), previousVersion: version, revision: BigInt(active.revision) };
          }
          let candidate: ServedModel;
          try {
            candidate = await host.prepare(row);
          } catch (err) {
            await refused(registry, metrics, logger, 'activate', name, version, actor, err, serving?.version);
            throw err;
          }
          let recorded;
          try {
            recorded = await registry.activate(name, version, actor, reason);
          } catch (err) {
            await candidate.retire();
            throw err;
          }
          host.commit(candidate);
          const change = InferenceModelChange.fromPartial({
            revision: BigInt(recorded.revision),
            name,
            version,
            sha256: row.sha256,
            previousVersion: recorded.previousVersion ?? '',
            actor: actor.name,
            reason,
            tsNs: nowNanos(),
          });
          try {
            await bus.publish(bus.subjects.config('inference'), InferenceModelChange, change);
          } catch (err) {
            // The registry holds the change: the other replicas load it at their next change or start.
            metrics.changePublishFailures.inc();
            logger.error({ err, model: name, version }, 'activation recorded but ctl.config.inference not published: other replicas load it at the next change or restart');
          }
          return { model: modelVersionOf(recorded.model), previousVersion: recorded.previousVersion ?? '', revision: BigInt(recorded.revision) };
        }),
      );
    },

    listModels: (call, callback) => {
      if (!models) return callback(registryOff());
      answer(
        callback,
        models.registry.list(call.request.name || undefined).then((rows) => ({
          models: rows.map(modelVersionOf),
          loaded: models.host.all().map((s): LoadedModel => ({ name: s.name, version: s.version, sha256: s.descriptor.sha256, loadedTsNs: s.loadedAtNs })),
        })),
      );
    },
  };
}

/** The reason label of an INVALID_ARGUMENT answer (InvalidPredictError's). */
function reasonOf(status: ServiceError): string {
  const reason = status.metadata?.get('reason')[0];
  return typeof reason === 'string' ? reason : 'invalid';
}

/** A refused model file: counted, audited (best effort: the refusal is the answer either way), logged. */
async function refused(registry: ModelRegistry, metrics: InferenceMetrics, logger: Logger, stage: 'register' | 'activate', name: string, version: string, actor: Actor, err: unknown, servingVersion?: string): Promise<void> {
  const code = err instanceof PlatformError ? err.code : 'INTERNAL';
  metrics.refusals.inc({ model: name, stage, code });
  logger.warn({ model: name, version, servingVersion, code, stage, actor: actor.name, err }, `model version refused at ${stage}`);
  await registry
    .audit({ event: stage === 'register' ? 'register_refused' : 'activate_refused', name, version, previousVersion: servingVersion, actor, errorCode: code, detail: (err as Error)?.message ?? String(err) })
    .catch((e: unknown) => logger.error({ err: e }, 'model audit not written'));
}
