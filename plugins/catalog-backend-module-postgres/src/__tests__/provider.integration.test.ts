/*
 * The database provider in a real backend: the REAL catalog (with this module), permission,
 * Kubernetes and postgres backends, two Kubernetes API stand-ins loaded with the reference
 * examples. Refreshes are triggered by hand on the (mock) scheduler: "the next refresh".
 */
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { Entity } from '@backstage/catalog-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import {
  catalogAndPermissions,
  catalogAndPermissionsConfig,
  testDatabases,
  waitForCatalog,
} from '@bizmatters/test-backend';
import { KubeObject, KubernetesStandIn } from '@bizmatters/sandbox';
import postgresPlugin from '@bizmatters/plugin-postgres-backend';
import {
  databaseResourceName,
  decidePostgresPermission,
} from '@bizmatters/plugin-postgres-common';
import catalogModule from '../index';

jest.setTimeout(120_000);

const EXAMPLES = path.resolve(
  __dirname,
  '../../../../fixtures/reference/examples',
);
const TASK = 'postgres-databases:refresh';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Examples 01–03 belong to team-a's components, 04–05 to team-b's. */
const teamOf = (n: number) => (n <= 3 ? 'team-a' : 'team-b');

/**
 * One reference example in its own namespace `example-NN`, its claim naming the component
 * `example-NN` and (except example 05: its owner comes from the component) its owner group.
 */
function loadExample(file: string): KubeObject[] {
  const n = Number(file.slice(0, 2));
  const id = file.slice(0, 2);
  const items: KubeObject[] = JSON.parse(
    fs.readFileSync(path.join(EXAMPLES, file), 'utf8'),
  ).items;
  for (const item of items) {
    if (item.metadata.namespace) item.metadata.namespace = `example-${id}`;
    if (item.kind === 'PostgresInstance') {
      item.metadata.annotations = {
        ...(item.metadata.annotations as Record<string, string> | undefined),
        'bizmatters.io/entity-ref': `component:default/example-${id}`,
        ...(n === 5
          ? {}
          : { 'bizmatters.io/owner': `group:default/${teamOf(n)}` }),
      };
    }
  }
  return items;
}
const files = fs
  .readdirSync(EXAMPLES)
  .filter(f => f.endsWith('.json'))
  .sort();
const examples = files.map(loadExample);

const ENTITIES = [
  ...['team-a', 'team-b'].map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
  })),
  ...[
    ['alice', 'team-a'],
    ['bob', 'team-b'],
  ].map(([name, group]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: [group] },
  })),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'agents', namespace: 'default' },
    spec: { owner: 'group:default/team-a' },
  },
  ...files.map((_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: `example-0${i + 1}`, namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: `group:default/${teamOf(i + 1)}`,
      ...(i === 0 ? { system: 'agents' } : {}),
    },
  })),
] as Entity[];

/** The product's rules (owners read their components' databases); anything else allowed. */
const policy: PermissionPolicy = {
  async handle(req, user) {
    return (
      decidePostgresPermission(req.permission, user) ?? {
        result: AuthorizeResult.ALLOW,
      }
    );
  },
};

const auth = (user: string) =>
  `Bearer ${mockCredentials.user.token(`user:default/${user}`)}`;

const resourceOf = (cluster: string, n: number) =>
  databaseResourceName({
    cluster,
    namespace: `example-0${n}`,
    name: 'agent-executor-db',
  });

