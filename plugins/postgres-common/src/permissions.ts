import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the health of an entity's databases (with the catalog's read permission on the entity).
 *
 * @public
 */
export const postgresDatabaseReadPermission = createPermission({
  name: 'postgres.database.read',
  attributes: { action: 'read' },
});

/**
 * Read the fleet view: every database in every cluster.
 *
 * @public
 */
export const postgresFleetReadPermission = createPermission({
  name: 'postgres.fleet.read',
  attributes: { action: 'read' },
});

/** @public */
export const postgresPermissions = [
  postgresDatabaseReadPermission,
  postgresFleetReadPermission,
];
