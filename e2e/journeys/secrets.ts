/*
 * Secrets: an application logs in with its connection secret (the healthy database accepts,
 * the broken one refuses); a password typed in the form goes to SSM and never back to the
 * browser; no response and no portal log line carries a password; on the production shape,
 * neither the backend's PostgreSQL nor its Redis cache holds one.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import { before, test } from 'node:test';
import { Client, type ClientConfig } from 'pg';
import { PG, PREFIX, redis } from '../../scripts/productionServices';
import {
  APP,
  BACKEND,
  PRODUCTION,
  asUser,
  ensureOrdersDb,
  nameAvailability,
  openFormFor,
  page,
  placeIn,
  portalLog,
  requestedSsm,
  sandboxClaims,
  seededSsm,
  session,
  shot,
  ssmPassword,
} from '../portal';

/**
 * A connection secret's five keys, read from the sandbox's cluster as an application gets them
 * (POSTGRES_HOST, _PORT, _DB, _USER and _PASSWORD from endpoint, port, database, username and
 * password), as node-postgres' connection settings.
 */
export async function connectionSecret(namespace: string, name: string) {
  const res = await fetch(
    `http://127.0.0.1:7030/api/v1/namespaces/${namespace}/secrets/${name}`,
    { headers: { authorization: 'Bearer sandbox-token' } },
  );
  assert.equal(res.status, 200, `secret ${namespace}/${name}`);
  const { data } = await res.json();
  const value = (key: string) =>
    Buffer.from(data[key], 'base64').toString('utf8');
  return {
    host: value('endpoint'),
    port: Number(value('port')),
    database: value('database'),
    user: value('username'),
    password: value('password'),
  };
}

