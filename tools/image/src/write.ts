import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OutputNotEmptyError } from './errors';
import type { ImagePlan } from './plan';

/** Build bookkeeping that has no use at run time. */
function runtimeOnly(source: string): boolean {
  return !source.endsWith('.tsbuildinfo');
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Creates `dir`, or accepts it if it exists and is empty. */
function emptyDirectory(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new OutputNotEmptyError(dir);
  mkdirSync(dir, { recursive: true });
}

/** The install inputs: root package.json, package-lock.json, .npmrc and every workspace package.json. */
function writeManifests(plan: ImagePlan, dir: string): void {
  writeJson(join(dir, 'package.json'), plan.rootManifest);
  writeJson(join(dir, 'package-lock.json'), plan.lockfile);
  if (plan.npmrc !== undefined) copyFileSync(plan.npmrc, join(dir, '.npmrc'));
  for (const pkg of plan.packages) writeJson(join(dir, pkg.dir, 'package.json'), pkg.manifest);
}

export interface WriteImageOptions {
  /**
   * Also write the install inputs alone here (no built code), so a Dockerfile can run
   * `npm ci` in a layer that stays cached until a manifest or the lockfile changes.
   */
  manifestsOut?: string;
}

/**
 * Writes the image tree of a plan into `outDir` (which must be absent or empty): the install
 * inputs plus each closure package's runtime files, laid out as in the monorepo, so
 * `npm ci --omit=dev` there installs exactly the pruned lockfile.
 */
export function writeImage(plan: ImagePlan, outDir: string, options: WriteImageOptions = {}): void {
  emptyDirectory(outDir);
  if (options.manifestsOut !== undefined) emptyDirectory(options.manifestsOut);
  writeManifests(plan, outDir);
  for (const pkg of plan.packages) {
    for (const file of pkg.files) {
      cpSync(join(plan.root, pkg.dir, file), join(outDir, pkg.dir, file), { recursive: true, filter: runtimeOnly });
    }
  }
  if (options.manifestsOut !== undefined) writeManifests(plan, options.manifestsOut);
}
