import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { parse } from 'yaml';
import { applicationEnv } from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';
import { EntityPostgresContent } from './EntityPostgresContent';
import { exampleItems } from '../__testUtils__/examples';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'agent-executor', namespace: 'default' },
  spec: {},
};

async function render(ids: string[]) {
  const items = exampleItems();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [
          postgresApiRef,
          {
            getEntityDatabases: async () => ({
              items: ids.map(i => items[i]),
              errors: [],
            }),
          },
        ],
      ]}
    >
      <EntityProvider entity={entity}>
        <EntityPostgresContent refreshMs={0} />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityPostgresContent', () => {
  it('shows the five hops with status, reason, message and hint; marks the failing one', async () => {
    await render(['05']);
    const steps = await screen.findByRole('list', {
      name: 'Health of agent-executor-db',
    });
    const rows = within(steps).getAllByRole('listitem');
    expect(
      rows.map(r => r.textContent?.split(/OK|Error|Pending|Unknown/)[0].trim()),
    ).toEqual([
      '1. ExternalSecret',
      '2. Credentials secret',
      '3. PostgresInstance claim',
      '4. CNPG cluster',
      '5. Connection secret',
    ]);
    expect(rows[1]).toHaveAttribute('aria-current', 'step');
    expect(rows[1]).toHaveTextContent('OwnerMismatch');
    expect(rows[1]).toHaveTextContent('What to do:');
    expect(rows[1]).toHaveTextContent(
      '/zerotouch/prod/agent-executor/postgres/user',
    );
    expect(rows[3]).toHaveTextContent('Cluster in healthy state');
  });

  it('shows the claim, CNPG status and the connection secret key names', async () => {
    await render(['01']);
    expect(
      await screen.findByText('Cluster in healthy state'),
    ).toBeInTheDocument();
    expect(screen.getByText('agent-executor-db-1')).toBeInTheDocument();
    expect(
      screen.getByText('ghcr.io/cloudnative-pg/postgresql:16'),
    ).toBeInTheDocument();
    expect(screen.getByText('20 GB')).toBeInTheDocument();
    expect(
      screen.getByText('Keys: database, endpoint, password, port, username'),
    ).toBeInTheDocument();
  });

  it('copies the env block that wires the app to the connection secret', async () => {
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.defineProperty(window.navigator, 'clipboard', {
      value: { writeText },
      configurable: true,
    });
    await render(['01']);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Copy env block' }),
    );
    expect(writeText).toHaveBeenCalledTimes(1);
    expect(parse(writeText.mock.calls[0][0])).toEqual({
      env: applicationEnv('agent-executor-postgres'),
    });
    expect(await screen.findByText('Copied')).toBeInTheDocument();
  });

  it('links to the template for a new database', async () => {
    await render([]);
    // MUI gives the anchor-styled button role="button"; it is still a link with an href
    expect(
      await screen.findByRole('button', { name: 'New database' }),
    ).toHaveAttribute('href', '/create/templates/default/new-postgres-db');
  });
});
