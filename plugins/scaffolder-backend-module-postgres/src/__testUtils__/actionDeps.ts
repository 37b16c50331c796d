import { ConfigReader } from '@backstage/config';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readModuleSettings } from '../config';

/** The GitOps repository the unit tests' config allows, and a repo URL naming it. */
export const GITOPS_REPO_URL = 'github.com?owner=platform&repo=gitops';

/** Settings with one allowed GitOps repository, plus `config`'s `postgres.*`. */
export function unitSettings(postgres: Record<string, unknown> = {}) {
  return readModuleSettings(
    new ConfigReader({
      postgres: {
        ...postgres,
        gitops: {
          ...(postgres.gitops as object),
          repositories: [
            { host: 'github.com', owner: 'platform', repo: 'gitops' },
          ],
        },
      },
    }),
  );
}

/**
 * An in-memory catalog with the seed's component (owned by group team-agents) and orders (owned
 * by group orders), and a permission
 * service answering `result` to every request. The real catalog and permission backend run in
 * the integration tests (src/__tests__).
 */
export function unitAuthorizer(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  return {
    catalog: catalogServiceMock({
      entities: [
        ['agent-executor', 'team-agents'],
        ['orders', 'group:default/orders'],
      ].map(([name, owner]) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name, namespace: 'default' },
        spec: { type: 'service', lifecycle: 'production', owner },
      })),
    }),
    permissions: mockServices.permissions({ result }),
  };
}

/** Makes a mock action context's initiator `user`. */
export function asInitiator<T extends object>(ctx: T, user: string): T {
  return Object.assign(ctx, {
    getInitiatorCredentials: async () => mockCredentials.user(user),
  });
}
