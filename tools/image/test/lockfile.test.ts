import { LockfileError, UnresolvedDependencyError, pruneLockfile, resolveLocation } from '../src';
import type { Lockfile, LockEntry } from '../src';

// A small monorepo lockfile with the shapes npm writes: workspace entries and their links,
// nested node_modules (two versions of one package), a package nested under a workspace,
// optional and peer dependencies, dev-only packages and a platform binary npm left out.
function lockfile(): Lockfile {
  const reg = (version: string, extra: Partial<LockEntry> = {}): LockEntry => ({
    version,
    resolved: `https://registry.example/x-${version}.tgz`,
    integrity: `sha512-${version}`,
    ...extra,
  });
  return {
    name: 'mono',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'mono', version: '1.0.0', workspaces: ['libs/*', 'services/*', 'tools/*'], devDependencies: { typescript: '^5' } },
      'libs/a': { name: '@m/a', version: '0.1.0', dependencies: { left: '^1', shared: '^2' }, devDependencies: { jestish: '^1' } },
      'libs/b': { name: '@m/b', version: '0.1.0', dependencies: { '@m/a': '*', old: '^1' }, optionalDependencies: { native: '^1' } },
      'services/s': { name: '@m/s', version: '0.1.0', dependencies: { '@m/b': '*', plugin: '^1' } },
      'tools/t': { name: '@m/t', version: '0.1.0', dependencies: { toolonly: '^1' } },
      'node_modules/@m/a': { resolved: 'libs/a', link: true },
      'node_modules/@m/b': { resolved: 'libs/b', link: true },
      'node_modules/@m/s': { resolved: 'services/s', link: true },
      'node_modules/@m/t': { resolved: 'tools/t', link: true },
      'node_modules/left': reg('1.0.0', { dependencies: { shared: '^1' } }),
      // left needs shared@1, nested under it; everything else gets the hoisted shared@2.
      'node_modules/left/node_modules/shared': reg('1.5.0'),
      'node_modules/shared': reg('2.0.0'),
      'node_modules/old': reg('1.0.0', { dependencies: { deep: '^1' } }),
      'node_modules/deep': reg('1.0.0'),
      'node_modules/native': reg('1.0.0', { optional: true, optionalDependencies: { 'native-linux': '1.0.0', 'native-darwin': '1.0.0' } }),
      'node_modules/native-linux': reg('1.0.0', { optional: true, os: ['linux'] }),
      // native-darwin was never recorded: npm may leave out what no platform of the lockfile needs.
      'node_modules/plugin': reg('1.0.0', { peerDependencies: { host: '^1', extra: '^1' }, peerDependenciesMeta: { extra: { optional: true } } }),
      'node_modules/host': reg('1.0.0'),
      'node_modules/extra': reg('1.0.0', { dev: true }),
      'node_modules/jestish': reg('1.0.0', { dev: true }),
      'node_modules/typescript': reg('5.0.0', { dev: true }),
      'services/s/node_modules/toolonly': reg('3.0.0'),
      'node_modules/toolonly': reg('1.0.0'),
    },
  };
}

const ROOT: LockEntry = { name: 'mono-s', version: '1.0.0', workspaces: ['libs/a', 'libs/b', 'services/s'] };

function prune(lock = lockfile(), dirs = ['libs/a', 'libs/b', 'services/s']) {
  return pruneLockfile(lock, { workspaceDirs: dirs, root: { ...ROOT, workspaces: dirs }, path: 'package-lock.json' });
}

test('Node lookup: own node_modules first, then each ancestor, never node_modules/node_modules', () => {
  const { packages } = lockfile();
  expect(resolveLocation(packages, 'node_modules/left', 'shared')).toBe('node_modules/left/node_modules/shared');
  expect(resolveLocation(packages, 'libs/a', 'shared')).toBe('node_modules/shared');
  expect(resolveLocation(packages, 'node_modules/left/node_modules/shared', 'deep')).toBe('node_modules/deep');
  expect(resolveLocation(packages, 'services/s', 'toolonly')).toBe('services/s/node_modules/toolonly');
  expect(resolveLocation(packages, 'libs/a', 'toolonly')).toBe('node_modules/toolonly');
  expect(resolveLocation(packages, 'libs/a', 'nothing')).toBeUndefined();
});

