import {
  createPermission,
  Permission,
} from '@backstage/plugin-permission-common';

/** The catalog's resource type: postgres permissions on entities are decided like catalog ones. */
const CATALOG_ENTITY = 'catalog-entity';

/**
 * Read the health of a catalog entity's databases. A catalog-entity resource permission, so a
 * policy can grant it to the entity's owners only (`isEntityOwner`).
 *
 * @public
 */
export const postgresDatabaseReadPermission = createPermission({
  name: 'postgres.database.read',
  attributes: { action: 'read' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Create a database for a catalog entity (write its credentials to SSM and open the GitOps pull
 * request). A catalog-entity resource permission checked by the scaffolder actions for the
 * task's initiator against the component, before anything is written.
 *
 * @public
 */
export const postgresDatabaseCreatePermission = createPermission({
  name: 'postgres.database.create',
  attributes: { action: 'create' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Change a catalog entity's existing databases (grow storage, change size, upgrade PostgreSQL,
 * decommission) by pull request. A catalog-entity resource permission checked by the day-2
 * action for the task's initiator against the component the claim names, before anything is
 * read from the GitOps repository or written.
 *
 * @public
 */
export const postgresDatabaseChangePermission = createPermission({
  name: 'postgres.database.change',
  attributes: { action: 'update' },
  resourceType: CATALOG_ENTITY,
});

/**
 * Read the fleet view: every database in every cluster. Callers without it see, in the fleet
 * view, only the databases of entities they may read.
 *
 * @public
 */
export const postgresFleetReadPermission = createPermission({
  name: 'postgres.fleet.read',
  attributes: { action: 'read' },
});

/** Every permission of the postgres plugins, for the permission framework's registry. @public */
export const postgresPermissions: Permission[] = [
  postgresDatabaseReadPermission,
  postgresDatabaseCreatePermission,
  postgresDatabaseChangePermission,
  postgresFleetReadPermission,
];
