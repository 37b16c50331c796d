/*
 * Two replicas of the postgres backend on one plugin database (SQLite shared in this process,
 * or PostgreSQL with TEST_DATABASE=postgres) and one Redis (the real cache service): a request
 * registered on one shows on both, and the open pull requests of its repository are listed
 * once per TTL for both together, however many views they serve. The pull requests are the
 * sandbox forge's, read through the real GitHub integration.
 */
import request from 'supertest';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ForgeStandIn, PullRequest } from '@bizmatters/sandbox';
import { testDatabases } from '@bizmatters/test-backend';
import { userAuth } from '@bizmatters/test-backend/postgres';
import type { DatabasesResponse } from '@bizmatters/plugin-postgres-common';
import postgresPlugin from '../index';

jest.setTimeout(60_000);

const TAB = '/api/postgres/v1/entities/component/default/orders/databases';
const REQUESTS = '/api/postgres/v1/entities/component/default/orders/requests';
const LIST = 'GET /repos/:owner/:repo/pulls';
const GET = 'GET /repos/:owner/:repo/pulls/:number';
const ALICE = userAuth('alice');
/** What postgres:request:register sends: the scaffolder acting for alice. */
const ALICE_VIA_SCAFFOLDER = userAuth('alice', 'plugin:scaffolder');
/** The claim file as the template writes it. */
const claim = (namespace: string, name: string) =>
  [
    'apiVersion: database.bizmatters.io/v1alpha1',
    'kind: PostgresInstance',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    '  annotations:',
    '    bizmatters.io/entity-ref: component:default/orders',
    'spec:',
    '  storageGB: 20',
    '',
  ].join('\n');

describe('database requests on two replicas sharing a database and Redis', () => {
  let forge: ForgeStandIn;
  const databases = testDatabases();
  let a: Awaited<ReturnType<typeof startTestBackend>>;
  let b: Awaited<ReturnType<typeof startTestBackend>>;
  let pr: PullRequest;

  const replica = () =>
    startTestBackend({
      features: [
        postgresPlugin,
        databases.factory,
        cacheServiceFactory,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'orders', namespace: 'default' },
              spec: { type: 'service', owner: 'orders', lifecycle: 'test' },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://localhost:7007',
              // a Redis database of its own; keys name this run's forge port
              cache: { store: 'redis', connection: 'redis://127.0.0.1:6379/9' },
            },
            integrations: { github: [forge.backstageIntegration()] },
            postgres: {
              cache: { ttlSeconds: 1 },
              gitops: {
                repositories: [forge.gitopsRepository('platform', 'gitops')],
              },
            },
          },
        }),
      ],
    });

  beforeAll(async () => {
    forge = await ForgeStandIn.start();
    await forge.createRepo('platform', 'gitops');
    pr = await forge.openPullRequest('platform', 'gitops', {
      head: 'postgres/orders/orders-db',
      files: {
        'databases/orders/orders-db/postgresinstance.yaml': claim(
          'orders',
          'orders-db',
        ),
      },
      title: 'Add orders-db',
    });
    a = await replica();
    b = await replica();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await databases.stop();
    await forge?.stop();
  });

  const view = async (backend: typeof a): Promise<DatabasesResponse> => {
    const res = await request(backend.server)
      .get(TAB)
      .set('Authorization', ALICE);
    expect(res.status).toBe(200);
    return res.body;
  };
  const calls = () => ({
    list: forge.calls[LIST] ?? 0,
    get: forge.calls[GET] ?? 0,
  });
  const pastTtl = () => new Promise(r => setTimeout(r, 1100));

  it('a request registered on one replica shows on the other; registering it again there changes nothing', async () => {
    const body = {
      namespace: 'orders',
      name: 'orders-db',
      repoUrl: `${forge.host}?owner=platform&repo=gitops`,
      pullRequestNumber: pr.number,
    };
    const first = await request(a.server)
      .post(REQUESTS)
      .set('Authorization', ALICE_VIA_SCAFFOLDER)
      .send(body);
    expect(first.status).toBe(201);
    const again = await request(b.server)
      .post(REQUESTS)
      .set('Authorization', ALICE_VIA_SCAFFOLDER)
      .send(body);
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);
    await pastTtl();
    for (const backend of [a, b]) {
      expect((await view(backend)).requests).toEqual([
        expect.objectContaining({
          id: first.body.id,
          phase: 'requested',
          requestedBy: 'user:default/alice',
          pullRequest: {
            number: pr.number,
            url: forge.htmlUrl(pr),
            state: 'open',
          },
        }),
      ]);
    }
  });

  it('both replicas together list the open pull requests once per TTL, whatever the views', async () => {
    await pastTtl();
    const before = calls();
    await view(a); // lists, and shares the list through Redis
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => view(i % 2 ? a : b)),
    );
    expect(calls()).toEqual({ list: before.list + 1, get: before.get });
  });

  it('after the merge, each replica reads the pull request at most once, then never again', async () => {
    await forge.merge('platform', 'gitops', pr.number);
    await pastTtl();
    const before = calls();
    for (const backend of [a, b]) {
      expect((await view(backend)).requests?.[0]).toMatchObject({
        phase: 'merged',
        timeline: { mergedAt: pr.mergedAt },
      });
    }
    const merged = calls();
    expect(merged.get - before.get).toBeGreaterThanOrEqual(1);
    expect(merged.get - before.get).toBeLessThanOrEqual(2);
    // its end is stored: later views ask the forge nothing about it
    await pastTtl();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => view(i % 2 ? a : b)),
    );
    expect(calls()).toEqual(merged);
  });

  it('mid-life: a change registered on one replica is on the same record on both', async () => {
    const grow = await forge.openPullRequest('platform', 'gitops', {
      head: 'postgres-change/orders/orders-db/growStorage-r1',
      files: {
        'databases/orders/orders-db/postgresinstance.yaml': claim(
          'orders',
          'orders-db',
        ).replace('storageGB: 20', 'storageGB: 30'),
      },
      title: 'Grow storage of orders/orders-db from 20 GB to 30 GB',
    });
    const res = await request(b.server)
      .post(REQUESTS)
      .set('Authorization', ALICE_VIA_SCAFFOLDER)
      .send({
        namespace: 'orders',
        name: 'orders-db',
        repoUrl: `${forge.host}?owner=platform&repo=gitops`,
        pullRequestNumber: grow.number,
      });
    expect([res.status, res.body.error?.message]).toEqual([201, undefined]);
    await pastTtl();
    const [onA, onB] = [(await view(a)).requests, (await view(b)).requests];
    expect(onA).toEqual(onB);
    expect(onA).toEqual([
      expect.objectContaining({
        pullRequest: expect.objectContaining({ number: pr.number }),
        changes: [
          expect.objectContaining({
            operation: 'change',
            title: 'Grow storage of orders/orders-db from 20 GB to 30 GB',
            pullRequest: expect.objectContaining({
              number: grow.number,
              state: 'open',
            }),
          }),
        ],
      }),
    ]);
  });
});
