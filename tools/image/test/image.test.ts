import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ServiceProcess, assertBuilt, deleteNamespaceStreams, testServers, uniqueNamespace, waitFor } from '@meridian/testkit';
import type { Lockfile } from '../src';

// The image without Docker: meridian-prune writes the risk and bootstrap trees, `npm ci
// --omit=dev` installs them (from the npm cache the monorepo's own `npm ci` filled), and the
// programs start from there against real NATS, where no monorepo node_modules can be reached
// (the trees live under the system's temporary directory). Needs the monorepo built.
jest.setTimeout(150_000);

const REPO = join(__dirname, '..', '..', '..');
const CLI = join(REPO, 'tools', 'image', 'dist', 'prune-cli.js');
const RISK_CLOSURE = ['libs/bus', 'libs/domain', 'libs/portfolio', 'libs/proto', 'libs/risk-rules', 'libs/runtime', 'services/risk'];
const BOOTSTRAP_CLOSURE = ['libs/book', 'libs/bus', 'libs/domain', 'libs/platform', 'libs/proto', 'libs/runtime', 'libs/store', 'libs/venues'];
const DEV_ONLY = ['typescript', 'jest', 'nx', 'eslint', 'ts-proto', '@bufbuild/buf', '@swc/core', '@swc/jest', 'testcontainers', '@meridian/testkit'];

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment of a child that must see nothing of the monorepo or of the npm run around jest. */
function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // npm passes its own config (workspace, omit, prefix, ...) to scripts as npm_*; keep only
    // where the cache and the registry are.
    if (k.startsWith('npm_') && !/^npm_config_(cache|registry|userconfig|globalconfig|.*proxy|strict_ssl|cafile)$/i.test(k)) continue;
    if (k === 'NODE_PATH' || k === 'NODE_OPTIONS' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? isolatedEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Every package directory npm put under node_modules (nested ones too), relative to `root`. */
function installedPackages(root: string, dir = 'node_modules'): { location: string; link: boolean }[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out: { location: string; link: boolean }[] = [];
  for (const e of readdirSync(abs)) {
    if (e.startsWith('.')) continue;
    const names = e.startsWith('@') ? readdirSync(join(abs, e)).map((n) => `${e}/${n}`) : [e];
    for (const name of names) {
      const location = `${dir}/${name}`;
      const link = lstatSync(join(root, location)).isSymbolicLink();
      out.push({ location, link });
      if (!link) out.push(...installedPackages(root, `${location}/node_modules`));
    }
  }
  return out;
}

let base: string;
let riskDir: string;
let bootstrapDir: string;
let riskReport: { packages: { dir: string }[]; installed: string[] };
let bootstrapReport: { packages: { dir: string }[]; installed: string[] };
const installs: Record<string, Ran> = {};
let natsUrl: string;
let namespace: string;
let streamsCreated = false;

beforeAll(async () => {
  // The trees are copied from dist/: a dist older than its src would test stale code.
  for (const dir of new Set([...RISK_CLOSURE, ...BOOTSTRAP_CLOSURE, 'tools/image'])) {
    assertBuilt(join(REPO, dir), JSON.parse(readFileSync(join(REPO, dir, 'package.json'), 'utf8')).name as string);
  }
  base = mkdtempSync(join(tmpdir(), 'meridian-image-'));
  riskDir = join(base, 'risk');
  bootstrapDir = join(base, 'bootstrap');
  const [risk, bootstrap] = await Promise.all([
    run(process.execPath, [CLI, '--target', 'risk', '--out', riskDir, '--json'], { cwd: REPO }),
    run(process.execPath, [CLI, '--target', 'bootstrap', '--out', bootstrapDir, '--json'], { cwd: REPO }),
  ]);
  if (risk.code !== 0 || bootstrap.code !== 0) throw new Error(`meridian-prune failed:\n${risk.stderr}\n${bootstrap.stderr}`);
  riskReport = JSON.parse(risk.stdout) as typeof riskReport;
  bootstrapReport = JSON.parse(bootstrap.stdout) as typeof bootstrapReport;

  // As the Dockerfile's install stage does; both at once (the machine's npm cache serves them).
  const npmCi = ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'];
  [installs.risk, installs.bootstrap] = await Promise.all([run('npm', npmCi, { cwd: riskDir }), run('npm', npmCi, { cwd: bootstrapDir })]);
  for (const [name, r] of Object.entries(installs)) {
    if (r.code !== 0) throw new Error(`npm ci --omit=dev in the ${name} tree failed (${r.code}):\n${r.stderr}`);
  }
  natsUrl = (await testServers()).natsUrl;
  namespace = uniqueNamespace('img');
});

afterAll(async () => {
  if (streamsCreated) await deleteNamespaceStreams(natsUrl, namespace);
  if (base !== undefined) rmSync(base, { recursive: true, force: true });
});

test('meridian-prune reports the workspace closures', () => {
  expect(riskReport.packages.map((p) => p.dir)).toEqual(RISK_CLOSURE);
  expect(bootstrapReport.packages.map((p) => p.dir)).toEqual(BOOTSTRAP_CLOSURE);
  // The trees hold the closure and nothing else of the monorepo.
  expect(readdirSync(join(riskDir, 'libs')).sort()).toEqual(RISK_CLOSURE.filter((d) => d.startsWith('libs/')).map((d) => d.slice(5)));
  expect(readdirSync(join(riskDir, 'services'))).toEqual(['risk']);
  expect(existsSync(join(riskDir, 'tools'))).toBe(false);
  expect(existsSync(join(bootstrapDir, 'services'))).toBe(false);
  expect(existsSync(join(bootstrapDir, 'libs', 'store', 'migrations', '001_orders_executions_positions.sql'))).toBe(true);
  expect(existsSync(join(bootstrapDir, 'libs', 'proto', 'descriptor', 'meridian.binpb'))).toBe(true);
});

test.each(['risk', 'bootstrap'])('npm ci --omit=dev installs exactly the pruned lockfile of %s, no dev-only package', async (name) => {
  const dir = name === 'risk' ? riskDir : bootstrapDir;
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as Lockfile;
  for (const dev of DEV_ONLY) expect(lock.packages[`node_modules/${dev}`]).toBeUndefined();
  expect(Object.keys(lock.packages).filter((k) => k.includes('@swc/') || k.includes('@nx/') || k.includes('eslint'))).toEqual([]);

  const onDisk = installedPackages(dir);
  const links = onDisk.filter((p) => p.link).map((p) => p.location).sort();
  const packages = onDisk.filter((p) => !p.link).map((p) => p.location).sort();
  const inLock = Object.entries(lock.packages).filter(([k]) => k.startsWith('node_modules/'));
  expect(links).toEqual(inLock.filter(([, e]) => e.link === true).map(([k]) => k).sort());
  // Every installed package is in the lockfile; every lockfile package is installed unless it is
  // an optional one for another platform.
  const wanted = inLock.filter(([, e]) => e.link !== true);
  expect(packages.filter((p) => lock.packages[p] === undefined)).toEqual([]);
  const missing = wanted.filter(([k]) => !packages.includes(k));
  expect(missing.filter(([, e]) => e.optional !== true)).toEqual([]);
  for (const dev of DEV_ONLY) expect(existsSync(join(dir, 'node_modules', dev))).toBe(false);
  expect(installs[name]!.stdout).toMatch(/added \d+ packages/);
  // And the tree is complete: every production dependency of every package resolves to a
  // version its range accepts (npm ls exits non-zero on a missing or invalid one).
  const ls = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: dir });
  expect({ code: ls.code, problems: ls.stderr.split('\n').filter((l) => /missing|invalid|ERR/i.test(l)) }).toEqual({ code: 0, problems: [] });
});

