/**
 * The postgres plugin for Backstage's new frontend system: the databases card and tab of an
 * entity, the fleet page, the API client, and the template's form fields.
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  ApiHolder,
  configApiRef,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  FrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import type { ExternalRouteRef, RouteRef } from '@backstage/core-plugin-api';
import StorageIcon from '@material-ui/icons/Storage';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  createFormField,
  FormFieldBlueprint,
} from '@backstage/plugin-scaffolder-react/alpha';
import { compatWrapper } from '@backstage/core-compat-api';
import { postgresApiRef, PostgresClient } from './api/PostgresApi';
import { postgresEntityKinds, showsPostgres } from './isPostgresAvailable';
import { fleetRouteRef, newDatabaseRouteRef, rootRouteRef } from './routes';

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

/** The entities that show the card and tab, from app-config `postgres.entityPage.show`. */
function entityFilter(apis: ApiHolder) {
  const kinds = postgresEntityKinds(apis.get(configApiRef));
  return (entity: Entity) => showsPostgres(entity, kinds);
}

/** The databases card on an entity's overview. */
const postgresEntityCard = EntityCardBlueprint.makeWithOverrides({
  name: 'databases',
  factory(originalFactory, { apis }) {
    return originalFactory({
      filter: entityFilter(apis),
      loader: () =>
        import('./components/EntityPostgresCard').then(m =>
          compatWrapper(<m.EntityPostgresCard />),
        ),
    });
  },
});

/** The "Databases" tab of an entity. */
const postgresEntityContent = EntityContentBlueprint.makeWithOverrides({
  name: 'databases',
  factory(originalFactory, { apis }) {
    return originalFactory({
      path: '/databases',
      title: 'Databases',
      routeRef: rootRouteRef,
      filter: entityFilter(apis),
      loader: () =>
        import('./components/EntityPostgresContent').then(m =>
          compatWrapper(<m.EntityPostgresContent />),
        ),
    });
  },
});

/** The platform team's page of every database, in the app's nav as "Databases". */
const postgresFleetPage = PageBlueprint.make({
  params: {
    path: '/databases',
    title: 'Databases',
    icon: <StorageIcon fontSize="inherit" />,
    routeRef: fleetRouteRef,
    noHeader: true,
    loader: () =>
      import('./components/PostgresFleetPage').then(m =>
        compatWrapper(<m.PostgresFleetPage />),
      ),
  },
});

/**
 * The template's `PostgresGitopsRepositoryPicker` field: the GitOps repositories the platform
 * team allows (`postgres.gitops.repositories`).
 */
const gitopsRepositoryPickerField = FormFieldBlueprint.make({
  name: 'gitops-repository-picker',
  params: {
    field: () =>
      import('./fields/GitopsRepositoryPicker').then(m =>
        createFormField({
          name: 'PostgresGitopsRepositoryPicker',
          component: m.GitopsRepositoryPicker,
          validation: m.gitopsRepositoryValidation,
        }),
      ),
  },
});

/**
 * The template's `PostgresChoicePicker` field: sizes, versions or environments as the postgres
 * backend serves them from app-config.
 */
const choicePickerField = FormFieldBlueprint.make({
  name: 'choice-picker',
  params: {
    field: () =>
      import('./fields/PostgresFields').then(m =>
        createFormField({
          name: 'PostgresChoicePicker',
          component: m.PostgresChoicePicker,
          validation: m.postgresChoiceValidation,
        }),
      ),
  },
});

/**
 * The template's `PostgresNameField`: a name checked as the user types, with the actions' rules;
 * the claim name and the connection secret also for availability.
 */
const nameField = FormFieldBlueprint.make({
  name: 'name-field',
  params: {
    field: () =>
      import('./fields/PostgresFields').then(m =>
        createFormField({
          name: 'PostgresNameField',
          component: m.PostgresNameField,
          validation: m.postgresNameValidation,
        }),
      ),
  },
});

/** The template's `PostgresStorageField`: storage within the platform's bounds. */
const storageField = FormFieldBlueprint.make({
  name: 'storage-field',
  params: {
    field: () =>
      import('./fields/PostgresStorageField').then(m =>
        createFormField({
          name: 'PostgresStorageField',
          component: m.PostgresStorageField,
          validation: m.postgresStorageValidation,
        }),
      ),
  },
});

/**
 * The change template's `PostgresOpenChangeNotice`: an open change request of the database,
 * said before "Next".
 */
const openChangeNotice = FormFieldBlueprint.make({
  name: 'open-change-notice',
  params: {
    field: () =>
      import('./fields/OpenChangeNotice').then(m =>
        createFormField({
          name: 'PostgresOpenChangeNotice',
          component: m.PostgresOpenChangeNotice,
          validation: m.postgresOpenChangeValidation,
        }),
      ),
  },
});

/** "New Postgres DB"'s `PostgresPasswordField`: a typed password to the task's secrets only. */
const passwordField = FormFieldBlueprint.make({
  name: 'password-field',
  params: {
    field: () =>
      import('./fields/PasswordField').then(m =>
        createFormField({
          name: 'PostgresPasswordField',
          component: m.PostgresPasswordField,
        }),
      ),
  },
});

/** The templates' `PostgresReviewNames`: names, not references, on the Review step. */
const reviewNamesField = FormFieldBlueprint.make({
  name: 'review-names',
  params: {
    field: () =>
      import('./fields/ReviewNames').then(m =>
        createFormField({
          name: 'PostgresReviewNames',
          component: m.PostgresReviewNames,
        }),
      ),
  },
});

/**
 * The postgres plugin for Backstage's new frontend system. Routes: `root` (the entity's tab),
 * `fleet` (the fleet page); external route `newDatabase` ("New database"), bound by default
 * to `scaffolder.selectedTemplate`.
 *
 * @alpha
 */
const postgresPlugin: FrontendPlugin<
  { root: RouteRef<undefined>; fleet: RouteRef<undefined> },
  {
    newDatabase: ExternalRouteRef<
      { namespace: string; templateName: string },
      true
    >;
  }
> = createFrontendPlugin({
  pluginId: 'postgres',
  routes: { root: rootRouteRef, fleet: fleetRouteRef },
  externalRoutes: { newDatabase: newDatabaseRouteRef },
  extensions: [
    postgresApi,
    postgresEntityCard,
    postgresEntityContent,
    postgresFleetPage,
    gitopsRepositoryPickerField,
    choicePickerField,
    nameField,
    storageField,
    openChangeNotice,
    reviewNamesField,
    passwordField,
  ],
});

export default postgresPlugin;
