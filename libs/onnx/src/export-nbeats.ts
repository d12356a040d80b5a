import type { NBeatsConfig, NBeatsStack } from '@meridian/models';
import { GraphBuilder } from './builder';
import { BATCH, INPUT_PAST, OUTPUT_FORECAST, finishExport, type ExportableModel, type ExportedModel, type ExportOptions } from './export-common';
import type { TensorRef } from './graph';
import { UnsupportedModelError } from './errors';
import { WeightSet } from './weights';

function thetaSize(stack: NBeatsStack): number {
  if (stack.type === 'generic' && stack.thetaSize !== undefined) return stack.thetaSize;
  if (stack.type === 'trend' && stack.degree !== undefined) return stack.degree + 1;
  if (stack.type === 'seasonality' && stack.harmonics !== undefined) return 2 * stack.harmonics + 1;
  throw new UnsupportedModelError(`nbeats stack of type ${JSON.stringify(stack.type)}`, 'has no theta size (generic: thetaSize, trend: degree, seasonality: harmonics)');
}

/**
 * N-BEATS with the doubly residual stacking: every block is MatMul/Add/ReLU layers, two θ
 * projections and its basis (trainable linear for generic stacks; the fixed polynomial or
 * Fourier matrices, read from the saved constants, for trend and seasonality). Blocks sharing
 * weights read one initializer. Input [batch, lookback, 1], output [batch, horizon, 1].
 */
export function exportNbeats(model: ExportableModel<NBeatsConfig>, options: ExportOptions): ExportedModel {
  const c = model.config;
  const L = c.lookback;
  const H = c.horizon;
  const w = new WeightSet('nbeats', model.getWeights());
  const b = new GraphBuilder(options.name);
  const past = b.input(INPUT_PAST, [BATCH, L, 1]);
  let residual = b.reshape(past, [0, L]);
  let forecast: TensorRef | undefined;
  const total = c.stacks.reduce((n, s) => n + s.blocks, 0);
  let seen = 0;
  c.stacks.forEach((stack, s) => {
    const P = thetaSize(stack);
    for (let k = 0; k < stack.blocks; k++) {
      seen++;
      const pre = `stack${s}.block${stack.shareWeights ? 0 : k}`;
      b.scope(`stack${s}/block${k}`, () => {
        let h = residual;
        let inDim = L;
        for (let l = 0; l < stack.layers; l++) {
          h = b.relu(b.add(b.matMul(h, w.ref(b, `${pre}.fc${l}.kernel`, [inDim, stack.units])), w.ref(b, `${pre}.fc${l}.bias`, [stack.units])));
          inDim = stack.units;
        }
        const generic = stack.type === 'generic';
        const thetaF = b.matMul(h, w.ref(b, `${pre}.theta_f.kernel`, [stack.units, P]));
        const partial = generic
          ? b.add(b.matMul(thetaF, w.ref(b, `${pre}.basis_f.kernel`, [P, H])), w.ref(b, `${pre}.basis_f.bias`, [H]))
          : b.matMul(thetaF, w.ref(b, `${pre}.basis_f`, [P, H]));
        if (seen < total) {
          const thetaB = b.matMul(h, w.ref(b, `${pre}.theta_b.kernel`, [stack.units, P]));
          const backcast = generic
            ? b.add(b.matMul(thetaB, w.ref(b, `${pre}.basis_b.kernel`, [P, L])), w.ref(b, `${pre}.basis_b.bias`, [L]))
            : b.matMul(thetaB, w.ref(b, `${pre}.basis_b`, [P, L]));
          residual = b.sub(residual, backcast);
        } else {
          // The last block's backcast feeds nothing, so the graph leaves it out; its weights are
          // still checked against the config.
          w.data(`${pre}.theta_b.kernel`, [stack.units, P]);
          if (generic) {
            w.data(`${pre}.basis_b.kernel`, [P, L]);
            w.data(`${pre}.basis_b.bias`, [L]);
          } else w.data(`${pre}.basis_b`, [P, L]);
        }
        forecast = forecast === undefined ? partial : b.add(forecast, partial);
      });
    }
  });
  b.output(b.reshape(forecast!, [0, H, 1]), OUTPUT_FORECAST);
  return finishExport(b, w, 'nbeats', c, options);
}
