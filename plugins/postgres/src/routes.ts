import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/core-plugin-api';

/** The route of the entity's "Databases" tab. */
export const rootRouteRef = createRouteRef({ id: 'postgres' });

/** The platform team's page of every database. */
export const fleetRouteRef = createRouteRef({ id: 'postgres-fleet' });

/**
 * Where "New database" goes: the scaffolder's page of one template, bound by the app
 * (`postgres.newDatabase` → `scaffolder.selectedTemplate`). Unbound, the button is not shown.
 */
export const newDatabaseRouteRef = createExternalRouteRef({
  id: 'postgres-new-database',
  optional: true,
  params: ['namespace', 'templateName'],
  defaultTarget: 'scaffolder.selectedTemplate',
});
