import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { LockfileError, UnresolvedDependencyError } from './errors';
import type { PackageManifest } from './workspace';

/** One entry of package-lock.json's `packages`, keyed by its location ("" is the root). */
export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  inBundle?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  workspaces?: string[];
  [field: string]: unknown;
}

/** package-lock.json, lockfileVersion 2 or 3 (only the `packages` section is used). */
export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
  [field: string]: unknown;
}

/** Reads package-lock.json; versions before 2 have no `packages` section and are refused. */
export function readLockfile(path: string): Lockfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LockfileError(path, `cannot read: ${(err as Error).message}`, err);
  }
  const lock = parsed as Partial<Lockfile> | null;
  if (typeof lock !== 'object' || lock === null) throw new LockfileError(path, 'not a JSON object');
  if (lock.lockfileVersion !== 2 && lock.lockfileVersion !== 3) {
    throw new LockfileError(path, `lockfileVersion ${String(lock.lockfileVersion)} is not supported: use npm 7 or newer (lockfileVersion 2 or 3)`);
  }
  if (typeof lock.packages !== 'object' || lock.packages === null || lock.packages[''] === undefined) {
    throw new LockfileError(path, 'has no "packages" section with a root entry');
  }
  return lock as Lockfile;
}

type EdgeKind = 'prod' | 'optional' | 'peer' | 'peerOptional';

/** The edges a production install follows out of one entry (devDependencies never). */
function edgesOf(entry: LockEntry): { name: string; kind: EdgeKind }[] {
  const edges = new Map<string, EdgeKind>();
  for (const name of Object.keys(entry.dependencies ?? {})) edges.set(name, 'prod');
  for (const name of Object.keys(entry.optionalDependencies ?? {})) edges.set(name, 'optional');
  for (const name of Object.keys(entry.peerDependencies ?? {})) {
    if (!edges.has(name)) edges.set(name, entry.peerDependenciesMeta?.[name]?.optional === true ? 'peerOptional' : 'peer');
  }
  return [...edges].map(([name, kind]) => ({ name, kind }));
}

/**
 * Where `name` is found when required from the package at `from`, by Node's lookup: `from`'s own
 * node_modules, then each ancestor directory's (never `node_modules/node_modules`), up to the root.
 */
export function resolveLocation(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    if (posix.basename(dir) !== 'node_modules') {
      const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
      if (packages[candidate] !== undefined) return candidate;
    }
    if (dir === '') return undefined;
    const up = posix.dirname(dir);
    dir = up === '.' ? '' : up;
  }
}

/** Locations reachable from `starts` along the edge kinds `follow` accepts (links followed to their targets). */
function reach(lock: Lockfile, path: string, starts: readonly string[], follow: ReadonlySet<EdgeKind>): Set<string> {
  const packages = lock.packages;
  const seen = new Set<string>(starts);
  const expanded = new Set<string>(starts);
  const queue = [...starts];
  for (let loc = queue.shift(); loc !== undefined; loc = queue.shift()) {
    const entry = packages[loc];
    if (entry === undefined) throw new LockfileError(path, `has no entry for ${loc}: run npm install`);
    for (const edge of edgesOf(entry)) {
      if (!follow.has(edge.kind)) continue;
      const at = resolveLocation(packages, loc, edge.name);
      if (at === undefined) {
        // An optional dependency may be absent (npm leaves out what a platform cannot install).
        if (edge.kind === 'prod' || edge.kind === 'peer') throw new UnresolvedDependencyError(loc, edge.name);
        continue;
      }
      const found = packages[at]!;
      const real = found.link === true ? found.resolved : at;
      if (real === undefined) throw new LockfileError(path, `link ${at} has no "resolved" target`);
      seen.add(at);
      if (!expanded.has(real)) {
        expanded.add(real);
        seen.add(real);
        queue.push(real);
      }
    }
  }
  return seen;
}

