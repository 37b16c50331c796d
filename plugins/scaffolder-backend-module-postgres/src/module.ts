import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderWorkspaceProviderExtensionPoint } from '@backstage/plugin-scaffolder-node/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ScmIntegrations } from '@backstage/integration';
import { createSsmClient, readModuleSettings } from './config';
import { createPostgresCredentialsWriteAction } from './actions/credentialsWrite';
import { createPostgresManifestsCreateAction } from './actions/manifestsCreate';
import { createPostgresRequestRegisterAction } from './actions/requestRegister';
import { createPostgresDatabaseChangeAction } from './actions/databaseChange';
import { createPostgresCredentialsDeleteAction } from './actions/credentialsDelete';
import { createPostgresCredentialsRepairAction } from './actions/credentialsRepair';
import { PostgresBackendClusterClaims } from './clusterClaims';
import { SsmCredentials } from './ssmCredentials';
import { guardAction } from './actions/guard';
import { GithubFileReader } from './existingClaims';
import {
  createAvailabilityRouter,
  forgetAvailabilityAnswers,
} from './availabilityRouter';
import {
  TASK_ROW_WORKSPACE_PROVIDER,
  TaskRowWorkspaceProvider,
} from './taskRowWorkspace';

/**
 * Registers `postgres:credentials:write`, `postgres:manifests:create`,
 * `postgres:request:register`, `postgres:database:change`, `postgres:credentials:delete` and
 * `postgres:credentials:repair` with the scaffolder, and the `taskRow` workspace provider (used when
 * `scaffolder.taskRecovery.workspaceProvider` names it), which keeps a task's workspace in its
 * row so that a recovered task resumes with its files; serves the form's availability check at
 * `/api/scaffolder/postgres/v1/availability`.
 *
 * @public
 */
export const scaffolderModulePostgres = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'postgres',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        workspaces: scaffolderWorkspaceProviderExtensionPoint,
        database: coreServices.database,
        config: coreServices.rootConfig,
        permissions: coreServices.permissions,
        catalog: catalogServiceRef,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        auditor: coreServices.auditor,
        cache: coreServices.cache,
      },
      async init({
        scaffolder,
        workspaces,
        database,
        config,
        permissions,
        catalog,
        discovery,
        auth,
        httpRouter,
        httpAuth,
        logger,
        auditor,
        cache,
      }) {
        const settings = readModuleSettings(config);
        const ssmClient = createSsmClient(settings.ssm);
        // whether a claim is already in the GitOps repository, read with the integration's credentials
        const gitops = new GithubFileReader(ScmIntegrations.fromConfig(config));
        // the claims of the clusters, as the postgres backend reads them
        const clusters = new PostgresBackendClusterClaims(discovery, auth);
        const checks = { permissions, catalog, gitops, clusters };
        // every action: curated templates only, and an audit event of what it decided
        const guard = {
          auditor,
          allowedTemplates: settings.allowedTemplates,
          afterWrite: () => forgetAvailabilityAnswers(cache),
        };
        scaffolder.addActions(
          ...[
            createPostgresCredentialsWriteAction({
              settings,
              ssmClient,
              ...checks,
            }),
            createPostgresManifestsCreateAction({
              settings,
              ssmClient,
              ...checks,
            }),
            createPostgresDatabaseChangeAction({
              settings,
              permissions,
              catalog,
              gitops,
            }),
            createPostgresCredentialsDeleteAction({
              settings,
              permissions,
              catalog,
              gitops,
              clusters,
              ssm: taskLogger => new SsmCredentials(ssmClient, taskLogger),
            }),
            createPostgresCredentialsRepairAction({
              settings,
              permissions,
              catalog,
              gitops,
              ssm: taskLogger => new SsmCredentials(ssmClient, taskLogger),
            }),
            createPostgresRequestRegisterAction({ discovery, auth }),
          ].map(action => guardAction(guard, action)),
        );
        // the "New Postgres DB" form's availability check, at /api/scaffolder/postgres/v1/…
        httpRouter.use(
          createAvailabilityRouter({
            settings,
            checks,
            ssm: new SsmCredentials(ssmClient, logger),
            httpAuth,
            auditor,
            cache: cache.withOptions({
              defaultTtl: settings.limits.answerTtlSeconds * 1000,
            }),
          }),
        );
        workspaces.addProviders({
          [TASK_ROW_WORKSPACE_PROVIDER]: new TaskRowWorkspaceProvider(
            await database.getClient(),
          ),
        });
      },
    });
  },
});
