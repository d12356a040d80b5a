import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands, execForm, lineage, pairs, parseDockerfile } from './dockerfile';
import type { Dockerfile, Instruction, Stage } from './dockerfile';

// Docker cannot build on the development machine or in CI, so the root Dockerfile's promises
// are checked by reading it: what the final stage runs as, how it starts, where /app comes from,
// and that no full (dev) install reaches the image.
const REPO = join(__dirname, '..', '..', '..');
const df: Dockerfile = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
const final = df.stages[df.stages.length - 1]!;
const stage = (name: string): Stage => {
  const s = df.stages.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no stage ${name}`);
  return s;
};
const all = (s: Stage, keyword: string): Instruction[] => s.instructions.filter((i) => i.keyword === keyword);
const last = (s: Stage, keyword: string): Instruction | undefined => all(s, keyword).pop();
/** npm commands that install a project's dependencies (not `npm install --global npm@...`). */
const projectInstalls = (s: Stage) => commands(s).filter((c) => /\bnpm\s+(ci|install|i)\b/.test(c) && !/--global\b|\s-g\b/.test(c));

test('every stage starts from the node 20 bookworm-slim base or from another stage', () => {
  expect(df.globalArgs.NODE_IMAGE).toBe('node:20-bookworm-slim');
  const names = new Set(df.stages.map((s) => s.name));
  for (const s of df.stages) expect(s.base === '${NODE_IMAGE}' || names.has(s.base)).toBe(true);
  expect(final.base).toBe('${NODE_IMAGE}');
});

test('the final stage runs as a numeric, non-root user', () => {
  const user = last(final, 'USER');
  expect(user).toBeDefined();
  const m = /^(\d+)(?::(\d+))?$/.exec(user!.args);
  expect(m).not.toBeNull();
  expect(Number(m![1])).toBeGreaterThan(0);
  if (m![2] !== undefined) expect(Number(m![2])).toBeGreaterThan(0);
  // Nothing after USER switches back to root.
  expect(final.instructions.slice(final.instructions.indexOf(user!) + 1).filter((i) => i.keyword === 'USER')).toEqual([]);
});

test('tini from Debian is PID 1 and starts node on /app', () => {
  expect(execForm(last(final, 'ENTRYPOINT')!)).toEqual(['tini', '--']);
  expect(execForm(last(final, 'CMD')!)).toEqual(['node', '/app']);
  const copy = all(final, 'COPY').find((c) => c.args.endsWith('/usr/bin/tini'));
  expect(copy).toBeDefined();
  const from = stage(copy!.flags.from!);
  expect(commands(from).some((c) => /^apt-get install\b.*\btini\b/.test(c))).toBe(true);
  expect(last(final, 'STOPSIGNAL')?.args ?? 'SIGTERM').toBe('SIGTERM');
});

test('NODE_ENV=production, WORKDIR /app and the OCI labels', () => {
  expect(all(final, 'ENV').map(pairs).reduce((a, b) => ({ ...a, ...b }), {})).toMatchObject({ NODE_ENV: 'production' });
  expect(last(final, 'WORKDIR')?.args).toBe('/app');
  const labels = all(final, 'LABEL').map(pairs).reduce((a, b) => ({ ...a, ...b }), {});
  for (const key of ['title', 'description', 'source', 'licenses', 'version', 'revision', 'created', 'vendor']) {
    expect(Object.keys(labels)).toContain(`org.opencontainers.image.${key}`);
  }
  expect(labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');
  expect(labels['org.opencontainers.image.title']).toBe('meridian-${SERVICE}');
});

test('no npm install in the final stage or what it is built on; /app comes from the --omit=dev install', () => {
  for (const s of lineage(df, final)) expect(projectInstalls(s)).toEqual([]);

  const app = all(final, 'COPY').filter((c) => / \/app$/.test(c.args));
  expect(app).toHaveLength(1);
  const install = stage(app[0]!.flags.from!);
  // The install stage (and its bases) installs once, production only, from the pruned tree.
  const installs = lineage(df, install).flatMap(projectInstalls);
  expect(installs).toHaveLength(1);
  expect(installs[0]).toMatch(/^npm ci\b.*--omit=dev\b/);
  // It is fed only by meridian-prune's output directories, never the monorepo itself.
  const fed = all(install, 'COPY');
  expect(fed.map((c) => c.flags.from)).toEqual(['build', 'build']);
  expect(fed.map((c) => c.args.split(/\s+/)[0])).toEqual(['/image-manifests/', '/image/']);
  // The lockfile is installed before the built code is copied, so code changes reuse that layer.
  const order = install.instructions.map((i) => (i.keyword === 'RUN' ? 'RUN' : `${i.keyword} ${i.args.split(/\s+/)[0]}`));
  expect(order.indexOf('COPY /image-manifests/')).toBeLessThan(order.indexOf('RUN'));
  expect(order.indexOf('RUN')).toBeLessThan(order.indexOf('COPY /image/'));
});

test('the build stage prunes for ${SERVICE} into exactly the directories the install stage reads', () => {
  const build = stage('build');
  expect(all(build, 'ARG').map((a) => a.args)).toContain('SERVICE');
  const prune = commands(build).find((c) => c.includes('prune-cli.js') && c.includes('--out'));
  expect(prune).toBe('node tools/image/dist/prune-cli.js --target "${SERVICE}" --out /image --manifests-out /image-manifests');
  expect(commands(build)).toContain('npx tsc -b tools/image');
  expect(commands(build).some((c) => c.startsWith('npx nx run "${project}:build"'))).toBe(true);
  // The full install of the build stage never reaches the image: the final stage is not built on it.
  expect(projectInstalls(build)).toEqual(['npm ci --no-audit --no-fund']);
  expect(lineage(df, final).map((s) => s.name)).not.toContain('build');
});

test('.dockerignore keeps host installs, builds, git and generated code out of the context', () => {
  const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const pattern of ['.git', '**/node_modules', '**/dist', '**/*.tsbuildinfo', '**/.nx', 'libs/proto/src/gen', '**/.env']) {
    expect(ignored).toContain(pattern);
  }
  // Nothing the build reads is excluded.
  for (const needed of ['package.json', 'package-lock.json', '.npmrc', 'nx.json', 'tsconfig.base.json', 'libs', 'services', 'tools', 'proto']) {
    expect(ignored).not.toContain(needed);
  }
});
