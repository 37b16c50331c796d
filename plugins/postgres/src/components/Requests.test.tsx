import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type {
  DatabaseRequestStatus,
  DatabasesResponse,
} from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';
import { EntityPostgresContent } from './EntityPostgresContent';
import { EntityPostgresCard } from './EntityPostgresCard';
import { exampleItems } from '../__testUtils__/examples';

const PR = 'http://forge.example/platform/gitops/pull';

function request(
  overrides: Partial<DatabaseRequestStatus> & { id: string; name: string },
): DatabaseRequestStatus {
  return {
    namespace: 'orders',
    requestedBy: 'user:default/alice',
    phase: 'requested',
    pullRequest: { number: 7, url: `${PR}/7`, state: 'open' },
    timeline: { requestedAt: '2026-11-29T10:00:00Z' },
    ...overrides,
  };
}

const REQUESTED = request({ id: 'r1', name: 'orders-db' });
const MERGED = request({
  id: 'r2',
  name: 'orders-reports',
  phase: 'merged',
  pullRequest: { number: 8, url: `${PR}/8`, state: 'merged' },
  timeline: {
    requestedAt: '2026-11-29T10:00:00Z',
    mergedAt: '2026-11-29T10:02:00Z',
  },
});
const ABANDONED = request({
  id: 'r3',
  name: 'orders-old',
  phase: 'abandoned',
  pullRequest: { number: 9, url: `${PR}/9`, state: 'closed' },
  timeline: {
    requestedAt: '2026-11-29T10:00:00Z',
    closedAt: '2026-11-29T10:01:00Z',
  },
});

function answer(): DatabasesResponse {
  const healthy = exampleItems()['01'];
  return {
    items: [
      {
        ...healthy,
        request: request({
          id: 'r0',
          name: healthy.name,
          phase: 'healthy',
          pullRequest: { number: 3, url: `${PR}/3`, state: 'merged' },
          timeline: {
            requestedAt: '2026-11-29T10:00:00Z',
            mergedAt: '2026-11-29T10:01:00Z',
            claimSeenAt: '2026-11-29T10:02:00Z',
            healthyAt: '2026-11-29T10:03:20Z',
          },
          timeToHealthySeconds: 200,
        }),
      },
    ],
    errors: [],
    requests: [REQUESTED, MERGED, ABANDONED],
  };
}

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders', namespace: 'default' },
  spec: {},
};

async function render(
  view: 'tab' | 'card',
  options: {
    mayCreate?: boolean;
    name?: string;
    answer?: DatabasesResponse;
  } = {},
) {
  let current = options.answer ?? answer();
  const api: PostgresApi = {
    getEntityDatabases: jest.fn(async () => current),
    getFleet: async () => ({ items: [], errors: [] }),
    getPolicy: async () => {
      throw new Error('unused');
    },
    checkAvailability: async () => {
      throw new Error('unused');
    },
    dismissRequest: jest.fn(async (_entity, id) => {
      current = {
        ...current,
        requests: current.requests!.filter(r => r.id !== id),
      };
    }),
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [
          permissionApiRef,
          mockApis.permission({
            authorize: () =>
              options.mayCreate === false
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          }),
        ],
        [postgresApiRef, api],
      ]}
    >
      <EntityProvider
        entity={{
          ...entity,
          metadata: { ...entity.metadata, name: options.name ?? 'orders' },
        }}
      >
        {view === 'tab' ? (
          <EntityPostgresContent refreshMs={0} />
        ) : (
          <EntityPostgresCard refreshMs={0} />
        )}
      </EntityProvider>
    </TestApiProvider>,
  );
  return api;
}

