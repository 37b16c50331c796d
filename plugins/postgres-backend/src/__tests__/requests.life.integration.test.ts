/*
 * A database's whole life as one record, and a request bound to its own pull request: the
 * postgres backend with the REAL catalog and permission backends (two teams), the REAL
 * Kubernetes backend on a cluster stand-in, the sandbox forge's pull requests read through the
 * GitHub integration, and an auditor that keeps every event. Registrations come as the
 * scaffolder's `postgres:request:register` sends them: a token of `plugin:scaffolder` on behalf
 * of who ran the template.
 */
import request from 'supertest';
import {
  AuditorService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  ForgeStandIn,
  KubeObject,
  KubernetesStandIn,
  PullRequest,
} from '@bizmatters/sandbox';
import {
  DatabaseRequestStatus,
  DatabasesResponse,
} from '@bizmatters/plugin-postgres-common';
import {
  componentEntity,
  PostgresBackend,
  postgresPolicy,
  startPostgresBackend,
  teamEntities,
  userAuth,
} from '@bizmatters/test-backend/postgres';
import postgresPlugin from '../index';

jest.setTimeout(120_000);

const ORDERS = 'component:default/orders';
const PAYMENTS = 'component:default/payments';
const MEMBERS: Record<string, string[]> = {
  alice: ['team-orders'],
  bob: ['team-payments'],
  carol: ['platform-team'],
};
/** What postgres:request:register sends: the scaffolder on behalf of `user`. */
const scaffolderAuth = (user: string, actor = 'plugin:scaffolder') =>
  userAuth(user, actor);

const ENTITIES = [
  ...teamEntities(['team-orders', 'team-payments', 'platform-team'], MEMBERS),
  ...[
    ['orders', 'team-orders'],
    ['payments', 'team-payments'],
  ].map(([name, owner]) =>
    componentEntity(name, `group:default/${owner}`, {
      'backstage.io/kubernetes-id': name,
    }),
  ),
];

const policy = postgresPolicy({
  fleetReaders: ['group:default/platform-team'],
});

/** The claim file as the template writes it, naming `entity`. */
function claimYaml(
  namespace: string,
  name: string,
  entity: string,
  storageGB = 20,
) {
  return [
    'apiVersion: database.bizmatters.io/v1alpha1',
    'kind: PostgresInstance',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    '  annotations:',
    `    bizmatters.io/entity-ref: ${entity}`,
    'spec:',
    '  size: small',
    '  version: "16"',
    `  storageGB: ${storageGB}`,
    '',
  ].join('\n');
}
const claimPath = (namespace: string, name: string) =>
  `databases/${namespace}/${name}/postgresinstance.yaml`;

