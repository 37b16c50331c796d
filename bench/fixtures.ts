/*
 * What the bench serves: the sizes, the Kubernetes API stand-ins holding the claims (with their
 * CNPG Clusters, ExternalSecrets and Secrets), the SSM and forge stand-ins, and the catalog
 * entities the backend reads.
 */
import {
  DATABASE_SECRET_LABEL,
  DatabaseRequest,
  renderManifests,
} from '@bizmatters/plugin-postgres-common';
import {
  ForgeStandIn,
  KubeObject,
  KubernetesStandIn,
  PLATFORM_KINDS,
  KindInfo,
  SsmStandIn,
} from '@bizmatters/sandbox';

/** Claims over all clusters, unless BENCH_CLAIMS says otherwise. */
export const CLAIMS = 1000;
export const CLUSTERS = 3;
export const ENTITIES_VIEWED = 3;
export const TTL_SECONDS = 5;
/** How long past the TTL the fleet view is served while the next is built (postgres.fleet.staleSeconds). */
export const FLEET_STALE_SECONDS = 10;
/** Injected on every SSM and forge call. */
export const LATENCY_MS = 50;
/** The concurrent viewers of each wave of views. */
export const VIEWER_COUNTS = [1, 10, 200];

/** The name of the `i`th entity of the fleet. */
export const entityName = (i: number) => `svc-${i}`;

/** The entities whose pages are viewed: they own 1, 2 and 3 databases. */
export const VIEWED = Array.from({ length: ENTITIES_VIEWED }, (_, i) =>
  entityName(i),
);

/** Core and apps kinds the Kubernetes backend's baseline fetch asks for, served empty. */
export const BASELINE_KINDS: KindInfo[] = [
  ['', 'v1', 'Service', 'services'],
  ['', 'v1', 'ConfigMap', 'configmaps'],
  ['', 'v1', 'LimitRange', 'limitranges'],
  ['', 'v1', 'ResourceQuota', 'resourcequotas'],
  ['apps', 'v1', 'Deployment', 'deployments'],
  ['apps', 'v1', 'ReplicaSet', 'replicasets'],
  ['apps', 'v1', 'StatefulSet', 'statefulsets'],
  ['apps', 'v1', 'DaemonSet', 'daemonsets'],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'],
  ['batch', 'v1', 'Job', 'jobs'],
  ['batch', 'v1', 'CronJob', 'cronjobs'],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses'],
].map(([group, version, kind, plural]) => ({
  group,
  version,
  kind,
  plural,
  namespaced: true,
}));

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** One healthy database, as the platform would have it. */
export function objectsFor(
  request: DatabaseRequest,
  entity: string,
): KubeObject[] {
  const { externalSecret, postgresInstance } = renderManifests(request);
  const ns = request.namespace;
  const claim = {
    ...postgresInstance,
    metadata: {
      ...postgresInstance.metadata,
      labels: { 'backstage.io/kubernetes-id': entity },
    },
    status: {
      conditions: [
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
        { type: 'Ready', status: 'True', reason: 'Available' },
      ],
    },
  };
  const es = {
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
  };
  const password = b64(`bench-password-${request.name}-0123456789abcdef`);
  // External Secrets labels the credentials secret as the ExternalSecret's template says; the
  // connection secret is labelled as a platform that labels it would (see labelSecrets)
  const labels = externalSecret.spec.target.template.metadata.labels;
  return [
    claim,
    es,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${request.name}-credentials`, namespace: ns, labels },
      type: 'kubernetes.io/basic-auth',
      data: { username: b64(request.databaseOwner), password },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${request.service}-postgres`, namespace: ns, labels },
      type: 'Opaque',
      data: {
        endpoint: b64(`${request.name}-rw.${ns}.svc.cluster.local`),
        port: b64('5432'),
        database: b64(request.databaseName),
        username: b64(request.databaseOwner),
        password,
      },
    },
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: request.name, namespace: ns },
      spec: {
        instances: 1,
        bootstrap: { initdb: { owner: request.databaseOwner } },
      },
      status: {
        phase: 'Cluster in healthy state',
        instances: 1,
        readyInstances: 1,
        currentPrimary: `${request.name}-1`,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'ClusterIsReady' },
        ],
      },
    },
  ] as KubeObject[];
}

/**
 * `claims` claims over the clusters; entities own 1–3 databases; 10 entities per namespace.
 * Returns the number of entities.
 */
