/*
 * The postgres backend with the real @backstage/plugin-kubernetes-backend, configured with two
 * clusters that point at Kubernetes API stand-ins on 127.0.0.1 loaded with the reference examples.
 */
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { KubeObject, KubernetesStandIn } from '@bizmatters/sandbox';
import type { DatabasesResponse } from '@bizmatters/plugin-postgres-common';
import postgresPlugin from '../index';

jest.setTimeout(60_000);

const EXAMPLES = path.resolve(
  __dirname,
  '../../../../fixtures/reference/examples',
);

/**
 * One example in its own namespace, its claim labelled for the entity `example-NN` and naming it
 * (`bizmatters.io/entity-ref`), as the template writes it.
 */
function loadExample(file: string): {
  objects: KubeObject[];
  entity: string;
  namespace: string;
  passwords: string[];
} {
  const id = file.slice(0, 2);
  const namespace = `example-${id}`;
  const entity = `example-${id}`;
  const items: KubeObject[] = JSON.parse(
    fs.readFileSync(path.join(EXAMPLES, file), 'utf8'),
  ).items;
  const passwords: string[] = [];
  for (const item of items) {
    if (item.metadata.namespace) item.metadata.namespace = namespace;
    if (item.kind === 'PostgresInstance') {
      item.metadata.labels = {
        ...item.metadata.labels,
        'backstage.io/kubernetes-id': entity,
      };
      item.metadata.annotations = {
        ...(item.metadata.annotations as Record<string, string> | undefined),
        'bizmatters.io/entity-ref': `component:default/${entity}`,
      };
    }
    if (item.kind === 'Secret') {
      for (const [key, value] of Object.entries((item as any).data ?? {})) {
        if (/password|PASSWORD|uri|pgpass/.test(key))
          passwords.push(
            value as string,
            Buffer.from(value as string, 'base64').toString(),
          );
      }
    }
  }
  return { objects: items, entity, namespace, passwords };
}

const files = fs
  .readdirSync(EXAMPLES)
  .filter(f => f.endsWith('.json'))
  .sort();
const examples = files.map(loadExample);

const entity = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'team', lifecycle: 'production' },
});

