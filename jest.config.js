// Jest only transpiles (SWC, no type-check: `npm run typecheck` and `npm run lint` type-check the tree).
// `npm test` runs everything but test/e2e/; `npm run test:e2e` runs test/e2e/ (packing, npm install).
const e2e = process.env.WORKSHOP_STACKS_E2E === '1';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: e2e ? ['<rootDir>/test/e2e/**/*.test.ts'] : ['**/*.test.ts'],
  testPathIgnorePatterns: e2e ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/e2e/'],
  // One packed library and one installed project per run, shared by the test files that need them (test/pack.ts).
  globalSetup: '<rootDir>/test/pack-setup.ts',
  globalTeardown: '<rootDir>/test/pack-teardown.ts',
  transform: {
    '^.+\\.(t|m?j)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // @kubernetes/client-node is ESM-only: Node requires it, Jest's own module loader cannot, so Jest transpiles
  // it (and its ES module dependencies) to CommonJS like the sources.
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)'],
  testTimeout: 30000,
  // One worker per core: Jest's default (cores - 1) is a single worker on a 2-core machine, where much of the
  // suite waits on its TLS test server and on 1-2 s deadlines, so the second worker halves the wall time
  // (72 s -> 44 s measured). Not more than the cores: the deadline tests measure time.
  maxWorkers: '100%',
};
