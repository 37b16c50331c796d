import { KubeObject } from '../manifests';
import { BARMAN_CLOUD_PLUGIN, deriveRecoverability } from './recoverability';

const NOW = Date.parse('2026-12-08T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

/** A CNPG Cluster as the platform composes it (no backups), with `spec` and `status` over it. */
function cluster(spec: object = {}, status: object = {}): KubeObject {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'orders-db', namespace: 'orders' },
    spec: { instances: 1, ...spec },
    status: { phase: 'Cluster in healthy state', ...status },
  } as KubeObject;
}

const inTree = {
  backup: {
    barmanObjectStore: {
      destinationPath: 's3://backups/orders',
      s3Credentials: { inheritFromIAMRole: true },
    },
  },
};
const viaPlugin = {
  plugins: [
    {
      name: BARMAN_CLOUD_PLUGIN,
      isWALArchiver: true,
      parameters: { barmanObjectName: 'backups' },
    },
  ],
};

function backup(
  name: string,
  phase: string,
  startedHoursAgo: number,
  extra: object = {},
): KubeObject {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name, namespace: 'orders' },
    spec: { cluster: { name: 'orders-db' }, method: 'plugin' },
    status: {
      phase,
      startedAt: hoursAgo(startedHoursAgo),
      ...(phase === 'completed'
        ? { stoppedAt: hoursAgo(startedHoursAgo - 0.1) }
        : {}),
      ...extra,
    },
  } as KubeObject;
}

const schedule = (suspend = false): KubeObject =>
  ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'ScheduledBackup',
    metadata: { name: 'orders-db-daily', namespace: 'orders' },
    spec: {
      schedule: '0 0 2 * * *',
      cluster: { name: 'orders-db' },
      method: 'plugin',
      suspend,
    },
    status: { lastScheduleTime: hoursAgo(10) },
  } as KubeObject);

const objectStore = (window: object): KubeObject =>
  ({
    apiVersion: 'barmancloud.cnpg.io/v1',
    kind: 'ObjectStore',
    metadata: { name: 'backups', namespace: 'orders' },
    spec: { configuration: { destinationPath: 's3://backups' } },
    status: { serverRecoveryWindow: { 'orders-db': window } },
  } as KubeObject);

const archiving = (ok: boolean, message?: string) => ({
  conditions: [
    {
      type: 'ContinuousArchiving',
      status: ok ? 'True' : 'False',
      reason: ok ? 'ContinuousArchivingSuccess' : 'ContinuousArchivingFailing',
      ...(message ? { message } : {}),
    },
  ],
});

const derive = (
  input: Parameters<typeof deriveRecoverability>[0],
  environment = 'prod',
) => deriveRecoverability({ environment, ...input }, { now: NOW });