describe('postgres backend through the real Kubernetes backend', () => {
  let a: KubernetesStandIn;
  let b: KubernetesStandIn;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const responses: string[] = [];
  const user = () => `Bearer ${mockCredentials.user.token()}`;
  const denied = () =>
    `Bearer ${mockCredentials.user.token('user:default/denied')}`;

  // The catalog, in memory; `user:default/hidden` may not see example-02.
  const inMemory = catalogServiceMock({
    entities: [
      ...examples.map(e => entity(e.entity)),
      entity('annotated', {
        'bizmatters.io/postgres-instances':
          'cluster-b/example-05/agent-executor-db, example-01/agent-executor-db',
      }),
    ],
  });
  const catalog = catalogServiceMock.mock({
    getEntityByRef: jest.fn(async (ref: any, options: any) => {
      if (ref.name === 'hangs') return new Promise(() => {}); // never answers
      return options?.credentials?.principal?.userEntityRef ===
        'user:default/hidden' && ref.name === 'example-02'
        ? undefined
        : inMemory.getEntityByRef(ref, options);
    }) as any,
    getEntitiesByRefs: jest.fn((req: any, options: any) =>
      inMemory.getEntitiesByRefs(req, options),
    ) as any,
  });
  const hidden = () =>
    `Bearer ${mockCredentials.user.token('user:default/hidden')}`;

  beforeAll(async () => {
    a = await KubernetesStandIn.start({ name: 'cluster-a' });
    b = await KubernetesStandIn.start({ name: 'cluster-b' });
    // 01–03 in cluster A, 04–05 in cluster B
    examples.forEach((e, i) => (i < 3 ? a : b).apply(...e.objects));
    backend = await startTestBackend({
      features: [
        postgresPlugin,
        kubernetesPlugin,
        catalog.factory,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.permissions.mock({
          authorize: async (requests, options) =>
            requests.map(r => {
              const caller = (options?.credentials?.principal as any)
                ?.userEntityRef;
              if (caller === 'user:default/custom')
                // a policy deciding per entity (as with a rule of its own)
                return {
                  result:
                    (r as any).resourceRef === 'component:default/example-01'
                      ? AuthorizeResult.ALLOW
                      : AuthorizeResult.DENY,
                };
              return {
                result:
                  caller === 'user:default/denied' &&
                  'permission' in r &&
                  r.permission.name.startsWith('postgres.')
                    ? AuthorizeResult.DENY
                    : AuthorizeResult.ALLOW,
              };
            }) as any,
          authorizeConditional: async (requests, options) =>
            requests.map(() => {
              const caller = (options?.credentials?.principal as any)
                ?.userEntityRef;
              if (caller === 'user:default/custom')
                return {
                  result: AuthorizeResult.CONDITIONAL,
                  pluginId: 'catalog',
                  resourceType: 'catalog-entity',
                  conditions: {
                    rule: 'A_RULE_OF_ITS_OWN',
                    resourceType: 'catalog-entity',
                    params: {},
                  },
                };
              return {
                result:
                  caller === 'user:default/denied'
                    ? AuthorizeResult.DENY
                    : AuthorizeResult.ALLOW,
              };
            }) as any,
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            kubernetes: KubernetesStandIn.backstageConfig([a, b]),
            postgres: {
              cache: { ttlSeconds: 1 },
              // these tests expect a change within the TTL: no stale fleet (see
              // fleet.secrets.integration.test.ts for stale-while-revalidate)
              fleet: { staleSeconds: 0 },
              catalog: { timeoutMs: 300 },
              kubernetes: { timeoutMs: 2000 },
            },
          },
        }),
      ],
    });
    // The Kubernetes backend loads @kubernetes/client-node (ESM) on its first proxy request.
    await request(backend.server)
      .get('/api/postgres/v1/databases')
      .set('authorization', user());
    await new Promise(r => setTimeout(r, 1100));
  });

  afterAll(async () => {
    await backend?.stop();
    await a?.stop();
    await b?.stop();
  });

  async function databases(
    name: string,
    auth = user(),
  ): Promise<{ status: number; body: DatabasesResponse }> {
    const res = await request(backend.server)
      .get(`/api/postgres/v1/entities/component/default/${name}/databases`)
      .set('authorization', auth);
    responses.push(res.text);
    return { status: res.status, body: res.body };
  }

  const expected: Record<string, [string, string | undefined]> = {
    'example-01': ['healthy', undefined],
    'example-02': ['healthy', undefined],
    // with the real clock, 'Setting up primary' since 2025 is reported stuck
    'example-03': ['failed', 'cluster'],
    'example-04': ['failed', 'externalSecret'],
    'example-05': ['failed', 'credentialsSecret'],
  };

  it.each(Object.entries(expected))(
    '%s comes back with its verdict and failing hop',
    async (name, [verdict, failing]) => {
      const { status, body } = await databases(name);
      expect(status).toBe(200);
      expect(body.errors).toEqual([]);
      expect(body.items).toHaveLength(1);
      const [item] = body.items;
      expect(item).toMatchObject({
        namespace: name,
        name: 'agent-executor-db',
        cluster: Number(name.slice(-2)) <= 3 ? 'cluster-a' : 'cluster-b',
      });
      expect([item.health.verdict, item.health.failingStep]).toEqual([
        verdict,
        failing,
      ]);
    },
  );

  it('returns the claim spec, CNPG status and connection secret key names', async () => {
    const { body } = await databases('example-01');
    expect(body.items[0]).toMatchObject({
      spec: {
        size: 'medium',
        version: '16',
        storageGB: 20,
        databaseOwner: 'agent_executor',
        connectionSecretName: 'agent-executor-postgres',
      },
      clusterStatus: {
        phase: 'Cluster in healthy state',
        instances: 1,
        readyInstances: 1,
        currentPrimary: 'agent-executor-db-1',
      },
      connectionSecret: {
        name: 'agent-executor-postgres',
        present: true,
        keys: ['database', 'endpoint', 'password', 'port', 'username'],
      },
    });
  });

  it('claims named in the annotation that belong to other entities are not shown, and nothing of them leaks', async () => {
    const { status, body } = await databases('annotated');
    expect(status).toBe(200);
    expect(body.items).toEqual([]);
    // the same answer as for claims that do not exist: not found, or not yours
    expect(body.errors).toEqual([
      {
        cluster: 'cluster-b',
        message:
          'The annotation bizmatters.io/postgres-instances names the PostgresInstance example-05/agent-executor-db, which cluster cluster-b does not have for this entity (not found, or not yours). If its pull request was just merged, wait for Argo CD to sync.',
      },
      {
        cluster: '',
        message:
          'The annotation bizmatters.io/postgres-instances names the PostgresInstance example-01/agent-executor-db, which no cluster has for this entity (not found, or not yours). If its pull request was just merged, wait for Argo CD to sync.',
      },
    ]);
  });

  it('401 without credentials, 403 without the permission, 404 for an unknown entity', async () => {
    const none = await request(backend.server).get(
      '/api/postgres/v1/entities/component/default/example-01/databases',
    );
    expect(none.status).toBe(401);
    // the route authenticates itself (exempt from the barrier): a token httpAuth refuses is
    // refused, each time
    for (let i = 0; i < 2; i++) {
      const forged = await request(backend.server)
        .get('/api/postgres/v1/entities/component/default/example-01/databases')
        .set('authorization', 'Bearer not-a-token');
      expect(forged.status).toBe(401);
    }
    expect((await databases('example-01', denied())).status).toBe(403);
    expect((await databases('no-such-entity')).status).toBe(404);
  });

  it('the fleet view lists every database with its verdict', async () => {
    const res = await request(backend.server)
      .get('/api/postgres/v1/databases')
      .set('authorization', user());
    responses.push(res.text);
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((i: any) => [i.namespace, i.health.verdict]).sort(),
    ).toEqual([
      ['example-01', 'healthy'],
      ['example-02', 'healthy'],
      ['example-03', 'failed'],
      ['example-04', 'failed'],
      ['example-05', 'failed'],
    ]);
    // a caller without postgres.fleet.read sees only databases they may read: here none
    const forbidden = await request(backend.server)
      .get('/api/postgres/v1/databases')
      .set('authorization', denied());
    expect(forbidden.status).toBe(200);
    expect(forbidden.body).toEqual({ items: [], errors: [] });
    // conditions the catalog cannot apply itself: the permission backend decides per entity
    const custom = await request(backend.server)
      .get('/api/postgres/v1/databases')
      .set(
        'authorization',
        `Bearer ${mockCredentials.user.token('user:default/custom')}`,
      );
    expect(custom.body.items.map((i: any) => i.namespace)).toEqual([
      'example-01',
    ]);
  });

  it('the fleet reads CNPG Clusters and ExternalSecrets once per cluster, the labelled Secrets once per namespace, and by name the Secrets claims name that are not labelled', async () => {
    await new Promise(r => setTimeout(r, 1100));
    a.resetCounters();
    const fleet = async () =>
      (
        await request(backend.server)
          .get('/api/postgres/v1/databases')
          .set('authorization', user())
      ).body as DatabasesResponse;
    const verdicts = (r: DatabasesResponse) =>
      r.items.map(i => `${i.namespace}:${i.health.verdict}`).sort();
    const wide = await fleet();
    expect(wide.errors).toEqual([]);
    expect(a.calls).toEqual({
      'GET /apis/database.bizmatters.io/v1alpha1/postgresinstances': 1,
      'GET /apis/postgresql.cnpg.io/v1/clusters': 1,
      'GET /apis/external-secrets.io/v1beta1/externalsecrets': 1,
      // recoverability: CNPG's Backups and ScheduledBackups, one LIST each
      'GET /apis/postgresql.cnpg.io/v1/backups': 1,
      'GET /apis/postgresql.cnpg.io/v1/scheduledbackups': 1,
      // the Secrets with the databases' label (none: the examples predate it)
      'GET /api/v1/secrets': 1,
      // so the credentials and connection secrets each claim names; 404 for those absent
      'GET /api/v1/namespaces/example-01/secrets/agent-executor-db-credentials': 1,
      'GET /api/v1/namespaces/example-01/secrets/agent-executor-postgres': 1,
      'GET /api/v1/namespaces/example-02/secrets/agent-executor-db-app': 1,
      'GET /api/v1/namespaces/example-02/secrets/agent-executor-db-conn': 1,
      'GET /api/v1/namespaces/example-03/secrets/agent-executor-db-app': 1,
      'GET /api/v1/namespaces/example-03/secrets/agent-executor-db-conn': 1,
    });
    // a portal that may list them only per namespace gets the same answer, read per namespace
    await new Promise(r => setTimeout(r, 1100));
    a.resetCounters();
    a.forbiddenAtClusterScope.add('clusters');
    a.forbiddenAtClusterScope.add('externalsecrets');
    a.forbiddenAtClusterScope.add('secrets');
    try {
      const narrow = await fleet();
      expect(narrow.errors).toEqual([]);
      expect(verdicts(narrow)).toEqual(verdicts(wide));
      expect(
        a.calls[
          'GET /apis/postgresql.cnpg.io/v1/namespaces/example-02/clusters'
        ],
      ).toBe(1);
      expect(a.calls['GET /apis/postgresql.cnpg.io/v1/clusters']).toBe(1); // the 403
      expect(a.calls['GET /api/v1/secrets']).toBe(1); // the 403
      expect(a.calls['GET /api/v1/namespaces/example-02/secrets']).toBe(1);
    } finally {
      a.forbiddenAtClusterScope.clear();
    }
  });

  it('50 concurrent viewers of one entity cause one upstream read per object', async () => {
    await new Promise(r => setTimeout(r, 1100)); // let the 1 s cache expire
    a.resetCounters();
    b.resetCounters();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => databases('example-01')),
    );
    expect(
      results.every(
        r => r.status === 200 && r.body.items[0].health.verdict === 'healthy',
      ),
    ).toBe(true);
    // cluster A: the labelled claims, then per namespace the CNPG clusters, ExternalSecrets,
    // Backups and ScheduledBackups, and the two Secrets the claim names (by name: no LIST of
    // Secrets)
    expect(a.calls).toEqual({
      'GET /apis/database.bizmatters.io/v1alpha1/postgresinstances': 1,
      'GET /apis/postgresql.cnpg.io/v1/namespaces/example-01/clusters': 1,
      'GET /apis/external-secrets.io/v1beta1/namespaces/example-01/externalsecrets': 1,
      'GET /apis/postgresql.cnpg.io/v1/namespaces/example-01/backups': 1,
      'GET /apis/postgresql.cnpg.io/v1/namespaces/example-01/scheduledbackups': 1,
      'GET /api/v1/namespaces/example-01/secrets/agent-executor-db-credentials': 1,
      'GET /api/v1/namespaces/example-01/secrets/agent-executor-postgres': 1,
    });
    expect(b.calls).toEqual({
      'GET /apis/database.bizmatters.io/v1alpha1/postgresinstances': 1,
    });
  });

  it('a warm view asks neither the clusters nor the catalog again; the catalog is asked per caller', async () => {
    await new Promise(r => setTimeout(r, 1100));
    a.resetCounters();
    b.resetCounters();
    catalog.getEntityByRef.mockClear();
    // cold, then 20 warm views by one user: one catalog lookup, one read per object
    expect((await databases('example-02')).status).toBe(200);
    const reads = a.requestCount + b.requestCount;
    expect(reads).toBeGreaterThan(0);
    await Promise.all(
      Array.from({ length: 20 }, () => databases('example-02')),
    );
    expect(a.requestCount + b.requestCount).toBe(reads);
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(1);
    // another caller gets the catalog's own answer for them, not the cached one
    const other = await databases('example-02', hidden());
    expect(other.status).toBe(404);
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(2);
    expect((await databases('example-02')).status).toBe(200);
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(2);
    // after the TTL the catalog is asked again
    await new Promise(r => setTimeout(r, 1100));
    expect((await databases('example-02')).status).toBe(200);
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(3);
  });

  it('a catalog that does not answer: 503 naming it, and the next view asks again', async () => {
    catalog.getEntityByRef.mockClear();
    for (let i = 0; i < 2; i++) {
      const res = await request(backend.server)
        .get('/api/postgres/v1/entities/component/default/hangs/databases')
        .set('authorization', user());
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe(
        'The catalog did not answer for component:default/hangs within 300 ms',
      );
    }
    expect(catalog.getEntityByRef).toHaveBeenCalledTimes(2);
  });

  it('answers gzipped to clients that accept gzip, plain JSON to others', async () => {
    const url =
      '/api/postgres/v1/entities/component/default/example-01/databases';
    const gz = await request(backend.server)
      .get(url)
      .set('authorization', user())
      .set('accept-encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/^application\/json/);
    expect(gz.body.items[0].name).toBe('agent-executor-db'); // decoded by the client
    for (const acceptEncoding of ['identity', 'br', undefined]) {
      const req = request(backend.server).get(url).set('authorization', user());
      const plain = await (acceptEncoding
        ? req.set('accept-encoding', acceptEncoding)
        : req.unset('accept-encoding'));
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(plain.text).items[0].name).toBe('agent-executor-db');
      responses.push(plain.text);
    }
  });

  it('an unchanged answer revalidates with 304; a changed one does not', async () => {
    const url =
      '/api/postgres/v1/entities/component/default/example-02/databases';
    const first = await request(backend.server)
      .get(url)
      .set('authorization', user());
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const again = await request(backend.server)
      .get(url)
      .set('authorization', user())
      .set('if-none-match', etag);
    expect(again.status).toBe(304);
    expect(again.text).toBeFalsy();
    const other = await request(backend.server)
      .get('/api/postgres/v1/entities/component/default/example-03/databases')
      .set('authorization', user())
      .set('if-none-match', etag);
    expect(other.status).toBe(200);
    expect(other.headers.etag).not.toBe(etag);
  });

  it('a change in the cluster is served within the cache TTL, never later', async () => {
    await new Promise(r => setTimeout(r, 1100));
    expect((await databases('example-01')).body.items[0].health.verdict).toBe(
      'healthy',
    );
    const secret = examples[0].objects.find(
      o => o.kind === 'Secret' && o.metadata.name === 'agent-executor-postgres',
    )!;
    expect(
      a.delete('v1', 'Secret', 'example-01', 'agent-executor-postgres'),
    ).toBe(true);
    try {
      // within the TTL the cached answer stands
      expect((await databases('example-01')).body.items[0].health.verdict).toBe(
        'healthy',
      );
      await new Promise(r => setTimeout(r, 1100));
      const { body } = await databases('example-01');
      expect(body.items[0].health.verdict).not.toBe('healthy');
      expect(body.items[0].connectionSecret?.present).toBe(false);
    } finally {
      a.apply(secret);
    }
  });

  it('a 403 from Kubernetes names the missing RBAC verb and resource; other hops still answer', async () => {
    await new Promise(r => setTimeout(r, 1100));
    a.forbidden.add('secrets');
    try {
      const { status, body } = await databases('example-01');
      expect(status).toBe(200);
      expect(body.items[0].health.verdict).toBe('unknown');
      expect(body.errors).toEqual([
        {
          cluster: 'cluster-a',
          message: expect.stringMatching(
            /may not get secrets in namespace example-01 of cluster cluster-a; grant its service account the get verb.*cannot get resource "secrets"/,
          ),
        },
      ]);
    } finally {
      a.forbidden.clear();
    }
  });

  it('a missing CRD says which operator is not installed', async () => {
    await new Promise(r => setTimeout(r, 1100));
    const saved = [...a.kinds];
    a.uninstall('clusters', 'postgresql.cnpg.io');
    try {
      const { body } = await databases('example-01');
      expect(body.errors[0].message).toBe(
        'CloudNative-PG is not installed in cluster cluster-a (no postgresql.cnpg.io/v1 Cluster resource)',
      );
      expect(
        body.items[0].health.steps.find(s => s.id === 'cluster')!.status,
      ).toBe('unknown');
    } finally {
      a.kinds.splice(0, a.kinds.length, ...saved);
    }
  });

  it('one cluster stopped: the other still answers and errors name the stopped one', async () => {
    await new Promise(r => setTimeout(r, 1100));
    await b.stop();
    try {
      const { status, body } = await databases('example-01');
      expect(status).toBe(200);
      expect(body.items.map(i => i.health.verdict)).toEqual(['healthy']);
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].cluster).toBe('cluster-b');
      const fleet = await request(backend.server)
        .get('/api/postgres/v1/databases')
        .set('authorization', user());
      expect(fleet.body.items).toHaveLength(3);
      expect(fleet.body.errors.map((e: any) => e.cluster)).toEqual([
        'cluster-b',
      ]);
    } finally {
      await b.restart();
    }
  });

  it('a slow cluster times out into errors while the other answers', async () => {
    await new Promise(r => setTimeout(r, 1100));
    b.latencyMs = 4000;
    try {
      const { body } = await databases('example-01');
      expect(body.items.map(i => i.health.verdict)).toEqual(['healthy']);
      expect(body.errors).toEqual([
        {
          cluster: 'cluster-b',
          message: 'cluster cluster-b did not answer within 2000 ms',
        },
      ]);
    } finally {
      b.latencyMs = 0;
    }
  });

  it('no response body contains a secret value from the fixtures', () => {
    const all = responses.join('\n');
    expect(responses.length).toBeGreaterThan(60);
    const secrets = examples
      .flatMap(e => e.passwords)
      .filter(p => p.length >= 8);
    expect(secrets.length).toBeGreaterThan(5);
    expect(secrets.filter(s => all.includes(s))).toEqual([]);
  });
});
