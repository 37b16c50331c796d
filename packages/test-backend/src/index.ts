/**
 * The real catalog and permission backends for integration tests: fixed entities fed through an
 * entity provider, a permission policy, user info (ownership refs) read from the catalog, and
 * mock tokens that say which plugin acts for a user, as Backstage's real tokens do.
 */
import request from 'supertest';
import {
  AuthService,
  BackendFeature,
  BackstageCredentials,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity, RELATION_MEMBER_OF } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

export { testDatabases } from './databases';
export type { TestDatabases, TestDatabaseKind } from './databases';

/** Feeds fixed entities into the real catalog, as any entity provider does. */
export function catalogEntitiesModule(entities: Entity[]): BackendFeature {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-entities',
    register(reg) {
      reg.registerInit({
        deps: { catalog: catalogProcessingExtensionPoint },
        async init({ catalog }) {
          catalog.addEntityProvider({
            getProviderName: () => 'test-entities',
            async connect(connection) {
              await connection.applyMutation({
                type: 'full',
                entities: entities.map(e => ({
                  locationKey: 'test-entities',
                  entity: {
                    ...e,
                    metadata: {
                      ...e.metadata,
                      annotations: {
                        ...e.metadata.annotations,
                        'backstage.io/managed-by-location': 'url:test-entities',
                        'backstage.io/managed-by-origin-location':
                          'url:test-entities',
                      },
                    },
                  },
                })),
              });
            },
          });
        },
      });
    },
  });
}

/** Sets the permission backend's policy. */
export function permissionPolicyModule(
  policy: PermissionPolicy,
): BackendFeature {
  return createBackendModule({
    pluginId: 'permission',
    moduleId: 'test-policy',
    register(reg) {
      reg.registerInit({
        deps: { policy: policyExtensionPoint },
        async init(deps) {
          deps.policy.setPolicy(policy);
        },
      });
    },
  });
}

/**
 * User info as the auth backend's catalog sign-in resolvers make it: the user and the groups
 * the catalog says it is a member of (memberOf relations). Mock user tokens carry only the
 * user's ref; this reads the rest from the real catalog.
 */
export const userInfoFromCatalog = createServiceFactory({
  service: coreServices.userInfo,
  deps: { catalog: catalogServiceRef, auth: coreServices.auth },
  factory: ({ catalog, auth }) => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const principal = credentials.principal as {
        type: string;
        userEntityRef?: string;
      };
      if (principal.type !== 'user' || !principal.userEntityRef) {
        throw new Error(`No user info for a ${principal.type} principal`);
      }
      const user = await catalog.getEntityByRef(principal.userEntityRef, {
        credentials: await auth.getOwnServiceCredentials(),
      });
      const groups = (user?.relations ?? [])
        .filter(r => r.type === RELATION_MEMBER_OF)
        .map(r => r.targetRef);
      return {
        userEntityRef: principal.userEntityRef,
        ownershipEntityRefs: [principal.userEntityRef, ...groups],
      };
    },
  }),
});

/**
 * The mock auth service, except that a plugin's token on behalf of a user says which plugin acts
 * for the user (`actor`), as Backstage's own auth service does. Without it, the catalog's calls
 * to the permission backend on a user's behalf look like direct user requests, which the
 * permission backend refuses for conditional decisions.
 */
export const actorAwareAuth = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const base = mockServices.auth({ pluginId: plugin.getId() });
    const auth: AuthService = {
      authenticate: (token, options) => base.authenticate(token, options),
      getNoneCredentials: () => base.getNoneCredentials(),
      getOwnServiceCredentials: () => base.getOwnServiceCredentials(),
      isPrincipal: ((credentials: BackstageCredentials, type: any) =>
        base.isPrincipal(credentials, type)) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials => base.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => base.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type === 'user' && principal.userEntityRef) {
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: { subject: `plugin:${plugin.getId()}` },
            }),
          };
        }
        return base.getPluginRequestToken(options);
      },
    };
    return auth;
  },
});

/**
 * The real catalog (serving `entities`) and permission backend (deciding with `policy`), with
 * user info from the catalog and actor-aware tokens. The test's config must set
 * `permission.enabled: true` and catalog rules allowing the entities' kinds.
 */
export function catalogAndPermissions(options: {
  entities: Entity[];
  policy: PermissionPolicy;
}): BackendFeature[] {
  return [
    catalogPlugin,
    catalogEntitiesModule(options.entities),
    permissionPlugin,
    permissionPolicyModule(options.policy),
    userInfoFromCatalog,
    actorAwareAuth,
  ];
}

/**
 * The config {@link catalogAndPermissions} needs: permissions on, and catalog rules allowing
 * the given kinds of entity.
 */
export function catalogAndPermissionsConfig(kinds: string[]) {
  return {
    permission: { enabled: true },
    catalog: { rules: [{ allow: kinds }] },
  };
}

/**
 * Waits until the catalog serves each `kind/namespace/name` processed and stitched (with its
 * relations), asking as `authorization` (a header value; default: the test backend's default
 * user). `describe` adds context to the error after `timeoutMs`.
 */
export async function waitForCatalog(
  server: Parameters<typeof request>[0],
  refs: string[],
  options: {
    authorization?: string;
    timeoutMs?: number;
    describe?: () => string;
  } = {},
) {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (const ref of refs) {
    for (;;) {
      const req = request(server).get(`/api/catalog/entities/by-name/${ref}`);
      if (options.authorization)
        req.set('authorization', options.authorization);
      const res = await req;
      if (res.status === 200 && res.body.relations !== undefined) break;
      if (Date.now() > deadline) {
        throw new Error(
          `The catalog did not serve ${ref} within ${
            timeoutMs / 1000
          } s (last answer ${res.status} ${JSON.stringify(res.body).slice(
            0,
            500,
          )})${options.describe ? `; ${options.describe()}` : ''}`,
        );
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }
}