export function populate(options: {
  clusters: KubernetesStandIn[];
  claims: number;
}): number {
  const { clusters, claims: total } = options;
  let claims = 0;
  let e = 0;
  while (claims < total) {
    const entity = entityName(e);
    const cluster = clusters[e % CLUSTERS];
    const count = Math.min(1 + (e % 3), total - claims);
    for (let i = 0; i < count; i++) {
      const request: DatabaseRequest = {
        name: `${entity}-db${i}`,
        namespace: `team-${Math.floor(e / 10)}`,
        service: `${entity}-${i}`,
        environment: 'prod',
        size: 'small',
        version: '16',
        storageGB: 10,
        databaseName: `db_${e}_${i}`,
        databaseOwner: `owner_${e}_${i}`,
        component: `component:default/${entity}`,
        owner: 'group:default/bench',
      };
      cluster.apply(...objectsFor(request, entity));
      claims++;
    }
    e++;
  }
  return e;
}

/**
 * Which of the databases' Secrets carry the label the fleet lists them by: both (the
 * credentials secret as External Secrets writes it from our template, the connection secret as
 * a platform whose Composition labels it would), the credentials secret only (the reference
 * Composition writes the connection secret without labels), or none (claims made before the
 * label). The fixtures start with both.
 */
export type SecretLabels = 'both' | 'credentials' | 'none';

/** The Secrets whose label unlabelSecrets took off, as they were: restoreSecretLabels puts them back. */
const unlabelled = new Map<KubernetesStandIn, KubeObject[]>();

/**
 * Takes the label off the databases' Secrets that `which` says are not labelled (the
 * connection secrets are the `-postgres` ones); labels are only removed here, and put back by
 * restoreSecretLabels.
 */
export function unlabelSecrets(
  clusters: KubernetesStandIn[],
  which: SecretLabels,
): void {
  if (which === 'both') return;
  for (const cluster of clusters) {
    for (const secret of cluster.list('v1', 'Secret')) {
      const labels = { ...(secret.metadata.labels ?? {}) };
      if (!(DATABASE_SECRET_LABEL in labels)) continue;
      if (
        which === 'credentials' &&
        !secret.metadata.name.endsWith('-postgres')
      )
        continue;
      if (!unlabelled.has(cluster)) unlabelled.set(cluster, []);
      unlabelled.get(cluster)!.push(secret);
      delete labels[DATABASE_SECRET_LABEL];
      cluster.apply({ ...secret, metadata: { ...secret.metadata, labels } });
    }
  }
}

/** Puts back every label unlabelSecrets took off: both Secrets of each database labelled. */
export function restoreSecretLabels(clusters: KubernetesStandIn[]): void {
  for (const cluster of clusters) {
    cluster.apply(...(unlabelled.get(cluster) ?? []));
    unlabelled.delete(cluster);
  }
}

/** The stand-ins the backend talks to, and how many entities own the claims. */
export type StandIns = {
  clusters: KubernetesStandIn[];
  ssm: SsmStandIn;
  forge: ForgeStandIn;
  entityCount: number;
};

/** Starts the clusters (populated with `claims` claims), SSM and the forge with its gitops repo. */
export async function startStandIns(options: {
  claims: number;
}): Promise<StandIns> {
  const clusters = await Promise.all(
    Array.from({ length: CLUSTERS }, (_, i) =>
      KubernetesStandIn.start({
        name: `bench-${i}`,
        kinds: [...PLATFORM_KINDS, ...BASELINE_KINDS],
      }),
    ),
  );
  const entityCount = populate({ clusters, claims: options.claims });
  const ssm = await SsmStandIn.start({ latencyMs: LATENCY_MS });
  const forge = await ForgeStandIn.start({ latencyMs: LATENCY_MS });
  await forge.createRepo('platform', 'gitops');
  return { clusters, ssm, forge, entityCount };
}

export async function stopStandIns(standIns: StandIns): Promise<void> {
  await Promise.all([
    ...standIns.clusters.map(c => c.stop()),
    standIns.ssm.stop(),
    standIns.forge.stop(),
  ]);
}

/** Requests the clusters have answered so far. */
export function upstreamRequests(clusters: KubernetesStandIn[]): number {
  return clusters.reduce((n, c) => n + c.requestCount, 0);
}

export type CatalogEntity = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: Record<string, unknown>;
};

/**
 * Every entity of the fleet is in the catalog, owned by a group the viewer (the guest, as
 * user:default/guest) is a member of: with the shipped permission policy, owners read their
 * databases, and the fleet view shows an owner (not a fleet reader) the databases of entities
 * they may read, so the fleet table measures the per-caller filtering too.
 */
export function catalogEntities(entityCount: number): CatalogEntity[] {
  return [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'bench', namespace: 'default' },
      spec: { type: 'team', children: [] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'guest', namespace: 'default' },
      spec: { memberOf: ['bench'] },
    },
    ...Array.from({ length: entityCount }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: entityName(i), namespace: 'default' },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: 'group:default/bench',
      },
    })),
  ];
}
