import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceClosure } from './closure';
import { NotBuiltError } from './errors';
import { assertWorkspaceInSync, packageNameAt, pruneLockfile, readLockfile } from './lockfile';
import type { LockEntry, Lockfile } from './lockfile';
import { assertRuntimeFilesDeclared, runtimeFiles } from './runtime-files';
import { resolveTarget } from './targets';
import type { ImageTarget } from './targets';
import { loadWorkspace, productionManifest } from './workspace';
import type { PackageManifest } from './workspace';

/** One workspace package as the image holds it. */
export interface ImagePackage {
  name: string;
  dir: string;
  /** Its package.json without devDependencies. */
  manifest: PackageManifest;
  /** Top-level paths copied beside the manifest (`files`, default `dist`). */
  files: string[];
}

/** Everything one image holds, computed from the monorepo without writing anything. */
export interface ImagePlan {
  root: string;
  target: ImageTarget;
  /** The closure, sorted by directory. */
  packages: ImagePackage[];
  /** The image's root package.json: only the closure as workspaces, `main` = the entry point. */
  rootManifest: PackageManifest;
  lockfile: Lockfile;
  /** Lockfile locations of the registry packages a production install puts in node_modules. */
  installed: string[];
  /** How many registry packages the monorepo's lockfile holds, for comparison. */
  sourceInstalled: number;
  /** The root .npmrc, if there is one. */
  npmrc: string | undefined;
}

function definedOnly<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Keeps the entries of a name-keyed map (`overrides`, `allowScripts`) that name an installed package. */
function forInstalled<V>(map: Record<string, V> | undefined, names: ReadonlySet<string>): Record<string, V> | undefined {
  if (map === undefined) return undefined;
  const kept = Object.entries(map).filter(([key]) => {
    const at = key.lastIndexOf('@');
    return names.has(at > 0 ? key.slice(0, at) : key);
  });
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

/** The root package.json of the image (its lockfile's root entry must agree with it). */
function imageRootManifest(source: PackageManifest, target: ImageTarget, dirs: string[]): PackageManifest {
  return definedOnly({
    name: `${source.name ?? 'app'}-${target.name}`,
    version: source.version,
    private: true,
    description: `${target.packageName} as its container image holds it; written by meridian-prune, do not edit`,
    license: source.license,
    // `node /app` starts the entry point: the Dockerfile's CMD is the same for every image.
    main: target.entry,
    scripts: { start: `node ${target.entry}` },
    engines: source.engines,
    workspaces: dirs,
  });
}

function rootLockEntry(manifest: PackageManifest): LockEntry {
  return definedOnly({
    name: manifest.name,
    version: manifest.version,
    license: manifest.license,
    workspaces: manifest.workspaces as string[],
    engines: manifest.engines,
  });
}

/**
 * Plans the image of one target (`risk`, `bootstrap`, ...): its workspace closure, the files
 * each package ships, the root manifest and the pruned lockfile. Fails, naming the package, if
 * something is not built, a runtime file is not declared, or the lockfile is out of date.
 */
export function planImage(root: string, targetName: string): ImagePlan {
  const ws = loadWorkspace(root);
  const target = resolveTarget(ws, targetName);
  const closure = workspaceClosure(ws, target.packageName);
  const lockPath = join(root, 'package-lock.json');
  const lock = readLockfile(lockPath);

  const packages: ImagePackage[] = closure.map((pkg) => {
    assertWorkspaceInSync(lock, lockPath, pkg.dir, pkg.manifest);
    const files = runtimeFiles(root, pkg);
    assertRuntimeFilesDeclared(root, pkg, files);
    return { name: pkg.name, dir: pkg.dir, manifest: productionManifest(pkg.manifest), files };
  });
  if (!existsSync(join(root, target.entry))) throw new NotBuiltError(target.packageName, target.entry);

  const dirs = packages.map((p) => p.dir);
  const rootManifest = imageRootManifest(ws.manifest, target, dirs);
  const pruned = pruneLockfile(lock, { workspaceDirs: dirs, root: rootLockEntry(rootManifest), path: lockPath });
  const names = new Set(pruned.installed.map(packageNameAt));
  const overrides = forInstalled(ws.manifest.overrides, names);
  const allowScripts = forInstalled(ws.manifest.allowScripts, names);
  if (overrides !== undefined) rootManifest.overrides = overrides;
  if (allowScripts !== undefined) rootManifest.allowScripts = allowScripts;

  const sourceInstalled = Object.entries(lock.packages).filter(([loc, e]) => loc.includes('node_modules/') && e.link !== true).length;
  const npmrc = existsSync(join(root, '.npmrc')) ? join(root, '.npmrc') : undefined;
  return { root, target, packages, rootManifest, lockfile: pruned.lockfile, installed: pruned.installed, sourceInstalled, npmrc };
}
