/** A kind the stand-in serves (a built-in resource or an installed CRD). */
export interface KindInfo {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * The kinds of the platform: core, Crossplane claim and XR, CNPG (with its Backups and
 * ScheduledBackups), the Barman Cloud plugin's ObjectStore, ESO (v1beta1), provider-kubernetes.
 */
export const PLATFORM_KINDS: KindInfo[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
  },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  {
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    namespaced: true,
  },
  {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
  },
  {
    group: 'database.bizmatters.io',
    version: 'v1alpha1',
    kind: 'PostgresInstance',
    plural: 'postgresinstances',
    namespaced: true,
  },
  {
    group: 'database.bizmatters.io',
    version: 'v1alpha1',
    kind: 'XPostgresInstance',
    plural: 'xpostgresinstances',
    namespaced: false,
  },
  {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    kind: 'Cluster',
    plural: 'clusters',
    namespaced: true,
  },
  {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    kind: 'Backup',
    plural: 'backups',
    namespaced: true,
  },
  {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    kind: 'ScheduledBackup',
    plural: 'scheduledbackups',
    namespaced: true,
  },
  {
    group: 'barmancloud.cnpg.io',
    version: 'v1',
    kind: 'ObjectStore',
    plural: 'objectstores',
    namespaced: true,
  },
  {
    group: 'external-secrets.io',
    version: 'v1beta1',
    kind: 'ExternalSecret',
    plural: 'externalsecrets',
    namespaced: true,
  },
  {
    group: 'external-secrets.io',
    version: 'v1beta1',
    kind: 'ClusterSecretStore',
    plural: 'clustersecretstores',
    namespaced: false,
  },
  {
    group: 'kubernetes.crossplane.io',
    version: 'v1alpha2',
    kind: 'Object',
    plural: 'objects',
    namespaced: false,
  },
];
