/*
 * The platform's Composition `postgres-instance` and its XRD, as the sandbox's Crossplane
 * renders them (reference platform/ssm-variant-arun4infra-b88f630: postgres-xrd.yaml and
 * postgres-composition.yaml). These are the platform's rules, written here once from those
 * files — not the portal's, which the sandbox stands in front of.
 */
import { b64 } from '../kubernetes/conditions';

/** The claim's spec with the XRD's defaults (openAPIV3Schema `default`s) applied. */
export interface ClaimSpec {
  size: string;
  version: string;
  storageGB: number;
  databaseName: string;
  databaseOwner: string;
  connectionSecretName?: string;
  credentialsSecretName?: string;
}

/** postgres-xrd.yaml: the defaults the API server fills in for a claim. */
export function withXrdDefaults(spec: any = {}): ClaimSpec {
  return {
    ...spec,
    size: spec.size ?? 'small',
    version: spec.version ?? '16',
    storageGB: spec.storageGB ?? 20,
    databaseName: spec.databaseName ?? 'app',
    databaseOwner: spec.databaseOwner ?? 'app',
  };
}

/**
 * The sandbox's second Composition, `postgres-instance-barman-cloud` (a claim selects it with
 * `spec.compositionRef.name`, as Crossplane claims do): the same Cluster with the Barman Cloud
 * plugin archiving its WAL to an ObjectStore, and a daily ScheduledBackup — the shape of
 * CloudNativePG's plugin-barman-cloud docs (v0.14.0: `spec.plugins[]` with `name:
 * barman-cloud.cloudnative-pg.io`, `isWALArchiver: true`, `parameters.barmanObjectName`). The
 * platform's own Composition (`postgres-instance`) composes no backups.
 */
export const BACKUPS_COMPOSITION = 'postgres-instance-barman-cloud';
export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** Whether a claim selects the Composition with backups. */
export const composesBackups = (claim: any) =>
  claim?.spec?.compositionRef?.name === BACKUPS_COMPOSITION;

/** The ObjectStore a claim's Cluster archives to (named after the claim). */
export const objectStoreName = (claimName: string) => `${claimName}-backups`;

/** The Cluster's plugin entry of the Composition with backups. */
export function barmanCloudPlugin(claimName: string) {
  return {
    name: BARMAN_CLOUD_PLUGIN,
    isWALArchiver: true,
    parameters: { barmanObjectName: objectStoreName(claimName) },
  };
}

/** The Composition with backups' ObjectStore and ScheduledBackup for a claim. */
export function composeBackupObjects(
  claim: { name: string; namespace: string },
  labels: Record<string, string>,
) {
  return [
    {
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: {
        name: objectStoreName(claim.name),
        namespace: claim.namespace,
        labels,
      },
      spec: {
        configuration: {
          destinationPath: `s3://sandbox-backups/${claim.namespace}/${claim.name}`,
          s3Credentials: { inheritFromIAMRole: true },
        },
        retentionPolicy: '7d',
      },
    },
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ScheduledBackup',
      metadata: {
        name: `${claim.name}-daily`,
        namespace: claim.namespace,
        labels,
      },
      spec: {
        schedule: '0 0 2 * * *',
        immediate: true,
        backupOwnerReference: 'self',
        cluster: { name: claim.name },
        method: 'plugin',
        pluginConfiguration: { name: BARMAN_CLOUD_PLUGIN },
      },
    },
  ];
}

/** The `map` transforms of spec.size onto the Cluster's resources. */
const SIZE_MAPS = {
  'requests.memory': { small: '256Mi', medium: '512Mi', large: '1Gi' },
  'limits.memory': { small: '1Gi', medium: '2Gi', large: '4Gi' },
  'requests.cpu': { small: '250m', medium: '500m', large: '1000m' },
  'limits.cpu': { small: '1000m', medium: '2000m', large: '4000m' },
} as const;
type Size = keyof (typeof SIZE_MAPS)['limits.cpu'];

/** The base's resources, which a size the maps do not know leaves as they are. */
const BASE_RESOURCES = {
  requests: { memory: '512Mi', cpu: '250m' },
  limits: { memory: '2Gi', cpu: '1000m' },
};

/** The Cluster's resources for a size: the base, patched through the size maps. */
export function clusterResources(size: string) {
  const pick = (field: keyof typeof SIZE_MAPS, base: string) =>
    (SIZE_MAPS[field] as Record<string, string>)[size as Size] ?? base;
  return {
    requests: {
      cpu: pick('requests.cpu', BASE_RESOURCES.requests.cpu),
      memory: pick('requests.memory', BASE_RESOURCES.requests.memory),
    },
    limits: {
      cpu: pick('limits.cpu', BASE_RESOURCES.limits.cpu),
      memory: pick('limits.memory', BASE_RESOURCES.limits.memory),
    },
  };
}

/** The `string` Format transforms: `ghcr.io/cloudnative-pg/postgresql:%s` and `%dGi`. */
export const clusterImage = (spec: ClaimSpec) =>
  `ghcr.io/cloudnative-pg/postgresql:${spec.version}`;
export const clusterStorageSize = (spec: ClaimSpec) => `${spec.storageGB}Gi`;

/**
 * The `cnpg-cluster` resource's manifest (its base with the patches): named and namespaced as
 * the claim, `bootstrap.initdb` from the claim's database, owner and credentials secret.
 */
export function composeCluster(
  claim: { name: string; namespace: string },
  spec: ClaimSpec,
  labels: Record<string, string>,
  creationTimestamp: string,
  withBackups = false,
) {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: {
      name: claim.name,
      namespace: claim.namespace,
      creationTimestamp,
      labels,
    },
    spec: {
      instances: 1,
      imageName: clusterImage(spec),
      storage: { size: clusterStorageSize(spec), storageClass: 'local-path' },
      bootstrap: {
        initdb: {
          database: spec.databaseName,
          owner: spec.databaseOwner,
          secret: { name: spec.credentialsSecretName },
        },
      },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  {
                    key: 'workload.bizmatters.dev/databases',
                    operator: 'In',
                    values: ['true'],
                  },
                ],
              },
            ],
          },
        },
      },
      resources: clusterResources(spec.size),
      ...(withBackups ? { plugins: [barmanCloudPlugin(claim.name)] } : {}),
    },
  };
}

/**
 * The `connection-secret` resource's data: `endpoint` combined as `%s-rw.%s.svc.cluster.local`
 * (or the given server), `port` 5432, `database` from the claim, `username` and `password`
 * copied from the credentials secret (its `references[].patchesFrom`), base64 as a Secret's data.
 */
export function composeConnectionData(
  claim: { name: string; namespace: string },
  spec: ClaimSpec,
  credentials: { data?: Record<string, string> },
  server?: { host: string; port: number },
): Record<string, string> {
  return {
    endpoint: b64(
      server?.host ?? `${claim.name}-rw.${claim.namespace}.svc.cluster.local`,
    ),
    port: b64(String(server?.port ?? 5432)),
    database: b64(spec.databaseName),
    username: credentials.data?.username ?? '',
    password: credentials.data?.password ?? '',
  };
}
