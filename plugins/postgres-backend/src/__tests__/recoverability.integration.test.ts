/*
 * Can the data be got back, per database: through the REAL catalog, permission and Kubernetes
 * backends, on a Kubernetes stand-in whose databases the sandbox's controllers made healthy,
 * then given the backup configurations and the Backups, ScheduledBackups and ObjectStores CNPG
 * and the Barman Cloud plugin write (field names from their CRDs in fixtures/reference/cnpg).
 * Counts the new kinds' reads: one LIST per kind per namespace per TTL.
 */
import request from 'supertest';
import {
  KubeObject,
  KubernetesStandIn,
  PlatformSimulator,
  SsmStandIn,
} from '@bizmatters/sandbox';
import {
  applyFleetFilters,
  BARMAN_CLOUD_PLUGIN,
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

const hoursAgo = (h: number) =>
  new Date(Date.now() - h * 3_600_000).toISOString();

/** Each service's database: its environment, and what is done to its backups. */
const CASES: Record<string, { environment: string }> = {
  bare: { environment: 'prod' }, // as the platform composes it: no backups
  sandbox: { environment: 'dev' }, // no backups, in dev
  archiving: { environment: 'prod' },
  failing: { environment: 'prod' },
  stale: { environment: 'prod' },
  intree: { environment: 'prod' },
  plugin: { environment: 'prod' },
};

const requestOf = (service: string) => ({
  name: `${service}-db`,
  namespace: service,
  service,
  environment: CASES[service].environment,
  size: 'small',
  version: '16',
  storageGB: 10,
  databaseName: 'app',
  databaseOwner: 'app',
  component: `component:default/${service}`,
  owner: 'group:default/team-a',
});

const backup = (
  service: string,
  name: string,
  phase: string,
  startedHoursAgo: number,
  error?: string,
): KubeObject =>
  ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name, namespace: service },
    spec: { cluster: { name: `${service}-db` }, method: 'plugin' },
    status: {
      phase,
      method: 'plugin',
      startedAt: hoursAgo(startedHoursAgo),
      ...(phase === 'completed'
        ? { stoppedAt: hoursAgo(startedHoursAgo - 0.2) }
        : {}),
      ...(error ? { error } : {}),
    },
  } as KubeObject);

const schedule = (service: string): KubeObject =>
  ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'ScheduledBackup',
    metadata: { name: `${service}-db-daily`, namespace: service },
    spec: {
      schedule: '0 0 2 * * *',
      cluster: { name: `${service}-db` },
      method: 'plugin',
      pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
    },
  } as KubeObject);

