/*
 * The local portal's permission policy, the one the README recommends to adopters:
 *  - postgres.database.create / .read: the entity's owners (decided by the catalog's
 *    IS_ENTITY_OWNER rule, through decidePostgresPermission); the platform team reads all;
 *  - postgres.fleet.read: the platform team only;
 *  - kubernetes.proxy: denied to every user. The Kubernetes backend's service account may read
 *    Secrets (the health backend reads the ones claims name through the proxy, as a service
 *    principal, which policies do not gate); a user reaching the proxy would read them all;
 *  - everything else: allowed (the portal's catalog and scaffolder stay open to signed-in users).
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
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
import { decidePostgresPermission } from '@bizmatters/plugin-postgres-common';

/** Who reads every database (the fleet view) in the local portal. */
export const FLEET_READERS = ['group:default/platform-team'];

export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(private readonly fleetReaders: readonly string[]) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const postgres = decidePostgresPermission(request.permission, user, {
      fleetReaders: this.fleetReaders,
    });
    if (postgres) return postgres;
    if (isPermission(request.permission, kubernetesProxyPermission)) {
      return { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new PortalPermissionPolicy(FLEET_READERS));
      },
    });
  },
});
