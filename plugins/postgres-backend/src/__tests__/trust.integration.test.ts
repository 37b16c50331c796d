/*
 * Who sees which database: the postgres backend with the REAL permission backend (a policy that
 * delegates to decidePostgresPermission and denies kubernetes.proxy to users), the REAL catalog
 * backend (entities of two teams, so IS_ENTITY_OWNER is resolved by the catalog) and the REAL
 * Kubernetes backend pointed at two Kubernetes API stand-ins whose service account may `get`
 * Secrets but not `list` or `watch` them.
 */
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  componentEntity,
  PostgresBackend,
  postgresPolicy,
  startPostgresBackend,
  teamEntities,
  userAuth,
} from '@bizmatters/test-backend/postgres';
import {
  ForgeStandIn,
  KubeObject,
  KubernetesStandIn,
} from '@bizmatters/sandbox';
import {
  databaseResourceName,
  DatabasesResponse,
} from '@bizmatters/plugin-postgres-common';
import postgresPlugin from '../index';

jest.setTimeout(90_000);

const FLEET_READERS = ['group:default/platform-team'];
const MAX_BYTES = 100_000;
// generous for a busy 2-core CI machine; the slow cluster's latency below is above it
const DEADLINE_MS = 3000;

/** Users and the groups they are members of (their ownership refs come from the catalog). */
const MEMBERS: Record<string, string[]> = {
  alice: ['team-orders'],
  bob: ['team-payments'],
  carol: ['platform-team'],
  dave: [],
};
const auth = (user: string) => userAuth(user);

const b64 = (s: string) => Buffer.from(s).toString('base64');
const passwords: string[] = [];

/** One database as the platform has it, the claim naming `entity` (unless undefined). */
function database(options: {
  namespace: string;
  name: string;
  entity?: string;
  owner?: string;
  label?: string;
  connectionPadding?: number;
}): KubeObject[] {
  const { namespace, name, entity, owner, label } = options;
  const password = `pw-${name}-${namespace}-0123456789abcdefghij`;
  passwords.push(password, b64(password));
  const annotations: Record<string, string> = {};
  if (entity) annotations['bizmatters.io/entity-ref'] = entity;
  if (owner) annotations['bizmatters.io/owner'] = owner;
  return [
    {
      apiVersion: 'database.bizmatters.io/v1alpha1',
      kind: 'PostgresInstance',
      metadata: {
        name,
        namespace,
        labels: label ? { 'backstage.io/kubernetes-id': label } : {},
        annotations,
      },
      spec: {
        size: 'small',
        version: '16',
        storageGB: 10,
        databaseName: `${name.replace(/-/g, '_')}`,
        databaseOwner: `${name.replace(/-/g, '_')}_owner`,
        credentialsSecretName: `${name}-credentials`,
        connectionSecretName: `${name}-connection`,
      },
      status: {
        conditions: [
          { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
          {
            type: 'Ready',
            status: 'True',
            reason: 'Available',
            message: `operator message about ${name}`,
          },
        ],
      },
    },
    {
      apiVersion: 'external-secrets.io/v1beta1',
      kind: 'ExternalSecret',
      metadata: { name: `${name}-credentials`, namespace, annotations },
      spec: {
        target: { name: `${name}-credentials` },
        data: [
          {
            secretKey: 'password',
            remoteRef: { key: `/zerotouch/prod/${name}/postgres/password` },
          },
        ],
      },
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
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-credentials`, namespace },
      type: 'kubernetes.io/basic-auth',
      data: {
        username: b64(`${name.replace(/-/g, '_')}_owner`),
        password: b64(password),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-connection`, namespace },
      type: 'Opaque',
      data: {
        endpoint: b64(`${name}-rw.${namespace}.svc.cluster.local`),
        port: b64('5432'),
        database: b64(name.replace(/-/g, '_')),
        username: b64(`${name.replace(/-/g, '_')}_owner`),
        password: b64(password),
        ...(options.connectionPadding
          ? { padding: b64('x'.repeat(options.connectionPadding)) }
          : {}),
      },
    },
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name, namespace },
      spec: { instances: 1 },
      status: {
        phase: 'Cluster in healthy state',
        instances: 1,
        readyInstances: 1,
        currentPrimary: `${name}-1`,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'ClusterIsReady' },
        ],
      },
    },
  ];
}

