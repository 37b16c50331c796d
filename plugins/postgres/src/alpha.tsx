import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  FrontendPlugin,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { compatWrapper } from '@backstage/core-compat-api';
import { postgresApiRef, PostgresClient } from './api/PostgresApi';
import { isPostgresAvailable } from './isPostgresAvailable';

/** The API client extension. */
const postgresApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: postgresApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new PostgresClient({ discoveryApi, fetchApi }),
    }),
});

/** The databases card on an entity's overview. */
const postgresEntityCard = EntityCardBlueprint.make({
  name: 'databases',
  params: {
    filter: isPostgresAvailable,
    loader: () =>
      import('./components/EntityPostgresCard').then(m =>
        compatWrapper(<m.EntityPostgresCard />),
      ),
  },
});

/** The "Databases" tab of an entity. */
const postgresEntityContent = EntityContentBlueprint.make({
  name: 'databases',
  params: {
    path: '/databases',
    title: 'Databases',
    filter: isPostgresAvailable,
    loader: () =>
      import('./components/EntityPostgresContent').then(m =>
        compatWrapper(<m.EntityPostgresContent />),
      ),
  },
});

/**
 * The postgres plugin for Backstage's new frontend system.
 *
 * @alpha
 */
const postgresPlugin: FrontendPlugin = createFrontendPlugin({
  pluginId: 'postgres',
  extensions: [postgresApi, postgresEntityCard, postgresEntityContent],
});

export default postgresPlugin;
