import type { LstmConfig } from '@meridian/models';
import { GraphBuilder } from './builder';
import { dense, lstm } from './blocks';
import { BATCH, INPUT_PAST, OUTPUT_FORECAST, finishExport, type ExportableModel, type ExportedModel, type ExportOptions } from './export-common';
import { WeightSet } from './weights';

/**
 * The stacked LSTM forecaster: each layer is one ONNX LSTM operator over [lookback, batch, in]
 * (weights reordered from tfjs's gates i, f, g, o to ONNX's i, o, f, c), the last hidden state
 * goes through the optional ReLU layer and the output layer, reshaped to [batch, horizon, Q].
 */
export function exportLstm(model: ExportableModel<LstmConfig>, options: ExportOptions): ExportedModel {
  const c = model.config;
  const Q = Math.max(1, c.quantiles.length);
  const w = new WeightSet('lstm', model.getWeights());
  const b = new GraphBuilder(options.name);
  const past = b.input(INPUT_PAST, [BATCH, c.lookback, c.pastFeatures]);
  let seq = b.transpose(past, [1, 0, 2]);
  let inDim = c.pastFeatures;
  let last = seq;
  c.hiddenSizes.forEach((n, k) => {
    const out = lstm(
      b,
      `lstm${k}`,
      seq,
      {
        kernel: w.data(`lstm${k}.kernel`, [inDim, 4 * n]),
        recurrentKernel: w.data(`lstm${k}.recurrent`, [n, 4 * n]),
        bias: w.data(`lstm${k}.bias`, [4 * n]),
      },
      { inputSize: inDim, units: n, recurrentActivation: 'sigmoid' },
    );
    seq = out.sequence;
    last = out.lastHidden;
    inDim = n;
  });
  let h = last;
  if (c.headUnits > 0) {
    h = b.relu(dense(b, 'head.hidden', h, { kernel: w.data('head.hidden.kernel', [inDim, c.headUnits]), bias: w.data('head.hidden.bias', [c.headUnits]) }, inDim, c.headUnits));
    inDim = c.headUnits;
  }
  const y = dense(b, 'head.out', h, { kernel: w.data('head.out.kernel', [inDim, c.horizon * Q]), bias: w.data('head.out.bias', [c.horizon * Q]) }, inDim, c.horizon * Q);
  b.output(b.reshape(y, [0, c.horizon, Q]), OUTPUT_FORECAST);
  return finishExport(b, w, 'lstm', c, options);
}
