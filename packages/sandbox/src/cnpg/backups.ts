/*
 * CloudNative-PG's backups through the Barman Cloud plugin, as the sandbox plays them: once a
 * Cluster that archives through the plugin is healthy, its ScheduledBackup (`immediate: true`)
 * takes a first Backup; CNPG records the outcome on the Cluster (conditions
 * `ContinuousArchiving` and `LastBackupSucceeded`, api/v1/cluster_types.go v1.28.0) and the
 * plugin writes the recovery window into its ObjectStore (`status.serverRecoveryWindow`,
 * plugin-barman-cloud v0.14.0). Phases and fields from the CRDs in fixtures/reference/cnpg. A
 * Cluster told to fail its backups (ClusterOperation.failBackups) gets a failed Backup with
 * that error instead.
 */
import { KubernetesStandIn } from '../kubernetes';
import { condition, now } from '../kubernetes/conditions';

const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** One pass: a first Backup for each healthy Cluster archiving through the plugin; true if any. */
export function takeBackups(
  kube: KubernetesStandIn,
  failing: ReadonlyMap<string, string>,
): boolean {
  let changed = false;
  for (const cluster of kube.list('postgresql.cnpg.io/v1', 'Cluster')) {
    const c = cluster as any;
    const name: string = c.metadata.name;
    const ns: string = c.metadata.namespace;
    const plugin = (c.spec?.plugins ?? []).find(
      (p: any) => p?.name === BARMAN_CLOUD_PLUGIN && p.isWALArchiver,
    );
    if (!plugin || c.status?.phase !== 'Cluster in healthy state') continue;
    const taken = kube
      .list('postgresql.cnpg.io/v1', 'Backup', ns)
      .some((b: any) => b.spec?.cluster?.name === name);
    if (taken) continue;
    const error = failing.get(`${ns}/${name}`);
    const at = now();
    const schedule = kube
      .list('postgresql.cnpg.io/v1', 'ScheduledBackup', ns)
      .find((s: any) => s.spec?.cluster?.name === name);
    kube.apply({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: {
        name: `${name}-${at.replace(/[-:TZ]/g, '')}`,
        namespace: ns,
        labels: {
          'cnpg.io/cluster': name,
          ...(schedule
            ? { 'cnpg.io/scheduled-backup': schedule.metadata.name }
            : {}),
        },
      },
      spec: {
        cluster: { name },
        method: 'plugin',
        pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
      },
      status: {
        method: 'plugin',
        startedAt: at,
        ...(error
          ? { phase: 'failed', error, stoppedAt: at }
          : { phase: 'completed', stoppedAt: at }),
      },
    });
    const others = (c.status?.conditions ?? []).filter(
      (x: any) =>
        x.type !== 'ContinuousArchiving' && x.type !== 'LastBackupSucceeded',
    );
    kube.apply({
      ...cluster,
      status: {
        ...c.status,
        conditions: [
          ...others,
          condition(
            'ContinuousArchiving',
            'True',
            'ContinuousArchivingSuccess',
          ),
          error
            ? condition(
                'LastBackupSucceeded',
                'False',
                'LastBackupFailed',
                error,
              )
            : condition('LastBackupSucceeded', 'True', 'LastBackupSucceeded'),
        ],
      },
    });
    const storeName = plugin.parameters?.barmanObjectName;
    const store = storeName
      ? (kube.get(
          'barmancloud.cnpg.io/v1',
          'ObjectStore',
          ns,
          storeName,
        ) as any)
      : undefined;
    if (store) {
      const serverName: string = plugin.parameters?.serverName ?? name;
      const window = store.status?.serverRecoveryWindow?.[serverName] ?? {};
      kube.apply({
        ...store,
        status: {
          ...store.status,
          serverRecoveryWindow: {
            ...store.status?.serverRecoveryWindow,
            [serverName]: error
              ? { ...window, lastFailedBackupTime: at }
              : {
                  firstRecoverabilityPoint:
                    window.firstRecoverabilityPoint ?? at,
                  lastSuccessfulBackupTime: at,
                },
          },
        },
      });
    }
    changed = true;
  }
  return changed;
}
