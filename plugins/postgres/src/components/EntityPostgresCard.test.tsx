import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { newDatabaseRouteRef } from '../routes';
import type { DatabasesResponse } from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';
import { EntityPostgresCard } from './EntityPostgresCard';
import { exampleItems } from '../__testUtils__/examples';
import { errorResponse } from '../__testUtils__/errorResponse';

const componentNamed = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: {},
});

const authorized: string[] = [];

function render(
  api: Partial<PostgresApi>,
  {
    mayCreate = false,
    bound = true,
    // the permission hook caches answers per permission and resource: one entity per answer
    entity = componentNamed('agent-executor'),
  } = {},
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [postgresApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: request => {
              authorized.push(
                (request as { resourceRef?: string }).resourceRef ?? '',
              );
              return mayCreate ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
            },
          }),
        ],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityPostgresCard refreshMs={0} />
      </EntityProvider>
    </TestApiProvider>,
    bound
      ? {
          mountedRoutes: {
            '/create/templates/:namespace/:templateName': newDatabaseRouteRef,
          },
        }
      : {},
  );
}

const respond = (response: DatabasesResponse) => ({
  getEntityDatabases: jest.fn().mockResolvedValue(response),
});

describe('EntityPostgresCard', () => {
  const items = exampleItems();

  it.each([
    ['01', 'Healthy', 'agent-executor-db'],
    ['02', 'Healthy', 'agent-executor-db'],
    ['03', 'Progressing', 'CNPG cluster: Setting up primary'],
    [
      '04',
      'Failed',
      'ExternalSecret: ExternalSecret intelligence-deepagents/agent-executor-db-credentials: could not get secret data from provider',
    ],
    [
      '05',
      'Failed',
      "Credentials secret: The secret's username 'agent-executor' differs from the database owner 'agent_executor'",
    ],
  ])('example %s shows %s and the failing hop', async (id, verdict, hop) => {
    const api = respond({ items: [items[id]], errors: [] });
    await render(api);
    const table = await screen.findByRole('table', {
      name: 'PostgreSQL databases',
    });
    expect(table).toHaveTextContent('agent-executor-db');
    expect(table).toHaveTextContent(verdict);
    expect(table).toHaveTextContent('medium');
    expect(table).toHaveTextContent('16');
    expect(table).toHaveTextContent(hop);
    expect(api.getEntityDatabases).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'agent-executor',
    });
  });

  it('shows ready/total instances', async () => {
    await render(respond({ items: [items['01']], errors: [] }));
    expect(
      await screen.findByRole('cell', { name: '1/1' }),
    ).toBeInTheDocument();
  });

  it('shows per-cluster errors as warnings next to the databases that answered', async () => {
    await render(
      respond({
        items: [items['01']],
        errors: [
          {
            cluster: 'cluster-b',
            message: 'cluster cluster-b did not answer within 5000 ms',
          },
        ],
      }),
    );
    expect(
      await screen.findByText(/did not answer within 5000 ms/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'PostgreSQL databases' }),
    ).toHaveTextContent('Healthy');
  });

  it('explains how to link databases when there are none', async () => {
    await render(respond({ items: [], errors: [] }));
    expect(
      await screen.findByText('No PostgreSQL databases found'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/backstage.io\/kubernetes-id: agent-executor/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/bizmatters.io\/postgres-instances/),
    ).toBeInTheDocument();
  });

  it('tells a caller who may not read the databases who may, not a raw error', async () => {
    const error = await errorResponse(
      403,
      'NotAllowedError',
      'Not allowed: postgres.database.read',
    );
    await render({ getEntityDatabases: jest.fn().mockRejectedValue(error) });
    expect(
      await screen.findByText('You may not see these databases'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Only the owners of/)).toBeInTheDocument();
    expect(screen.queryByText(/postgres.database.read/)).toBeNull();
  });

  it('shows any other API error', async () => {
    const error = await errorResponse(
      503,
      'ServiceUnavailableError',
      'The catalog did not answer',
    );
    await render({ getEntityDatabases: jest.fn().mockRejectedValue(error) });
    expect(
      (await screen.findAllByText(/The catalog did not answer/)).length,
    ).toBeGreaterThan(0);
  });

  it('offers "New database" through the app\'s route binding, with the component filled in', async () => {
    await render(respond({ items: [items['01']], errors: [] }), {
      mayCreate: true,
      entity: componentNamed('orders'),
    });
    const button = await screen.findByRole('button', { name: 'New database' });
    expect(decodeURIComponent(button.getAttribute('href')!)).toBe(
      '/create/templates/default/new-postgres-db?formData={"component":"component:default/orders"}',
    );
  });

  it('offers no "New database" when the app binds the route nowhere', async () => {
    await render(respond({ items: [items['01']], errors: [] }), {
      mayCreate: true,
      bound: false,
      entity: componentNamed('inventory'),
    });
    await screen.findByRole('table', { name: 'PostgreSQL databases' });
    // (the permission was asked and granted: only the missing binding hides the button)
    await waitFor(() =>
      expect(authorized).toContain('component:default/inventory'),
    );
    expect(screen.queryByRole('button', { name: 'New database' })).toBeNull();
  });

  it('refreshes on demand', async () => {
    const api = respond({ items: [items['01']], errors: [] });
    await render(api);
    await screen.findByRole('table', { name: 'PostgreSQL databases' });
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() =>
      expect(api.getEntityDatabases).toHaveBeenCalledTimes(2),
    );
  });
});
