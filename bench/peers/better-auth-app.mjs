// The peer a team would pick instead of writing auth: Better Auth with email and password, its
// PostgreSQL support on a `pg` pool (its Kysely adapter), behind its documented Node handler, in
// production mode. Its own defaults except what would make it measure something else: the
// session cookie cache off (so get-session reads the database, as ours reads the user for `me`)
// and its rate limit off (ours is raised past the load too). BETTER_AUTH_UPDATE_AGE=0 makes every
// get-session renew the session, which is what it has in place of a refresh.
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { createServer } from 'node:http';
import pg from 'pg';

const { DATABASE_URL, PORT, BETTER_AUTH_SECRET, BETTER_AUTH_UPDATE_AGE } = process.env;
const SCHEMA = 'better_auth';
const baseURL = `http://127.0.0.1:${PORT}`;

const setup = new pg.Client({ connectionString: DATABASE_URL });
await setup.connect();
await setup.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
await setup.end();

const auth = betterAuth({
  baseURL,
  secret: BETTER_AUTH_SECRET,
  database: new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${SCHEMA}`, max: 10 }),
  emailAndPassword: { enabled: true },
  session: {
    cookieCache: { enabled: false },
    ...(BETTER_AUTH_UPDATE_AGE === undefined ? {} : { updateAge: Number(BETTER_AUTH_UPDATE_AGE) }),
  },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const server = createServer(toNodeHandler(auth));
server.listen(Number(PORT), '127.0.0.1', () => console.log(`Listening on port ${PORT}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
