import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes `files` (path -> content; objects become JSON) under a fresh temporary directory. */
export function writeTree(files: Record<string, unknown>, prefix = 'meridian-image-fixture-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return root;
}

/**
 * A built monorepo in miniature: a service depending on a lib that reads a runtime file through
 * `__dirname` (declared in `files`), a test kit only as a devDependency, and a lockfile.
 */
export function miniMonorepo(overrides: Record<string, unknown> = {}): string {
  return writeTree({
    'package.json': { name: 'mono', version: '1.0.0', workspaces: ['libs/*', 'services/*'], devDependencies: { typescript: '^5' }, allowScripts: { native: false, typescript: true } },
    '.npmrc': 'fund=false\n',
    'package-lock.json': {
      name: 'mono',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'mono', version: '1.0.0', workspaces: ['libs/*', 'services/*'], devDependencies: { typescript: '^5' } },
        'libs/db': { name: '@m/db', version: '0.1.0', dependencies: { pgish: '^1' } },
        'libs/kit': { name: '@m/kit', version: '0.1.0', dependencies: { containers: '^1' } },
        'services/api': { name: '@m/api', version: '0.1.0', dependencies: { '@m/db': '*' }, devDependencies: { '@m/kit': '*' } },
        'node_modules/@m/api': { resolved: 'services/api', link: true },
        'node_modules/@m/db': { resolved: 'libs/db', link: true },
        'node_modules/@m/kit': { resolved: 'libs/kit', link: true },
        'node_modules/containers': { version: '1.0.0', resolved: 'https://r/containers.tgz', integrity: 'sha512-c' },
        'node_modules/pgish': { version: '1.2.0', resolved: 'https://r/pgish.tgz', integrity: 'sha512-p', dependencies: { native: '^1' } },
        'node_modules/native': { version: '1.0.0', resolved: 'https://r/native.tgz', integrity: 'sha512-n', hasInstallScript: true },
        'node_modules/typescript': { version: '5.0.0', resolved: 'https://r/ts.tgz', integrity: 'sha512-t', dev: true },
      },
    },
    'libs/db/package.json': { name: '@m/db', version: '0.1.0', main: 'dist/index.js', files: ['dist', 'migrations'], dependencies: { pgish: '^1' } },
    'libs/db/dist/index.js': "const { join } = require('node:path');\nexports.dir = () => (0, join)(__dirname, '..', 'migrations');\n",
    'libs/db/dist/.tsbuildinfo': '{}',
    'libs/db/migrations/001.sql': 'select 1;\n',
    'libs/db/src/index.ts': 'export {};\n',
    'libs/kit/package.json': { name: '@m/kit', version: '0.1.0', dependencies: { containers: '^1' } },
    'libs/kit/dist/index.js': '',
    'services/api/package.json': { name: '@m/api', version: '0.1.0', dependencies: { '@m/db': '*' }, devDependencies: { '@m/kit': '*' } },
    'services/api/dist/main.js': "require('@m/db');\n",
    ...overrides,
  });
}
