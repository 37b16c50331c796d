/*
 * The fleet's Secret reads: one LIST per namespace selected by the databases' label
 * (bizmatters.io/postgres-instance), by name only the secrets not in it, and never an unrelated
 * Secret of the namespace. Its verdicts are the entity view's for the same objects. And the
 * fleet is served stale while the next one is built. Through the REAL Kubernetes backend and a
 * Kubernetes API stand-in.
 */
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { KubeObject, KubernetesStandIn } from '@bizmatters/sandbox';
import {
  DATABASE_SECRET_LABEL,
  DatabasesResponse,
  renderManifests,
} from '@bizmatters/plugin-postgres-common';
import postgresPlugin from '../index';

jest.setTimeout(60_000);

const NS = 'apps';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const passwords: string[] = [];

/**
 * One healthy database as the template renders it and the platform runs it. `labelled`: its
 * credentials secret carries the label (External Secrets copies it from the ExternalSecret's
 * template) and so does its connection secret (a platform that labels it); otherwise neither
 * (a claim made before the label).
 */
function database(name: string, labelled: boolean): KubeObject[] {
  const { externalSecret, postgresInstance } = renderManifests({
    name: `${name}-db`,
    namespace: NS,
    service: name,
    environment: 'prod',
    size: 'small',
    version: '16',
    storageGB: 10,
    databaseName: `${name}_db`,
    databaseOwner: `${name}_owner`,
    component: `component:default/${name}`,
  });
  const password = `pw-${name}-0123456789abcdefghij`;
  passwords.push(password, b64(password));
  const label = (claim: string) =>
    labelled ? { labels: { [DATABASE_SECRET_LABEL]: claim } } : {};
  const claimName = postgresInstance.metadata!.name!;
  const spec = postgresInstance.spec;
  return [
    {
      ...postgresInstance,
      status: {
        conditions: [
          { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
          { type: 'Ready', status: 'True', reason: 'Available' },
        ],
      },
    },
    {
      ...externalSecret,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'SecretSynced',
            message: 'Secret was synced',
          },
        ],
      },
    },
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: claimName, namespace: NS },
      spec: {
        instances: 1,
        bootstrap: { initdb: { owner: spec.databaseOwner } },
      },
      status: {
        phase: 'Cluster in healthy state',
        instances: 1,
        readyInstances: 1,
        currentPrimary: `${claimName}-1`,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'ClusterIsReady' },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: spec.credentialsSecretName,
        namespace: NS,
        ...label(claimName),
      },
      type: 'kubernetes.io/basic-auth',
      data: { username: b64(spec.databaseOwner), password: b64(password) },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: spec.connectionSecretName,
        namespace: NS,
        ...label(claimName),
      },
      type: 'Opaque',
      data: {
        endpoint: b64(`${claimName}-rw.${NS}.svc.cluster.local`),
        port: b64('5432'),
        database: b64(spec.databaseName),
        username: b64(spec.databaseOwner),
        password: b64(password),
      },
    },
  ] as KubeObject[];
}

const UNRELATED_PASSWORD = 'unrelated-app-password-do-not-read-0123456789';