describe('database Resources from every cluster’s claims (real catalog, Kubernetes and postgres backends)', () => {
  let a: KubernetesStandIn;
  let b: KubernetesStandIn;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const scheduler = mockServices.scheduler();
  const pluginDatabases = testDatabases();

  const entity = async (name: string) =>
    request(backend.server)
      .get(`/api/catalog/entities/by-name/resource/default/${name}`)
      .set('authorization', auth('alice'));

  /** Runs the provider's task once, then waits until `done` holds of the catalog. */
  async function refreshUntil(
    done: () => Promise<boolean>,
    what: string,
    timeoutMs = 60_000,
  ) {
    await sleep(1100); // the postgres backend's cache (1 s)
    await scheduler.triggerTask(TASK);
    const deadline = Date.now() + timeoutMs;
    // on a busy machine a refresh may be cut by the read deadline or still be processed by
    // the catalog: the refresh runs again every 5 s, as its schedule would
    let next = Date.now() + 5000;
    while (!(await done())) {
      if (Date.now() > deadline)
        throw new Error(`The catalog did not show ${what}`);
      if (Date.now() > next) {
        await scheduler.triggerTask(TASK);
        next = Date.now() + 5000;
      }
      await sleep(200);
    }
  }

  beforeAll(async () => {
    a = await KubernetesStandIn.start({ name: 'cluster-a' });
    b = await KubernetesStandIn.start({ name: 'cluster-b' });
    examples.forEach((objects, i) => (i < 3 ? a : b).apply(...objects));
    // the same namespace and claim name in the other cluster too
    b.apply(examples[0].find(o => o.kind === 'PostgresInstance')!);
    backend = await startTestBackend({
      features: [
        catalogModule,
        postgresPlugin,
        kubernetesPlugin,
        pluginDatabases.factory,
        ...catalogAndPermissions({ entities: ENTITIES, policy }),
        permissionsServiceFactory,
        (scheduler as any).factory({ skipTaskRunOnStartup: true }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            ...catalogAndPermissionsConfig([
              'Component',
              'Group',
              'User',
              'System',
              'Resource',
            ]),
            kubernetes: KubernetesStandIn.backstageConfig([a, b]),
            postgres: { cache: { ttlSeconds: 1 } },
          },
        }),
      ],
    });
    await waitForCatalog(
      backend.server,
      ENTITIES.map(e => `${e.kind.toLowerCase()}/default/${e.metadata.name}`),
      { authorization: auth('alice') },
    );
  });

  afterAll(async () => {
    await backend?.stop();
    await pluginDatabases.stop();
    await a?.stop();
    await b?.stop();
  });

  const ALL = [
    ['cluster-a', 1],
    ['cluster-a', 2],
    ['cluster-a', 3],
    ['cluster-b', 4],
    ['cluster-b', 5],
    ['cluster-b', 1],
  ] as const;

  it('makes every claim of every cluster a database Resource with its owner, relations and annotations', async () => {
    const names = ALL.map(([cluster, n]) => resourceOf(cluster, n));
    expect(new Set(names).size).toBe(6); // the same claim in two clusters: two names
    await refreshUntil(
      async () =>
        (
          await Promise.all(names.map(entity))
        ).every(r => r.status === 200 && r.body.relations?.length),
      'every database Resource',
    );
    const res = await entity(resourceOf('cluster-a', 1));
    expect(res.body).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: resourceOf('cluster-a', 1),
        namespace: 'default',
        // the name is opaque; its owners read the claim in the title and description
        title: 'agent-executor-db (cluster-a/example-01)',
        description:
          'PostgreSQL database: the PostgresInstance example-01/agent-executor-db in cluster cluster-a',
        annotations: {
          'bizmatters.io/postgres-instances':
            'cluster-a/example-01/agent-executor-db',
        },
      },
      spec: {
        type: 'database',
        owner: 'group:default/team-a',
        dependencyOf: ['component:default/example-01'],
        system: 'system:default/agents',
      },
    });
    const relations = (r: any) =>
      r.body.relations.map((x: any) => `${x.type} ${x.targetRef}`).sort();
    expect(relations(res)).toEqual([
      'dependencyOf component:default/example-01',
      'ownedBy group:default/team-a',
      'partOf system:default/agents',
    ]);
    // example 05's claim names no owner: its component's; its component has no system
    const five = await entity(resourceOf('cluster-b', 5));
    expect(five.body.spec).toEqual({
      type: 'database',
      owner: 'group:default/team-b',
      dependencyOf: ['component:default/example-05'],
    });
    // the component lists it under "depends on" (once the catalog has stitched it again)
    const dependsOn = async () =>
      (
        await request(backend.server)
          .get('/api/catalog/entities/by-name/component/default/example-01')
          .set('authorization', auth('alice'))
      ).body.relations
        .filter((r: any) => r.type === 'dependsOn')
        .map((r: any) => r.targetRef)
        .sort();
    const expected = [
      `resource:default/${resourceOf('cluster-a', 1)}`,
      `resource:default/${resourceOf('cluster-b', 1)}`,
    ];
    for (let i = 0; i < 100; i++) {
      if ((await dependsOn()).length === expected.length) break;
      await sleep(200);
    }
    expect(await dependsOn()).toEqual(expected);
    // no stale mark while every cluster answers
    expect(JSON.stringify(res.body)).not.toContain('claims-unread');
  });

  it('the Resource’s own page shows its database, to who may read its component only', async () => {
    const url = (n: number) =>
      `/api/postgres/v1/entities/resource/default/${resourceOf(
        'cluster-a',
        n,
      )}/databases`;
    const alice = await request(backend.server)
      .get(url(1))
      .set('authorization', auth('alice'));
    expect(alice.status).toBe(200);
    expect(alice.body.errors).toEqual([]);
    expect(
      alice.body.items.map(
        (i: any) => `${i.cluster}/${i.namespace}/${i.name} ${i.health.verdict}`,
      ),
    ).toEqual(['cluster-a/example-01/agent-executor-db healthy']);
    const bob = await request(backend.server)
      .get(url(1))
      .set('authorization', auth('bob'));
    expect(bob.status).toBe(403);
    expect(bob.text).not.toContain('agent_executor');
  });

  it('a claim removed: its Resource is removed on the next refresh', async () => {
    const gone = resourceOf('cluster-a', 2);
    expect((await entity(gone)).status).toBe(200);
    const claim = examples[1].find(o => o.kind === 'PostgresInstance')!;
    expect(
      a.delete(
        'database.bizmatters.io/v1alpha1',
        'PostgresInstance',
        'example-02',
        'agent-executor-db',
      ),
    ).toBe(true);
    try {
      await refreshUntil(
        async () => (await entity(gone)).status === 404,
        `${gone} removed`,
      );
      // the others stay
      expect((await entity(resourceOf('cluster-a', 1))).status).toBe(200);
      expect((await entity(resourceOf('cluster-b', 4))).status).toBe(200);
    } finally {
      a.apply(claim);
    }
    await refreshUntil(
      async () => (await entity(gone)).status === 200,
      `${gone} back`,
    );
  });

  it('a stopped cluster: its Resources are kept, marked with since when and why it was not read', async () => {
    const kept = [4, 5, 1].map(n => resourceOf('cluster-b', n));
    await b.stop();
    try {
      await refreshUntil(
        async () =>
          (
            await Promise.all(kept.map(entity))
          ).every(
            r =>
              r.body.metadata?.annotations?.[
                'bizmatters.io/claims-unread-since'
              ],
          ),
        'cluster-b’s Resources marked unread',
      );
      const res = await entity(kept[0]);
      expect(res.status).toBe(200);
      expect(res.body.spec.owner).toBe('group:default/team-b');
      expect(
        Date.parse(
          res.body.metadata.annotations['bizmatters.io/claims-unread-since'],
        ),
      ).toBeGreaterThan(Date.now() - 60_000);
      expect(
        res.body.metadata.annotations['bizmatters.io/claims-unread-reason'],
      ).toContain('cluster-b');
      // cluster-a's are read and not marked
      const fresh = await entity(resourceOf('cluster-a', 1));
      expect(
        fresh.body.metadata.annotations['bizmatters.io/claims-unread-since'],
      ).toBeUndefined();
      // and found with a catalog filter
      const marked = await request(backend.server)
        .get(
          '/api/catalog/entities?filter=metadata.annotations.bizmatters.io/claims-unread-since',
        )
        .set('authorization', auth('alice'));
      expect(marked.body.map((e: any) => e.metadata.name).sort()).toEqual(
        [...kept].sort(),
      );
    } finally {
      await b.restart();
    }
    await refreshUntil(
      async () =>
        !(
          await entity(kept[0])
        ).body.metadata?.annotations?.['bizmatters.io/claims-unread-since'],
      'cluster-b’s Resources read again',
    );
  });
});
