import type { LstmConfig, NBeatsConfig, TftConfig } from '@meridian/models';
import { UnsupportedModelError } from './errors';
import type { ExportableModel, ExportedModel, ExportOptions } from './export-common';
import { exportLstm } from './export-lstm';
import { exportNbeats } from './export-nbeats';
import { exportTft } from './export-tft';

/** Exports any libs/models forecaster by its `kind`. */
export function exportModel(model: ExportableModel<unknown>, options: ExportOptions): ExportedModel {
  const kind = (model.config as { kind?: unknown } | null)?.kind;
  if (kind !== model.kind) throw new UnsupportedModelError(`model of kind ${JSON.stringify(model.kind)}`, `its config says kind ${JSON.stringify(kind)}`);
  switch (model.kind) {
    case 'lstm':
      return exportLstm(model as ExportableModel<LstmConfig>, options);
    case 'nbeats':
      return exportNbeats(model as ExportableModel<NBeatsConfig>, options);
    case 'tft':
      return exportTft(model as ExportableModel<TftConfig>, options);
    default:
      throw new UnsupportedModelError(`model of kind ${JSON.stringify(model.kind)}`, 'has no exporter (lstm, nbeats, tft)');
  }
}
