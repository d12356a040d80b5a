import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

/**
 * A credential from `<KEY>` or from the file named by `<KEY>_FILE` (a mounted Kubernetes Secret),
 * trimmed; undefined when neither is set. Setting both is refused. Never logged: only the key's
 * name appears in errors. `source` is the environment or a loaded config holding both keys.
 */
export function readSecret(source: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const fileKey = `${key}_FILE`;
  const file = source[fileKey];
  const value = source[key];
  const hasFile = typeof file === 'string' && file !== '';
  const hasValue = typeof value === 'string' && value !== '';
  if (hasFile && hasValue) throw new ConfigError([`${fileKey}: set either ${key} or ${fileKey}, not both`]);
  if (hasFile) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError([`${fileKey}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
    }
  }
  return hasValue ? value : undefined;
}