test('keeps exactly what a production install of the closure reaches, with links and both versions', () => {
  const { lockfile: out, installed } = prune();
  expect(Object.keys(out.packages)).toEqual([
    '',
    'libs/a',
    'libs/b',
    'services/s',
    'node_modules/@m/a',
    'node_modules/@m/b',
    'node_modules/@m/s',
    'node_modules/left',
    'node_modules/left/node_modules/shared',
    'node_modules/shared',
    'node_modules/old',
    'node_modules/deep',
    'node_modules/native',
    'node_modules/native-linux',
    'node_modules/plugin',
    'node_modules/host',
  ]);
  expect(installed).toHaveLength(9);
  // Not the tool workspace, its dependency, a dev dependency, an optional peer nobody else needs.
  for (const gone of ['tools/t', 'node_modules/@m/t', 'node_modules/toolonly', 'node_modules/jestish', 'node_modules/typescript', 'node_modules/extra']) {
    expect(out.packages[gone]).toBeUndefined();
  }
  expect(out.lockfileVersion).toBe(3);
  expect(out.packages['']).toEqual({ ...ROOT, workspaces: ['libs/a', 'libs/b', 'services/s'] });
});

test('recomputes the flags for the smaller tree and drops workspace devDependencies', () => {
  const { lockfile: out } = prune();
  const p = out.packages;
  expect(Object.values(p).some((e) => e.dev === true || e.devOptional === true)).toBe(false);
  expect(p['node_modules/native']!.optional).toBe(true);
  expect(p['node_modules/native-linux']!.optional).toBe(true);
  expect(p['node_modules/old']!.optional).toBeUndefined();
  expect(p['node_modules/host']!.peer).toBe(true);
  expect(p['node_modules/plugin']!.peer).toBeUndefined();
  expect(p['libs/a']!.devDependencies).toBeUndefined();
  expect(p['libs/a']!.dependencies).toEqual({ left: '^1', shared: '^2' });
  // Registry metadata is carried through unchanged.
  expect(p['node_modules/native-linux']).toMatchObject({ version: '1.0.0', integrity: 'sha512-1.0.0', os: ['linux'] });
});

test('a package reached by a required path is not optional even if an optional path reaches it too', () => {
  const lock = lockfile();
  lock.packages['node_modules/native']!.dependencies = { deep: '^1' };
  expect(prune(lock).lockfile.packages['node_modules/deep']!.optional).toBeUndefined();
  lock.packages['node_modules/old']!.dependencies = {};
  expect(prune(lock).lockfile.packages['node_modules/deep']!.optional).toBe(true);
});

test('a smaller closure keeps less', () => {
  const { lockfile: out } = prune(lockfile(), ['libs/a']);
  expect(Object.keys(out.packages)).toEqual(['', 'libs/a', 'node_modules/@m/a', 'node_modules/left', 'node_modules/left/node_modules/shared', 'node_modules/shared']);
});

test('a required dependency missing from the lockfile fails, naming it and its dependent', () => {
  const lock = lockfile();
  delete lock.packages['node_modules/deep'];
  expect(() => prune(lock)).toThrow(UnresolvedDependencyError);
  expect(() => prune(lock)).toThrow('deep (required by node_modules/old) is not in package-lock.json');
});

test('a link to a package outside the closure fails instead of leaving a dangling symlink', () => {
  const lock = lockfile();
  lock.packages['libs/a']!.dependencies = { ...lock.packages['libs/a']!.dependencies, '@m/t': '*' };
  expect(() => prune(lock)).toThrow(LockfileError);
  expect(() => prune(lock)).toThrow('node_modules/@m/t links to tools/t, which is not a workspace package of the image');
});
