import { screen } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Route, Routes } from 'react-router-dom';
import { PostgresFleetPage, postgresPlugin } from './plugin';
import { postgresApiRef } from './api/PostgresApi';
import { fleetRouteRef, newDatabaseRouteRef, rootRouteRef } from './routes';

describe('postgres plugin (classic app)', () => {
  it('names its routes and the external route an app binds for "New database"', () => {
    expect(postgresPlugin.routes).toEqual({
      root: rootRouteRef,
      fleet: fleetRouteRef,
    });
    expect(postgresPlugin.externalRoutes).toEqual({
      newDatabase: newDatabaseRouteRef,
    });
  });

  it('renders PostgresFleetPage where the app mounts it', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            postgresApiRef,
            { getFleet: async () => ({ items: [], errors: [] }) },
          ],
          [
            permissionApiRef,
            mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
          ],
        ]}
      >
        <Routes>
          <Route path="/databases" element={<PostgresFleetPage />} />
        </Routes>
      </TestApiProvider>,
      { routeEntries: ['/databases'] },
    );
    expect(
      await screen.findByText('No PostgreSQL databases yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Databases' }),
    ).toBeInTheDocument();
  });
});
