/*
 * The record store's migration of rows stored before a database's life was one record: each
 * existing request is a creation and its own record, with its times as they were. On SQLite
 * in memory, or PostgreSQL with TEST_DATABASE=postgres.
 */
import path from 'path';
import { testDatabases } from '@bizmatters/test-backend';
import { RequestStore } from './RequestStore';

const MIGRATIONS = path.resolve(__dirname, '../../migrations');

describe('RequestStore migrations', () => {
  const databases = testDatabases();
  afterAll(() => databases.stop());

  it('keeps the rows stored before records: each a creation, its own record, times unchanged', async () => {
    const knex = await databases.knexFor('postgres-migration-test');
    // the schema as it was on main before records
    await knex.migrate.up({
      directory: MIGRATIONS,
      name: '20261129000000_database_requests.js',
    });
    const old = {
      id: '11111111-1111-1111-1111-111111111111',
      entity_ref: 'component:default/orders',
      namespace: 'orders',
      name: 'orders-db',
      repo_host: 'github.com',
      repo_owner: 'platform',
      repo_name: 'gitops',
      pr_number: 3,
      pr_url: 'https://github.com/platform/gitops/pull/3',
      pr_state: 'merged',
      requested_by: 'user:default/alice',
      requested_at: '2026-12-01T10:00:00.000Z',
      merged_at: '2026-12-01T10:05:00.000Z',
      closed_at: null,
      claim_seen_at: '2026-12-01T10:06:00.000Z',
      healthy_at: '2026-12-01T10:07:00.000Z',
      dismissed_at: null,
    };
    await knex('database_requests').insert(old);

    const store = await RequestStore.create({
      getClient: async () => knex,
      migrations: { skip: false },
    } as any);
    expect(await store.forEntity('component:default/orders')).toEqual([
      {
        id: old.id,
        recordId: old.id,
        operation: 'create',
        title: undefined,
        entityRef: old.entity_ref,
        namespace: 'orders',
        name: 'orders-db',
        repository: { host: 'github.com', owner: 'platform', repo: 'gitops' },
        pullRequest: { number: 3, url: old.pr_url, state: 'merged' },
        requestedBy: 'user:default/alice',
        requestedAt: old.requested_at,
        mergedAt: old.merged_at,
        closedAt: undefined,
        claimSeenAt: old.claim_seen_at,
        healthyAt: old.healthy_at,
        goneAt: undefined,
      },
    ]);
    // a change registered now joins that record
    const { record } = await store.register({
      entityRef: old.entity_ref,
      namespace: 'orders',
      name: 'orders-db',
      repository: { host: 'github.com', owner: 'platform', repo: 'gitops' },
      operation: 'change',
      title: 'Grow storage of orders/orders-db from 20 GB to 30 GB',
      pullRequest: { number: 9, url: 'https://x/9', state: 'open' },
      requestedBy: 'user:default/alice',
      requestedAt: '2026-12-07T10:00:00.000Z',
    });
    expect(record).toMatchObject({ recordId: old.id, operation: 'change' });
  });
});
