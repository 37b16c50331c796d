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
 * `spec.type: database`, named from where its claim lives (cluster, namespace, name).
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

/** An entity name as the catalog accepts it: `[a-z0-9]` runs joined by single `-`, `_` or `.`. */
const READABLE_NAME = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;
const MAX_ENTITY_NAME_LENGTH = 63;

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
 * The catalog name of a claim's database Resource: `name.namespace.cluster` (the claim's name
 * and namespace are DNS labels, without dots, so the three parts are told apart and two
 * clusters never give the same name). When that is not a valid entity name of at most 63
 * characters (long names, a cluster name with capitals or runs of separators), the claim's
 * name shortened and a hash of all three: `name-<16 hex digits>`, which has no dot and so
 * never equals a name of the first form. Stable: the same claim always gets the same name.
 *
 * @public
 */
export function databaseResourceName(claim: ClaimLocation): string {
  const readable = `${claim.name}.${claim.namespace}.${claim.cluster}`;
  if (
    readable.length <= MAX_ENTITY_NAME_LENGTH &&
    READABLE_NAME.test(readable)
  ) {
    return readable;
  }
  const hash = fnv1a64(
    JSON.stringify([claim.cluster, claim.namespace, claim.name]),
  );
  const prefix = claim.name
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_ENTITY_NAME_LENGTH - hash.length - 1)
    .replace(/-+$/, '');
  return prefix ? `${prefix}-${hash}` : hash;
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
