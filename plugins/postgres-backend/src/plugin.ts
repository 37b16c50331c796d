import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ScmIntegrations } from '@backstage/integration';
import {
  policyChoices,
  postgresPermissions,
  UserCallBudget,
} from '@bizmatters/plugin-postgres-common';
import { readBackendSettings } from './config';
import { ClusterApiClient } from './service/ClusterApiClient';
import { ClusterReader } from './service/ClusterReader';
import { registerAgentActions } from './service/agentActions';
import { DatabaseViews } from './service/databaseViews';
import { EntityAnswers } from './service/entityAnswers';
import { FleetSnapshots } from './service/fleetSnapshots';
import { createRouter, ENTITY_DATABASES_ROUTE } from './service/router';
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
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const { config, logger } = deps;
        const settings = readBackendSettings(config);
        deps.permissionsRegistry.addPermissions(postgresPermissions);

        const client = new ClusterApiClient({
          discovery: deps.discovery,
          auth: deps.auth,
          logger,
          timeoutMs: settings.kubernetes.timeoutMs,
          maxResponseBytes: settings.kubernetes.maxResponseBytes,
        });
        const reader = new ClusterReader({
          client,
          cache: deps.cache,
          ttlMs: settings.ttlMs,
          // another replica waits this long for a read it started (one upstream timeout)
          leaseMs: settings.kubernetes.timeoutMs + 1000,
          logger,
          esoApiVersion: settings.policy.externalSecret.apiVersion,
        });
        const reading = {
          reader,
          stuckAfterSeconds: settings.stuckAfterSeconds,
          limits: settings.limits,
          recoverability: {
            ...settings.recoverability,
            policy: settings.policy,
          },
        };
        // database requests: stored in this plugin's database, their pull requests read from
        // the forge through Backstage's GitHub integrations at most once per TTL and repository
        const requests = new RequestTracker({
          store: await RequestStore.create(deps.database),
          pulls: new PullRequestReader({
            integrations: ScmIntegrations.fromConfig(config),
            cache: deps.cache,
            ttlMs: settings.ttlMs,
          }),
          repositories: settings.policy.gitops.repositories,
          ttlMs: settings.ttlMs,
          logger,
          maxEntities: settings.maxEntities,
          keepDecommissionedDays: settings.requests.keepDecommissionedDays,
        });
        const entityAnswers = new EntityAnswers({
          ...reading,
          maxAnswers: settings.maxEntities,
          showUnannotated: settings.claims.showUnannotated,
        });
        // what each caller may see: one decision for the routes and the agents' actions
        const views = new DatabaseViews({
          permissions: deps.permissions,
          catalog: deps.catalog,
          entityAnswers,
          fleet: new FleetSnapshots({
            ...reading,
            logger,
            staleMs: settings.fleetStaleMs,
          }),
          requests,
          settings,
        });
        registerAgentActions({
          actionsRegistry: deps.actionsRegistry,
          auth: deps.auth,
          views,
          services: settings.actions.services,
          policy: settings.policy,
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            views,
            entityAnswers,
            logger,
            settings,
            choices: policyChoices(settings.policy),
            claims: () =>
              readClaimSummaries(reader, new ReadScope(settings.limits)),
            requests,
            auditor: deps.auditor,
            callBudget: new UserCallBudget(deps.cache, {
              callsPerMinute: settings.requests.callsPerMinute,
              keyPrefix: 'postgres-registration-calls',
            }),
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
        // authenticated by the route itself, once per token and TTL (VerifiedCredentials)
        deps.httpRouter.addAuthPolicy({
          path: ENTITY_DATABASES_ROUTE,
          allow: 'unauthenticated',
        });
      },
    });
  },
});
