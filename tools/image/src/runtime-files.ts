import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { NotBuiltError, RuntimeFilesError, UndeclaredRuntimeFileError } from './errors';
import type { WorkspacePackage } from './workspace';

/** What a package ships when its package.json has no `files`: the build output only. */
export const DEFAULT_FILES: readonly string[] = ['dist'];

/**
 * The top-level paths of a workspace package the image holds besides its package.json: npm's
 * `files` field (e.g. `["dist", "descriptor"]` for a proto descriptor read at run time) or
 * `dist`. Plain relative paths only; each must exist, so a missing build fails here and not
 * when the container starts.
 */
export function runtimeFiles(root: string, pkg: WorkspacePackage): string[] {
  const entries = pkg.manifest.files ?? DEFAULT_FILES;
  if (!Array.isArray(entries)) throw new RuntimeFilesError(pkg.name, String(entries), 'is not an array of paths');
  const out: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string' || /[*?[\]{}!]/.test(entry)) throw new RuntimeFilesError(pkg.name, String(entry), 'is a pattern: list plain paths');
    const normalised = posix.normalize(entry).replace(/\/$/, '');
    if (normalised === '.' || normalised.startsWith('..') || posix.isAbsolute(normalised)) {
      throw new RuntimeFilesError(pkg.name, entry, 'must name a path inside the package');
    }
    if (!existsSync(join(root, pkg.dir, normalised))) {
      if (normalised === 'dist' || normalised.startsWith('dist/')) throw new NotBuiltError(pkg.name, posix.join(pkg.dir, normalised));
      throw new RuntimeFilesError(pkg.name, entry, `does not exist in ${pkg.dir}`);
    }
    out.push(normalised);
  }
  if (!out.includes('dist') && existsSync(join(root, pkg.dir, 'dist'))) {
    throw new RuntimeFilesError(pkg.name, 'dist', 'is missing from "files", so the image would hold no built code');
  }
  return out;
}

function jsFilesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...jsFilesUnder(dir, path));
    else if (e.name.endsWith('.js')) out.push(path);
  }
  return out.sort();
}

const STRING = String.raw`(?:'[^'\\\n]*'|"[^"\\\n]*")`;
/** `__dirname` followed by string literal segments, as tsc emits `join(__dirname, '..', 'x')`. */
const DIRNAME_CALL = new RegExp(String.raw`__dirname\s*,\s*(${STRING}(?:\s*,\s*${STRING})*)`, 'g');

/**
 * Paths (relative to the package directory) that built code reads beside itself through
 * `__dirname`, e.g. `descriptor/meridian.binpb` or `migrations`, with the file that reads them.
 * References that leave the package (a lookup of the monorepo root) are not returned.
 */
export function dirnameReferences(root: string, pkg: WorkspacePackage, buildDir = 'dist'): { reference: string; source: string }[] {
  const base = join(root, pkg.dir, buildDir);
  if (!existsSync(base) || !statSync(base).isDirectory()) return [];
  const out: { reference: string; source: string }[] = [];
  for (const file of jsFilesUnder(base)) {
    const text = readFileSync(join(base, file), 'utf8');
    for (const m of text.matchAll(DIRNAME_CALL)) {
      const segments = [...m[1]!.matchAll(new RegExp(STRING, 'g'))].map((s) => s[0].slice(1, -1));
      const reference = posix.normalize(posix.join(buildDir, posix.dirname(file), ...segments));
      if (reference === '.' || reference.startsWith('..')) continue;
      out.push({ reference, source: posix.join(pkg.dir, buildDir, file) });
    }
  }
  return out;
}

/** Fails when built code reads a file beside the package that `files` does not ship. */
export function assertRuntimeFilesDeclared(root: string, pkg: WorkspacePackage, files: readonly string[]): void {
  for (const { reference, source } of dirnameReferences(root, pkg)) {
    const covered = files.some((f) => reference === f || reference.startsWith(`${f}/`));
    if (!covered) throw new UndeclaredRuntimeFileError(pkg.name, reference, source);
  }
}
