/**
 * The postgres plugin for Backstage's new frontend system: the databases card and tab of an
 * entity, the API client, and the template's GitOps repository field.
 *
 * @packageDocumentation
 */
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
import {
  createFormField,
  FormFieldBlueprint,
} from '@backstage/plugin-scaffolder-react/alpha';
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

/** The template's `PostgresNameField`: a name checked as the user types, with the actions' rules. */
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

/**
 * The postgres plugin for Backstage's new frontend system.
 *
 * @alpha
 */
const postgresPlugin: FrontendPlugin = createFrontendPlugin({
  pluginId: 'postgres',
  extensions: [
    postgresApi,
    postgresEntityCard,
    postgresEntityContent,
    gitopsRepositoryPickerField,
    choicePickerField,
    nameField,
  ],
});

export default postgresPlugin;
