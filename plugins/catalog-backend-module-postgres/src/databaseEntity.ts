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

const LOCATION_TYPE = 'postgres-claims';

/** The location every Resource of a cluster is managed by (its `managed-by-location`). */
export function clusterLocation(cluster: string): string {
  return `${LOCATION_TYPE}:${cluster}`;
}

/** The cluster of a `managed-by-location` this provider wrote; undefined for any other. */
export function clusterOfLocation(
  location: string | undefined,
): string | undefined {
  const prefix = `${LOCATION_TYPE}:`;
  return location?.startsWith(prefix)
    ? location.slice(prefix.length)
    : undefined;
}

/**
 * The catalog entity of one claim: a Resource of type `database` named by
 * {@link databaseResourceName}, owned by the claim's `bizmatters.io/owner` (else its
 * component's owner), a dependency of the component the claim names (and in its system), with
 * the `bizmatters.io/postgres-instances` annotation that the Databases card and tab read.
 * Undefined when no owner is known (the catalog requires one).
 */
export function databaseEntity(
  cluster: string,
  claim: ClaimSummary,
  component: ComponentFields | undefined,
): Entity | undefined {
  const owner = claim.owner ?? component?.owner;
  if (!owner) return undefined;
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
      },
      tags: ['postgresql'],
    },
    spec: {
      type: DATABASE_RESOURCE_TYPE,
      owner,
      ...(claim.entityRef ? { dependencyOf: [claim.entityRef] } : {}),
      ...(claim.entityRef && component?.system
        ? { system: component.system }
        : {}),
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
