import { writeFile, rename } from 'node:fs/promises';
import type { ExportedModel } from './export-common';

/** Writes an exported model to `path` through a temporary file, so a reader never sees half a model. */
export async function writeOnnxModel(path: string, model: ExportedModel): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, model.bytes);
  await rename(tmp, path);
}
