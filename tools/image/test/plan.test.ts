import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LockfileError,
  NotBuiltError,
  OutputNotEmptyError,
  UndeclaredRuntimeFileError,
  UnknownTargetError,
  WorkspaceDependencyError,
  listTargets,
  loadWorkspace,
  packageNameAt,
  planImage,
  readLockfile,
  resolveTarget,
  workspaceClosure,
  writeImage,
} from '../src';
import { miniMonorepo } from './fixture';

// The real monorepo (built: CI runs `nx run-many -t build` first) and a miniature one for the
// failure cases. Nothing here installs or starts anything; image.test.ts does.
const REPO = join(__dirname, '..', '..', '..');
const SERVICES = ['coordinator', 'execution', 'inference', 'ingestion', 'order-book', 'recorder', 'risk'];
/** Packages no production image may hold: the toolchain, test runners, the test kit's containers. */
const DEV_ONLY = ['typescript', 'jest', 'nx', 'eslint', 'typescript-eslint', 'ts-proto', '@bufbuild/buf', '@swc/core', '@swc/jest', 'testcontainers', '@types/jest'];

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});
function fixture(overrides: Record<string, unknown> = {}): string {
  const dir = miniMonorepo(overrides);
  cleanup.push(dir);
  return dir;
}

describe('the monorepo', () => {
  const ws = loadWorkspace(REPO);

  test('offers every service and bootstrap as image targets', () => {
    expect(listTargets(ws)).toEqual([...SERVICES, 'bootstrap']);
    expect(resolveTarget(ws, 'risk')).toEqual({ name: 'risk', packageName: '@meridian/risk', packageDir: 'services/risk', entry: 'services/risk/dist/main.js' });
    expect(resolveTarget(ws, 'bootstrap')).toEqual({
      name: 'bootstrap',
      packageName: '@meridian/platform',
      packageDir: 'libs/platform',
      entry: 'libs/platform/dist/bootstrap-cli.js',
    });
    expect(() => resolveTarget(ws, 'platform')).toThrow(UnknownTargetError);
  });

  test('the risk and bootstrap closures are exactly their production workspace dependencies', () => {
    const dirs = (target: string) => workspaceClosure(ws, resolveTarget(ws, target).packageName).map((p) => p.dir);
    expect(dirs('risk')).toEqual(['libs/bus', 'libs/domain', 'libs/portfolio', 'libs/proto', 'libs/risk-rules', 'libs/runtime', 'services/risk']);
    // The platform's devDependencies name every service (for `npm start`): none is in its image.
    expect(dirs('bootstrap')).toEqual(['libs/book', 'libs/bus', 'libs/domain', 'libs/platform', 'libs/proto', 'libs/runtime', 'libs/store', 'libs/venues']);
  });

  test.each([...SERVICES, 'bootstrap'])('%s: no tool, test kit or other service; no dev-only registry package', (target) => {
    const plan = planImage(REPO, target);
    const dirs = plan.packages.map((p) => p.dir);
    expect(dirs).toContain(plan.target.packageDir);
    expect(dirs.filter((d) => d.startsWith('tools/') || d === 'libs/testkit')).toEqual([]);
    expect(dirs.filter((d) => d.startsWith('services/') && d !== plan.target.packageDir)).toEqual([]);

    const names = new Set(plan.installed.map(packageNameAt));
    expect(DEV_ONLY.filter((n) => names.has(n))).toEqual([]);
    expect([...names].filter((n) => n.startsWith('@swc/') || n.startsWith('@nx/') || n.startsWith('@jest/') || n.startsWith('@typescript-eslint/'))).toEqual([]);
    expect(Object.values(plan.lockfile.packages).filter((e) => e.dev === true || e.devOptional === true)).toEqual([]);
    // Far smaller than the monorepo's install, and every kept entry is the monorepo's own.
    expect(plan.installed.length).toBeLessThan(plan.sourceInstalled / 2);
    const source = readLockfile(join(REPO, 'package-lock.json')).packages;
    for (const loc of plan.installed) {
      expect({ loc, version: plan.lockfile.packages[loc]!.version, integrity: plan.lockfile.packages[loc]!.integrity }).toEqual({
        loc,
        version: source[loc]!.version,
        integrity: source[loc]!.integrity,
      });
    }
    // The image's manifests drop devDependencies (npm ci would otherwise want them in the lockfile).
    expect(plan.packages.filter((p) => p.manifest.devDependencies !== undefined)).toEqual([]);
    expect(plan.rootManifest.main).toBe(plan.target.entry);
    expect(plan.rootManifest.workspaces).toEqual(dirs);
    expect(plan.lockfile.packages['']!.workspaces).toEqual(dirs);
  });

  test('runtime files read through __dirname ship with their packages', () => {
    const plan = planImage(REPO, 'bootstrap');
    const files = Object.fromEntries(plan.packages.map((p) => [p.dir, p.files]));
    expect(files['libs/proto']).toEqual(['dist', 'descriptor']);
    expect(files['libs/store']).toEqual(['dist', 'migrations']);
    expect(files['libs/platform']).toEqual(['dist']);
  });
});

