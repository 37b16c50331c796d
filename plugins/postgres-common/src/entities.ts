import { DatabaseHealth, DatabaseObjects } from './health';
import { KubeObject } from './manifests';
import { DNS1123_LABEL } from './names';
import { claimSecretNames } from './request';

/** Entity annotation that lists a component's claims: `[cluster/]namespace/name`, comma-separated. @public */
export const POSTGRES_INSTANCES_ANNOTATION = 'bizmatters.io/postgres-instances';
/** Backstage's annotation (and label) that ties Kubernetes objects to an entity. @public */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';

/** A reference to one claim. `cluster` absent means: look in every cluster. @public */
export interface ClaimRef {
  cluster?: string;
  namespace: string;
  name: string;
}

/** The minimal entity shape read here. @public */
export interface EntityLike {
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
}

/**
 * Parses the `bizmatters.io/postgres-instances` annotation. Entries that are not
 * `[cluster/]namespace/name` come back in `invalid`.
 *
 * @public
 */
export function parsePostgresInstancesAnnotation(value: string | undefined): {
  refs: ClaimRef[];
  invalid: string[];
} {
  const refs: ClaimRef[] = [];
  const invalid: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const parts = entry.split('/');
    const [cluster, namespace, name] =
      parts.length === 3 ? parts : [undefined, ...parts];
    if (
      (parts.length === 2 || parts.length === 3) &&
      DNS1123_LABEL.test(namespace ?? '') &&
      DNS1123_LABEL.test(name ?? '') &&
      (cluster === undefined ||
        /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(cluster))
    ) {
      refs.push(
        cluster === undefined
          ? { namespace: namespace!, name: name! }
          : { cluster, namespace: namespace!, name: name! },
      );
    } else {
      invalid.push(entry);
    }
  }
  return { refs, invalid };
}

/**
 * The value claims carry in their `backstage.io/kubernetes-id` label for this entity:
 * the entity's `backstage.io/kubernetes-id` annotation, else its name.
 *
 * @public
 */
export function kubernetesIdOfEntity(entity: EntityLike): string {
  return (
    entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION] ??
    entity.metadata.name
  );
}

/**
 * True when an entity may have databases: it names claims in the annotation or has a
 * Kubernetes id (the template labels claims with the component's name).
 *
 * @public
 */
export function hasPostgresInstancesAnnotation(entity: EntityLike): boolean {
  return Boolean(entity.metadata.annotations?.[POSTGRES_INSTANCES_ANNOTATION]);
}

/** The claim fields shown to people. @public */
export interface ClaimSpecSummary {
  size?: string;
  version?: string;
  storageGB?: number;
  databaseName?: string;
  databaseOwner?: string;
  connectionSecretName?: string;
  credentialsSecretName?: string;
}

/** @public */
export interface ClusterStatusSummary {
  phase?: string;
  phaseReason?: string;
  instances?: number;
  readyInstances?: number;
  currentPrimary?: string;
  image?: string;
}

/** One database as the health API returns it. @public */
export interface DatabaseItem {
  cluster: string;
  namespace: string;
  name: string;
  spec: ClaimSpecSummary;
  health: DatabaseHealth;
  clusterStatus: ClusterStatusSummary | null;
  connectionSecret: { name: string; present: boolean; keys: string[] };
  credentialsSecret: {
    name: string;
    present: boolean;
    type?: string;
    keys: string[];
    username?: string;
  };
}

/** A cluster that could not be read (fully or in part), and why. @public */
export interface ClusterError {
  cluster: string;
  message: string;
}

/** The body of `GET /api/postgres/v1/entities/:kind/:namespace/:name/databases` and `/v1/databases`. @public */
export interface DatabasesResponse {
  items: DatabaseItem[];
  errors: ClusterError[];
}

function pick<T extends object>(from: any, keys: Array<keyof T>): T {
  const out: any = {};
  for (const k of keys)
    if (from?.[k] !== undefined && from?.[k] !== null) out[k] = from[k];
  return out;
}

/**
 * The API item for one database from what was read of it and its derived health. Secrets
 * appear as names, key names and the username only.
 *
 * @public
 */
export function toDatabaseItem(
  cluster: string,
  claim: KubeObject,
  objects: DatabaseObjects,
  health: DatabaseHealth,
): DatabaseItem {
  const spec = pick<ClaimSpecSummary>(claim.spec, [
    'size',
    'version',
    'storageGB',
    'databaseName',
    'databaseOwner',
    'connectionSecretName',
    'credentialsSecretName',
  ]);
  const name = claim.metadata?.name ?? '';
  const {
    connectionSecretName: connectionName,
    credentialsSecretName: credentialsName,
  } = claimSecretNames(name, spec);
  const creds = objects.credentialsSecret;
  return {
    cluster,
    namespace: claim.metadata?.namespace ?? '',
    name,
    spec,
    health,
    clusterStatus: objects.cluster
      ? pick<ClusterStatusSummary>(objects.cluster.status, [
          'phase',
          'phaseReason',
          'instances',
          'readyInstances',
          'currentPrimary',
          'image',
        ])
      : null,
    connectionSecret: {
      name: connectionName,
      present: !!objects.connectionSecret,
      keys: objects.connectionSecret?.keys ?? [],
    },
    credentialsSecret: {
      name: credentialsName,
      present: !!creds,
      keys: creds?.keys ?? [],
      ...(creds?.type ? { type: creds.type } : {}),
      ...(creds?.username !== undefined ? { username: creds.username } : {}),
    },
  };
}