describe('deriveRecoverability', () => {
  it('says nothing without a Cluster', () => {
    expect(derive({})).toBeUndefined();
  });

  it('no backups configured: a warning in prod, an information line in dev', () => {
    const prod = derive({ cluster: cluster() });
    expect(prod).toMatchObject({
      state: 'none',
      severity: 'warning',
      required: true,
      methods: [],
    });
    expect(prod!.message).toMatch(/cannot be restored/);
    expect(prod!.hint).toMatch(/platform team/);
    expect(derive({ cluster: cluster() }, 'dev')).toMatchObject({
      state: 'none',
      severity: 'info',
      required: false,
    });
    // an environment the portal cannot tell is not treated as required
    expect(
      deriveRecoverability({ cluster: cluster() }, { now: NOW }),
    ).toMatchObject({ state: 'none', severity: 'info' });
  });

  it('a plugin-based cluster with empty status fields is not "none" (CNPG does not set them for plugins)', () => {
    const r = derive({
      cluster: cluster(viaPlugin, archiving(true)),
      backups: [backup('orders-db-1', 'completed', 5)],
      scheduledBackups: [schedule()],
      objectStores: [
        objectStore({
          firstRecoverabilityPoint: hoursAgo(72),
          lastSuccessfulBackupTime: hoursAgo(4.9),
        }),
      ],
    });
    expect(r).toMatchObject({
      state: 'protected',
      severity: 'ok',
      methods: [BARMAN_CLOUD_PLUGIN],
      recoverableFrom: hoursAgo(72),
      archiving: { ok: true, reason: 'ContinuousArchivingSuccess' },
      schedules: [
        { name: 'orders-db-daily', schedule: '0 0 2 * * *', suspended: false },
      ],
    });
    expect(r!.message).toMatch(
      /^The last good backup finished at .*; WAL archiving works\.$/,
    );
    expect(r!.hint).toBeUndefined();
  });

  it('in-tree Barman: the window and last backup from the Cluster’s status', () => {
    const r = derive({
      cluster: cluster(inTree, {
        firstRecoverabilityPoint: hoursAgo(30),
        lastSuccessfulBackup: hoursAgo(2),
        ...archiving(true),
      }),
    });
    expect(r).toMatchObject({
      state: 'protected',
      methods: ['barmanObjectStore'],
      recoverableFrom: hoursAgo(30),
      lastSuccessfulBackup: hoursAgo(2),
    });
  });

  it('archiving failing comes first, with CNPG’s words', () => {
    const r = derive({
      cluster: cluster(
        viaPlugin,
        archiving(
          false,
          'unexpected failure invoking barman-cloud-wal-archive',
        ),
      ),
      backups: [backup('orders-db-1', 'completed', 5)],
    });
    expect(r).toMatchObject({ state: 'archivingFailing', severity: 'warning' });
    expect(r!.message).toContain('barman-cloud-wal-archive');
    expect(r!.message).toContain('ContinuousArchivingFailing');
  });

  it('the last backup failed: its name and error, and when the last good one finished', () => {
    const r = derive({
      cluster: cluster(viaPlugin, archiving(true)),
      backups: [
        backup('orders-db-2', 'failed', 1, {
          error: "can't upload: AccessDenied",
        }),
        backup('orders-db-1', 'completed', 20),
      ],
      scheduledBackups: [schedule()],
    });
    expect(r).toMatchObject({ state: 'lastBackupFailed', severity: 'warning' });
    expect(r!.message).toContain('orders-db-2');
    expect(r!.message).toContain('AccessDenied');
    expect(r!.message).toContain('last good one finished');
    expect(r!.backups.map(b => [b.name, b.phase])).toEqual([
      ['orders-db-2', 'failed'],
      ['orders-db-1', 'completed'],
    ]);
  });

  it('the Cluster’s LastBackupSucceeded False counts as a failed backup', () => {
    const r = derive({
      cluster: cluster(inTree, {
        lastSuccessfulBackup: hoursAgo(3),
        conditions: [
          {
            type: 'LastBackupSucceeded',
            status: 'False',
            reason: 'LastBackupFailed',
            message: 'exit status 4',
          },
        ],
      }),
    });
    expect(r).toMatchObject({ state: 'lastBackupFailed' });
    expect(r!.message).toContain('exit status 4');
  });

  it('too old: the last good backup past maxBackupAgeHours, and a suspended schedule named', () => {
    const r = derive({
      cluster: cluster(viaPlugin, archiving(true)),
      backups: [backup('orders-db-1', 'completed', 40)],
      scheduledBackups: [schedule(true)],
    });
    expect(r).toMatchObject({ state: 'stale', severity: 'warning' });
    expect(r!.message).toMatch(/39 hours ago/);
    expect(r!.hint).toMatch(/suspended/);
    expect(
      deriveRecoverability(
        {
          cluster: cluster(viaPlugin, archiving(true)),
          backups: [backup('orders-db-1', 'completed', 40)],
          environment: 'prod',
        },
        { now: NOW, maxBackupAgeHours: 48 },
      ),
    ).toMatchObject({ state: 'protected' });
  });

  it('configured, none completed yet', () => {
    const r = derive({
      cluster: cluster(viaPlugin, archiving(true)),
      backups: [backup('orders-db-1', 'running', 0.1)],
      scheduledBackups: [schedule()],
    });
    expect(r).toMatchObject({ state: 'noBackupYet', severity: 'warning' });
  });

  it('only the Cluster’s own Backups and schedules, at most five, newest first', () => {
    const other = {
      ...backup('other-db-1', 'failed', 0.5),
      spec: { cluster: { name: 'other-db' } },
    } as KubeObject;
    const many = Array.from({ length: 7 }, (_, i) =>
      backup(`orders-db-${i}`, 'completed', 20 - i),
    );
    const r = derive({
      cluster: cluster(viaPlugin, archiving(true)),
      backups: [other, ...many],
    });
    expect(r!.state).toBe('protected');
    expect(r!.backups.map(b => b.name)).toEqual([
      'orders-db-6',
      'orders-db-5',
      'orders-db-4',
      'orders-db-3',
      'orders-db-2',
    ]);
  });
});
