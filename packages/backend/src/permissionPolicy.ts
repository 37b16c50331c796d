/*
 * The local portal's permission policy, the one the README recommends to adopters ("Who may do
 * what"). Safe by default:
 *  - postgres.database.create / .change / .read: the entity's owners (decided by the catalog's
 *    IS_ENTITY_OWNER rule, through decidePostgresPermission); the platform team reads all;
 *  - postgres.fleet.read: the platform team only;
 *  - catalog.entity.read: every entity, except the database Resources (kind Resource,
 *    spec.type database, carrying bizmatters.io/postgres-instances: the ones the postgres
 *    provider makes), which only their owners and the platform team read: the same rule as
 *    /api/postgres/v1/databases, at the catalog's door. `postgres.catalog.publicInventory: true`
 *    opens them to every signed-in user;
 *  - scaffolder.task.read / .cancel: the task's creator and the platform team (a task holds the
 *    parameters, the log and the SSM paths of someone's request);
 *  - catalog.location.create: the platform team only (a registered location brings entities
 *    into the catalog; the catalog rules then decide which kinds it may hold);
 *  - kubernetes.proxy: denied to every user. The Kubernetes backend's service account may read
 *    Secrets (the health backend reads the ones claims name through the proxy, as a service
 *    principal, which policies do not gate); a user reaching the proxy would read them all;
 *  - everything else: allowed (the catalog's other entities and the scaffolder's templates stay
 *    open to signed-in users).
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import {
  catalogEntityReadPermission,
  catalogLocationCreatePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  DATABASE_RESOURCE_TYPE,
  decidePostgresPermission,
  POSTGRES_INSTANCES_ANNOTATION,
} from '@bizmatters/plugin-postgres-common';

/** Who reads every database (the fleet view) in the local portal: the platform team. */
export const FLEET_READERS = ['group:default/platform-team'];

/** The policy's choices. */
export interface PortalPolicyOptions {
  /**
   * Members of these (group or user refs) read every database, every task, and may register
   * locations: the platform team.
   */
  fleetReaders: readonly string[];
  /** `postgres.catalog.publicInventory`: every signed-in user reads the database Resources. */
  publicInventory?: boolean;
}

export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(private readonly options: PortalPolicyOptions) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { fleetReaders, publicInventory } = this.options;
    const postgres = decidePostgresPermission(request.permission, user, {
      fleetReaders,
    });
    if (postgres) return postgres;
    const permission = request.permission;
    if (isPermission(permission, kubernetesProxyPermission)) {
      return { result: AuthorizeResult.DENY };
    }
    const refs = user
      ? [
          ...new Set([
            user.info.userEntityRef,
            ...(user.info.ownershipEntityRefs ?? []),
          ]),
        ]
      : [];
    const lower = refs.map(r => r.toLocaleLowerCase('en-US'));
    const platform = fleetReaders.some(r =>
      lower.includes(r.toLocaleLowerCase('en-US')),
    );
    if (isPermission(permission, catalogEntityReadPermission)) {
      if (platform || publicInventory) return { result: AuthorizeResult.ALLOW };
      // every entity but a database Resource; a database Resource to its owners
      return createCatalogConditionalDecision(permission, {
        anyOf: [
          {
            not: {
              allOf: [
                catalogConditions.isEntityKind({ kinds: ['Resource'] }),
                catalogConditions.hasSpec({
                  key: 'type',
                  value: DATABASE_RESOURCE_TYPE,
                }),
                catalogConditions.hasAnnotation({
                  annotation: POSTGRES_INSTANCES_ANNOTATION,
                }),
              ],
            },
          },
          catalogConditions.isEntityOwner({ claims: refs }),
        ],
      });
    }
    if (
      isPermission(permission, taskReadPermission) ||
      isPermission(permission, taskCancelPermission)
    ) {
      if (!user) return { result: AuthorizeResult.DENY };
      if (platform) return { result: AuthorizeResult.ALLOW };
      return createScaffolderTaskConditionalDecision(
        permission,
        scaffolderTaskConditions.isTaskOwner({
          createdBy: [user.info.userEntityRef],
        }),
      );
    }
    if (isPermission(permission, catalogLocationCreatePermission)) {
      return {
        result: platform ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        policy.setPolicy(
          new PortalPermissionPolicy({
            fleetReaders: FLEET_READERS,
            publicInventory:
              config.getOptionalBoolean('postgres.catalog.publicInventory') ??
              false,
          }),
        );
      },
    });
  },
});
