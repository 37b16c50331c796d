import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { ScmIntegrations } from '@backstage/integration';
import { createSsmClient, readModuleSettings } from './config';
import { createPostgresCredentialsWriteAction } from './actions/credentialsWrite';
import { createPostgresManifestsCreateAction } from './actions/manifestsCreate';
import { createPostgresRequestRegisterAction } from './actions/requestRegister';
import { GithubFileReader } from './existingClaims';

/**
 * Registers `postgres:credentials:write`, `postgres:manifests:create` and
 * `postgres:request:register` with the scaffolder.
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
        config: coreServices.rootConfig,
        permissions: coreServices.permissions,
        catalog: catalogServiceRef,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({
        scaffolder,
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
          createPostgresRequestRegisterAction({ discovery, auth }),
        );
      },
    });
  },
});
