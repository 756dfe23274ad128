// Jest globalTeardown: stops the throwaway PostgreSQL that globalSetup started, if it started one.
export default async function globalTeardown() {
  await globalThis.__stopThrowawayPostgres?.();
}
