import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { DatabaseEntityProvider } from './DatabaseEntityProvider';
import { DatabaseResourceGuard } from './DatabaseResourceGuard';

/** Every minute, each run given at most a minute. */
const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 1 },
  timeout: { minutes: 1 },
};

/**
 * Adds the postgres database provider to the catalog: every PostgresInstance claim of every
 * cluster becomes a Resource of type `database`, refreshed on `postgres.catalog.refresh`; a
 * Resource naming a database (`bizmatters.io/postgres-instances`) from any other location is
 * refused.
 *
 * @public
 */
export const catalogModulePostgresDatabases = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'postgres-databases',
  register(reg) {
    reg.registerInit({
      deps: {
        processing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
      },
      async init({ processing, config, ...deps }) {
        const refresh = config.getOptionalConfig('postgres.catalog.refresh');
        processing.addProcessor(new DatabaseResourceGuard());
        processing.addEntityProvider(
          new DatabaseEntityProvider({
            ...deps,
            schedule: refresh
              ? readSchedulerServiceTaskScheduleDefinitionFromConfig(refresh)
              : DEFAULT_SCHEDULE,
          }),
        );
      },
    });
  },
});
