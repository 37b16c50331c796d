import { KubeObject } from './manifests';
import { claimSecretNames } from './request';
import {
  ClaimOwnership,
  claimEntityRef,
  claimOwnership,
  normalizeEntityRef,
  OWNER_ANNOTATION,
} from './ownership';

/**
 * The catalog's view of databases: each claim becomes a `kind: Resource` entity of
 * `spec.type: database`, named by a hash of where its claim lives (cluster, namespace, name).
 */

/** The catalog namespace of database Resources. @public */
export const DATABASE_RESOURCE_NAMESPACE = 'default';

/** The `spec.type` of database Resources. @public */
export const DATABASE_RESOURCE_TYPE = 'database';

/** Where a claim lives. @public */
export interface ClaimLocation {
  /** The Kubernetes cluster (as named in Backstage's `kubernetes` config). */
  cluster: string;
  /** The claim's namespace. */
  namespace: string;
  /** The claim's name. */
  name: string;
}

/** The fixed start of every database Resource's name. */
const DATABASE_RESOURCE_NAME_PREFIX = 'postgres-';

/** FNV-1a, 64 bits, of the UTF-8 bytes of `text`, as 16 hex digits (pure: no Node or browser API). */
function fnv1a64(text: string): string {
  const mask = (BigInt(1) << BigInt(64)) - BigInt(1);
  const prime = BigInt('0x100000001b3');
  let hash = BigInt('0xcbf29ce484222325');
  for (const byte of new TextEncoder().encode(text)) {
    hash = ((hash ^ BigInt(byte)) * prime) & mask;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * The catalog name of a claim's database Resource: opaque, `postgres-` and a 64-bit hash of
 * (cluster, namespace, name) as 16 hex digits, e.g. `postgres-3f9a0c4b1d2e5f60`. It never holds
 * the claim's name, namespace or cluster: the name travels where the Resource itself does not
 * (the owning component's `relations`, readable by whoever reads the component, and the entity
 * page's warning about a relation it cannot read), so a readable name would tell another team
 * which claims exist where. The readable name is the Resource's `metadata.title`, seen only by
 * who may read the Resource. Stable: the same claim always gets the same name; valid for the
 * catalog (22 characters, lower case) whatever the cluster is called.
 *
 * @public
 */
export function databaseResourceName(claim: ClaimLocation): string {
  return `${DATABASE_RESOURCE_NAME_PREFIX}${fnv1a64(
    JSON.stringify([claim.cluster, claim.namespace, claim.name]),
  )}`;
}

/**
 * The full entity ref of a claim's database Resource (`resource:default/<name>`): the only
 * Resource on whose page the claim is shown.
 *
 * @public
 */
export function databaseResourceRef(claim: ClaimLocation): string {
  return `resource:${DATABASE_RESOURCE_NAMESPACE}/${databaseResourceName(
    claim,
  )}`;
}

/** One claim as the catalog needs it: where it is and whom it names. No secret. @public */
export interface ClaimSummary {
  /** The claim's namespace. */
  namespace: string;
  /** The claim's name. */
  name: string;
  /** The entity the claim belongs to (`bizmatters.io/entity-ref`, normalized), if it names one. */
  entityRef?: string;
  /** The group that owns the database (`bizmatters.io/owner`, normalized), if it names one. */
  owner?: string;
  /** The names of the claim's two secrets (names only), as {@link claimSecretNames} gives them. */
  secrets?: { credentials: string; connection: string };
}

/** The claims of one cluster, or why they could not be read. @public */
export interface ClusterClaims {
  /** The Kubernetes cluster. */
  cluster: string;
  /** Every claim of the cluster; absent when they could not be read. */
  claims?: ClaimSummary[];
  /** Why the claims could not be read (no secret). */
  error?: string;
}

/** The body of `GET /api/postgres/v1/claims` (service principals only). @public */
export interface ClaimsResponse {
  /** Each cluster the Kubernetes backend knows. */
  clusters: ClusterClaims[];
  /** Why the clusters could not be listed at all; `clusters` is then empty. */
  error?: string;
}

/**
 * A claim reduced to where it is, the entity and owner it names and its secrets' names.
 *
 * @public
 */
export function claimSummary(claim: KubeObject): ClaimSummary {
  const entityRef = claimEntityRef(claim);
  const rawOwner = claim.metadata?.annotations?.[OWNER_ANNOTATION];
  const owner = rawOwner ? normalizeEntityRef(rawOwner, 'group') : undefined;
  const names = claimSecretNames(
    claim.metadata?.name ?? '',
    (claim as { spec?: Record<string, unknown> }).spec,
  );
  return {
    namespace: claim.metadata?.namespace ?? '',
    name: claim.metadata?.name ?? '',
    ...(entityRef ? { entityRef } : {}),
    ...(owner ? { owner } : {}),
    secrets: {
      credentials: names.credentialsSecretName,
      connection: names.connectionSecretName,
    },
  };
}

/**
 * Whether a claim read from `cluster` belongs to an entity page: on a Resource, only the claim's
 * own database Resource ({@link databaseResourceRef}, computed from the cluster, namespace and
 * name, never from the Resource's annotations) is `ours` (`unannotated` when the claim names no
 * component: its Resource page then shows it to nobody, as there is no component to authorize
 * against); any other Resource is `other`. Other kinds: {@link claimOwnership}.
 *
 * @public
 */
export function claimOwnershipInCluster(
  cluster: string,
  claim: KubeObject,
  entityRef: string,
): ClaimOwnership {
  const ref = normalizeEntityRef(entityRef, 'component');
  if (!ref?.startsWith('resource:')) return claimOwnership(claim, entityRef);
  const own = databaseResourceRef({
    cluster,
    namespace: claim.metadata?.namespace ?? '',
    name: claim.metadata?.name ?? '',
  }).toLocaleLowerCase('en-US');
  if (ref !== own) return 'other';
  return claimEntityRef(claim) ? 'ours' : 'unannotated';
}