/** Logs in and runs a query: its row, or `{ refused: <SQLSTATE> }` (never the password). */
export async function login(config: ClientConfig) {
  const client = new Client({ ...config, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query(
      'select current_user, current_database()',
    );
    return rows[0];
  } catch (e) {
    return { refused: e.code ?? e.message };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Every row of every table of a PostgreSQL database, as text. */
async function allRows(config: ClientConfig) {
  const db = new Client(config);
  await db.connect();
  try {
    const tables = await db.query(
      "select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'",
    );
    const out: string[] = [];
    for (const t of tables.rows) {
      const rows = await db.query(
        `select t::text as row from "${t.table_schema}"."${t.table_name}" t`,
      );
      out.push(...rows.rows.map(r => `${t.table_name}: ${r.row}`));
    }
    return out;
  } finally {
    await db.end();
  }
}

const TYPED_PASSWORD = 'TypedInTheForm-0123456789-abcdefghijklmnop';

export function secrets() {
  before(ensureOrdersDb);

  test("the healthy database accepts its connection secret's credentials, the broken one refuses them", async () => {
    if (fs.existsSync(portalLog)) {
      assert.match(
        fs.readFileSync(portalLog, 'utf8'),
        /sandbox: login check on/,
        `the sandbox runs no PostgreSQL of its own, so nothing can log in; see ${portalLog}`,
      );
    }
    const orders = await connectionSecret('orders', 'orders-postgres');
    assert.equal(orders.host, '127.0.0.1');
    assert.deepEqual(await login(orders), {
      current_user: orders.user,
      current_database: orders.database,
    });
    assert.deepEqual(
      await login({ ...orders, password: `${orders.password}-wrong` }),
      { refused: '28P01' },
    );

    // billing's tab says the application cannot log in (SSM username ≠ owner): it cannot
    const billing = await connectionSecret('billing', 'billing-postgres');
    assert.equal(billing.user, 'billing-app');
    assert.deepEqual(await login(billing), { refused: '28P01' });
  });

  test('a password typed in the form goes to SSM, the review shows only asterisks, the database turns healthy', async () => {
    await openFormFor('billing');
    await placeIn('billing-dev');

    await page.getByLabel(/^Password/).fill(TYPED_PASSWORD);
    await page.getByRole('spinbutton', { name: /Storage/ }).fill('10');
    await nameAvailability().getByText('Available.').waitFor();
    await shot('08-form-typed-password');
    await page.getByRole('button', { name: 'Review' }).click();
    const review = (await page.locator('body').textContent()) ?? '';
    assert.ok(
      !review.includes(TYPED_PASSWORD),
      'the review shows the password',
    );
    await page.getByRole('button', { name: 'Create' }).click();
    await page
      .getByRole('link', { name: 'Pull request' })
      .waitFor({ timeout: 120_000 });
    await shot('09-task-typed-password');
    assert.equal(
      await ssmPassword(requestedSsm('dev', 'billing', 'billing-db')),
      TYPED_PASSWORD,
    );

    // merge it: the database built from the typed password turns healthy on billing's tab
    await page.goto(
      (await page
        .getByRole('link', { name: 'Pull request' })
        .getAttribute('href'))!,
    );
    await page.getByRole('button', { name: 'Merge pull request' }).click();
    await page.getByText('Merged', { exact: true }).waitFor();
    await page.goto(`${APP}/catalog/default/component/billing/databases`);
    await page
      .getByText('namespace billing-dev', { exact: false })
      .first()
      .waitFor({ timeout: 90_000 });
    await page
      .getByText('Healthy', { exact: true })
      .first()
      .waitFor({ timeout: 90_000 });
    await shot('10-billing-typed-password-healthy');
  });

  test('no network response and no portal log line carries a password', async () => {
    const folders = [
      requestedSsm('dev', 'orders', 'orders-db'), // generated by the task
      requestedSsm('dev', 'billing', 'billing-db'), // typed in the form
      seededSsm('prod', 'agent-executor'), // seeded
      seededSsm('prod', 'billing'),
      seededSsm('prod', 'inventory'), // seeded, hibernated
      seededSsm('prod', 'search'), // seeded, failing over
    ];
    // orders' second database, when the refusals journey made it in this run
    if (
      (await sandboxClaims()).some(
        c => c.namespace === 'orders' && c.name === 'orders-reports',
      )
    )
      folders.push(requestedSsm('dev', 'orders', 'orders-reports'));
    const passwords: string[] = [];
    for (const folder of folders) {
      passwords.push(await ssmPassword(folder));
    }
    assert.ok(passwords.length >= 6, `${passwords.length} passwords`);
    assert.ok(passwords.includes(TYPED_PASSWORD));
    const { bodies } = session;
    assert.ok(bodies.length > 20, `only ${bodies.length} responses recorded`);
    const all = bodies.join('\n');
    assert.deepEqual(
      passwords.filter(p => all.includes(p)),
      [],
    );
    // nor the portal's own log output (backend, app and sandbox)
    if (fs.existsSync(portalLog)) {
      const log = fs.readFileSync(portalLog, 'utf8');
      assert.ok(
        log.includes('Plugin initialization complete'),
        'the backend log was captured',
      );
      assert.deepEqual(
        passwords.filter(p => log.includes(p)),
        [],
      );
    }
  });

  test(
    'the production shape keeps the backend in PostgreSQL and its cache in Redis, and no password in either',
    { skip: !PRODUCTION && 'only with E2E_PRODUCTION=1' },
    async () => {
      const passwords = await Promise.all(
        [
          requestedSsm('dev', 'orders', 'orders-db'),
          requestedSsm('dev', 'billing', 'billing-db'),
          seededSsm('prod', 'agent-executor'),
        ].map(ssmPassword),
      );
      const client = new Client(PG);
      await client.connect();
      let names: string[];
      try {
        const { rows } = await client.query(
          'select datname from pg_database where datname like $1 order by 1',
          [`${PREFIX}%`],
        );
        names = rows.map(r => r.datname);
      } finally {
        await client.end();
      }
      for (const plugin of ['catalog', 'scaffolder', 'auth']) {
        assert.ok(names.includes(`${PREFIX}${plugin}`), names.join(', '));
      }
      const rows: string[] = [];
      for (const database of names) {
        rows.push(...(await allRows({ ...PG, database })));
      }
      // the tasks this run made are in PostgreSQL
      assert.ok(
        rows.filter(r => r.startsWith('tasks: ') && r.includes('completed'))
          .length >= 2,
        'completed tasks in PostgreSQL',
      );
      assert.deepEqual(
        rows.filter(r => passwords.some(p => r.includes(p))),
        [],
      );

      // the health backend's cluster reads are shared through Redis, and hold no password; a
      // view of billing's tab just now (the sandbox's cache entries live 2 s)
      await page.goto(`${APP}/catalog/default/component/billing/databases`);
      await page
        .getByRole('list', { name: 'Health of billing-db' })
        .first()
        .waitFor();
      // the entries live 2 s: a key listed may be gone by the time it is read, so read again
      // right after a fresh view until a listed entry is still there (at most 5 times)
      let keys: string[] = [];
      let values = '';
      for (let attempt = 0; attempt < 5 && !/readAt/.test(values); attempt++) {
        if (attempt > 0) {
          await new Promise(r => setTimeout(r, 2100)); // past the TTL: the next view reads anew
          await fetch(
            `${BACKEND}/api/postgres/v1/entities/component/default/billing/databases`,
            { headers: asUser() },
          );
        }
        keys = (await redis(['SELECT 5', 'KEYS *postgres*']))
          .split('\r\n')
          .filter(l => /postgres/.test(l) && !/^[$*+]/.test(l));
        values = keys.length
          ? await redis(['SELECT 5', ...keys.map(k => `GET ${k}`)])
          : '';
      }
      assert.ok(
        keys.length > 0,
        'no cache entry of the postgres plugin in Redis',
      );
      assert.match(values, /readAt/);
      assert.deepEqual(
        passwords.filter(p => values.includes(p)),
        [],
      );
    },
  );
}
