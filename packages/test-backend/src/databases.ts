import { randomBytes } from 'crypto';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';

/** Where the integration tests' plugins keep their state: `TEST_DATABASE=postgres` or SQLite. */
export type TestDatabaseKind = 'sqlite' | 'postgres';

/** The machine's PostgreSQL (trust auth), as CI and every machine of this project run it. */
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' };

/** Test databases older than this are dropped by the next run that makes one. */
const STALE_MS = 30 * 60 * 1000;

async function dropStale(admin: Knex) {
  const { rows } = await admin.raw(
    "select datname from pg_database where datname ~ '^test_[0-9]+_[0-9a-f]+_'",
  );
  for (const { datname } of rows as { datname: string }[]) {
    const made = Number(datname.split('_')[1]) * 1000;
    if (Date.now() - made > STALE_MS) {
      await admin.raw('drop database if exists ?? with (force)', [datname]);
    }
  }
}

/**
 * One database per plugin for a test backend: SQLite in memory, or — with
 * `TEST_DATABASE=postgres` — a fresh database on the machine's PostgreSQL, dropped by `stop()`.
 * `factory` hands each plugin its own; `knexFor` lets a test read what a plugin stored.
 */
export function testDatabases(
  kind: TestDatabaseKind = process.env.TEST_DATABASE === 'postgres'
    ? 'postgres'
    : 'sqlite',
) {
  // named for when they were made: a later run drops what is older than STALE_MS
  const run = `${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString(
    'hex',
  )}`;
  const clients = new Map<string, Promise<Knex>>();
  let admin: Knex | undefined;

  async function open(pluginId: string): Promise<Knex> {
    if (kind === 'sqlite') {
      return knexFactory({
        client: 'better-sqlite3',
        connection: ':memory:',
        useNullAsDefault: true,
      });
    }
    if (!admin) {
      admin = knexFactory({
        client: 'pg',
        connection: { ...POSTGRES, database: 'postgres' },
      });
      await dropStale(admin);
    }
    const database = `test_${run}_${pluginId.replace(/[^a-z0-9_]/gi, '_')}`
      .toLowerCase()
      .slice(0, 63);
    await admin.raw('create database ??', [database]);
    return knexFactory({
      client: 'pg',
      connection: { ...POSTGRES, database },
      pool: { min: 0, max: 5 },
    });
  }

  function knexFor(pluginId: string): Promise<Knex> {
    if (!clients.has(pluginId)) clients.set(pluginId, open(pluginId));
    return clients.get(pluginId)!;
  }

  return {
    kind,
    knexFor,
    factory: createServiceFactory({
      service: coreServices.database,
      deps: { plugin: coreServices.pluginMetadata },
      factory: ({ plugin }) => ({
        getClient: () => knexFor(plugin.getId()),
      }),
    }),
    /** Every row of every table of a plugin's database, one JSON line per row. */
    async rows(pluginId: string): Promise<{ table: string; row: string }[]> {
      const knex = await knexFor(pluginId);
      const tables: string[] =
        kind === 'sqlite'
          ? (
              await knex.select('name').from('sqlite_master').where({
                type: 'table',
              })
            ).map((t: { name: string }) => t.name)
          : (
              await knex
                .select('table_name')
                .from('information_schema.tables')
                .where({ table_schema: 'public', table_type: 'BASE TABLE' })
            ).map((t: { table_name: string }) => t.table_name);
      const out: { table: string; row: string }[] = [];
      for (const table of tables) {
        for (const row of await knex.select('*').from(table)) {
          out.push({ table, row: JSON.stringify(row) });
        }
      }
      return out;
    },
    /**
     * Closes the admin connection. The plugins' databases and clients are left as they are: a
     * stopped backend's background work (the scaffolder's task workers) may still reach for
     * them, and a dropped database or destroyed pool fails where nobody catches it. A later
     * run drops databases older than half an hour.
     */
    async stop() {
      await admin?.destroy();
      admin = undefined;
    },
  };
}

/** @see testDatabases */
export type TestDatabases = ReturnType<typeof testDatabases>;
