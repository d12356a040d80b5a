// Shared jest settings: TypeScript is stripped by swc (type checking happens in `tsc -b`),
// and every test file lives in a package's test/ folder.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  // In CI a test that fails while holding a connection must end the run, not hang it.
  forceExit: process.env.CI === 'true',
};