describe('a miniature monorepo', () => {
  test('writes the closure, its runtime files and the install inputs; nothing of the test kit', () => {
    const root = fixture();
    const plan = planImage(root, 'api');
    const out = join(root, 'out');
    const manifests = join(root, 'manifests');
    writeImage(plan, out, { manifestsOut: manifests });

    expect(plan.packages.map((p) => p.dir)).toEqual(['libs/db', 'services/api']);
    expect(Object.keys(plan.lockfile.packages)).toEqual(['', 'libs/db', 'services/api', 'node_modules/@m/api', 'node_modules/@m/db', 'node_modules/pgish', 'node_modules/native']);
    expect(readFileSync(join(out, 'libs/db/migrations/001.sql'), 'utf8')).toBe('select 1;\n');
    expect(existsSync(join(out, 'libs/db/dist/index.js'))).toBe(true);
    expect(existsSync(join(out, 'libs/db/dist/.tsbuildinfo'))).toBe(false);
    expect(existsSync(join(out, 'libs/db/src'))).toBe(false);
    expect(existsSync(join(out, 'libs/kit'))).toBe(false);
    expect(readFileSync(join(out, '.npmrc'), 'utf8')).toBe('fund=false\n');

    const rootManifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(rootManifest).toMatchObject({ name: 'mono-api', main: 'services/api/dist/main.js', workspaces: ['libs/db', 'services/api'], allowScripts: { native: false } });
    expect(rootManifest.devDependencies).toBeUndefined();
    const api = JSON.parse(readFileSync(join(out, 'services/api/package.json'), 'utf8')) as Record<string, unknown>;
    expect(api).toEqual({ name: '@m/api', version: '0.1.0', dependencies: { '@m/db': '*' } });

    // The install inputs alone: same manifests and lockfile, no built code.
    expect(readdirSync(manifests).sort()).toEqual(['.npmrc', 'libs', 'package-lock.json', 'package.json', 'services']);
    expect(readFileSync(join(manifests, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(out, 'package-lock.json'), 'utf8'));
    expect(existsSync(join(manifests, 'libs/db/dist'))).toBe(false);
    expect(existsSync(join(manifests, 'libs/db/package.json'))).toBe(true);

    expect(() => writeImage(plan, out)).toThrow(OutputNotEmptyError);
  });

  test('a file read through __dirname but missing from "files" fails, naming the reader', () => {
    const root = fixture({
      'libs/db/package.json': { name: '@m/db', version: '0.1.0', dependencies: { pgish: '^1' } },
    });
    expect(() => planImage(root, 'api')).toThrow(UndeclaredRuntimeFileError);
    expect(() => planImage(root, 'api')).toThrow('@m/db: libs/db/dist/index.js reads migrations at run time');
  });

  test('an unbuilt package or entry point fails with the build command', () => {
    const root = fixture();
    rmSync(join(root, 'services/api/dist'), { recursive: true });
    expect(() => planImage(root, 'api')).toThrow(NotBuiltError);
    expect(() => planImage(root, 'api')).toThrow('services/api/dist is missing: build @m/api first (npx nx run @m/api:build)');
    mkdirSync(join(root, 'services/api/dist'));
    writeFileSync(join(root, 'services/api/dist/other.js'), '');
    expect(() => planImage(root, 'api')).toThrow('services/api/dist/main.js is missing');
  });

  test('a lockfile that disagrees with a package.json is refused', () => {
    const root = fixture({
      'libs/db/package.json': { name: '@m/db', version: '0.1.0', files: ['dist', 'migrations'], dependencies: { pgish: '^2' } },
    });
    expect(() => planImage(root, 'api')).toThrow(LockfileError);
    expect(() => planImage(root, 'api')).toThrow('out of date for libs/db: dependencies.pgish is "^2" in package.json but "^1" in the lockfile');
  });

  test('a dependency in the workspace scope that no workspace package provides is refused', () => {
    const root = fixture({
      'services/api/package.json': { name: '@m/api', version: '0.1.0', dependencies: { '@m/db': '*', '@m/gone': '*' } },
    });
    expect(() => planImage(root, 'api')).toThrow(WorkspaceDependencyError);
    expect(() => planImage(root, 'api')).toThrow('@m/api depends on @m/gone, which is not a workspace package');
  });

  test('an unknown target lists the valid ones', () => {
    const root = fixture();
    expect(() => planImage(root, 'web')).toThrow('unknown image target "web": expected one of api');
  });
});
