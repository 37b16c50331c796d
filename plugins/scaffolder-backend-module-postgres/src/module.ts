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
import { PostgresBackendClusterClaims } from './clusterClaims';
import { SsmCredentials } from './ssmCredentials';
import { GithubFileReader } from './existingClaims';
import {
  TASK_ROW_WORKSPACE_PROVIDER,
  TaskRowWorkspaceProvider,
} from './taskRowWorkspace';

/**
 * Registers `postgres:credentials:write`, `postgres:manifests:create`,
 * `postgres:request:register`, `postgres:database:change` and `postgres:credentials:delete`
 * with the scaffolder, and the `taskRow` workspace provider (used when
 * `scaffolder.taskRecovery.workspaceProvider` names it), which keeps a task's workspace in its
 * row so that a recovered task resumes with its files.
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
      }) {
        const settings = readModuleSettings(config);
        const ssmClient = createSsmClient(settings.ssm);
        // whether a claim is already in the GitOps repository, read with the integration's credentials
        const gitops = new GithubFileReader(ScmIntegrations.fromConfig(config));
        scaffolder.addActions(
          createPostgresCredentialsWriteAction({
            settings,
            ssmClient,
            permissions,
            catalog,
            gitops,
          }),
          createPostgresManifestsCreateAction({
            settings,
            permissions,
            catalog,
            gitops,
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
            clusters: new PostgresBackendClusterClaims(discovery, auth),
            ssm: logger => new SsmCredentials(ssmClient, logger),
          }),
          createPostgresRequestRegisterAction({ discovery, auth }),
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
