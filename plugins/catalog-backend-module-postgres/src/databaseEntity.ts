import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ClaimSummary,
  DATABASE_RESOURCE_NAMESPACE,
  DATABASE_RESOURCE_TYPE,
  databaseResourceName,
  POSTGRES_INSTANCES_ANNOTATION,
} from '@bizmatters/plugin-postgres-common';

/**
 * On the Resources of a cluster whose claims could not be read: since when (ISO 8601, the first
 * failed refresh). The Resources are its last known ones; the annotation goes when a refresh
 * reads the cluster again. Find them with the catalog filter
 * `metadata.annotations.bizmatters.io/claims-unread-since`.
 */
export const CLAIMS_UNREAD_SINCE_ANNOTATION =
  'bizmatters.io/claims-unread-since';
/** Beside {@link CLAIMS_UNREAD_SINCE_ANNOTATION}: why the cluster's claims could not be read. */
export const CLAIMS_UNREAD_REASON_ANNOTATION =
  'bizmatters.io/claims-unread-reason';

/** The fields of a claim's component that its Resource takes. */
export interface ComponentFields {
  /** The component's system, as a full ref. */
  system?: string;
  /** The component's owner, as a full ref. */
  owner?: string;
}

/** The component fields a Resource takes, as full refs, from a catalog entity. */
export function componentFields(entity: Entity): ComponentFields {
  const namespace = entity.metadata.namespace ?? 'default';
  const spec = (entity.spec ?? {}) as { system?: unknown; owner?: unknown };
  const full = (value: unknown, kind: string) => {
    if (typeof value !== 'string' || !value) return undefined;
    try {
      return stringifyEntityRef(
        parseEntityRef(value, {
          defaultKind: kind,
          defaultNamespace: namespace,
        }),
      );
    } catch {
      return undefined;
    }
  };
  const system = full(spec.system, 'system');
  const owner = full(spec.owner, 'group');
  return { ...(system ? { system } : {}), ...(owner ? { owner } : {}) };
}

/** The location type of every Resource the provider makes (`postgres-claims:<cluster>`). */
export const CLAIMS_LOCATION_TYPE = 'postgres-claims';

/** The location every Resource of a cluster is managed by (its `managed-by-location`). */
export function clusterLocation(cluster: string): string {
  return `${CLAIMS_LOCATION_TYPE}:${cluster}`;
}

/** The cluster of a `managed-by-location` this provider wrote; undefined for any other. */
export function clusterOfLocation(
  location: string | undefined,
): string | undefined {
  const prefix = `${CLAIMS_LOCATION_TYPE}:`;
  return location?.startsWith(prefix)
    ? location.slice(prefix.length)
    : undefined;
}

/**
 * On a database Resource whose claim's annotations disagree with the catalog: what disagrees
 * (the owner the claim names, and the owner the catalog gives its component). Such a Resource
 * is owned as the catalog says and related to no component or system, so it shows on no
 * team's page but its owner's. Find them with the catalog filter
 * `metadata.annotations.bizmatters.io/ownership-mismatch`.
 */
export const OWNERSHIP_MISMATCH_ANNOTATION = 'bizmatters.io/ownership-mismatch';

/**
 * What a claim's annotations say that the catalog does not: the claim names an owner
 * (`bizmatters.io/owner`) other than its component's owner in the catalog. Undefined when they
 * agree, or when the claim names no owner.
 */
export function ownershipMismatch(
  claim: ClaimSummary,
  component: ComponentFields | undefined,
): string | undefined {
  if (!claim.owner || !claim.entityRef || !component?.owner) return undefined;
  const same =
    claim.owner.toLocaleLowerCase('en-US') ===
    component.owner.toLocaleLowerCase('en-US');
  return same
    ? undefined
    : `The claim names owner ${claim.owner}, but the catalog says ${claim.entityRef} is owned by ${component.owner}`;
}

/**
 * The catalog entity of one claim: a Resource of type `database` named by
 * {@link databaseResourceName}, owned by the owner the catalog gives the component the claim
 * names (`bizmatters.io/entity-ref`), never by the claim's own `bizmatters.io/owner`
 * annotation, which anyone who writes the claim chooses. It is a dependency of that component
 * (and in its system), with the `bizmatters.io/postgres-instances` annotation that the
 * Databases card and tab read. A claim whose owner annotation disagrees with the catalog is
 * marked with {@link OWNERSHIP_MISMATCH_ANNOTATION} and has no `dependencyOf` and no system.
 * Undefined when the catalog has no owner for it (the claim names no component, or one the
 * catalog does not have): the catalog requires an owner and only the catalog is trusted.
 */
export function databaseEntity(
  cluster: string,
  claim: ClaimSummary,
  component: ComponentFields | undefined,
): Entity | undefined {
  const owner = claim.entityRef ? component?.owner : undefined;
  if (!owner) return undefined;
  const mismatch = ownershipMismatch(claim, component);
  const related = !mismatch;
  const location = clusterLocation(cluster);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: databaseResourceName({ cluster, ...claim }),
      namespace: DATABASE_RESOURCE_NAMESPACE,
      title: `${claim.name} (${cluster}/${claim.namespace})`,
      description: `PostgreSQL database: the PostgresInstance ${claim.namespace}/${claim.name} in cluster ${cluster}`,
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        [POSTGRES_INSTANCES_ANNOTATION]: `${cluster}/${claim.namespace}/${claim.name}`,
        ...(mismatch ? { [OWNERSHIP_MISMATCH_ANNOTATION]: mismatch } : {}),
      },
      tags: ['postgresql'],
    },
    spec: {
      type: DATABASE_RESOURCE_TYPE,
      owner,
      ...(related ? { dependencyOf: [claim.entityRef!] } : {}),
      ...(related && component?.system ? { system: component.system } : {}),
    },
  };
}

/** `entity` marked as its cluster's last known state: the cluster could not be read since `since`. */
export function markUnread(
  entity: Entity,
  since: string,
  reason: string,
): Entity {
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        ...entity.metadata.annotations,
        [CLAIMS_UNREAD_SINCE_ANNOTATION]: since,
        [CLAIMS_UNREAD_REASON_ANNOTATION]: reason.slice(0, 500),
      },
    },
  };
}