const ORDERS = 'component:default/orders';
const PAYMENTS = 'component:default/payments';

/** A database Resource as the catalog's provider makes it (or as anyone may register one). */
function resource(name: string, owner: string, instances: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'bizmatters.io/postgres-instances': instances },
    },
    spec: { type: 'database', owner },
  };
}
const ORDERS_DB = databaseResourceName({
  cluster: 'cluster-a',
  namespace: 'orders',
  name: 'orders-db',
});
const PAYMENTS_DB = databaseResourceName({
  cluster: 'cluster-a',
  namespace: 'payments',
  name: 'payments-db',
});

const MANY_REFS = Array.from(
  { length: 25 },
  (_, i) => `ns-${i + 1}/db-${i + 1}`,
);

const ENTITIES = [
  ...teamEntities(['team-orders', 'team-payments', 'platform-team'], MEMBERS),
  componentEntity('orders', 'group:default/team-orders', {
    'bizmatters.io/postgres-instances': 'cluster-b/orders/orders-db2',
  }),
  componentEntity('payments', 'group:default/team-payments'),
  // authored by team-orders, pointing at payments' databases both ways of finding candidates
  componentEntity('snoop', 'group:default/team-orders', {
    'backstage.io/kubernetes-id': 'payments',
    'bizmatters.io/postgres-instances':
      'payments/payments-db, cluster-b/payments/payments-db2, payments/no-such-db',
  }),
  componentEntity('legacy', 'group:default/team-orders'),
  componentEntity('bloated', 'group:default/team-orders'),
  // orders-db's Resource, as the provider emits it
  resource(
    ORDERS_DB,
    'group:default/team-orders',
    'cluster-a/orders/orders-db',
  ),
  // made by hand by team-orders: another name, pointing at payments' claim
  resource(
    'snoop-db',
    'group:default/team-orders',
    'cluster-a/payments/payments-db',
  ),
  // payments-db's Resource name, but owned by team-orders (registered by hand before the
  // provider, or its claim's owner annotation naming another team than its component's)
  resource(
    PAYMENTS_DB,
    'group:default/team-orders',
    'cluster-a/payments/payments-db',
  ),
  componentEntity('many', 'group:default/team-orders', {
    'bizmatters.io/postgres-instances': MANY_REFS.join(', '),
  }),
] as Entity[];

/** The policy the plugin README recommends. */
const policy = postgresPolicy({
  fleetReaders: FLEET_READERS,
  async otherwise(req) {
    return isPermission(req.permission, kubernetesProxyPermission)
      ? { result: AuthorizeResult.DENY }
      : { result: AuthorizeResult.ALLOW };
  },
});

/**
 * The `errors` entry for a claim an entity's annotation names that belongs to another entity:
 * the same as for one that does not exist ("not found or not yours"), in the cluster the
 * annotation names (none: '').
 */
const notFoundOrNotYours = (cluster: string, claim: string) => ({
  cluster,
  message: `The annotation bizmatters.io/postgres-instances names the PostgresInstance ${claim}, which ${
    cluster ? `cluster ${cluster} does not have` : 'no cluster has'
  } for this entity (not found, or not yours). If its pull request was just merged, wait for Argo CD to sync.`,
});