/** The database in the cluster, healthy, its claim naming `entity`. */
function database(namespace: string, name: string, entity: string) {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const owner = `${name.replace(/-/g, '_')}_owner`;
  const objects: KubeObject[] = [
    {
      apiVersion: 'database.bizmatters.io/v1alpha1',
      kind: 'PostgresInstance',
      metadata: {
        name,
        namespace,
        labels: { 'backstage.io/kubernetes-id': entity.split('/')[1] },
        annotations: { 'bizmatters.io/entity-ref': entity },
      },
      spec: {
        size: 'small',
        version: '16',
        storageGB: 20,
        databaseName: name.replace(/-/g, '_'),
        databaseOwner: owner,
        credentialsSecretName: `${name}-credentials`,
        connectionSecretName: `${name}-connection`,
      },
      status: {
        conditions: [
          { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
          { type: 'Ready', status: 'True', reason: 'Available' },
        ],
      },
    },
    {
      apiVersion: 'external-secrets.io/v1beta1',
      kind: 'ExternalSecret',
      metadata: {
        name: `${name}-credentials`,
        namespace,
        annotations: { 'bizmatters.io/entity-ref': entity },
      },
      spec: { target: { name: `${name}-credentials` } },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-credentials`, namespace },
      type: 'kubernetes.io/basic-auth',
      data: { username: b64(owner), password: b64('not-a-real-password-0123') },
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
        username: b64(owner),
        password: b64('not-a-real-password-0123'),
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
  return objects;
}

/** Every audit event: its id, and the meta of its creation and its end. */
interface AuditRecord {
  eventId: string;
  status: 'succeeded' | 'failed' | 'open';
  meta: Record<string, unknown>;
}
const audits: AuditRecord[] = [];
const auditorFactory = createServiceFactory({
  service: coreServices.auditor,
  deps: {},
  factory: (): AuditorService => ({
    async createEvent(options) {
      const record: AuditRecord = {
        eventId: options.eventId,
        status: 'open',
        meta: { ...options.meta },
      };
      audits.push(record);
      return {
        async success(o) {
          record.status = 'succeeded';
          record.meta = { ...record.meta, ...o?.meta };
        },
        async fail(o) {
          record.status = 'failed';
          record.meta = { ...record.meta, ...o.meta, error: o.error.message };
        },
      };
    },
  }),
});

/** The last audit event of `eventId` (the auditor serves every plugin of the backend). */
const lastEvent = (eventId: string) =>
  audits.filter(a => a.eventId === eventId).pop();

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('a database request bound to its own pull request, and its whole life as one record', () => {
  let kube: KubernetesStandIn;
  let forge: ForgeStandIn;
  let pg: PostgresBackend;

  beforeAll(async () => {
    kube = await KubernetesStandIn.start({ name: 'cluster-a' });
    forge = await ForgeStandIn.start();
    await forge.createRepo('platform', 'gitops', { 'README.md': '# GitOps\n' });
    pg = await startPostgresBackend({
      plugin: postgresPlugin,
      entities: ENTITIES,
      policy,
      clusters: [kube],
      forge,
      features: [auditorFactory],
      waitFor: { user: 'carol' },
    });
  });
  afterAll(async () => {
    await pg?.stop();
    await kube?.stop();
    await forge?.stop();
  });

  const repoUrl = () => `${forge.host}?owner=platform&repo=gitops`;
  const register = (
    entity: string,
    authorization: string,
    body: { namespace: string; name: string; pullRequestNumber: number },
  ) =>
    request(pg.server)
      .post(`/api/postgres/v1/entities/component/default/${entity}/requests`)
      .set('authorization', authorization)
      .send({ ...body, repoUrl: repoUrl() });
  const storedRows = async () =>
    (await pg.databases.rows('postgres')).filter(
      r => r.table === 'database_requests',
    ).length;
  /** A creation pull request as the template opens it. */
  const openCreation = (namespace: string, name: string, entity: string) =>
    forge.openPullRequest('platform', 'gitops', {
      head: `postgres/${namespace}/${name}`,
      files: {
        [claimPath(namespace, name)]: claimYaml(namespace, name, entity),
      },
      title: `Add PostgreSQL database ${namespace}/${name}`,
    });

  describe('registration (#23: a request is bound to its own pull request)', () => {
    let ordersPr: PullRequest;
    beforeAll(async () => {
      ordersPr = await openCreation('orders', 'orders-db', ORDERS);
    });

    it("refuses a user's own call: only the scaffolder acting for them registers, and it is audited", async () => {
      const rows = await storedRows();
      const direct = await register('orders', userAuth('alice'), {
        namespace: 'orders',
        name: 'orders-db',
        pullRequestNumber: ordersPr.number,
      });
      expect([direct.status, direct.body.error?.message]).toEqual([
        403,
        expect.stringMatching(
          /registered by the template's postgres:request:register step .*not directly by user:default\/alice/,
        ),
      ]);
      const otherPlugin = await register(
        'orders',
        scaffolderAuth('alice', 'plugin:catalog'),
        {
          namespace: 'orders',
          name: 'orders-db',
          pullRequestNumber: ordersPr.number,
        },
      );
      expect(otherPlugin.status).toBe(403);
      expect(await storedRows()).toBe(rows);
      expect(audits.filter(a => a.eventId === 'request-register')).toEqual([
        expect.objectContaining({
          status: 'failed',
          meta: expect.objectContaining({
            actor: 'user:default/alice',
            entityRef: ORDERS,
            decision: 'refused',
            pullRequestNumber: String(ordersPr.number),
          }),
        }),
        expect.objectContaining({
          status: 'failed',
          meta: expect.objectContaining({
            via: 'plugin:catalog',
            decision: 'refused',
          }),
        }),
      ]);
    });

    it("refuses registering another team's pull request, writes nothing; the owner's own registration still works", async () => {
      const rows = await storedRows();
      // bob (team-payments) claims orders' pull request for his own component
      const foreign = await register('payments', scaffolderAuth('bob'), {
        namespace: 'orders',
        name: 'orders-db',
        pullRequestNumber: ordersPr.number,
      });
      expect([foreign.status, foreign.body.error?.message]).toEqual([
        403,
        expect.stringMatching(
          /is not a request of component:default\/payments for orders\/orders-db: the claim of orders\/orders-db .* names component:default\/orders, not component:default\/payments/,
        ),
      ]);
      // … or under another database's name
      const renamed = await register('payments', scaffolderAuth('bob'), {
        namespace: 'payments',
        name: 'payments-db',
        pullRequestNumber: ordersPr.number,
      });
      expect([renamed.status, renamed.body.error?.message]).toEqual([
        403,
        expect.stringMatching(
          /its branch postgres\/orders\/orders-db is not the branch of payments\/payments-db/,
        ),
      ]);
      // … or for orders itself: he may not create its databases
      const notOwner = await register('orders', scaffolderAuth('bob'), {
        namespace: 'orders',
        name: 'orders-db',
        pullRequestNumber: ordersPr.number,
      });
      expect(notOwner.status).toBe(403);
      // a pull request of another branch that adds the claim is not its request either
      const side = await forge.openPullRequest('platform', 'gitops', {
        head: 'feature/orders-db',
        files: {
          [claimPath('orders', 'orders-db')]: claimYaml(
            'orders',
            'orders-db',
            ORDERS,
          ),
        },
        title: 'Sneak orders-db in',
      });
      const sideways = await register('orders', scaffolderAuth('alice'), {
        namespace: 'orders',
        name: 'orders-db',
        pullRequestNumber: side.number,
      });
      expect(sideways.status).toBe(403);
      forge.setState('platform', 'gitops', side.number, 'closed');
      expect(await storedRows()).toBe(rows);

      const own = await register('orders', scaffolderAuth('alice'), {
        namespace: 'orders',
        name: 'orders-db',
        pullRequestNumber: ordersPr.number,
      });
      expect([own.status, own.body.error?.message]).toEqual([201, undefined]);
      expect(own.body).toMatchObject({
        namespace: 'orders',
        name: 'orders-db',
        entityRef: ORDERS,
        requestedBy: 'user:default/alice',
        operation: 'create',
        phase: 'requested',
      });
      const refused = audits.filter(
        a =>
          a.eventId === 'request-register' &&
          a.meta.actor === 'user:default/bob',
      );
      expect(refused).toHaveLength(3);
      expect(refused.every(a => a.meta.decision === 'refused')).toBe(true);
      expect(lastEvent('request-register')).toEqual({
        eventId: 'request-register',
        status: 'succeeded',
        meta: expect.objectContaining({
          actor: 'user:default/alice',
          entityRef: ORDERS,
          decision: 'registered',
          operation: 'create',
          requestId: own.body.id,
        }),
      });
    });

    it('an earlier registration of the pull request for another entity (before binding) does not make the owner’s fail', async () => {
      const pr = await openCreation('orders', 'orders-db9', ORDERS);
      const knex = await pg.databases.knexFor('postgres');
      await knex('database_requests').insert({
        id: 'squatted-0000-0000-0000-000000000000',
        record_id: 'squatted-0000-0000-0000-000000000000',
        entity_ref: PAYMENTS,
        namespace: 'payments',
        name: 'payments-db',
        repo_host: forge.host,
        repo_owner: 'platform',
        repo_name: 'gitops',
        pr_number: pr.number,
        pr_url: forge.htmlUrl(pr),
        pr_state: 'open',
        requested_by: 'user:default/bob',
        requested_at: new Date().toISOString(),
      });
      const own = await register('orders', scaffolderAuth('alice'), {
        namespace: 'orders',
        name: 'orders-db9',
        pullRequestNumber: pr.number,
      });
      expect(own.status).toBe(201);
      expect(own.body).toMatchObject({ entityRef: ORDERS, name: 'orders-db9' });
      expect(lastEvent('request-register')?.meta).toMatchObject({
        decision: 'registered (taken from an earlier registration)',
        previously: `${PAYMENTS} payments/payments-db`,
      });
      forge.setState('platform', 'gitops', pr.number, 'closed');
    });
  });

  describe('a database’s whole life as one record (#25)', () => {
    const NS = 'orders';
    const NAME = 'life-db';
    const path = claimPath(NS, NAME);
    const tab = async (): Promise<DatabasesResponse> => {
      const res = await request(pg.server)
        .get('/api/postgres/v1/entities/component/default/orders/databases')
        .set('authorization', userAuth('alice'));
      expect([res.status, res.status === 200 ? '' : res.text]).toEqual([
        200,
        '',
      ]);
      return res.body;
    };
    const fleet = async (): Promise<DatabasesResponse> => {
      const res = await request(pg.server)
        .get('/api/postgres/v1/databases')
        .set('authorization', userAuth('carol'));
      expect(res.status).toBe(200);
      return res.body;
    };
    /** This database's record on the tab: on its item, or among the requests. */
    const record = (body: DatabasesResponse) => {
      const item = body.items.find(i => i.namespace === NS && i.name === NAME);
      const listed = (body.requests ?? []).filter(
        r => r.namespace === NS && r.name === NAME,
      );
      return { item, onItem: item?.request, listed };
    };
    /** The tab, asked until `done` holds of this database's record (answers live 1 s). */
    async function until(
      done: (r: ReturnType<typeof record>) => boolean,
      view: () => Promise<DatabasesResponse> = tab,
    ) {
      let r = record(await view());
      for (let i = 0; i < 60 && !done(r); i++) {
        await sleep(200);
        r = record(await view());
      }
      expect(done(r)).toBe(true);
      return r;
    }
    const change = async (
      operation: string,
      files: Record<string, string | null>,
      title: string,
    ) => {
      const pr = await forge.openPullRequest('platform', 'gitops', {
        head: `postgres-change/${NS}/${NAME}/${operation}-${Date.now()}`,
        files,
        title,
      });
      const res = await register('orders', scaffolderAuth('alice'), {
        namespace: NS,
        name: NAME,
        pullRequestNumber: pr.number,
      });
      expect([res.status, res.body.error?.message]).toEqual([201, undefined]);
      return pr;
    };
    let created: DatabaseRequestStatus;

    it('requested → merged → applied and healthy', async () => {
      const pr = await openCreation(NS, NAME, ORDERS);
      const res = await register('orders', scaffolderAuth('alice'), {
        namespace: NS,
        name: NAME,
        pullRequestNumber: pr.number,
      });
      expect(res.status).toBe(201);
      created = res.body;
      expect((await until(r => r.listed.length === 1)).listed[0]).toMatchObject(
        { id: created.id, phase: 'requested', operation: 'create' },
      );
      await forge.merge('platform', 'gitops', pr.number);
      await until(r => r.listed[0]?.phase === 'merged');
      kube.apply(...database(NS, NAME, ORDERS));
      const healthy = await until(r => r.onItem?.phase === 'healthy');
      expect(healthy.listed).toEqual([]);
      expect(healthy.onItem).toMatchObject({
        id: created.id,
        timeline: {
          claimSeenAt: expect.any(String),
          healthyAt: expect.any(String),
        },
      });
      expect(healthy.onItem!.changes).toBeUndefined();
    });

    it('changing: a day-2 pull request shows on the record (what, who, when), open then merged', async () => {
      const grow = await change(
        'growStorage',
        { [path]: claimYaml(NS, NAME, ORDERS, 30) },
        `Grow storage of ${NS}/${NAME} from 20 GB to 30 GB`,
      );
      const open = await until(r => r.onItem?.phase === 'changing');
      expect(open.onItem).toMatchObject({ id: created.id });
      expect(open.onItem!.changes).toEqual([
        expect.objectContaining({
          operation: 'change',
          title: `Grow storage of ${NS}/${NAME} from 20 GB to 30 GB`,
          requestedBy: 'user:default/alice',
          requestedAt: expect.any(String),
          pullRequest: {
            number: grow.number,
            url: forge.htmlUrl(grow),
            state: 'open',
          },
        }),
      ]);
      await forge.merge('platform', 'gitops', grow.number);
      const merged = await until(r => r.onItem?.phase === 'healthy');
      expect(merged.onItem!.changes![0]).toMatchObject({
        pullRequest: { state: 'merged' },
        mergedAt: grow.mergedAt,
      });
    });

    it('an upgrade closed without merge stays listed as closed; the database is as it was', async () => {
      const upgrade = await change(
        'upgradeVersion',
        { [path]: claimYaml(NS, NAME, ORDERS, 30).replace('"16"', '"17"') },
        `Upgrade PostgreSQL of ${NS}/${NAME} from 16 to 17`,
      );
      await until(r => r.onItem?.phase === 'changing');
      forge.setState('platform', 'gitops', upgrade.number, 'closed');
      const closed = await until(r => r.onItem?.phase === 'healthy');
      expect(closed.onItem!.changes!.map(c => c.pullRequest.state)).toEqual([
        'merged',
        'closed',
      ]);
      expect(closed.onItem!.changes![1].closedAt).toBe(upgrade.closedAt);
    });

    it('a decommission closed without merge leaves the database as it was, and says so', async () => {
      const decommission = await change(
        'decommission',
        { [path]: null },
        `Decommission ${NS}/${NAME}`,
      );
      const open = await until(r => r.onItem?.phase === 'decommissioning');
      expect(open.onItem!.changes![2]).toMatchObject({
        operation: 'decommission',
        pullRequest: { state: 'open' },
      });
      forge.setState('platform', 'gitops', decommission.number, 'closed');
      const kept = await until(r => r.onItem?.phase === 'healthy');
      expect(kept.onItem!.note).toBe(
        `The decommission request #${decommission.number} was closed without merge: the database stays as it was.`,
      );
      expect(kept.item!.health.verdict).toBe('healthy');
    });

    it('a restarted backend (same database) shows the same record', async () => {
      const before = record(await tab()).onItem;
      await pg.restart();
      const after = await until(r => r.onItem?.phase === 'healthy');
      expect(after.onItem).toEqual(before);
    });

    it('decommissioning → decommissioned (when, by whom) on the tab and the fleet, never Healthy', async () => {
      const decommission = await change(
        'decommission',
        { [path]: null },
        `Decommission ${NS}/${NAME}`,
      );
      await until(r => r.onItem?.phase === 'decommissioning');
      await forge.merge('platform', 'gitops', decommission.number);
      // merged, Argo CD has not pruned it yet: still decommissioning
      await sleep(1100);
      expect(record(await tab()).onItem?.phase).toBe('decommissioning');
      // pruned: the claim, its cluster and secrets are gone
      for (const o of database(NS, NAME, ORDERS)) {
        kube.delete(
          o.apiVersion,
          o.kind,
          o.metadata.namespace,
          o.metadata.name,
        );
      }
      const gone = await until(r => r.listed[0]?.phase === 'decommissioned');
      expect(gone.item).toBeUndefined();
      expect(gone.listed).toHaveLength(1);
      expect(gone.listed[0]).toMatchObject({
        id: created.id,
        phase: 'decommissioned',
        decommissionedBy: 'user:default/alice',
        timeline: { decommissionedAt: expect.any(String) },
      });
      expect(
        Date.parse(gone.listed[0].timeline.decommissionedAt!),
      ).toBeGreaterThanOrEqual(Date.parse(decommission.mergedAt!));
      // the fleet says the same
      const inFleet = await until(
        r => r.listed[0]?.phase === 'decommissioned',
        fleet,
      );
      expect(inFleet.item).toBeUndefined();
      expect(inFleet.listed[0].id).toBe(created.id);
    });

    it('a database recreated under the same name is a new record; the old one leaves the lists after keepDecommissionedDays', async () => {
      const pr = await openCreation(NS, NAME, ORDERS);
      const res = await register('orders', scaffolderAuth('alice'), {
        namespace: NS,
        name: NAME,
        pullRequestNumber: pr.number,
      });
      expect(res.status).toBe(201);
      expect(res.body.id).not.toBe(created.id);
      const both = await until(r => r.listed.length === 2);
      expect(both.listed.map(r => [r.id, r.phase])).toEqual([
        [created.id, 'decommissioned'],
        [res.body.id, 'requested'],
      ]);
      expect(both.listed[1].changes).toBeUndefined();
      // 8 days later (default: kept 7)
      const knex = await pg.databases.knexFor('postgres');
      await knex('database_requests')
        .where({ id: created.id })
        .update({
          gone_at: new Date(Date.now() - 8 * 86_400_000).toISOString(),
        });
      // the answers of before are reused for the TTL
      const later = await until(r => r.listed.length === 1);
      expect(later.listed[0].id).toBe(res.body.id);
      // the new database, applied, takes the item; the old record does not come back
      await forge.merge('platform', 'gitops', pr.number);
      kube.apply(...database(NS, NAME, ORDERS));
      const fresh = await until(r => r.onItem?.phase === 'healthy');
      expect(fresh.onItem!.id).toBe(res.body.id);
      expect(fresh.listed).toEqual([]);
    });

    it('an owner may dismiss a decommissioned record; it is audited', async () => {
      const pr = await openCreation(NS, 'short-db', ORDERS);
      const res = await register('orders', scaffolderAuth('alice'), {
        namespace: NS,
        name: 'short-db',
        pullRequestNumber: pr.number,
      });
      // it was there, then it is gone
      const knex = await pg.databases.knexFor('postgres');
      const at = new Date().toISOString();
      await knex('database_requests')
        .where({ id: res.body.id })
        .update({ claim_seen_at: at, healthy_at: at, gone_at: at });
      await sleep(1100);
      const route = `/api/postgres/v1/entities/component/default/orders/requests/${res.body.id}`;
      const refused = await request(pg.server)
        .delete(route)
        .set('authorization', userAuth('bob'));
      expect(refused.status).toBe(403);
      const dismissed = await request(pg.server)
        .delete(route)
        .set('authorization', userAuth('alice'));
      expect(dismissed.status).toBe(204);
      expect(
        audits.filter(a => a.eventId === 'request-dismiss').slice(-2),
      ).toEqual([
        expect.objectContaining({
          status: 'failed',
          meta: expect.objectContaining({
            actor: 'user:default/bob',
            decision: 'refused',
          }),
        }),
        expect.objectContaining({
          status: 'succeeded',
          meta: expect.objectContaining({
            actor: 'user:default/alice',
            entityRef: ORDERS,
            decision: 'dismissed',
            database: `${NS}/short-db`,
            phase: 'decommissioned',
          }),
        }),
      ]);
      const body = await tab();
      expect((body.requests ?? []).filter(r => r.name === 'short-db')).toEqual(
        [],
      );
    });

    it("the change form's question: an open change request of the database, with its link, to who may read it", async () => {
      const ask = (user: string, query = `namespace=${NS}&name=${NAME}`) =>
        request(pg.server)
          .get(
            `/api/postgres/v1/entities/component/default/orders/open-changes?${query}`,
          )
          .set('authorization', userAuth(user));
      expect((await ask('alice')).body).toEqual({ items: [] });
      // opened by hand on the forge (not registered): the change action refuses it too
      const size = await forge.openPullRequest('platform', 'gitops', {
        head: `postgres-change/${NS}/${NAME}/changeSize-x1`,
        files: { [path]: claimYaml(NS, NAME, ORDERS, 30) },
        title: `Change size of ${NS}/${NAME}`,
      });
      await sleep(1100);
      const open = await ask('alice');
      expect([open.status, open.body]).toEqual([
        200,
        {
          items: [
            {
              number: size.number,
              url: forge.htmlUrl(size),
              title: `Change size of ${NS}/${NAME}`,
            },
          ],
        },
      ]);
      expect((await ask('bob')).status).toBe(403);
      // asked on bob's own entity, orders' database is one without open changes (not found
      // or not yours): nothing of orders' pull request
      const other = await request(pg.server)
        .get(
          `/api/postgres/v1/entities/component/default/payments/open-changes?namespace=${NS}&name=${NAME}`,
        )
        .set('authorization', userAuth('bob'));
      expect([other.status, other.body]).toEqual([200, { items: [] }]);
      expect(
        (await ask('alice', `namespace=${NS}&name=Bad%20Name`)).status,
      ).toBe(400);
      forge.setState('platform', 'gitops', size.number, 'closed');
      await sleep(1100);
      expect((await ask('alice')).body).toEqual({ items: [] });
    });

    it('no audit event holds a secret', () => {
      expect(JSON.stringify(audits)).not.toContain('not-a-real-password');
    });
  });
});