describe('requests on the Databases tab', () => {
  it('shows each request with its phase, pull request link, who and when', async () => {
    await render('tab');
    const list = await screen.findByRole('list', {
      name: 'Requested databases',
    });
    const rows = within(list).getAllByRole('listitem');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('orders-db');
    expect(rows[0]).toHaveTextContent('Requested — pull request #7 open');
    expect(rows[0]).toHaveTextContent('Requested by alice');
    expect(
      within(rows[0]).getByRole('link', { name: /^Pull request #7/ }),
    ).toHaveAttribute('href', `${PR}/7`);
    expect(rows[1]).toHaveTextContent('Merged — waiting for Argo CD');
    expect(rows[1]).toHaveTextContent(
      `merged ${new Date('2026-11-29T10:02:00Z').toLocaleString()}`,
    );
    expect(rows[2]).toHaveTextContent(
      'Abandoned — pull request #9 closed without merge',
    );
    // requests are not "no databases"
    expect(screen.queryByText('No PostgreSQL databases found')).toBeNull();
  });

  it('shows the request of a database in a cluster, with its time to healthy', async () => {
    await render('tab', { name: 'orders-2' });
    const line = await screen.findByLabelText(/^Request of /);
    expect(line).toHaveTextContent('Pull request #3');
    expect(line).toHaveTextContent('time to healthy 3 min 20 s');
  });

  it('dismisses an abandoned request, and only that one, then reads the tab again', async () => {
    const api = await render('tab', { name: 'orders-3' });
    const list = await screen.findByRole('list', {
      name: 'Requested databases',
    });
    expect(
      within(list).getAllByRole('button', { name: /Dismiss/ }),
    ).toHaveLength(1);
    await userEvent.click(
      within(list).getByRole('button', {
        name: 'Dismiss the request for orders-old',
      }),
    );
    expect(api.dismissRequest).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'orders-3' },
      'r3',
    );
    await screen.findByText(/Merged — waiting for Argo CD/);
    expect(screen.queryByText(/Abandoned/)).toBeNull();
    expect(api.getEntityDatabases).toHaveBeenCalledTimes(2);
  });

  it('offers no Dismiss to those who may not create a database for the entity', async () => {
    await render('tab', { mayCreate: false, name: 'orders-4' });
    await screen.findByText(/Abandoned — pull request #9/);
    expect(screen.queryByRole('button', { name: /Dismiss/ })).toBeNull();
  });
});

describe('requests on the overview card', () => {
  it('lists them above the databases, with their pull request links', async () => {
    await render('card', { name: 'orders-5' });
    const table = await screen.findByRole('table', {
      name: 'Requested databases',
    });
    expect(table).toHaveTextContent('Requested — pull request #7 open');
    expect(table).toHaveTextContent('Merged — waiting for Argo CD');
    expect(
      within(table).getByRole('link', { name: /^Pull request #8/ }),
    ).toHaveAttribute('href', `${PR}/8`);
    const databases = screen.getByRole('table', {
      name: 'PostgreSQL databases',
    });
    expect(databases).toHaveTextContent('time to healthy 3 min 20 s');
  });
});

describe("a database's life on the tab and the card", () => {
  const healthy = exampleItems()['01'];
  const change = (
    id: string,
    number: number,
    state: 'open' | 'merged' | 'closed',
    title: string,
    operation: 'change' | 'decommission' = 'change',
  ) => ({
    id,
    operation,
    title,
    pullRequest: { number, url: `${PR}/${number}`, state },
    requestedBy: 'user:default/bob',
    requestedAt: '2026-12-01T10:00:00Z',
    ...(state === 'merged' ? { mergedAt: '2026-12-01T11:00:00Z' } : {}),
    ...(state === 'closed' ? { closedAt: '2026-12-01T12:00:00Z' } : {}),
  });
  const created = {
    id: 'life',
    name: healthy.name,
    pullRequest: { number: 3, url: `${PR}/3`, state: 'merged' as const },
    timeline: {
      requestedAt: '2026-11-29T10:00:00Z',
      mergedAt: '2026-11-29T10:01:00Z',
      claimSeenAt: '2026-11-29T10:02:00Z',
      healthyAt: '2026-11-29T10:03:20Z',
    },
    timeToHealthySeconds: 200,
  };
  const changing: DatabasesResponse = {
    items: [
      {
        ...healthy,
        request: request({
          ...created,
          phase: 'changing',
          changes: [
            change('c1', 11, 'closed', 'Upgrade PostgreSQL from 16 to 17'),
            change('c2', 12, 'open', 'Grow storage from 20 GB to 30 GB'),
          ],
        }),
      },
    ],
    errors: [],
  };
  const decommissioned: DatabasesResponse = {
    items: [],
    errors: [],
    requests: [
      request({
        ...created,
        phase: 'decommissioned',
        timeline: {
          ...created.timeline,
          decommissionedAt: '2026-12-02T10:00:00Z',
        },
        decommissionedBy: 'user:default/bob',
        changes: [change('c3', 13, 'merged', 'Decommission', 'decommission')],
      }),
      REQUESTED,
    ],
  };

  it('the tab says a change is open, and lists each change: what, its pull request, state, who', async () => {
    await render('tab', { name: 'life-1', answer: changing });
    const line = await screen.findByLabelText(/^Request of /);
    expect(line).toHaveTextContent('Change requested — pull request #12 open');
    const changes = within(line).getByLabelText(/^Changes of /);
    expect(changes).toHaveTextContent(
      /Upgrade PostgreSQL from 16 to 17 — pull request #11(, Opens in a new window)? closed without merge/,
    );
    expect(changes).toHaveTextContent(
      /Grow storage from 20 GB to 30 GB — pull request #12(, Opens in a new window)? open · by bob/,
    );
    expect(
      within(changes).getByRole('link', { name: /^pull request #12/ }),
    ).toHaveAttribute('href', `${PR}/12`);
  });

  it('the card says the same', async () => {
    await render('card', { name: 'life-2', answer: changing });
    const databases = await screen.findByRole('table', {
      name: 'PostgreSQL databases',
    });
    expect(databases).toHaveTextContent(
      'Change requested — pull request #12 open',
    );
    expect(databases).toHaveTextContent(
      /Grow storage from 20 GB to 30 GB — pull request #12(, Opens in a new window)? open/,
    );
  });

  it('a decommissioned database is listed apart, when and by whom, never Healthy; it can be dismissed', async () => {
    await render('tab', { name: 'life-3', answer: decommissioned });
    const gone = await screen.findByRole('list', {
      name: 'Decommissioned databases',
    });
    expect(gone).toHaveTextContent('Decommissioned');
    expect(gone).toHaveTextContent(
      `decommissioned ${new Date(
        '2026-12-02T10:00:00Z',
      ).toLocaleString()} by bob`,
    );
    expect(gone).not.toHaveTextContent('Healthy');
    expect(
      within(gone).getByRole('button', {
        name: `Dismiss the record for ${healthy.name}`,
      }),
    ).toBeInTheDocument();
    const requested = screen.getByRole('list', { name: 'Requested databases' });
    expect(within(requested).getAllByRole('listitem')).toHaveLength(1);
  });

  it('the card lists a decommissioned database apart too', async () => {
    await render('card', { name: 'life-5', answer: decommissioned });
    const gone = await screen.findByRole('table', {
      name: 'Decommissioned databases',
    });
    expect(gone).toHaveTextContent(`${healthy.name}`);
    expect(gone).toHaveTextContent(/decommissioned .* by bob/);
    expect(
      screen.getByRole('table', { name: 'Requested databases' }),
    ).not.toHaveTextContent('Decommissioned');
  });

  it('a decommission closed without merge says the database stays as it was', async () => {
    const note =
      'The decommission request #14 was closed without merge: the database stays as it was.';
    await render('tab', {
      name: 'life-4',
      answer: {
        items: [
          {
            ...healthy,
            request: request({
              ...created,
              phase: 'healthy',
              changes: [
                change('c4', 14, 'closed', 'Decommission', 'decommission'),
              ],
              note,
            }),
          },
        ],
        errors: [],
      },
    });
    const line = await screen.findByLabelText(/^Request of /);
    expect(within(line).getByRole('note')).toHaveTextContent(note);
  });
});
