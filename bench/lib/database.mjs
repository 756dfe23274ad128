// A fresh database for one bench run: a new database on BENCH_DATABASE_URL's (or DATABASE_URL's)
// server when set, else a throwaway embedded PostgreSQL; migrated, and dropped when the run ends.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startThrowawayPostgres } from '../../scripts/db/embedded-postgres.mjs';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function createBenchDatabase() {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  let database;
  if (serverUrl) {
    const name = `bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    database = {
      url: url.href,
      where: `${name} on ${url.host}`,
      drop: async () => {
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  } else {
    const embedded = await startThrowawayPostgres();
    database = { url: embedded.databaseUrl, where: 'a throwaway embedded PostgreSQL', drop: embedded.stop };
  }
  try {
    await migrate(database.url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

function migrate(databaseUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/db/migrate.mjs'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrate.mjs exited with ${code}`))));
  });
}

/**
 * Stored sessions without HTTP: `count` live sessions, each with one refresh token, spread over
 * filler users (or all of `userId`'s), in batches of one INSERT ... SELECT generate_series each.
 */
export async function insertSessions(databaseUrl, count, { userId } = {}) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const filler = randomBytes(4).toString('hex');
    const users = userId ? 1 : Math.max(1, Math.ceil(count / 100));
    if (!userId) {
      await client.query(
        `INSERT INTO users (id, email, password_hash, updated_at)
         SELECT gen_random_uuid(), 'filler-' || $1 || '-' || i || '@bench.test', 'x', now()
         FROM generate_series(1, $2) AS i`,
        [filler, users],
      );
    }
    const batch = 200_000;
    for (let start = 1; start <= count; start += batch) {
      const end = Math.min(count, start + batch - 1);
      await client.query(
        `WITH owner AS (
                SELECT id, row_number() OVER () - 1 AS n FROM users
                WHERE CASE WHEN $5::uuid IS NULL THEN email LIKE 'filler-' || $1 || '-%' ELSE id = $5::uuid END),
              s AS (
                INSERT INTO sessions (id, user_id, idle_expires_at, absolute_expires_at)
                SELECT gen_random_uuid(), owner.id, now() + interval '7 days', now() + interval '30 days'
                FROM generate_series($2::int, $3::int) AS i JOIN owner ON owner.n = i % $4
                RETURNING id)
         INSERT INTO refresh_tokens (id, session_id, token_hash, generation)
         SELECT gen_random_uuid(), s.id, sha256(convert_to(s.id::text || $1, 'UTF8')), 0 FROM s`,
        [filler, start, end, users, userId ?? null],
      );
    }
    // Measure the table at rest: vacuumed and analysed, its pages flushed, so neither autovacuum nor a
    // checkpoint of the bulk insert runs during the measurement.
    await client.query('VACUUM (ANALYZE) sessions, refresh_tokens, users');
    await client.query('CHECKPOINT');
    const { rows } = await client.query('SELECT count(*)::int AS n FROM sessions');
    return rows[0].n;
  } finally {
    await client.end();
  }
}
