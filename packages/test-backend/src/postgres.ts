/**
 * The postgres backend as its integration suites run it: the plugin under test with the REAL
 * catalog and permission backends (fixed entities, a policy), the REAL Kubernetes backend on
 * cluster stand-ins and the sandbox forge through the GitHub integration when given, each
 * plugin's own database, and tokens as the browser and the scaffolder send them.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { BackendFeature } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { JsonObject } from '@backstage/types';
import { decidePostgresPermission } from '@bizmatters/plugin-postgres-common';
import { ForgeStandIn, KubernetesStandIn } from '@bizmatters/sandbox';
import {
  catalogAndPermissions,
  catalogAndPermissionsConfig,
  testDatabases,
  waitForCatalog,
} from '.';

export { capturingRootLogger } from './logging';
export type { LogLine } from './logging';

/**
 * The `authorization` header of `user` (a name in the default namespace, or an entity ref): the
 * user's own token (the browser's), or with `actor` a plugin's on the user's behalf (what
 * `postgres:request:register` sends: `plugin:scaffolder`).
 */
export function userAuth(user: string, actor?: string): string {
  const ref = user.includes(':') ? user : `user:default/${user}`;
  return `Bearer ${mockCredentials.user.token(
    ref,
    actor ? { actor: { subject: actor } } : undefined,
  )}`;
}

const entity = (kind: string, name: string, spec: JsonObject): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});

/** A team (a Group of type team). */
export const groupEntity = (name: string) =>
  entity('Group', name, { type: 'team', children: [] });

/** A user, member of `memberOf` (group names or refs). */
export const userEntity = (name: string, memberOf: string[]) =>
  entity('User', name, { memberOf });

/** A production service owned by `owner`, with annotations if given. */
export function componentEntity(
  name: string,
  owner: string,
  annotations?: Record<string, string>,
): Entity {
  const e = entity('Component', name, {
    type: 'service',
    lifecycle: 'production',
    owner,
  });
  if (annotations) e.metadata.annotations = annotations;
  return e;
}

/** Groups, and users with their memberships (user name → group names). */
export function teamEntities(
  groups: string[],
  members: Record<string, string[]>,
): Entity[] {
  return [
    ...groups.map(groupEntity),
    ...Object.entries(members).map(([name, memberOf]) =>
      userEntity(name, memberOf),
    ),
  ];
}

/**
 * The policy a portal writes for the plugin: postgres-common's rules for its permissions
 * (`fleetReaders` may read every database), `otherwise` (default: allow) for the rest.
 */
export function postgresPolicy(
  options: {
    fleetReaders?: string[];
    otherwise?: PermissionPolicy['handle'];
  } = {},
): PermissionPolicy {
  return {
    async handle(query, user) {
      const decision = decidePostgresPermission(
        query.permission,
        user,
        options.fleetReaders ? { fleetReaders: options.fleetReaders } : {},
      );
      if (decision) return decision;
      return options.otherwise
        ? options.otherwise(query, user)
        : { result: AuthorizeResult.ALLOW };
    },
  };
}

/** `kind/namespace/name` of an entity, as the catalog's by-name route takes it. */
const refPath = (e: Entity) =>
  `${e.kind.toLowerCase()}/${e.metadata.namespace ?? 'default'}/${
    e.metadata.name
  }`;

export interface PostgresBackendOptions {
  /** The postgres backend plugin under test. */
  plugin: BackendFeature;
  entities: Entity[];
  policy: PermissionPolicy;
  /** Kinds the catalog accepts (default Component, Group, User). */
  kinds?: string[];
  /** Clusters the real Kubernetes backend reads (none: no Kubernetes backend). */
  clusters?: KubernetesStandIn[];
  /** The forge whose `platform/gitops` is the GitOps repository (and GitHub integration). */
  forge?: ForgeStandIn;
  /** `postgres.*` over the harness's own (`cache.ttlSeconds` 1 and the GitOps repository). */
  postgres?: JsonObject;
  /** More features (e.g. an auditor). */
  features?: BackendFeature[];
  /** More configuration at the root (e.g. `mcpActions`; `backend` is merged with the harness's). */
  config?: JsonObject;
  /** Waits until the catalog serves these refs (default: every entity), asking as this user. */
  waitFor?: { refs?: string[]; user: string; timeoutMs?: number };
}

/**
 * Starts the postgres backend (see the file's comment) and waits for the catalog; `restart`
 * starts a new backend on the same plugin databases; `stop` stops both (not the stand-ins,
 * which the suite owns).
 */
export async function startPostgresBackend(options: PostgresBackendOptions) {
  const databases = testDatabases();
  const clusters = options.clusters ?? [];
  const { forge } = options;
  const start = () =>
    startTestBackend({
      features: [
        options.plugin,
        ...(clusters.length ? [kubernetesPlugin] : []),
        databases.factory,
        ...(options.features ?? []),
        ...catalogAndPermissions({
          entities: options.entities,
          policy: options.policy,
        }),
        permissionsServiceFactory,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.rootConfig.factory({
          data: {
            ...options.config,
            backend: {
              baseUrl: 'http://localhost:7007',
              ...(options.config?.backend as JsonObject | undefined),
            },
            ...catalogAndPermissionsConfig(
              options.kinds ?? ['Component', 'Group', 'User'],
            ),
            ...(clusters.length
              ? { kubernetes: KubernetesStandIn.backstageConfig(clusters) }
              : {}),
            ...(forge
              ? { integrations: { github: [forge.backstageIntegration()] } }
              : {}),
            postgres: {
              cache: { ttlSeconds: 1 },
              ...(forge
                ? {
                    gitops: {
                      repositories: [
                        forge.gitopsRepository('platform', 'gitops'),
                      ],
                    },
                  }
                : {}),
              ...options.postgres,
            },
          },
        }),
      ],
    });
  const catalogReady = async (server: Parameters<typeof waitForCatalog>[0]) => {
    if (!options.waitFor) return;
    await waitForCatalog(
      server,
      options.waitFor.refs ?? options.entities.map(refPath),
      {
        authorization: userAuth(options.waitFor.user),
        timeoutMs: options.waitFor.timeoutMs,
      },
    );
  };
  let backend = await start();
  await catalogReady(backend.server);
  return {
    get backend() {
      return backend;
    },
    get server() {
      return backend.server;
    },
    databases,
    /** A new backend on the same plugin databases (a restart), once the catalog is ready. */
    async restart() {
      await backend.stop();
      backend = await start();
      await catalogReady(backend.server);
    },
    async stop() {
      await backend.stop();
      await databases.stop();
    },
  };
}

export type PostgresBackend = Awaited<ReturnType<typeof startPostgresBackend>>;
