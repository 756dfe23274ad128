import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const ROOT = join(__dirname, '../..');

export interface IsolatedDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A migrated database of its own on the test server, for tests that need table-wide facts (such as
 * "no other admin exists") that parallel test files sharing DATABASE_URL would otherwise disturb.
 */
export async function createIsolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const shared = new URL(process.env.DATABASE_URL!);
  const name = `${shared.pathname.slice(1)}_${label}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const url = new URL(shared);
  url.pathname = `/${name}`;

  await withAdminClient(shared, (client) => client.query(`CREATE DATABASE "${name}"`));
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/db/migrate.mjs')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url.toString() },
  });
  return {
    url: url.toString(),
    drop: () => withAdminClient(shared, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function withAdminClient(url: URL, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