const responses: string[] = [];
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('who sees which database (real permission, catalog and Kubernetes backends)', () => {
  let a: KubernetesStandIn;
  let b: KubernetesStandIn;
  let forge: ForgeStandIn;
  let pg: PostgresBackend;

  async function get(path: string, user: string) {
    const res = await request(pg.server)
      .get(path)
      .set('authorization', auth(user));
    responses.push(res.text);
    return res;
  }
  const databases = (entity: string, user: string) =>
    get(
      `/api/postgres/v1/entities/component/default/${entity}/databases`,
      user,
    );
  const fleet = (user: string) => get('/api/postgres/v1/databases', user);
  const names = (body: DatabasesResponse) =>
    body.items.map(i => `${i.cluster}/${i.namespace}/${i.name}`).sort();

  beforeAll(async () => {
    a = await KubernetesStandIn.start({ name: 'cluster-a' });
    b = await KubernetesStandIn.start({ name: 'cluster-b' });
    forge = await ForgeStandIn.start();
    await forge.createRepo('platform', 'gitops');
    // The narrowest RBAC the README documents: get on secrets, no list, no watch.
    for (const k of [a, b]) {
      k.forbiddenVerbs.add('list secrets');
      k.forbiddenVerbs.add('watch secrets');
    }
    a.apply(
      ...database({
        namespace: 'orders',
        name: 'orders-db',
        entity: ORDERS,
        owner: 'group:default/team-orders',
        label: 'orders',
      }),
      ...database({
        namespace: 'payments',
        name: 'payments-db',
        entity: PAYMENTS,
        owner: 'group:default/team-payments',
        label: 'payments',
      }),
      // made by hand before the annotation existed
      ...database({ namespace: 'legacy', name: 'legacy-db', label: 'legacy' }),
      ...database({
        namespace: 'bloated',
        name: 'bloated-db',
        entity: 'component:default/bloated',
        label: 'bloated',
        connectionPadding: MAX_BYTES,
      }),
    );
    b.apply(
      // named only by the orders entity's annotation
      ...database({ namespace: 'orders', name: 'orders-db2', entity: ORDERS }),
      ...database({
        namespace: 'payments',
        name: 'payments-db2',
        entity: PAYMENTS,
        owner: 'group:default/team-payments',
        label: 'payments',
      }),
    );
    pg = await startPostgresBackend({
      plugin: postgresPlugin,
      entities: ENTITIES,
      policy,
      kinds: ['Component', 'Group', 'User', 'Resource'],
      clusters: [a, b],
      forge,
      postgres: {
        kubernetes: {
          timeoutMs: 5000,
          deadlineMs: DEADLINE_MS,
          maxResponseBytes: MAX_BYTES,
        },
      },
      waitFor: { user: 'carol' },
    });
    // The first read through the Kubernetes backend's proxy loads its client: done once here
    // (a fleet view as carol, who reads all), so that the tests measure warm reads against the
    // deadline; then the cache (1 s) is let run out.
    await fleet('carol');
    await sleep(1100);
  });

  afterAll(async () => {
    await pg?.stop();
    await a?.stop();
    await b?.stop();
    await forge?.stop();
  });

  it('an owner sees their entity’s databases: labelled, and named in the annotation in another cluster', async () => {
    const res = await databases('orders', 'alice');
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(names(res.body)).toEqual([
      'cluster-a/orders/orders-db',
      'cluster-b/orders/orders-db2',
    ]);
    // read with `get` on secrets only
    expect(res.body.items.map((i: any) => i.health.verdict)).toEqual([
      'healthy',
      'healthy',
    ]);
  });

  it('the policy denies reading another team’s entity; the fleet readers may', async () => {
    expect((await databases('orders', 'bob')).status).toBe(403);
    expect((await databases('payments', 'alice')).status).toBe(403);
    expect((await databases('orders', 'dave')).status).toBe(403);
    const carol = await databases('payments', 'carol');
    expect(carol.status).toBe(200);
    expect(names(carol.body)).toEqual([
      'cluster-a/payments/payments-db',
      'cluster-b/payments/payments-db2',
    ]);
  });

  it('an entity whose annotation and kubernetes-id point at another team’s claims shows none of them', async () => {
    const res = await databases('snoop', 'alice');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    // payments' claims read as a claim no cluster has (payments/no-such-db)
    expect(res.body.errors).toEqual([
      notFoundOrNotYours('', 'payments/payments-db'),
      notFoundOrNotYours('cluster-b', 'payments/payments-db2'),
      notFoundOrNotYours('', 'payments/no-such-db'),
    ]);
    expect(res.text).not.toContain('another entity');
    expect(res.text).not.toContain('cluster-a');
    for (const leak of [
      'team-payments',
      'payments-db-credentials',
      'payments-db-connection',
      'payments_db_owner',
      '/zerotouch/',
      'operator message',
      'Cluster in healthy state',
    ]) {
      expect(res.text).not.toContain(leak);
    }
  });

  it('a claim that names no entity is hidden by default, with what to do', async () => {
    const res = await databases('legacy', 'alice');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.errors).toEqual([
      {
        cluster: 'cluster-a',
        message:
          "The PostgresInstance legacy/legacy-db in cluster cluster-a is not shown: it does not say which entity it belongs to. Add the annotation 'bizmatters.io/entity-ref: component:default/legacy' to it and to its ExternalSecret in Git, or ask the platform team to set postgres.claims.showUnannotated.",
      },
    ]);
  });

  const onResource = (name: string, user: string) =>
    get(`/api/postgres/v1/entities/resource/default/${name}/databases`, user);

  it('a database Resource shows its own database to who may read its component', async () => {
    const res = await onResource(ORDERS_DB, 'alice');
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(names(res.body)).toEqual(['cluster-a/orders/orders-db']);
    expect(res.body.items[0].health.verdict).toBe('healthy');
    // another team's member may not read the Resource (owned by team-orders)
    expect((await onResource(ORDERS_DB, 'bob')).status).toBe(403);
  });

  it('a hand-made Resource pointing at another team’s claim shows nothing of it', async () => {
    const res = await onResource('snoop-db', 'alice');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.errors).toEqual([
      notFoundOrNotYours('cluster-a', 'payments/payments-db'),
    ]);
    for (const leak of ['team-payments', 'payments_db_owner', 'healthy']) {
      expect(res.text).not.toContain(leak);
    }
  });

  it('on the claim’s own Resource, a caller without read on the component the claim names sees nothing', async () => {
    // alice owns the Resource, not the component (payments) its claim names
    const res = await onResource(PAYMENTS_DB, 'alice');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'Not allowed: postgres.database.read on component:default/payments',
    );
    for (const leak of ['payments_db_owner', 'healthy', 'payments-db-']) {
      expect(res.text).not.toContain(leak);
    }
    // a fleet reader may read payments: the same Resource shows the database to them
    const carol = await onResource(PAYMENTS_DB, 'carol');
    expect(carol.status).toBe(200);
    expect(names(carol.body)).toEqual(['cluster-a/payments/payments-db']);
  });

  it('the claims of every cluster are served to services only, without spec, status or secrets', async () => {
    const user = await get('/api/postgres/v1/claims', 'carol');
    expect(user.status).toBe(403);
    // a service that is not one of postgres.claims.readers
    const other = await request(pg.server)
      .get('/api/postgres/v1/claims')
      .set('authorization', `Bearer ${mockCredentials.service.token()}`);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe(
      'external:test-service may not read every claim (postgres.claims.readers)',
    );
    const asPlugin = (pluginId: string) =>
      `Bearer ${mockCredentials.service.token({
        onBehalfOf: mockCredentials.service(`plugin:${pluginId}`),
        targetPluginId: 'postgres',
      })}`;
    const res = await request(pg.server)
      .get('/api/postgres/v1/claims')
      .set('authorization', asPlugin('catalog'));
    responses.push(res.text);
    expect(res.status).toBe(200);
    expect(res.body.clusters.map((c: any) => c.cluster)).toEqual([
      'cluster-a',
      'cluster-b',
    ]);
    expect(res.body.clusters[0].claims).toContainEqual({
      namespace: 'payments',
      name: 'payments-db',
      entityRef: PAYMENTS,
      owner: 'group:default/team-payments',
      // the names of its secrets (the form's availability check), not what they hold
      secrets: {
        credentials: 'payments-db-credentials',
        connection: 'payments-db-connection',
      },
    });
    expect(res.body.clusters[0].claims).toContainEqual(
      expect.objectContaining({ namespace: 'legacy', name: 'legacy-db' }),
    );
    for (const leak of ['payments_db_owner', 'password', 'operator message']) {
      expect(res.text).not.toContain(leak);
    }

    // one namespace's claims
    const one = await request(pg.server)
      .get('/api/postgres/v1/claims?namespace=payments')
      .set('authorization', asPlugin('scaffolder'));
    expect(
      one.body.clusters.map((c: any) => [
        c.cluster,
        c.claims.map((k: any) => `${k.namespace}/${k.name}`),
      ]),
    ).toEqual([
      ['cluster-a', ['payments/payments-db']],
      ['cluster-b', ['payments/payments-db2']],
    ]);
  });

  it('the fleet answer is filtered per caller', async () => {
    const all = [
      'cluster-a/bloated/bloated-db',
      'cluster-a/legacy/legacy-db',
      'cluster-a/orders/orders-db',
      'cluster-a/payments/payments-db',
      'cluster-b/orders/orders-db2',
      'cluster-b/payments/payments-db2',
    ];
    // the fleet's first, cold answer may be cut by the deadline on a busy machine (the reads
    // go on and fill the cache): a later view is whole (this test is about who sees what)
    const cut = (body: DatabasesResponse) =>
      JSON.stringify(body.errors ?? []).includes('deadline');
    let carol = await fleet('carol');
    for (let i = 0; i < 20 && cut(carol.body); i++) {
      await sleep(500);
      carol = await fleet('carol');
    }
    expect(carol.status).toBe(200);
    expect(cut(carol.body)).toBe(false);
    expect(names(carol.body)).toEqual(all);
    const alice = await fleet('alice');
    expect(alice.status).toBe(200);
    expect(names(alice.body)).toEqual([
      'cluster-a/bloated/bloated-db',
      'cluster-a/orders/orders-db',
      'cluster-b/orders/orders-db2',
    ]);
    const bob = await fleet('bob');
    expect(names(bob.body)).toEqual([
      'cluster-a/payments/payments-db',
      'cluster-b/payments/payments-db2',
    ]);
    // errors about namespaces of databases not shown are not shown either
    expect(JSON.stringify(bob.body.errors)).not.toContain('bloated');
    const dave = await fleet('dave');
    expect(dave.body).toEqual({ items: [], errors: [] });
    // a backend plugin (e.g. a catalog entity provider) with its service token sees it all
    const service = await request(pg.server)
      .get('/api/postgres/v1/databases')
      .set(
        'authorization',
        `Bearer ${mockCredentials.service.token({
          onBehalfOf: mockCredentials.service('plugin:catalog'),
          targetPluginId: 'postgres',
        })}`,
      );
    expect(service.status).toBe(200);
    expect(names(service.body)).toEqual(all);
  });

  it('the fleet lists the open requests, each to whom may read its entity', async () => {
    // a request of each team, made by one of its members, whose claims are in no cluster yet
    const requestFor = async (entity: string, user: string, name: string) => {
      const pr = await forge.openPullRequest('platform', 'gitops', {
        head: `postgres/${entity}/${name}`,
        files: {
          [`databases/${entity}/${name}/postgresinstance.yaml`]: [
            'apiVersion: database.bizmatters.io/v1alpha1',
            'kind: PostgresInstance',
            'metadata:',
            `  name: ${name}`,
            `  namespace: ${entity}`,
            '  annotations:',
            `    bizmatters.io/entity-ref: component:default/${entity}`,
            '',
          ].join('\n'),
        },
        title: `Add ${name}`,
      });
      const res = await request(pg.server)
        .post(`/api/postgres/v1/entities/component/default/${entity}/requests`)
        // as postgres:request:register sends it: the scaffolder acting for the user
        .set('authorization', userAuth(user, 'plugin:scaffolder'))
        .send({
          namespace: entity,
          name,
          repoUrl: `${forge.host}?owner=platform&repo=gitops`,
          pullRequestNumber: pr.number,
        });
      expect(res.status).toBe(201);
      return { id: res.body.id as string, url: forge.htmlUrl(pr) };
    };
    const orders = await requestFor('orders', 'alice', 'orders-db3');
    const payments = await requestFor('payments', 'bob', 'payments-db3');
    await sleep(1100);
    const requests = async (user: string) => {
      const res = await fleet(user);
      expect(res.status).toBe(200);
      return (res.body as DatabasesResponse).requests?.map(r => ({
        id: r.id,
        entityRef: r.entityRef,
        phase: r.phase,
        url: r.pullRequest.url,
        requestedBy: r.requestedBy,
      }));
    };
    const ordersRequest = {
      id: orders.id,
      entityRef: ORDERS,
      phase: 'requested',
      url: orders.url,
      requestedBy: 'user:default/alice',
    };
    const paymentsRequest = {
      id: payments.id,
      entityRef: PAYMENTS,
      phase: 'requested',
      url: payments.url,
      requestedBy: 'user:default/bob',
    };
    expect(await requests('carol')).toEqual([ordersRequest, paymentsRequest]);
    // a non-owner does not see another team's request
    expect(await requests('alice')).toEqual([ordersRequest]);
    expect(await requests('bob')).toEqual([paymentsRequest]);
    // nothing to show: no `requests` at all, as before requests were tracked
    expect((await fleet('dave')).body).toEqual({ items: [], errors: [] });
    // the databases are filtered as before
    expect(names((await fleet('bob')).body)).toEqual([
      'cluster-a/payments/payments-db',
      'cluster-b/payments/payments-db2',
    ]);
    // once its claim is in a cluster, a request leaves the fleet's list (its database is there;
    // unlabelled, so the later tests' views of the orders entity stay as they are)
    a.apply(
      ...database({
        namespace: 'orders',
        name: 'orders-db3',
        entity: ORDERS,
        owner: 'group:default/team-orders',
      }),
    );
    // the fleet is served stale while the next one is built: until a build has read the claim
    for (let i = 0; i < 20; i++) {
      await sleep(300);
      const seen = names((await fleet('carol')).body);
      if (seen.includes('cluster-a/orders/orders-db3')) break;
    }
    expect(await requests('carol')).toEqual([paymentsRequest]);
    expect(await requests('alice')).toBeUndefined();
    expect(names((await fleet('alice')).body)).toContain(
      'cluster-a/orders/orders-db3',
    );
  });

  it('an oversized upstream body becomes an errors entry; the rest of the answer stands', async () => {
    const res = await databases('bloated', 'alice');
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      {
        cluster: 'cluster-a',
        message: `cluster cluster-a answered more than ${MAX_BYTES} bytes for /api/v1/namespaces/bloated/secrets/bloated-db-connection (postgres.kubernetes.maxResponseBytes); the answer was not read`,
      },
    ]);
    const [item] = res.body.items;
    const steps = Object.fromEntries(
      item.health.steps.map((s: any) => [s.id, s.status]),
    );
    expect(steps).toMatchObject({
      credentialsSecret: 'ok',
      claim: 'ok',
      cluster: 'ok',
      connectionSecret: 'unknown',
    });
  });

  it('past maxRefsPerEntity, a clear error and only the first refs read', async () => {
    await sleep(1100);
    a.resetCounters();
    const res = await databases('many', 'alice');
    expect(res.status).toBe(200);
    expect(res.body.errors[0]).toEqual({
      cluster: '',
      message:
        'The annotation bizmatters.io/postgres-instances names 25 claims; only the first 20 are read (postgres.claims.maxRefsPerEntity). Split the entity, or ask the platform team to raise the limit.',
    });
    const namespacesRead = Object.keys(a.calls)
      .map(k => /\/namespaces\/([^/]+)\/postgresinstances$/.exec(k)?.[1])
      .filter(Boolean);
    expect(namespacesRead).toHaveLength(20);
    expect(namespacesRead).not.toContain('ns-21');
    // the refs read name no claim: said for each
    expect(res.body.errors).toHaveLength(21);
  });

  it('a cluster slower than the request deadline becomes an errors entry and the answer comes on time', async () => {
    await sleep(1100);
    b.latencyMs = 4500; // below timeoutMs (5000): only the deadline cuts it
    try {
      const started = Date.now();
      const res = await databases('orders', 'alice');
      const took = Date.now() - started;
      expect(res.status).toBe(200);
      expect(took).toBeLessThan(DEADLINE_MS + 1000);
      expect(names(res.body)).toEqual(['cluster-a/orders/orders-db']);
      expect(res.body.errors).toEqual([
        {
          cluster: 'cluster-b',
          message: `cluster cluster-b did not answer within this request's deadline of ${DEADLINE_MS} ms (postgres.kubernetes.deadlineMs)`,
        },
      ]);
    } finally {
      b.latencyMs = 0;
      await sleep(4500); // let the abandoned reads finish
    }
    // the next view is complete again
    await sleep(1100);
    const again = await databases('orders', 'alice');
    expect(names(again.body)).toHaveLength(2);
  });

  it('users may not use the Kubernetes proxy; the plugin, a service principal, still reads through it', async () => {
    const res = await request(pg.server)
      .get(
        '/api/kubernetes/proxy/api/v1/namespaces/payments/secrets/payments-db-credentials',
      )
      .set('authorization', auth('alice'))
      .set('Backstage-Kubernetes-Cluster', 'cluster-a');
    expect(res.status).toBe(403);
    expect((await databases('orders', 'alice')).body.items).toHaveLength(2);
  });

  it("Secrets are read by name, or listed only by the databases' label (refused here: RBAC grants get only)", () => {
    const routes = [...Object.keys(a.calls), ...Object.keys(b.calls)];
    expect(routes.some(r => /^GET .*\/secrets\/[^/]+$/.test(r))).toBe(true);
    const lists = [...a.requests, ...b.requests].filter(r =>
      /\/secrets(\?|$)/.test(r),
    );
    expect(lists.length).toBeGreaterThan(0);
    expect(
      lists.filter(
        r =>
          !r.endsWith(
            '/secrets?labelSelector=bizmatters.io%2Fpostgres-instance',
          ),
      ),
    ).toEqual([]);
  });

  it('no response body contains a secret value', () => {
    const all = responses.join('\n');
    expect(responses.length).toBeGreaterThan(15);
    expect(passwords.filter(p => all.includes(p))).toEqual([]);
  });
});

describe('postgres.claims.showUnannotated', () => {
  it('shows claims that name no entity on the pages that find them', async () => {
    const k = await KubernetesStandIn.start({ name: 'cluster-a' });
    k.apply(
      ...database({ namespace: 'legacy', name: 'legacy-db', label: 'legacy' }),
    );
    const backend = await startTestBackend({
      features: [
        postgresPlugin,
        kubernetesPlugin,
        catalogServiceMock.factory({
          entities: [componentEntity('legacy', 'group:default/team-orders')],
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            kubernetes: KubernetesStandIn.backstageConfig([k]),
            postgres: { claims: { showUnannotated: true } },
          },
        }),
      ],
    });
    try {
      const res = await request(backend.server)
        .get('/api/postgres/v1/entities/component/default/legacy/databases')
        .set('authorization', auth('alice'));
      expect(res.status).toBe(200);
      expect(res.body.errors).toEqual([]);
      expect(res.body.items.map((i: any) => i.name)).toEqual(['legacy-db']);
    } finally {
      await backend.stop();
      await k.stop();
    }
  });
});
