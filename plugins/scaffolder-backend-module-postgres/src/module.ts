import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createSsmClient, readModuleSettings } from './config';
import { createPostgresCredentialsWriteAction } from './actions/credentialsWrite';
import { createPostgresManifestsCreateAction } from './actions/manifestsCreate';

/**
 * Registers `postgres:credentials:write` and `postgres:manifests:create` with the scaffolder.
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
      },
      async init({ scaffolder, config, permissions, catalog }) {
        const settings = readModuleSettings(config);
        const ssmClient = createSsmClient(settings.ssm);
        scaffolder.addActions(
          createPostgresCredentialsWriteAction({
            settings,
            ssmClient,
            permissions,
            catalog,
          }),
          createPostgresManifestsCreateAction({
            settings,
            permissions,
            catalog,
          }),
        );
      },
    });
  },
});
