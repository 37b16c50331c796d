import { screen } from '@testing-library/react';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  configApiRef,
  coreExtensionData,
  ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import postgresPlugin from './alpha';
import { postgresApiRef } from './api/PostgresApi';
import { fleetRouteRef, newDatabaseRouteRef } from './routes';

/** One of the plugin's extensions by id (the plugin's declared type names only its routes). */
const extension = (id: string) =>
  (
    postgresPlugin as unknown as {
      getExtension(id: string): ExtensionDefinition<any>;
    }
  ).getExtension(id);

const entity = (kind: string, type: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'x', namespace: 'default' },
  spec: { type },
});

describe('postgres plugin (new frontend system)', () => {
  it('offers "New database" as its external route newDatabase, for the app to bind', () => {
    expect(postgresPlugin.externalRoutes.newDatabase).toBe(newDatabaseRouteRef);
  });

  it.each([
    'entity-card:postgres/databases',
    'entity-content:postgres/databases',
  ])('%s shows on the kinds app-config names', id => {
    const byDefault = createExtensionTester(extension(id)).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    ) as (e: Entity) => boolean;
    expect(byDefault(entity('Component', 'service'))).toBe(true);
    expect(byDefault(entity('Resource', 'database'))).toBe(true);
    expect(byDefault(entity('Component', 'website'))).toBe(false);

    const configured = createExtensionTester(extension(id), {
      apis: [
        [
          configApiRef,
          mockApis.config({
            data: {
              postgres: { entityPage: { show: [{ kind: 'Component' }] } },
            },
          }),
        ],
      ],
    }).get(EntityCardBlueprint.dataRefs.filterFunction) as (
      e: Entity,
    ) => boolean;
    expect(configured(entity('Component', 'website'))).toBe(true);
    expect(configured(entity('Resource', 'database'))).toBe(false);
  });

  it('mounts the fleet page at /databases, in the nav as "Databases"', async () => {
    const tester = createExtensionTester(extension('page:postgres'));
    expect(tester.get(coreExtensionData.routePath)).toBe('/databases');
    expect(tester.get(coreExtensionData.routeRef)).toBe(fleetRouteRef);
    expect(tester.get(coreExtensionData.title)).toBe('Databases');
    await renderInTestApp(tester.reactElement(), {
      apis: [
        [
          postgresApiRef,
          {
            getFleet: async () => ({ items: [], errors: [] }),
            getEntityDatabases: jest.fn(),
            getPolicy: jest.fn(),
          },
        ],
        [
          permissionApiRef,
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
        ],
      ],
    });
    // the page is loaded lazily: on a busy 2-core machine that took more than findBy's 1 s
    expect(
      await screen.findByText('No PostgreSQL databases yet', undefined, {
        timeout: 15_000,
      }),
    ).toBeInTheDocument();
  }, 30_000);

  it.each([
    ['gitops-repository-picker', 'PostgresGitopsRepositoryPicker'],
    ['choice-picker', 'PostgresChoicePicker'],
    ['name-field', 'PostgresNameField'],
    ['storage-field', 'PostgresStorageField'],
    ['open-change-notice', 'PostgresOpenChangeNotice'],
  ])(
    'offers the template form field scaffolder-form-field:postgres/%s (%s), with its validation',
    async (id, name) => {
      const tester = createExtensionTester(
        extension(`scaffolder-form-field:postgres/${id}`),
      );
      const load = tester.get(
        FormFieldBlueprint.dataRefs.formFieldLoader,
      ) as () => Promise<unknown>;
      const field = await load();
      // createFormField's value is opaque to the app; the scaffolder reads these from it
      expect(field).toMatchObject({
        name,
        component: expect.any(Function),
        validation: expect.any(Function),
      });
    },
  );
});
