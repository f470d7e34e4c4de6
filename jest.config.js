/** Type-checking happens once in `npm test` (tsc -p tsconfig.dev.json); ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The slow tests that install the packed library into a project (npm install): run on their own.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
  // One packed library and one installed project per run, shared by the test files that need them (test/pack.ts).
  globalSetup: '<rootDir>/test/pack-setup.ts',
  globalTeardown: '<rootDir>/test/pack-teardown.ts',
  moduleFileExtensions: ['ts', 'mts', 'js', 'mjs', 'json'],
  // TypeScript's ESM import of a .mts file names its output, `./x.mjs`; jest runs the source.
  moduleNameMapper: { '^(\\./client-node)\\.mjs$': '$1.mts' },
  extensionsToTreatAsEsm: ['.mts'],
  transform: {
    '^.+\\.m?ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: false, useESM: true }],
  },
  testTimeout: 30000,
};
