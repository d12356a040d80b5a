import { InvalidTrainingConfigError } from './errors';
import type { ModelIO } from './model';
import { tf } from './tf';

/**
 * Loss of a point forecast (models without quantile outputs). Quantile models always use the
 * pinball loss. `mase`: the absolute error times each window's weight (Batch.weight: the window
 * scale over the history's mean absolute seasonal difference), i.e. the MASE of the window, one
 * of the N-BEATS paper's three training losses; without a dataset season it equals `mae`.
 */
export type PointLoss = 'mse' | 'mae' | 'smape' | 'mase';
export const POINT_LOSSES: readonly PointLoss[] = ['mse', 'mae', 'smape', 'mase'];

/**
 * Pinball (quantile) loss, the TFT paper's QL: for level q and error e = y − ŷ_q,
 * max(q·e, (q − 1)·e), averaged over the batch, the steps and the levels.
 * prediction [B, H, Q], target [B, H].
 */
export function pinballLoss(prediction: tf.Tensor3D, target: tf.Tensor2D, levels: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.tensor1d([...levels]);
    const e = tf.sub(target.expandDims(2), prediction);
    return tf.mean(tf.maximum(tf.mul(q, e), tf.mul(tf.sub(q, 1), e))) as tf.Scalar;
  });
}

/** Symmetric MAPE as a loss, 2|y − ŷ| / (|y| + |ŷ|), on the scaled values (M4's sMAPE / 100). */
export function smapeLoss(prediction: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const denom = tf.add(tf.add(tf.abs(target), tf.abs(prediction)), 1e-8);
    return tf.mean(tf.div(tf.mul(2, tf.abs(tf.sub(target, prediction))), denom)) as tf.Scalar;
  });
}

/** The loss a model trains on: pinball for quantile outputs, the chosen point loss otherwise. */
export function forecastLoss(io: ModelIO, prediction: tf.Tensor3D, target: tf.Tensor2D, pointLoss: PointLoss, weight?: tf.Tensor1D): tf.Scalar {
  if (io.quantiles.length > 0) return pinballLoss(prediction, target, io.quantiles);
  return tf.tidy(() => {
    const y = prediction.reshape([prediction.shape[0], prediction.shape[1]]) as tf.Tensor2D;
    switch (pointLoss) {
      case 'mse':
        return tf.mean(tf.square(tf.sub(target, y))) as tf.Scalar;
      case 'mae':
        return tf.mean(tf.abs(tf.sub(target, y))) as tf.Scalar;
      case 'smape':
        return smapeLoss(y, target);
      case 'mase': {
        const abs = tf.abs(tf.sub(target, y));
        return tf.mean(weight ? tf.mul(abs, weight.expandDims(1)) : abs) as tf.Scalar;
      }
      default:
        throw new InvalidTrainingConfigError('loss', pointLoss, `must be one of ${POINT_LOSSES.join(', ')}`);
    }
  });
}
