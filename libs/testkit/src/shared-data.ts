import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The monorepo root: the nearest directory above this package holding nx.json. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no nx.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/**
 * A path inside the real public market data that sits beside the project (`../shared/data`, see
 * its MANIFEST.md), or inside `MERIDIAN_SHARED_DATA` when set. The data is never committed: tests
 * using it check `existsSync` and skip with a message when it is absent.
 */
export function sharedDataPath(...parts: string[]): string {
  const base = process.env.MERIDIAN_SHARED_DATA ?? resolve(repoRoot(), '..', 'shared', 'data');
  return join(base, ...parts);
}
