import type { DatabaseRequestStatus } from './requests';
import { DatabaseHealth, DatabaseObjects } from './health/types';
import type { StepEvents } from './health/events';
import type { Recoverability } from './health/recoverability';
import { nonEmptyStr } from './health/context';
import { externalSecretParameters, KubeObject } from './manifests';
import { DNS1123_LABEL } from './names';
import { claimSecretNames } from './request';
import { claimSummary } from './resources';

/** Entity annotation that lists a component's claims: `[cluster/]namespace/name`, comma-separated. @public */
export const POSTGRES_INSTANCES_ANNOTATION = 'bizmatters.io/postgres-instances';
/** Backstage's annotation (and label) that ties Kubernetes objects to an entity. @public */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';

/** A reference to one claim. `cluster` absent means: look in every cluster. @public */
export interface ClaimRef {
  /** The Kubernetes cluster (as named in Backstage's `kubernetes` config). */
  cluster?: string;
  /** The claim's namespace. */
  namespace: string;
  /** The claim's name. */
  name: string;
}

/** The minimal entity shape read here. @public */
export interface EntityLike {
  /** The entity's kind, e.g. `Component`. */
  kind?: string;
  /** The entity's name, namespace, annotations and labels. */
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

/** The claim fields shown to people. @public */
export interface ClaimSpecSummary {
  /** The size's name (a key of the policy's `sizes`). */
  size?: string;
  /** The PostgreSQL major version. */
  version?: string;
  /** Storage in GB. */
  storageGB?: number;
  /** The application's database. */
  databaseName?: string;
  /** The role that owns the database (the application's user). */
  databaseOwner?: string;
  /** The secret the application reads its connection from. */
  connectionSecretName?: string;
  /** The secret CNPG reads the owner's credentials from. */
  credentialsSecretName?: string;
}

/** The fields of a CNPG Cluster's `status` shown to people. @public */
export interface ClusterStatusSummary {
  /** CNPG's phase, e.g. `Cluster in healthy state`. */
  phase?: string;
  /** Why the cluster is in its phase, when CNPG says. */
  phaseReason?: string;
  /** Instances the cluster has. */
  instances?: number;
  /** Instances that are ready. */
  readyInstances?: number;
  /** The pod that is the primary. */
  currentPrimary?: string;
  /** The PostgreSQL container image. */
  image?: string;
}

/** One database as the health API returns it. @public */
export interface DatabaseItem {
  /** The Kubernetes cluster the claim was read from. */
  cluster: string;
  /** The claim's namespace. */
  namespace: string;
  /** The claim's name. */
  name: string;
  /** The entity the claim names (`bizmatters.io/entity-ref`), normalized; absent when it names none. */
  entityRef?: string;
  /** The group that owns the database (`bizmatters.io/owner`), normalized; absent when the claim names none. */
  owner?: string;
  /** The claim's fields shown to people. */
  spec: ClaimSpecSummary;
  /** The verdict and the state of each hop. */
  health: DatabaseHealth;
  /** The CNPG cluster's status; null when no cluster was found. */
  clusterStatus: ClusterStatusSummary | null;
  /** The application's connection secret: its name, whether it exists, its key names. */
  connectionSecret: { name: string; present: boolean; keys: string[] };
  /** The owner's credentials secret: name, presence, type, key names and the username (never the password). */
  credentialsSecret: {
    name: string;
    present: boolean;
    type?: string;
    keys: string[];
    username?: string;
  };
  /**
   * The SSM parameters the database's ExternalSecret reads its `username` and `password` from
   * (names only); absent when there is no such ExternalSecret.
   */
  ssmParameters?: { user: string; password: string };
  /**
   * When External Secrets last copied the credentials from SSM into the credentials secret
   * (`status.refreshTime`) and how often it does (`spec.refreshInterval`); absent without an
   * ExternalSecret.
   */
  credentialsSync?: { refreshTime?: string; refreshInterval?: string };
  /**
   * Whether and from when its data can be got back (backups, WAL archiving, the recovery
   * window); absent when there is no CNPG Cluster to tell.
   */
  recoverability?: Recoverability;
  /** The request that made this database, when it was made through the portal. */
  request?: DatabaseRequestStatus;
  /**
   * The failing hop's recent events, on an entity's databases whose verdict is not healthy
   * (absent on healthy ones and in the fleet).
   */
  events?: StepEvents;
}

/** A cluster that could not be read (fully or in part), and why. @public */
export interface ClusterError {
  /** The Kubernetes cluster. */
  cluster: string;
  /** What went wrong, without secrets. */
  message: string;
}

/** The body of `GET /api/postgres/v1/entities/:kind/:namespace/:name/databases` and `/v1/databases`. @public */
export interface DatabasesResponse {
  /** The databases found. */
  items: DatabaseItem[];
  /** The clusters that could not be read (fully or in part); the items may then be incomplete. */
  errors: ClusterError[];
  /**
   * Requests whose claim is not in a cluster (yet): pull request open, merged and waiting for
   * Argo CD, or closed without merge (abandoned, until dismissed). On an entity: its own; in
   * the fleet: those of the entities the caller may read (every one with
   * `postgres.fleet.read`). Absent when there is none, and from backends without request
   * tracking.
   */
  requests?: DatabaseRequestStatus[];
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
  // where the claim is, and the entity and owner it names, as the catalog's provider reads them
  const { namespace, name, ...names } = claimSummary(claim);
  const {
    connectionSecretName: connectionName,
    credentialsSecretName: credentialsName,
  } = claimSecretNames(name, spec);
  const creds = objects.credentialsSecret;
  const parameters = externalSecretParameters(objects.externalSecret);
  const es = objects.externalSecret as
    | {
        spec?: { refreshInterval?: unknown };
        status?: { refreshTime?: unknown };
      }
    | undefined;
  const refreshTime = nonEmptyStr(es?.status?.refreshTime);
  const refreshInterval = nonEmptyStr(es?.spec?.refreshInterval);
  return {
    cluster,
    namespace,
    name,
    ...names,
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
    ...(parameters
      ? {
          ssmParameters: {
            user: parameters.user,
            password: parameters.password,
          },
        }
      : {}),
    ...(es
      ? {
          credentialsSync: {
            ...(refreshTime ? { refreshTime } : {}),
            ...(refreshInterval ? { refreshInterval } : {}),
          },
        }
      : {}),
  };
}
