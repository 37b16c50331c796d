import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ScmIntegrations } from '@backstage/integration';
import {
  policyChoices,
  postgresPermissions,
  readPostgresPolicy,
  UserCallBudget,
} from '@bizmatters/plugin-postgres-common';
import { KubernetesProxyClient } from './service/KubernetesProxyClient';
import { ClusterReader } from './service/ClusterReader';
import { DatabaseService } from './service/DatabaseService';
import { createRouter } from './service/router';
import { readClaimSummaries } from './service/claimSummaries';
import { ReadScope } from './service/ReadScope';
import { RequestStore } from './service/RequestStore';
import { PullRequestReader } from './service/PullRequestReader';
import { RequestTracker } from './service/RequestTracker';

/**
 * The postgres backend plugin: database health of catalog entities, read through Backstage's
 * Kubernetes backend.
 *
 * @public
 */
export const postgresPlugin = createBackendPlugin({
  pluginId: 'postgres',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        cache: coreServices.cache,
        database: coreServices.database,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { config, logger } = deps;
        const ttlSeconds =
          config.getOptionalNumber('postgres.cache.ttlSeconds') ?? 10;
        const timeoutMs =
          config.getOptionalNumber('postgres.kubernetes.timeoutMs') ?? 5000;
        const stuckAfterSeconds = config.getOptionalNumber(
          'postgres.health.stuckAfterSeconds',
        );
        const policy = readPostgresPolicy(config);
        deps.permissionsRegistry.addPermissions(postgresPermissions);

        const client = new KubernetesProxyClient({
          discovery: deps.discovery,
          auth: deps.auth,
          logger,
          timeoutMs,
          maxResponseBytes:
            config.getOptionalNumber('postgres.kubernetes.maxResponseBytes') ??
            10 * 1024 * 1024,
        });
        const reader = new ClusterReader({
          client,
          cache: deps.cache,
          ttlMs: ttlSeconds * 1000,
          // another replica waits this long for a read it started (one upstream timeout)
          leaseMs: timeoutMs + 1000,
          logger,
          esoApiVersion: policy.externalSecret.apiVersion,
        });
        const concurrency =
          config.getOptionalNumber('postgres.kubernetes.concurrency') ?? 8;
        const deadlineMs =
          config.getOptionalNumber('postgres.kubernetes.deadlineMs') ?? 15_000;
        const fleetStaleMs =
          (config.getOptionalNumber('postgres.fleet.staleSeconds') ?? 60) *
          1000;
        const databases = new DatabaseService({
          reader,
          logger,
          stuckAfterSeconds,
          fleetStaleMs,
          showUnannotated:
            config.getOptionalBoolean('postgres.claims.showUnannotated') ??
            false,
          limits: {
            maxRefsPerEntity:
              config.getOptionalNumber('postgres.claims.maxRefsPerEntity') ??
              20,
            concurrency,
            deadlineMs,
          },
        });
        // database requests: stored in this plugin's database, their pull requests read from
        // the forge through Backstage's GitHub integrations at most once per TTL and repository
        const requests = new RequestTracker({
          store: await RequestStore.create(deps.database),
          pulls: new PullRequestReader({
            integrations: ScmIntegrations.fromConfig(config),
            cache: deps.cache,
            ttlMs: ttlSeconds * 1000,
          }),
          repositories: policy.gitops.repositories,
          ttlMs: ttlSeconds * 1000,
          logger,
          keepDecommissionedDays: config.getOptionalNumber(
            'postgres.requests.keepDecommissionedDays',
          ),
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            catalog: deps.catalog,
            databases,
            logger,
            entityTtlMs: ttlSeconds * 1000,
            fleetStaleMs,
            catalogTimeoutMs: config.getOptionalNumber(
              'postgres.catalog.timeoutMs',
            ),
            choices: policyChoices(policy),
            claimReaders: config.getOptionalStringArray(
              'postgres.claims.readers',
            ),
            claims: () =>
              readClaimSummaries(
                reader,
                new ReadScope({ concurrency, deadlineMs }),
              ),
            requests,
            auditor: deps.auditor,
            callBudget: new UserCallBudget(deps.cache, {
              callsPerMinute:
                config.getOptionalNumber('postgres.limits.callsPerMinute') ??
                60,
              keyPrefix: 'postgres-registration-calls',
            }),
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