test.each([
  ['risk', 'HTTP_PORT', 'abc'],
  ['bootstrap', 'JS_REPLICAS', 'lots'],
])('%s started as the image starts it (node <tree>) refuses %s=%s with exit code 2', async (name, key, value) => {
  // Exit code 2 comes from config validation, after every module main.js requires has loaded:
  // module resolution works with the production dependencies alone.
  const dir = name === 'risk' ? riskDir : bootstrapDir;
  const r = await run(process.execPath, [dir], { cwd: dir, env: isolatedEnv({ NODE_ENV: 'production', [key]: value }) });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringContaining(`${key}: `) as unknown as string });
  expect(r.stderr).toContain(value);
});

let bootstrapRun: Promise<Ran> | undefined;
/** The bootstrap CLI of the bootstrap tree, once: the streams and consumers risk binds to. */
function bootstrapStreams(): Promise<Ran> {
  bootstrapRun ??= run(process.execPath, [bootstrapDir], {
    cwd: bootstrapDir,
    env: isolatedEnv({ NODE_ENV: 'production', NATS_URL: natsUrl, BUS_NAMESPACE: namespace, SYMBOLS: 'BTC-USDT,ETH-USDT', VENUES: 'paper' }),
  }).then((r) => {
    streamsCreated = true;
    return r;
  });
  return bootstrapRun;
}

