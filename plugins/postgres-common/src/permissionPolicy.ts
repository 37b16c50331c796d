import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  postgresDatabaseChangePermission,
  postgresDatabaseCreatePermission,
  postgresDatabaseReadPermission,
  postgresFleetReadPermission,
} from './permissions';

/**
 * The signed-in user as a permission policy sees it (`PolicyQueryUser` of
 * `@backstage/plugin-permission-node`, reduced to what is read here).
 *
 * @public
 */
export interface PostgresPolicyUser {
  /** The user's entity ref and the refs it owns through (itself and its groups). */
  info: { userEntityRef: string; ownershipEntityRefs?: string[] };
}

/**
 * The product's rules for its own permissions, for a permission policy to delegate to:
 *
 * - `postgres.database.create` and `postgres.database.change`: only owners of the entity (the
 *   catalog's `IS_ENTITY_OWNER` rule, decided by the catalog against the user's ownership refs);
 * - `postgres.database.read`: owners of the entity, and members of the fleet readers;
 * - `postgres.fleet.read`: members of the fleet readers (group or user refs) only.
 *
 * Returns undefined for any other permission (the caller's policy decides those); denies every
 * postgres permission to a caller without a user identity.
 *
 * @public
 */
export function decidePostgresPermission(
  permission: Permission,
  user: PostgresPolicyUser | undefined,
  options: { fleetReaders?: readonly string[] } = {},
): PolicyDecision | undefined {
  const name = permission.name;
  if (
    ![
      postgresDatabaseCreatePermission.name,
      postgresDatabaseChangePermission.name,
      postgresDatabaseReadPermission.name,
      postgresFleetReadPermission.name,
    ].includes(name)
  ) {
    return undefined;
  }
  if (!user) return { result: AuthorizeResult.DENY };
  const claims = [
    ...new Set([
      user.info.userEntityRef,
      ...(user.info.ownershipEntityRefs ?? []),
    ]),
  ];
  const lower = claims.map(r => r.toLocaleLowerCase('en-US'));
  const fleetReader = (options.fleetReaders ?? []).some(r =>
    lower.includes(r.toLocaleLowerCase('en-US')),
  );
  if (name === postgresFleetReadPermission.name) {
    return {
      result: fleetReader ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    };
  }
  if (name === postgresDatabaseReadPermission.name && fleetReader) {
    return { result: AuthorizeResult.ALLOW };
  }
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: 'catalog-entity',
    conditions: {
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: { claims },
    },
  };
}