/** The workspace entry of the lockfile must declare the same production dependencies as its package.json. */
export function assertWorkspaceInSync(lock: Lockfile, path: string, dir: string, manifest: PackageManifest): void {
  const entry = lock.packages[dir];
  if (entry === undefined) throw new LockfileError(path, `has no entry for workspace ${dir}: run npm install`);
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
    const want = manifest[field] ?? {};
    const have = entry[field] ?? {};
    const names = new Set([...Object.keys(want), ...Object.keys(have)]);
    for (const name of names) {
      if (want[name] !== have[name]) {
        throw new LockfileError(
          path,
          `is out of date for ${dir}: ${field}.${name} is ${JSON.stringify(want[name])} in package.json but ${JSON.stringify(have[name])} in the lockfile; run npm install`,
        );
      }
    }
  }
}

/** The flags npm derives from the tree's shape; recomputed for the pruned tree. */
const FLAGS = ['dev', 'optional', 'devOptional', 'peer'] as const;

function without(entry: LockEntry, keys: readonly string[]): LockEntry {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !keys.includes(k))) as LockEntry;
}

export interface PruneLockfileOptions {
  /** Directories of the workspace packages the image holds (the closure). */
  workspaceDirs: readonly string[];
  /** The root entry of the pruned lockfile; must match the root package.json written beside it. */
  root: LockEntry;
  /** For error messages. */
  path: string;
}

export interface PrunedLockfile {
  lockfile: Lockfile;
  /** Locations of the registry packages kept (no root, workspace or link entries). */
  installed: string[];
}

/**
 * The lockfile a production install of the workspace closure needs, and nothing else: entries
 * reachable from the closure's dependencies, optionalDependencies and peerDependencies by Node's
 * lookup, with the `dev`/`optional`/`peer` flags recomputed for the smaller tree (nothing is dev),
 * workspace entries without their devDependencies, and the link of each closure package.
 */
export function pruneLockfile(lock: Lockfile, options: PruneLockfileOptions): PrunedLockfile {
  const { workspaceDirs, root, path } = options;
  const all = reach(lock, path, workspaceDirs, new Set<EdgeKind>(['prod', 'optional', 'peer']));
  const required = reach(lock, path, workspaceDirs, new Set<EdgeKind>(['prod', 'peer']));
  const nonPeer = reach(lock, path, workspaceDirs, new Set<EdgeKind>(['prod', 'optional']));
  const inClosure = new Set(workspaceDirs);

  const packages: Record<string, LockEntry> = { '': root };
  const installed: string[] = [];
  for (const [loc, entry] of Object.entries(lock.packages)) {
    if (loc === '') continue;
    if (inClosure.has(loc)) {
      packages[loc] = without(entry, [...FLAGS, 'devDependencies']);
      continue;
    }
    if (entry.link === true) {
      if (entry.resolved !== undefined && inClosure.has(entry.resolved)) {
        packages[loc] = { resolved: entry.resolved, link: true };
      } else if (all.has(loc)) {
        throw new LockfileError(path, `${loc} links to ${String(entry.resolved)}, which is not a workspace package of the image`);
      }
      continue;
    }
    if (!all.has(loc)) continue;
    const flagged = without(entry, FLAGS);
    if (!nonPeer.has(loc)) flagged.peer = true;
    if (!required.has(loc)) flagged.optional = true;
    packages[loc] = flagged;
    installed.push(loc);
  }
  for (const dir of workspaceDirs) if (packages[dir] === undefined) throw new LockfileError(path, `has no entry for workspace ${dir}: run npm install`);
  return {
    lockfile: { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages },
    installed,
  };
}

/** The package name a lockfile location installs: the part after its last `node_modules/`. */
export function packageNameAt(location: string): string {
  const i = location.lastIndexOf('node_modules/');
  return i === -1 ? location : location.slice(i + 'node_modules/'.length);
}