test('bootstrap from its tree declares the streams and consumers', async () => {
  const r = await bootstrapStreams();
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  expect(r.stdout).toContain(`stream   created  ${namespace}_ORDERS`);
  expect(r.stdout).toContain(`consumer created  ${namespace}_ORDERS/risk-intent-BTC-USDT`);
});

describe('risk from its tree, against NATS', () => {
  beforeAll(async () => {
    const r = await bootstrapStreams();
    if (r.code !== 0) throw new Error(`bootstrap failed (${r.code}):\n${r.stderr}`);
  });
  const env = () => ({
    NODE_ENV: 'production',
    NODE_PATH: '',
    NATS_URL: natsUrl,
    BUS_NAMESPACE: namespace,
    SYMBOLS: 'BTC-USDT,ETH-USDT',
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
  });

  test('becomes ready, serves metrics and exits 0 on SIGTERM', async () => {
    const svc = await ServiceProcess.start(join(riskDir, 'services', 'risk'), env(), { name: 'risk (image tree)' });
    try {
      expect((await fetch(`${svc.httpUrl}/readyz`)).status).toBe(200);
      expect(await svc.metrics()).toContain('meridian_build_info');
    } finally {
      expect(await svc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
    expect(svc.logs.join('\n')).toContain('shutdown complete');
  });

  test('runs with every filesystem read-only but a fresh temporary directory, as in the pods', async () => {
    // A private mount namespace (unshare, as an unprivileged user namespace) in which every
    // writable mount but /proc, /sys and /dev is remounted read-only, and an empty tmpfs is the
    // only writable place (TMPDIR): what readOnlyRootFilesystem and the /tmp emptyDir give.
    const scratch = join(base, 'scratch');
    mkdirSync(scratch);
    const script = `
      set -eu
      mount -t tmpfs -o size=16m tmpfs "$SCRATCH"
      awk '$4 ~ /(^|,)rw(,|$)/ { print $2 }' /proc/self/mounts | sort -u | while read -r m; do
        case "$m" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$SCRATCH") continue ;; esac
        mount -o remount,bind,ro "$m"
      done
      if touch "$APP/probe" 2>/dev/null || touch "$HOME/probe" 2>/dev/null; then echo "still writable" >&2; exit 97; fi
      touch "$SCRATCH/probe"
      exec "$NODE" "$APP"`;
    const child = spawn('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script], {
      env: isolatedEnv({ ...env(), APP: riskDir, SCRATCH: scratch, TMPDIR: scratch, NODE: process.execPath }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let httpPort: number | undefined;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        logs.push(line);
        if (line.includes('"service started"')) httpPort = (JSON.parse(line) as { httpPort: number }).httpPort;
      });
    }
    try {
      const port = await Promise.race([
        waitFor('risk started under a read-only root', () => httpPort, 20_000),
        exited.then((e) => Promise.reject(new Error(`exited early (${JSON.stringify(e)}):\n${logs.join('\n')}`))),
      ]);
      await waitFor('risk ready under a read-only root', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 15_000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(logs.join('\n')).toContain('shutdown complete');
    expect(logs.filter((l) => /EROFS|read-only file system/i.test(l))).toEqual([]);
  });
});
