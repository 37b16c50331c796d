import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import { SecretsContextProvider } from '@backstage/plugin-scaffolder-react';
import { OpenChangesResponse } from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';
import { changeTemplateSteps } from '../__testUtils__/template';
import {
  PostgresOpenChangeNotice,
  postgresOpenChangeValidation,
} from './OpenChangeNotice';

const PR = 'http://forge.example/platform/gitops/pull';
const TODAY = {
  component: 'component:default/orders',
  namespace: 'orders',
  name: 'orders-db',
};

describe("the change form says, before Next, when the database's change request is open", () => {
  jest.setTimeout(20_000);
  const { Database: databaseStep } = changeTemplateSteps();

  /** The real "Database" step's notice field, with the database named as the tab names it. */
  async function renderNotice(open: OpenChangesResponse['items']) {
    const api = {
      getEntityDatabases: async () => ({ items: [], errors: [] }),
      getFleet: async () => ({ items: [], errors: [] }),
      getPolicy: async () => {
        throw new Error('unused');
      },
      dismissRequest: async () => {},
      checkAvailability: async () => {
        throw new Error('unused');
      },
      getOpenChanges: jest.fn(async () => ({ items: open })),
    } satisfies PostgresApi;
    await renderInTestApp(
      <TestApiProvider apis={[[postgresApiRef, api]]}>
        <SecretsContextProvider>
          <Stepper
            manifest={{
              title: 'Change Postgres DB',
              steps: [
                {
                  title: 'Database',
                  schema: {
                    type: 'object',
                    properties: {
                      openChange: databaseStep.properties.openChange,
                    },
                  },
                },
              ],
            }}
            extensions={[
              {
                name: 'PostgresOpenChangeNotice',
                component: PostgresOpenChangeNotice,
                validation: postgresOpenChangeValidation,
              },
            ]}
            initialState={TODAY}
            onCreate={async () => {}}
          />
        </SecretsContextProvider>
      </TestApiProvider>,
    );
    return api;
  }

  it('an open change request: said with its link, and "Next" is blocked with the reason', async () => {
    const api = await renderNotice([
      {
        number: 12,
        url: `${PR}/12`,
        title: 'Grow storage of orders/orders-db from 20 GB to 30 GB',
      },
    ]);
    expect(
      await screen.findByText(
        /orders\/orders-db already has an open change request$/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /^Pull request #12/ }),
    ).toHaveAttribute('href', `${PR}/12`);
    expect(api.getOpenChanges).toHaveBeenCalledWith(
      { kind: 'component', namespace: 'default', name: 'orders' },
      { namespace: 'orders', name: 'orders-db' },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await waitFor(() =>
      expect(
        document.getElementById('root_openChange__error'),
      ).toHaveTextContent(
        `orders/orders-db already has an open change request: #12 ${PR}/12. Merge or close it first`,
      ),
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
  });

  it('none open: nothing is said, and "Next" goes on', async () => {
    await renderNotice([]);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Review' }),
    );
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/already has an open change request/)).toBeNull();
  });
});
