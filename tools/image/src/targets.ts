import { posix } from 'node:path';
import { UnknownTargetError } from './errors';
import type { Workspace, WorkspacePackage } from './workspace';

/** What one image runs: the workspace package at the top of its closure and the file node starts. */
export interface ImageTarget {
  /** The `SERVICE` build argument: a directory name under services/, or `bootstrap`. */
  name: string;
  packageName: string;
  packageDir: string;
  /** The entry point, relative to the repository root (and to /app in the image). */
  entry: string;
}

/** The image of the stream/consumer provisioning CLI (shipped as meridian/bootstrap). */
export const BOOTSTRAP_TARGET = 'bootstrap';
const BOOTSTRAP_PACKAGE = '@meridian/platform';
const BOOTSTRAP_ENTRY = 'dist/bootstrap-cli.js';
/** Every service runs as `node services/<name>/dist/main.js`. */
const SERVICES_DIR = 'services';
const SERVICE_ENTRY = 'dist/main.js';

function serviceDirs(ws: Workspace): WorkspacePackage[] {
  return [...ws.packages.values()].filter((p) => posix.dirname(p.dir) === SERVICES_DIR).sort((a, b) => a.dir.localeCompare(b.dir));
}

/** Every target name the workspace offers: its services, then `bootstrap`. */
export function listTargets(ws: Workspace): string[] {
  const names = serviceDirs(ws).map((p) => posix.basename(p.dir));
  if (ws.packages.has(BOOTSTRAP_PACKAGE)) names.push(BOOTSTRAP_TARGET);
  return names;
}

/** Resolves a `SERVICE` value to its package and entry point. */
export function resolveTarget(ws: Workspace, name: string): ImageTarget {
  if (name === BOOTSTRAP_TARGET) {
    const pkg = ws.packages.get(BOOTSTRAP_PACKAGE);
    if (pkg !== undefined) return { name, packageName: pkg.name, packageDir: pkg.dir, entry: posix.join(pkg.dir, BOOTSTRAP_ENTRY) };
  }
  const pkg = serviceDirs(ws).find((p) => posix.basename(p.dir) === name);
  if (pkg === undefined) throw new UnknownTargetError(name, listTargets(ws));
  return { name, packageName: pkg.name, packageDir: pkg.dir, entry: posix.join(pkg.dir, SERVICE_ENTRY) };
}