describe('recoverability of each database', () => {
  let k: KubernetesStandIn;
  let ssm: SsmStandIn;
  let platform: PlatformSimulator;
  let pg: PostgresBackend;

  const recoverabilityReads = () =>
    k.requests.filter(r =>
      /\/(backups|scheduledbackups|objectstores)(\?|$)/.test(r),
    );

  async function item(service: string): Promise<DatabaseItem> {
    const res = await request(pg.server)
      .get(`/api/postgres/v1/entities/component/default/${service}/databases`)
      .set('authorization', userAuth('alice'));
    expect(res.status).toBe(200);
    const body = res.body as DatabasesResponse;
    expect(body.errors).toEqual([]);
    expect(body.items).toHaveLength(1);
    return body.items[0];
  }

  /** The Cluster the CNPG stand-in made, with `spec` and `status` fields over its own. */
  function patchCluster(service: string, spec: object, status: object = {}) {
    const cluster = k.get(
      'postgresql.cnpg.io/v1',
      'Cluster',
      service,
      `${service}-db`,
    )!;
    k.apply({
      ...cluster,
      spec: { ...(cluster.spec as object), ...spec },
      status: {
        ...(cluster.status as object),
        ...status,
        conditions: [
          ...(((cluster.status as any)?.conditions ?? []) as object[]),
          ...((status as any).conditions ?? []),
        ],
      },
    } as KubeObject);
  }

  const viaPlugin = {
    plugins: [
      {
        name: BARMAN_CLOUD_PLUGIN,
        isWALArchiver: true,
        parameters: { barmanObjectName: 'backups' },
      },
    ],
  };
  const archiving = (ok: boolean, message?: string) => ({
    conditions: [
      {
        type: 'ContinuousArchiving',
        status: ok ? 'True' : 'False',
        reason: ok
          ? 'ContinuousArchivingSuccess'
          : 'ContinuousArchivingFailing',
        ...(message ? { message } : {}),
      },
    ],
  });

  beforeAll(async () => {
    k = await KubernetesStandIn.start({ name: 'cluster-a' });
    ssm = await SsmStandIn.start();
    platform = new PlatformSimulator({ kube: k, ssm });
    for (const service of Object.keys(CASES)) {
      const { externalSecret, postgresInstance } = renderManifests(
        requestOf(service),
      );
      k.apply(externalSecret as KubeObject, postgresInstance as KubeObject);
      const names = ssmParameterNames(requestOf(service));
      ssm.seed(names.user, 'app');
      ssm.seed(names.password, 'p'.repeat(32));
    }
    await platform.reconcile();
    for (let i = 0; i < 3; i++) await platform.pass();
    await platform.stop();

    patchCluster(
      'archiving',
      viaPlugin,
      archiving(
        false,
        'unexpected failure invoking barman-cloud-wal-archive: exit status 4',
      ),
    );
    k.apply(backup('archiving', 'archiving-db-1', 'completed', 3));

    patchCluster('failing', viaPlugin, archiving(true));
    k.apply(
      schedule('failing'),
      backup('failing', 'failing-db-1', 'completed', 20),
      backup(
        'failing',
        'failing-db-2',
        'failed',
        1,
        "can't upload: AccessDenied",
      ),
    );

    patchCluster('stale', viaPlugin, archiving(true));
    k.apply(schedule('stale'), backup('stale', 'stale-db-1', 'completed', 50));

    patchCluster(
      'intree',
      {
        backup: {
          barmanObjectStore: {
            destinationPath: 's3://backups/intree',
            s3Credentials: { inheritFromIAMRole: true },
          },
        },
      },
      {
        firstRecoverabilityPoint: hoursAgo(48),
        lastSuccessfulBackup: hoursAgo(2),
        ...archiving(true),
      },
    );

    patchCluster('plugin', viaPlugin, archiving(true));
    k.apply(
      schedule('plugin'),
      backup('plugin', 'plugin-db-1', 'completed', 6),
      {
        apiVersion: 'barmancloud.cnpg.io/v1',
        kind: 'ObjectStore',
        metadata: { name: 'backups', namespace: 'plugin' },
        spec: { configuration: { destinationPath: 's3://backups' } },
        status: {
          serverRecoveryWindow: {
            'plugin-db': {
              firstRecoverabilityPoint: hoursAgo(30),
              lastSuccessfulBackupTime: hoursAgo(5.8),
            },
          },
        },
      } as KubeObject,
    );

    pg = await startPostgresBackend({
      plugin: postgresPlugin,
      entities: [
        ...teamEntities(['team-a'], { alice: ['team-a'] }),
        ...Object.keys(CASES).map(s =>
          componentEntity(s, 'group:default/team-a'),
        ),
      ],
      policy: postgresPolicy(),
      clusters: [k],
      postgres: { cache: { ttlSeconds: 60 } },
      waitFor: { user: 'alice' },
    });
  });

  afterAll(async () => {
    await pg?.stop();
    await k?.stop();
    await ssm?.stop();
  });

  it('a healthy database without backups in prod: "Healthy — not recoverable", a warning', async () => {
    const { health, recoverability } = await item('bare');
    expect(health.verdict).toBe('healthy');
    expect(recoverability).toMatchObject({
      state: 'none',
      severity: 'warning',
      environment: 'prod',
      required: true,
    });
    expect(recoverability!.hint).toMatch(/platform team/);
  });

  it('the same in dev: an information line', async () => {
    expect((await item('sandbox')).recoverability).toMatchObject({
      state: 'none',
      severity: 'info',
      environment: 'dev',
      required: false,
    });
  });

  it('archiving failing, the last backup failed, too old: warnings in CNPG’s words', async () => {
    const a = (await item('archiving')).recoverability!;
    expect(a).toMatchObject({ state: 'archivingFailing', severity: 'warning' });
    expect(a.message).toContain('barman-cloud-wal-archive');
    const f = (await item('failing')).recoverability!;
    expect(f).toMatchObject({ state: 'lastBackupFailed', severity: 'warning' });
    expect(f.message).toContain('AccessDenied');
    expect(f.backups.map(b => b.phase)).toEqual(['failed', 'completed']);
    expect(f.schedules).toEqual([
      { name: 'failing-db-daily', schedule: '0 0 2 * * *', suspended: false },
    ]);
    expect((await item('stale')).recoverability).toMatchObject({
      state: 'stale',
      severity: 'warning',
    });
  });

  it('a healthy window: from the Cluster’s status (in-tree Barman) and from the ObjectStore (plugin)', async () => {
    const intree = (await item('intree')).recoverability!;
    expect(intree).toMatchObject({
      state: 'protected',
      severity: 'ok',
      methods: ['barmanObjectStore'],
    });
    expect(Date.parse(intree.recoverableFrom!)).toBeLessThan(
      Date.now() - 47 * 3_600_000,
    );
    const plugin = (await item('plugin')).recoverability!;
    expect(plugin).toMatchObject({
      state: 'protected',
      methods: [BARMAN_CLOUD_PLUGIN],
    });
    expect(plugin.message).toMatch(/^The last good backup finished at /);
    expect(Date.parse(plugin.recoverableFrom!)).toBeLessThan(
      Date.now() - 29 * 3_600_000,
    );
  });

  it('the fleet’s recoverability filter finds them', async () => {
    const res = await request(pg.server)
      .get('/api/postgres/v1/databases')
      .set('authorization', userAuth('alice'));
    const { items } = res.body as DatabasesResponse;
    const names = (recoverability: string) =>
      applyFleetFilters(items, { recoverability })
        .rows.map(i => i.name)
        .sort();
    expect(names('Not recoverable')).toEqual(['bare-db', 'sandbox-db']);
    expect(names('Recoverable')).toEqual(['intree-db', 'plugin-db']);
    expect(names('Last backup failed')).toEqual(['failing-db']);
  });

  it('reads each new kind once per namespace per TTL, ObjectStores only where a Cluster names one', async () => {
    // past the earlier views' reads: a new TTL
    await pg.restart();
    k.resetCounters();
    k.requests.length = 0;
    await item('plugin');
    await item('plugin');
    expect(recoverabilityReads().sort()).toEqual([
      'GET /apis/barmancloud.cnpg.io/v1/namespaces/plugin/objectstores',
      'GET /apis/postgresql.cnpg.io/v1/namespaces/plugin/backups',
      'GET /apis/postgresql.cnpg.io/v1/namespaces/plugin/scheduledbackups',
    ]);
    k.requests.length = 0;
    await item('bare');
    expect(recoverabilityReads().sort()).toEqual([
      'GET /apis/postgresql.cnpg.io/v1/namespaces/bare/backups',
      'GET /apis/postgresql.cnpg.io/v1/namespaces/bare/scheduledbackups',
    ]);
  });
  it('postgres.recoverability.enabled false: no such reads, and none on the answer', async () => {
    const off = await startPostgresBackend({
      plugin: postgresPlugin,
      entities: [
        ...teamEntities(['team-a'], { alice: ['team-a'] }),
        componentEntity('plugin', 'group:default/team-a'),
      ],
      policy: postgresPolicy(),
      clusters: [k],
      postgres: { recoverability: { enabled: false } },
      waitFor: { user: 'alice' },
    });
    try {
      k.requests.length = 0;
      const res = await request(off.server)
        .get('/api/postgres/v1/entities/component/default/plugin/databases')
        .set('authorization', userAuth('alice'));
      expect(res.status).toBe(200);
      expect(res.body.items[0].health.verdict).toBe('healthy');
      expect(res.body.items[0].recoverability).toBeUndefined();
      expect(recoverabilityReads()).toEqual([]);
    } finally {
      await off.stop();
    }
  });
});
