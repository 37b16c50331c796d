import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { postgresApiRef, PostgresClient } from './api/PostgresApi';
import { fleetRouteRef, newDatabaseRouteRef, rootRouteRef } from './routes';
import type { JSX } from 'react';
import type { EntityPostgresProps } from './components/useEntityDatabases';
import {
  PostgresOpenChangeNotice,
  postgresOpenChangeValidation,
} from './fields/OpenChangeNotice';
import { PostgresReviewNames } from './fields/ReviewNames';
import { PostgresPasswordField } from './fields/PasswordField';
import {
  GitopsRepositoryPicker,
  gitopsRepositoryValidation,
} from './fields/GitopsRepositoryPicker';
import {
  PostgresChoicePicker,
  postgresChoiceValidation,
  PostgresNameField,
  postgresNameValidation,
} from './fields/PostgresFields';
import {
  PostgresStorageField,
  postgresStorageValidation,
} from './fields/PostgresStorageField';

/**
 * The postgres frontend plugin (classic app). Its `routes.fleet` is the fleet page's; bind its
 * external route `newDatabase` to the scaffolder's `selectedTemplate` for the "New database"
 * button.
 *
 * @public
 */
export const postgresPlugin = createPlugin({
  id: 'postgres',
  apis: [
    createApiFactory({
      api: postgresApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new PostgresClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, fleet: fleetRouteRef },
  externalRoutes: { newDatabase: newDatabaseRouteRef },
});

/**
 * Overview card of an entity's databases.
 *
 * @public
 */
export const EntityPostgresCard: (props: EntityPostgresProps) => JSX.Element =
  postgresPlugin.provide(
    createComponentExtension({
      name: 'EntityPostgresCard',
      component: {
        lazy: () =>
          import('./components/EntityPostgresCard').then(
            m => m.EntityPostgresCard,
          ),
      },
    }),
  );

/**
 * The "Databases" tab of an entity.
 *
 * @public
 */
export const EntityPostgresContent: (
  props: EntityPostgresProps,
) => JSX.Element = postgresPlugin.provide(
  createRoutableExtension({
    name: 'EntityPostgresContent',
    component: () =>
      import('./components/EntityPostgresContent').then(
        m => m.EntityPostgresContent,
      ),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The platform team's page of every database: verdict counts, filters, one row per database
 * linking to its entity. Mount it on a route of the app, e.g. `/databases`.
 *
 * @public
 */
export const PostgresFleetPage: () => JSX.Element = postgresPlugin.provide(
  createRoutableExtension({
    name: 'PostgresFleetPage',
    component: () =>
      import('./components/PostgresFleetPage').then(m => m.PostgresFleetPage),
    mountPoint: fleetRouteRef,
  }),
);

/**
 * The scaffolder field `PostgresGitopsRepositoryPicker`: the GitOps repositories the platform
 * team allows (`postgres.gitops.repositories`), checked as the actions check them. Register it
 * inside the app's `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const PostgresGitopsRepositoryPickerFieldExtension =
  postgresPlugin.provide(
    createScaffolderFieldExtension({
      name: 'PostgresGitopsRepositoryPicker',
      component: GitopsRepositoryPicker,
      validation: gitopsRepositoryValidation,
    }),
  );

/**
 * The scaffolder field `PostgresChoicePicker`: one of the platform's lists
 * (`ui:options.choices`: `sizes`, `versions` or `environments`) as the postgres backend serves
 * it from app-config, each option with what it means; a value not offered is refused before
 * "Next". Register it inside the app's `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const PostgresChoicePickerFieldExtension = postgresPlugin.provide(
  createScaffolderFieldExtension({
    name: 'PostgresChoicePicker',
    component: PostgresChoicePicker,
    validation: postgresChoiceValidation,
  }),
);

/**
 * The scaffolder field `PostgresNameField`: a name of the request (`ui:options.rule`: `name`,
 * `namespace`, `databaseName`, `databaseOwner` or `connectionSecretName`) checked as the user
 * types with the rules the actions run (lengths, reserved roles and databases); with
 * `ui:options.checkAvailability`, the claim name and the connection secret also say whether
 * they are free (the scaffolder module's `/postgres/v1/availability`). "Next" is blocked with
 * the message. Register it inside the app's `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const PostgresNameFieldExtension = postgresPlugin.provide(
  createScaffolderFieldExtension({
    name: 'PostgresNameField',
    component: PostgresNameField,
    validation: postgresNameValidation,
  }),
);

/**
 * The scaffolder field `PostgresStorageField`: the storage in GB, a whole number within the
 * platform's bounds (`postgres.storageGB`, served by the postgres backend), said as the user
 * types; "Next" is blocked with the message. Register it inside the app's
 * `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const PostgresStorageFieldExtension = postgresPlugin.provide(
  createScaffolderFieldExtension({
    name: 'PostgresStorageField',
    component: PostgresStorageField,
    validation: postgresStorageValidation,
  }),
);

/**
 * The scaffolder field `PostgresOpenChangeNotice` of the change template: says before "Next",
 * with its link, when the database the form names already has an open change request (the
 * change action refuses a second one), and blocks "Next". Register it inside the app's
 * `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const PostgresOpenChangeNoticeFieldExtension = postgresPlugin.provide(
  createScaffolderFieldExtension({
    name: 'PostgresOpenChangeNotice',
    component: PostgresOpenChangeNotice,
    validation: postgresOpenChangeValidation,
  }),
);

/**
 * The scaffolder field `PostgresReviewNames` of the shipped templates: nothing on the form;
 * the Review step lists the service by its catalog title, the GitOps repository by owner,
 * name and host, and the change by its title, where the form holds references. Register it
 * inside the app's `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const PostgresReviewNamesFieldExtension = postgresPlugin.provide(
  createScaffolderFieldExtension({
    name: 'PostgresReviewNames',
    component: PostgresReviewNames,
  }),
);

/**
 * The scaffolder field `PostgresPasswordField` of "New Postgres DB": a typed password goes to
 * the task's secrets only, as with Backstage's `Secret` field, in an outlined field with its
 * description like the template's other fields. Register it inside the app's
 * `<ScaffolderFieldExtensions>`.
 *
 * @public
 */
export const PostgresPasswordFieldExtension = postgresPlugin.provide(
  createScaffolderFieldExtension({
    name: 'PostgresPasswordField',
    component: PostgresPasswordField,
  }),
);
