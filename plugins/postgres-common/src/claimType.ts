/**
 * The platform's claim type: the one place its API group, version, kind and plural are written
 * (the manifests rendered, the claims read from clusters, the objects recognised as claims).
 *
 * @public
 */
export const POSTGRES_INSTANCE_TYPE = {
  group: 'database.bizmatters.io',
  version: 'v1alpha1',
  apiVersion: 'database.bizmatters.io/v1alpha1',
  kind: 'PostgresInstance',
  plural: 'postgresinstances',
} as const;