describe('the fleet lists Secrets by the databases label only', () => {
  let k: KubernetesStandIn;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  /** Names of the Secrets the stand-in sent, in any answer. */
  const served: string[] = [];
  const responses: string[] = [];
  const user = () => `Bearer ${mockCredentials.user.token()}`;

  beforeAll(async () => {
    k = await KubernetesStandIn.start({ name: 'cluster-a' });
    k.apply(
      ...database('orders', true),
      ...database('billing', true),
      ...database('legacy', false),
      // another application's Secret in the same namespace: never to be read
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'other-app', namespace: NS },
        type: 'Opaque',
        data: { password: b64(UNRELATED_PASSWORD) },
      } as KubeObject,
      // a Secret carrying the label with the name of orders' connection secret in another
      // namespace and one whose label names another claim: neither is taken for anything
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'billing-postgres',
          namespace: 'elsewhere',
          labels: { [DATABASE_SECRET_LABEL]: 'billing-db' },
        },
        type: 'Opaque',
        data: { username: b64('intruder') },
      } as KubeObject,
    );
    // record what the API server stand-in sends (a spy on its real routing)
    const route = (k as any).route.bind(k);
    (k as any).route = (method: string, url: URL, raw: Buffer) => {
      const out = route(method, url, raw);
      const body = out.body as any;
      if (url.pathname.includes('/secrets')) {
        for (const o of body?.items ?? [body]) {
          if (o?.kind !== 'Status' && o?.metadata?.name)
            served.push(o.metadata.name);
        }
      }
      return out;
    };
    const catalog = catalogServiceMock.factory({
      entities: ['orders', 'billing', 'legacy'].map(name => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name, namespace: 'default' },
        spec: { type: 'service', owner: 'team', lifecycle: 'production' },
      })),
    });
    backend = await startTestBackend({
      features: [
        postgresPlugin,
        kubernetesPlugin,
        catalog,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.permissions.factory(),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            kubernetes: KubernetesStandIn.backstageConfig([k]),
            postgres: {
              cache: { ttlSeconds: 1 },
              fleet: { staleSeconds: 30 },
            },
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await k?.stop();
  });

  async function get(path: string): Promise<DatabasesResponse> {
    const res = await request(backend.server)
      .get(`/api/postgres${path}`)
      .set('authorization', user());
    expect(res.status).toBe(200);
    responses.push(res.text);
    return res.body;
  }

  const expire = () => new Promise(r => setTimeout(r, 1100));

  /** Waits until the stand-in has had no request for 300 ms (a background build is done). */
  async function settled() {
    let seen = -1;
    while (seen !== k.requestCount) {
      seen = k.requestCount;
      await new Promise(r => setTimeout(r, 300));
    }
  }

  it('reads the labelled Secrets in one LIST and by name only those of the claim made before the label', async () => {
    // the other namespace's labelled Secret comes with the cluster-wide LIST and is not taken
    await get('/v1/databases'); // the first build (it loads the Kubernetes client)
    await expire();
    k.resetCounters();
    served.length = 0;
    await get('/v1/databases'); // the built one, stale: it starts the next build
    await settled();
    expect(k.calls).toEqual({
      'GET /apis/database.bizmatters.io/v1alpha1/postgresinstances': 1,
      'GET /apis/postgresql.cnpg.io/v1/clusters': 1,
      'GET /apis/external-secrets.io/v1beta1/externalsecrets': 1,
      'GET /apis/postgresql.cnpg.io/v1/backups': 1,
      'GET /apis/postgresql.cnpg.io/v1/scheduledbackups': 1,
      // orders' and billing's four secrets: one LIST of the cluster, selected by the label
      'GET /api/v1/secrets': 1,
      // legacy's two, by name
      [`GET /api/v1/namespaces/${NS}/secrets/legacy-db-credentials`]: 1,
      [`GET /api/v1/namespaces/${NS}/secrets/legacy-postgres`]: 1,
    });
    expect(served.sort()).toEqual(
      [
        'billing-db-credentials',
        'billing-postgres',
        'orders-db-credentials',
        'orders-postgres',
        'legacy-db-credentials',
        'legacy-postgres',
        'billing-postgres', // the one in namespace elsewhere
      ].sort(),
    );
    const fleet = await get('/v1/databases');
    expect(fleet.items.map(i => [i.name, i.health.verdict]).sort()).toEqual([
      ['billing-db', 'healthy'],
      ['legacy-db', 'healthy'],
      ['orders-db', 'healthy'],
    ]);
  });

  it('never reads an unrelated Secret of the namespace, nor takes a labelled one of another claim or namespace', () => {
    expect(served).not.toContain('other-app');
    const all = responses.join('\n');
    expect(all).not.toContain(UNRELATED_PASSWORD);
    expect(all).not.toContain(b64(UNRELATED_PASSWORD));
    expect(all).not.toContain('intruder');
    for (const p of passwords) expect(all).not.toContain(p);
  });

  it("gives each database the entity view's verdict, hops and secrets", async () => {
    const fleet = await get('/v1/databases');
    for (const name of ['orders', 'billing', 'legacy']) {
      const entity = await get(
        `/v1/entities/component/default/${name}/databases`,
      );
      expect(entity.items).toHaveLength(1);
      expect(fleet.items.find(i => i.name === `${name}-db`)).toEqual(
        entity.items[0],
      );
    }
  });

  it('a labelled secret that is broken gives the same verdict in both views', async () => {
    // orders' credentials secret loses its password key: read from the labelled list
    const secret = k.get('v1', 'Secret', NS, 'orders-db-credentials')!;
    k.apply({ ...secret, data: { username: (secret as any).data.username } });
    try {
      await expire();
      await get('/v1/databases'); // stale; starts the next build
      let fleet: DatabasesResponse;
      for (let i = 0; ; i++) {
        await new Promise(r => setTimeout(r, 100));
        fleet = await get('/v1/databases');
        const orders = fleet.items.find(x => x.name === 'orders-db')!;
        if (orders.health.verdict !== 'healthy' || i > 50) break;
      }
      const entity = await get(
        '/v1/entities/component/default/orders/databases',
      );
      const orders = fleet.items.find(x => x.name === 'orders-db')!;
      expect(orders.health.failingStep).toBe('credentialsSecret');
      expect(orders.health).toEqual(entity.items[0].health);
    } finally {
      k.apply(secret);
    }
  });

  it('serves the built fleet while the next one is built, then the new one', async () => {
    await expire();
    await get('/v1/databases'); // stale: it starts a build
    await settled();
    const before = await get('/v1/databases'); // the one just built
    // the connection secret of billing goes away; the cluster answers slowly
    const secret = k.get('v1', 'Secret', NS, 'billing-postgres')!;
    k.delete('v1', 'Secret', NS, 'billing-postgres');
    k.latencyMs = 400;
    try {
      await expire();
      k.resetCounters();
      const stale = await get('/v1/databases');
      // answered at once from the built fleet, while the next build waits for the cluster
      expect(stale).toEqual(before);
      let fresh = stale;
      for (let i = 0; i < 50 && fresh === stale; i++) {
        await new Promise(r => setTimeout(r, 200));
        const next = await get('/v1/databases');
        if (JSON.stringify(next) !== JSON.stringify(stale)) fresh = next;
      }
      expect(k.requestCount).toBeGreaterThan(0);
      const billing = fresh.items.find(i => i.name === 'billing-db')!;
      expect(billing.connectionSecret?.present).toBe(false);
      expect(billing.health.verdict).not.toBe('healthy');
    } finally {
      k.latencyMs = 0;
      k.apply(secret);
    }
  });
});
