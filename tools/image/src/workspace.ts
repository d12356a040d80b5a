import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DuplicateWorkspacePackageError, ManifestError, UnsupportedWorkspacePatternError } from './errors';

/** The fields of a package.json this tool reads or rewrites; the rest is carried through. */
export interface PackageManifest {
  name?: string;
  version?: string;
  private?: boolean;
  description?: string;
  license?: string;
  main?: string;
  files?: string[];
  engines?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  workspaces?: string[] | { packages?: string[] };
  overrides?: Record<string, unknown>;
  allowScripts?: Record<string, boolean>;
  [field: string]: unknown;
}

/** One workspace package: its name, its directory relative to the root (posix), its manifest. */
export interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: PackageManifest;
}

/** The monorepo as npm sees it: the root manifest and every workspace package by name. */
export interface Workspace {
  root: string;
  manifest: PackageManifest;
  packages: ReadonlyMap<string, WorkspacePackage>;
}

/** Reads and parses a package.json, failing with its path. */
export function readManifest(path: string): PackageManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ManifestError(path, `cannot read: ${(err as Error).message}`, err);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(path, `not JSON: ${(err as Error).message}`, err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ManifestError(path, 'not a JSON object');
  return parsed as PackageManifest;
}

/** The `workspaces` patterns of a root manifest (the array form or `{ packages }`). */
export function workspacePatterns(manifest: PackageManifest): string[] {
  const w = manifest.workspaces;
  if (w === undefined) return [];
  return Array.isArray(w) ? w : (w.packages ?? []);
}

/** Expands one pattern: `dir/*` (every child directory with a package.json) or a plain directory. */
function expandPattern(root: string, pattern: string): string[] {
  const normalised = posix.normalize(pattern.replace(/\\/g, '/')).replace(/\/$/, '');
  if (normalised.startsWith('..') || normalised.startsWith('/')) throw new UnsupportedWorkspacePatternError(pattern);
  if (normalised.endsWith('/*')) {
    const parent = normalised.slice(0, -2);
    if (/[*?[\]{}!]/.test(parent)) throw new UnsupportedWorkspacePatternError(pattern);
    const abs = join(root, parent);
    if (!existsSync(abs)) return [];
    return readdirSync(abs, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(abs, e.name, 'package.json')))
      .map((e) => posix.join(parent, e.name))
      .sort();
  }
  if (/[*?[\]{}!]/.test(normalised)) throw new UnsupportedWorkspacePatternError(pattern);
  return existsSync(join(root, normalised, 'package.json')) ? [normalised] : [];
}

/** Loads the root manifest and every workspace package it declares. */
export function loadWorkspace(root: string): Workspace {
  const manifest = readManifest(join(root, 'package.json'));
  const patterns = workspacePatterns(manifest);
  if (patterns.length === 0) throw new ManifestError(join(root, 'package.json'), 'declares no workspaces: run meridian-prune from the monorepo root (or pass --root)');
  const packages = new Map<string, WorkspacePackage>();
  for (const pattern of patterns) {
    for (const dir of expandPattern(root, pattern)) {
      const path = join(root, dir, 'package.json');
      const pkg = readManifest(path);
      if (typeof pkg.name !== 'string' || pkg.name === '') throw new ManifestError(path, 'has no "name"');
      const seen = packages.get(pkg.name);
      if (seen !== undefined && seen.dir !== dir) throw new DuplicateWorkspacePackageError(pkg.name, [seen.dir, dir]);
      packages.set(pkg.name, { name: pkg.name, dir, manifest: pkg });
    }
  }
  return { root, manifest, packages };
}

/** The dependency maps that a production install follows (never devDependencies). */
export function productionDependencyNames(manifest: PackageManifest): string[] {
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ];
}

/** A workspace package's manifest as the image holds it: the same, without devDependencies. */
export function productionManifest(manifest: PackageManifest): PackageManifest {
  return Object.fromEntries(Object.entries(manifest).filter(([k]) => k !== 'devDependencies')) as PackageManifest;
}
