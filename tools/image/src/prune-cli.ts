#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ImageError, UnknownTargetError, UsageError } from './errors';
import { planImage } from './plan';
import type { ImagePlan } from './plan';
import { listTargets, resolveTarget } from './targets';
import { loadWorkspace } from './workspace';
import { writeImage } from './write';

const USAGE = `usage:
  meridian-prune --target <service|bootstrap> --out <dir> [--manifests-out <dir>] [--root <repo>] [--json]
  meridian-prune --target <service|bootstrap> --print-project [--root <repo>]
  meridian-prune --list [--root <repo>]

Writes what one image holds into <dir>: a root package.json whose workspaces are the target's
workspace closure, each closure package's package.json and built files, the root .npmrc and a
package-lock.json pruned to the closure's production dependencies. Then, in <dir>:
  npm ci --omit=dev && node .          (node . starts the target's entry point)
Exit codes: 0 done, 1 the monorepo is not ready (not built, lockfile out of date, ...), 2 usage.`;

/** The summary printed after a prune: one line per fact, for build logs. */
function describePlan(plan: ImagePlan, outDir: string): string {
  return [
    `image ${plan.target.name}: ${plan.target.packageName}, entry ${plan.target.entry}`,
    `workspace packages (${plan.packages.length}): ${plan.packages.map((p) => p.dir).join(' ')}`,
    `registry packages: ${plan.installed.length} of the monorepo's ${plan.sourceInstalled}`,
    `written to ${outDir}`,
  ].join('\n');
}

function main(argv: string[]): void {
  let values: { target?: string; out?: string; 'manifests-out'?: string; root?: string; json?: boolean; 'print-project'?: boolean; list?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        target: { type: 'string' },
        out: { type: 'string' },
        'manifests-out': { type: 'string' },
        root: { type: 'string' },
        json: { type: 'boolean' },
        'print-project': { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const root = resolve(values.root ?? process.cwd());
  if (values.list === true) {
    process.stdout.write(`${listTargets(loadWorkspace(root)).join('\n')}\n`);
    return;
  }
  if (values.target === undefined) throw new UsageError('--target is required');
  if (values['print-project'] === true) {
    process.stdout.write(`${resolveTarget(loadWorkspace(root), values.target).packageName}\n`);
    return;
  }
  if (values.out === undefined) throw new UsageError('--out is required');
  const outDir = resolve(values.out);
  const plan = planImage(root, values.target);
  const manifestsOut = values['manifests-out'] === undefined ? undefined : resolve(values['manifests-out']);
  writeImage(plan, outDir, manifestsOut === undefined ? {} : { manifestsOut });
  if (values.json === true) {
    const report = {
      target: plan.target,
      packages: plan.packages.map((p) => ({ name: p.name, dir: p.dir, files: p.files })),
      installed: plan.installed,
      sourceInstalled: plan.sourceInstalled,
      outDir,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${describePlan(plan, outDir)}\n`);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof UnknownTargetError;
    const message = err instanceof ImageError ? `${err.name} [${err.code}]: ${err.message}` : ((err as Error).stack ?? String(err));
    process.stderr.write(`meridian-prune: ${message}${err instanceof UsageError ? `\n\n${USAGE}` : ''}\n`);
    process.exitCode = usage ? 2 : 1;
  }
}
