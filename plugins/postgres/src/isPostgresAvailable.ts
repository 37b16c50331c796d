import { Entity } from '@backstage/catalog-model';
import { ApiHolder, ConfigApi, configApiRef } from '@backstage/core-plugin-api';
import { POSTGRES_INSTANCES_ANNOTATION } from '@bizmatters/plugin-postgres-common';

/**
 * A kind of entity, and optionally its `spec.type`, that shows the databases card and tab
 * (app-config `postgres.entityPage.show`).
 */
export interface PostgresEntityKind {
  /** An entity kind, e.g. `Component`. */
  kind: string;
  /** The entity's `spec.type`; absent: any type. */
  type?: string;
}

/** Components of type `service` may request databases; resources of type `database` are one. */
const DEFAULT_KINDS: PostgresEntityKind[] = [
  { kind: 'component', type: 'service' },
  { kind: 'resource', type: 'database' },
];

/** The kinds of `postgres.entityPage.show`, or the default when it is not set. */
export function postgresEntityKinds(config?: ConfigApi): PostgresEntityKind[] {
  const show = config?.getOptionalConfigArray('postgres.entityPage.show');
  if (!show) return DEFAULT_KINDS;
  return show.map(c => ({
    kind: c.getString('kind'),
    ...(c.getOptionalString('type') ? { type: c.getString('type') } : {}),
  }));
}

const lower = (s: unknown) =>
  typeof s === 'string' ? s.toLocaleLowerCase('en-US') : undefined;

/** Whether `entity` shows the databases card and tab, given the configured kinds. */
export function showsPostgres(
  entity: Entity,
  kinds: PostgresEntityKind[],
): boolean {
  if (entity.metadata.annotations?.[POSTGRES_INSTANCES_ANNOTATION]) return true;
  const kind = lower(entity.kind);
  const type = lower(entity.spec?.type);
  return kinds.some(
    k =>
      lower(k.kind) === kind &&
      (k.type === undefined || lower(k.type) === type),
  );
}

/**
 * For `EntitySwitch` (and the new frontend system's card and tab filter): true for entities
 * that name databases (`bizmatters.io/postgres-instances`) and for the kinds of app-config
 * `postgres.entityPage.show`, by default components of type `service` and resources of type
 * `database`. Without `context` (called outside `EntitySwitch`), the default kinds apply.
 *
 * @public
 */
export function isPostgresAvailable(
  entity: Entity,
  context?: { apis: ApiHolder },
): boolean {
  return showsPostgres(
    entity,
    postgresEntityKinds(context?.apis.get(configApiRef)),
  );
}
