/*
 * The failing hop's events on an entity's databases: through the REAL catalog, permission and
 * Kubernetes backends, on a Kubernetes stand-in whose objects the sandbox's controllers (ESO,
 * Crossplane, CloudNative-PG) reconcile and whose events they record, from SSM stand-in
 * parameters. Counts the stand-in's Events requests: one per namespace (and kind of failing
 * object) per TTL for a failing hop, none for a healthy database.
 */
import request from 'supertest';
import {
  KubeObject,
  KubernetesStandIn,
  PlatformSimulator,
  SsmStandIn,
} from '@bizmatters/sandbox';
import {
  DatabaseItem,
  DatabasesResponse,
  renderManifests,
  ssmParameterNames,
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

/** Long enough that every view of a test is within one TTL. */
const TTL_SECONDS = 60;
const SERVICES = ['orders', 'payments', 'refunds', 'billing', 'search'];
/** Namespaces: refunds shares payments'. */
const namespaceOf = (service: string) =>
  service === 'refunds' ? 'payments' : service;

const requestOf = (service: string) => ({
  name: `${service}-db`,
  namespace: namespaceOf(service),
  service,
  environment: 'dev',
  size: 'small',
  version: '16',
  storageGB: 10,
  databaseName: 'app',
  databaseOwner: 'app',
  component: `component:default/${service}`,
  owner: 'group:default/team-a',
});

describe('events of the failing hop', () => {
  let k: KubernetesStandIn;
  let ssm: SsmStandIn;
  let platform: PlatformSimulator;
  let pg: PostgresBackend;

  const eventReads = () =>
    k.requests.filter(r => /^GET \/api\/v1\/namespaces\/[^/]+\/events/.test(r));

  async function view(service: string): Promise<DatabaseItem> {
    const res = await request(pg.server)
      .get(`/api/postgres/v1/entities/component/default/${service}/databases`)
      .set('authorization', userAuth('alice'));
    expect(res.status).toBe(200);
    const body = res.body as DatabasesResponse;
    expect(body.items).toHaveLength(1);
    return body.items[0];
  }

  const setParameters = (service: string) => {
    const names = ssmParameterNames(requestOf(service));
    for (const [name, value] of [
      [names.user, 'app'],
      [names.password, 'x'.repeat(32)],
    ]) {
      ssm.parameters.set(name, {
        name,
        type: 'SecureString',
        value,
        version: 1,
        tier: 'Standard',
        lastModifiedDate: Date.now(),
        tags: [],
      });
    }
  };

  beforeAll(async () => {
    k = await KubernetesStandIn.start({ name: 'cluster-a' });
    ssm = await SsmStandIn.start();
    platform = new PlatformSimulator({ kube: k, ssm });
    for (const service of SERVICES) {
      const { externalSecret, postgresInstance } = renderManifests(
        requestOf(service),
      );
      k.apply(externalSecret as KubeObject, postgresInstance as KubeObject);
      setParameters(service);
    }
    // search: three instances, and the primary is lost with a failover that cannot finish
    await platform.operate('search', 'search-db', {
      instances: 3,
      losePrimary: 'hold',
    });
    await platform.reconcile();
    // payments, refunds and billing lose their SSM parameters: ESO keeps the Secret it wrote and fails
    // each sync from now on (UpdateFailed, folded by the recorder into one event with a count)
    for (const service of ['payments', 'refunds', 'billing']) {
      const names = ssmParameterNames(requestOf(service));
      ssm.parameters.delete(names.user);
      ssm.parameters.delete(names.password);
    }
    for (let i = 0; i < 3; i++) await platform.pass();
    pg = await startPostgresBackend({
      plugin: postgresPlugin,
      entities: [
        ...teamEntities(['team-a'], { alice: ['team-a'] }),
        ...SERVICES.map(s => componentEntity(s, 'group:default/team-a')),
      ],
      policy: postgresPolicy(),
      clusters: [k],
      postgres: { cache: { ttlSeconds: TTL_SECONDS } },
      waitFor: { user: 'alice' },
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await pg?.stop();
    await k?.stop();
    await ssm?.stop();
  });

  it('reads none for a healthy database', async () => {
    k.resetCounters();
    const item = await view('orders');
    expect(item.health.verdict).toBe('healthy');
    expect(item.events).toBeUndefined();
    expect(eventReads()).toEqual([]);
  });

  it('shows a failing hop’s events, warnings first and repeats folded, in one read', async () => {
    k.resetCounters();
    const item = await view('payments');
    const reads = k.requestCount;
    expect(item.health.failingStep).toBe('externalSecret');
    expect(item.events).toMatchObject({
      step: 'externalSecret',
      objects: [{ kind: 'ExternalSecret', name: 'payments-db-credentials' }],
    });
    const lines = item.events!.items;
    expect(lines.map(l => [l.type, l.reason])).toEqual([
      ['Warning', 'UpdateFailed'],
      ['Normal', 'Updated'],
    ]);
    expect(lines[0].count).toBeGreaterThanOrEqual(3);
    expect(lines[0].message).toMatch(
      /^error retrieving secret at \.data\[0\], key: .*, err: Secret does not exist$/,
    );
    expect(Date.parse(lines[0].lastSeen!)).toBeGreaterThan(Date.now() - 60_000);
    expect(eventReads()).toEqual([
      'GET /api/v1/namespaces/payments/events?fieldSelector=involvedObject.kind%3DExternalSecret&limit=500',
    ]);
    // what the events add to the view's upstream reads
    // eslint-disable-next-line no-console
    console.log(
      `events: ${
        eventReads().length
      } of ${reads} upstream reads for a failing database's view`,
    );

    k.resetCounters();
    expect((await view('payments')).events).toEqual(item.events);
    expect(eventReads()).toEqual([]);
  });

  it('shares one read between the databases of a namespace failing at the same hop', async () => {
    await view('payments');
    k.resetCounters();
    const item = await view('refunds');
    expect(item.events?.objects).toEqual([
      { kind: 'ExternalSecret', name: 'refunds-db-credentials' },
    ]);
    expect(item.events?.items.map(l => l.reason)).toEqual([
      'UpdateFailed',
      'Updated',
    ]);
    expect(item.events?.items[0].message).toContain('/refunds/');
    expect(eventReads()).toEqual([]);
  });

  it("shows CloudNative-PG's events on a failing cluster hop", async () => {
    k.resetCounters();
    const item = await view('search');
    expect(item.health.failingStep).toBe('cluster');
    expect(item.events?.objects).toEqual([
      { kind: 'Cluster', name: 'search-db' },
    ]);
    expect(item.events?.items.map(l => [l.type, l.reason, l.message])).toEqual([
      [
        'Warning',
        'FailingOver',
        "Current primary isn't healthy, initiating a failover",
      ],
      ['Normal', 'CreatingInstance', 'Primary instance (initdb)'],
    ]);
    expect(eventReads()).toEqual([
      'GET /api/v1/namespaces/search/events?fieldSelector=involvedObject.kind%3DCluster&limit=500',
    ]);
  });

  it('keeps the answer when the events cannot be read, and says so', async () => {
    k.forbidden.add('events');
    try {
      const item = await view('billing');
      expect(item.health.failingStep).toBe('externalSecret');
      expect(item.events?.items).toEqual([]);
      expect(item.events?.error).toMatch(
        /^Events could not be read: The portal may not list events in namespace billing of cluster cluster-a/,
      );
    } finally {
      k.forbidden.delete('events');
    }
  });
});
