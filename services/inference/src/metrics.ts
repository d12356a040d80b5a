import type { Metrics } from '@meridian/runtime';
import type { BatchObserver } from './batcher';

/** Batch sizes up to PREDICT_BATCH_MAX's ceiling, in powers of two. */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/** The inference service's own metrics (the runtime adds process, bus and readiness metrics). */
export function inferenceMetrics(metrics: Metrics) {
  const batchSize = metrics.histogram({ name: 'inference_batch_size', help: 'Forecasts per onnxruntime run (Predict calls, windows and live bars batched together)', labelNames: ['model'], buckets: BATCH_SIZE_BUCKETS });
  const batchSeconds = metrics.histogram({ name: 'inference_batch_run_seconds', help: 'Time of one batched onnxruntime run, inputs assembled to rows split', labelNames: ['model'] });
  const batchWait = metrics.histogram({ name: 'inference_batch_queue_seconds', help: "Time the oldest forecast of a batch waited for the batch's run to start", labelNames: ['model'] });
  const batchFailures = metrics.counter({ name: 'inference_batch_failures_total', help: 'Batched runs that failed (every caller of the batch got the error)', labelNames: ['model'] });
  return {
    published: metrics.counter({ name: 'signals_published_total', help: 'Signals published', labelNames: ['model'] }),
    score: metrics.gauge({ name: 'signal_score', help: 'Latest signal score in [-1, 1]', labelNames: ['model', 'symbol'] }),
    revisions: metrics.counter({ name: 'inference_bar_revisions_ignored_total', help: 'Corrected bars (revision > 0) not fed to the models again' }),
    invalidBars: metrics.counter({ name: 'inference_invalid_bars_total', help: 'Bars with an unreadable or non-positive price, or repeated, ignored' }),
    forecastFailures: metrics.counter({ name: 'inference_forecast_failures_total', help: 'Live forecasts that failed to run or publish', labelNames: ['model'] }),
    predictRequests: metrics.counter({ name: 'inference_predict_requests_total', help: 'Predict calls by model and outcome (ok, invalid_argument, not_found, unavailable, error)', labelNames: ['model', 'outcome'] }),
    predictInvalid: metrics.counter({ name: 'inference_predict_invalid_total', help: 'Predict calls refused as INVALID_ARGUMENT, by reason', labelNames: ['reason'] }),
    modelInfo: metrics.gauge({ name: 'inference_model_info', help: 'The version each model name is served at on this replica (always 1)', labelNames: ['model', 'version', 'architecture'] }),
    swaps: metrics.counter({ name: 'inference_model_swaps_total', help: 'Versions switched to on this replica (at start, by ActivateModel or by a change on ctl.config.inference)', labelNames: ['model'] }),
    refusals: metrics.counter({ name: 'inference_model_refusals_total', help: 'Model files refused (corrupt, sha256 mismatch, inconsistent or unservable metadata, failed dry run), by stage and error code', labelNames: ['model', 'stage', 'code'] }),
    changePublishFailures: metrics.counter({ name: 'inference_model_change_publish_failures_total', help: 'Activations recorded in the registry whose ctl.config.inference notice could not be published' }),
    batchObserver(model: string): BatchObserver {
      return {
        ran(size, oldestWaitNs, runNs, failed) {
          batchSize.observe({ model }, size);
          batchSeconds.observe({ model }, runNs / 1e9);
          batchWait.observe({ model }, oldestWaitNs / 1e9);
          if (failed) batchFailures.inc({ model });
        },
      };
    },
  };
}

export type InferenceMetrics = ReturnType<typeof inferenceMetrics>;
