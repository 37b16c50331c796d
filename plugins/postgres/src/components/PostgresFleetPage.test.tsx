import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  DatabaseItem,
  DatabaseRequestStatus,
  DatabasesResponse,
  Verdict,
} from '@bizmatters/plugin-postgres-common';
import { databaseResourceName } from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';
import { PostgresFleetPage } from './PostgresFleetPage';
import { exampleItems } from '../__testUtils__/examples';
import { errorResponse } from '../__testUtils__/errorResponse';

const examples = exampleItems();

/** One example item as another database: its name, cluster, namespace, owner, entity, version. */
function database(
  example: string,
  fields: Partial<
    Pick<
      DatabaseItem,
      'name' | 'cluster' | 'namespace' | 'owner' | 'entityRef'
    > & { version: string }
  >,
): DatabaseItem {
  const base = examples[example];
  const { version, ...rest } = fields;
  return {
    ...base,
    ...rest,
    spec: { ...base.spec, ...(version ? { version } : {}) },
  };
}

// 01 healthy, 03 progressing, 05 failed, hibernated degraded
const fleet: DatabasesResponse = {
  items: [
    database('01', {
      name: 'agent-executor-db',
      cluster: 'sandbox-a',
      namespace: 'databases',
      owner: 'group:default/team-agents',
      entityRef: 'component:default/agent-executor',
    }),
    database('05', {
      name: 'billing-db',
      cluster: 'sandbox-a',
      namespace: 'billing',
      owner: 'group:default/team-agents',
      entityRef: 'component:default/billing',
      version: '17',
    }),
    database('03', {
      name: 'orders-db',
      cluster: 'sandbox-b',
      namespace: 'orders',
      owner: 'group:default/team-orders',
      entityRef: 'component:default/orders',
    }),
    database('hibernated', {
      name: 'inventory-db',
      cluster: 'sandbox-b',
      namespace: 'inventory',
      owner: 'group:default/team-agents',
      entityRef: 'component:default/inventory',
    }),
    database('01', {
      name: 'legacy-db',
      cluster: 'sandbox-b',
      namespace: 'legacy',
    }),
  ],
  errors: [],
};

/** An open request of `entityRef`, in `phase`, by `user`. */
function pending(
  name: string,
  entityRef: string,
  phase: 'requested' | 'merged' | 'abandoned',
  number: number,
): DatabaseRequestStatus {
  return {
    id: `id-${name}`,
    namespace: name.replace(/-db$/, ''),
    name,
    entityRef,
    pullRequest: {
      number,
      url: `https://forge.example/platform/gitops/pull/${number}`,
      state: { requested: 'open', merged: 'merged', abandoned: 'closed' }[
        phase
      ] as DatabaseRequestStatus['pullRequest']['state'],
    },
    requestedBy: 'user:default/alice',
    phase,
    timeline: {
      requestedAt: '2026-11-29T10:00:00Z',
      ...(phase === 'merged' ? { mergedAt: '2026-11-29T11:00:00Z' } : {}),
      ...(phase === 'abandoned' ? { closedAt: '2026-11-29T11:00:00Z' } : {}),
    },
  };
}

const withRequests: DatabasesResponse = {
  ...fleet,
  requests: [
    pending('search-db', 'component:default/search', 'requested', 7),
    pending('reports-db', 'component:default/reports', 'merged', 8),
    pending('old-db', 'component:default/old', 'abandoned', 9),
  ],
};

/** The names of the open requests the page lists. */
function requestNames() {
  const list = screen.queryByRole('list', { name: /Requested databases/ });
  if (!list) return [];
  return within(list)
    .getAllByRole('listitem')
    .map(item => item.querySelector('h6')?.textContent);
}

async function render(api: Partial<PostgresApi>, { fleetReader = true } = {}) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [postgresApiRef, api],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: fleetReader
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          }),
        ],
      ]}
    >
      <PostgresFleetPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

const respond = (response: DatabasesResponse) => ({
  getFleet: jest.fn().mockResolvedValue(response),
});

/** The count the page shows for a verdict. */
function count(label: string) {
  const group = screen.getByRole('group', { name: 'Databases by verdict' });
  const button = within(group).getByRole('button', {
    name: new RegExp(`^\\d+ ${label}$`),
  });
  return Number(button.getAttribute('aria-label')!.split(' ')[0]);
}

/** The database names in the table's body, in order (not the header's or footer's rows). */
function names() {
  const [, body] = screen.getAllByRole('rowgroup');
  return within(body)
    .queryAllByRole('row')
    .map(row => within(row).queryAllByRole('cell')[0]?.querySelector('p'))
    .flatMap(name => (name?.textContent ? [name.textContent] : []));
}

/** Types `text` into the search box. */
async function search(text: string) {
  await userEvent.type(screen.getByRole('textbox', { name: 'Search' }), text);
}

async function choose(label: string, option: string) {
  await userEvent.click(screen.getByRole('button', { name: label }));
  await userEvent.click(
    within(screen.getByRole('listbox')).getByRole('option', { name: option }),
  );
}

describe('PostgresFleetPage', () => {
  // rendering and typing into a full page takes 1–4 s here, more on a busy 2-core CI machine
  jest.setTimeout(20_000);

  it('counts every verdict and lists every database, each linked to its Resource and its component', async () => {
    await render(respond(fleet));
    await screen.findByText('5 of 5 databases');
    const expected: Record<string, number> = {
      Healthy: 2,
      Progressing: 1,
      Degraded: 1,
      Failed: 1,
      Unknown: 0,
    };
    for (const [label, n] of Object.entries(expected))
      expect(count(label)).toBe(n);
    expect(names()).toEqual([
      'agent-executor-db',
      'billing-db',
      'orders-db',
      'inventory-db',
      'legacy-db',
    ]);
    // the database's own Resource entity, its opaque name computed from cluster, namespace
    // and name
    expect(screen.getByRole('link', { name: 'billing-db' })).toHaveAttribute(
      'href',
      `/catalog/default/resource/${databaseResourceName({
        cluster: 'sandbox-a',
        namespace: 'billing',
        name: 'billing-db',
      })}`,
    );
    // the component the claim names, as a second link
    expect(screen.getByRole('link', { name: 'billing' })).toHaveAttribute(
      'href',
      '/catalog/default/component/billing',
    );
    // a claim naming no component still has its Resource
    expect(screen.getByRole('link', { name: 'legacy-db' })).toHaveAttribute(
      'href',
      `/catalog/default/resource/${databaseResourceName({
        cluster: 'sandbox-b',
        namespace: 'legacy',
        name: 'legacy-db',
      })}`,
    );
    // a claim naming no entity says so instead of linking anywhere
    const legacy = screen.getByRole('row', { name: /legacy-db/ });
    expect(legacy).toHaveTextContent('names no entity');
    // the failing hop of the failed one, in its row
    expect(screen.getByRole('row', { name: /billing-db/ })).toHaveTextContent(
      /Credentials secret: The secret's username/,
    );
  });

  it('lists the open requests with their phase, pull request, who and when, counted apart', async () => {
    await render(respond(withRequests));
    await screen.findByText('5 of 5 databases');
    expect(screen.getByLabelText('3 Requested')).toBeInTheDocument();
    // the databases' counts are as without requests
    expect(count('Healthy')).toBe(2);
    expect(requestNames()).toEqual(['search-db', 'reports-db', 'old-db']);
    const list = screen.getByRole('list', { name: /Requested databases/ });
    const [requested, reports, old] = within(list).getAllByRole('listitem');
    expect(requested).toHaveTextContent('Requested — pull request #7 open');
    expect(
      within(requested).getByRole('link', { name: /^Pull request #7/ }),
    ).toHaveAttribute('href', 'https://forge.example/platform/gitops/pull/7');
    expect(
      within(requested).getByRole('link', { name: 'search' }),
    ).toHaveAttribute('href', '/catalog/default/component/search');
    expect(requested).toHaveTextContent(/Requested by alice/);
    expect(reports).toHaveTextContent('Merged — waiting for Argo CD');
    expect(reports).toHaveTextContent(/merged /);
    expect(old).toHaveTextContent(
      'Abandoned — pull request #9 closed without merge',
    );
  });

  it('lists decommissioned databases apart, when and by whom, never as requested or healthy', async () => {
    const gone: DatabaseRequestStatus = {
      ...pending('gone-db', 'component:default/search', 'requested', 11),
      phase: 'decommissioned',
      timeline: {
        requestedAt: '2026-11-29T10:00:00Z',
        healthyAt: '2026-11-29T10:05:00Z',
        decommissionedAt: '2026-12-02T10:00:00Z',
      },
      decommissionedBy: 'user:default/bob',
    };
    await render(
      respond({ ...withRequests, requests: [...withRequests.requests!, gone] }),
    );
    await screen.findByText('5 of 5 databases');
    expect(screen.getByLabelText('3 Requested')).toBeInTheDocument();
    expect(requestNames()).toEqual(['search-db', 'reports-db', 'old-db']);
    const list = screen.getByRole('list', { name: /Decommissioned databases/ });
    const [item] = within(list).getAllByRole('listitem');
    expect(item).toHaveTextContent('gone-db');
    expect(item).toHaveTextContent('Decommissioned');
    expect(item).toHaveTextContent(
      `decommissioned ${new Date(
        '2026-12-02T10:00:00Z',
      ).toLocaleString()} by bob`,
    );
    expect(item).not.toHaveTextContent('Healthy');
  });

  it('filters the open requests by text and namespace; a filter they cannot meet hides them', async () => {
    await render(respond(withRequests));
    await screen.findByText('5 of 5 databases');
    await search('reports');
    expect(requestNames()).toEqual(['reports-db']);
    expect(screen.getByLabelText('1 Requested')).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    expect(requestNames()).toHaveLength(3);
    // a request has no cluster yet
    await choose('Cluster All', 'sandbox-a');
    expect(requestNames()).toEqual([]);
    expect(screen.getByLabelText('0 Requested')).toBeInTheDocument();
  });

  it('offers the namespace of a request that has no database yet, and filters the requests by it', async () => {
    await render(respond(withRequests));
    await screen.findByText('5 of 5 databases');
    // search-db is requested in namespace "search", where no database is yet
    expect(fleet.items.map(i => i.namespace)).not.toContain('search');
    await choose('Namespace All', 'search');
    expect(requestNames()).toEqual(['search-db']);
    expect(screen.getByLabelText('1 Requested')).toBeInTheDocument();
    expect(screen.getByText('0 of 5 databases')).toBeInTheDocument();
    // a namespace with databases and no request: its databases, no request
    await choose('Namespace search', 'billing');
    expect(names()).toEqual(['billing-db']);
    expect(requestNames()).toEqual([]);
    // the namespace filter and the text together
    await choose('Namespace billing', 'reports');
    expect(requestNames()).toEqual(['reports-db']);
    await search('search');
    expect(requestNames()).toEqual([]);
  });

  it('shows the open requests when no database is in a cluster yet', async () => {
    await render(
      respond({
        items: [],
        errors: [],
        requests: [
          pending('search-db', 'component:default/search', 'requested', 7),
        ],
      }),
    );
    expect(
      await screen.findByText('Requested databases (1)'),
    ).toBeInTheDocument();
    expect(screen.queryByText('No PostgreSQL databases yet')).toBeNull();
  });

  it('filters by verdict, from the counts and from the select', async () => {
    await render(respond(fleet));
    await screen.findByText('5 of 5 databases');
    await userEvent.click(
      screen.getByRole('button', { name: /^\d+ Healthy$/ }),
    );
    expect(names()).toEqual(['agent-executor-db', 'legacy-db']);
    expect(screen.getByText('2 of 5 databases')).toBeInTheDocument();
    // the other counts stay: they say what choosing them would show
    expect(count('Failed')).toBe(1);
    await choose('Verdict Healthy', 'Failed');
    expect(names()).toEqual(['billing-db']);
  });

  it.each<[string, string, string[]]>([
    ['Cluster', 'sandbox-b', ['orders-db', 'inventory-db', 'legacy-db']],
    ['Namespace', 'billing', ['billing-db']],
    ['Owner', 'team-orders', ['orders-db']],
    ['Version', '17', ['billing-db']],
  ])(
    'filters by %s (%s) and counts what is left',
    async (label, value, shown) => {
      await render(respond(fleet));
      await screen.findByText('5 of 5 databases');
      await choose(`${label} All`, value);
      expect(names()).toEqual(shown);
      const verdicts: Verdict[] = fleet.items
        .filter(i => shown.includes(i.name))
        .map(i => i.health.verdict);
      expect(count('Healthy')).toBe(
        verdicts.filter(v => v === 'healthy').length,
      );
      expect(count('Failed')).toBe(verdicts.filter(v => v === 'failed').length);
    },
  );

  it('searches names, entities and owners as you type, without asking the backend again', async () => {
    const api = respond(fleet);
    await render(api);
    await screen.findByText('5 of 5 databases');
    await search('INVENTORY');
    expect(names()).toEqual(['inventory-db']);
    await userEvent.clear(screen.getByRole('textbox', { name: 'Search' }));
    await search('team-orders');
    expect(names()).toEqual(['orders-db']);
    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    expect(names()).toHaveLength(5);
    expect(api.getFleet).toHaveBeenCalledTimes(1);
  });

  it('says "nothing matches" rather than showing an empty page', async () => {
    await render(respond(fleet));
    await screen.findByText('5 of 5 databases');
    await search('no-such-database');
    expect(
      screen.getByText('No database matches these filters'),
    ).toBeInTheDocument();
  });

  it('names a cluster that failed and still lists the others', async () => {
    await render(
      respond({
        items: fleet.items.filter(i => i.cluster === 'sandbox-a'),
        errors: [
          {
            cluster: 'sandbox-b',
            message: 'cluster sandbox-b did not answer within 5000 ms',
          },
        ],
      }),
    );
    expect(
      await screen.findByText(
        /Not everything could be shown from cluster sandbox-b/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/did not answer within 5000 ms/)).toBeVisible();
    expect(names()).toEqual(['agent-executor-db', 'billing-db']);
  });

  it('says when no cluster could be read, rather than "nothing matches"', async () => {
    await render(
      respond({
        items: [],
        errors: [
          { cluster: 'sandbox-a', message: 'sandbox-a: connection refused' },
          { cluster: 'sandbox-b', message: 'sandbox-b: connection refused' },
        ],
      }),
    );
    expect(
      await screen.findByText(/Not everything could be shown \(2 notes\)/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'No database could be read: see the clusters named above',
      ),
    ).toBeInTheDocument();
  });

  it('renders one page of 10,000 databases, pages on, and filters them all', async () => {
    const many: DatabaseItem[] = [];
    for (let i = 0; i < 10_000; i++) {
      many.push(
        database(i % 10 === 0 ? '05' : '01', {
          name: `db-${String(i).padStart(5, '0')}`,
          cluster: `cluster-${i % 3}`,
          namespace: `ns-${i % 50}`,
          owner: `group:default/team-${i % 7}`,
          entityRef: `component:default/service-${i}`,
        }),
      );
    }
    await render(respond({ items: many, errors: [] }));
    await screen.findByText('10000 of 10000 databases', undefined, {
      timeout: 20_000,
    });
    expect(count('Failed')).toBe(1000);
    expect(count('Healthy')).toBe(9000);
    // one page of rows in the document, not 10,000
    expect(names()).toHaveLength(25);
    expect(names()[0]).toBe('db-00000');
    await userEvent.click(screen.getByRole('button', { name: 'Next Page' }));
    expect(names()[0]).toBe('db-00025');
    await userEvent.click(screen.getByRole('button', { name: /25 rows/ }));
    await userEvent.click(screen.getByRole('option', { name: '50' }));
    expect(names()).toHaveLength(50);
    await choose('Cluster All', 'cluster-1');
    expect(screen.getByText('3333 of 10000 databases')).toBeInTheDocument();
    // a new filter starts on the first page, and keeps the rows per page
    expect(names()[0]).toBe('db-00001');
    expect(names()).toHaveLength(50);
    expect(count('Failed')).toBe(333);
  }, 60_000);

  it('tells a reader without postgres.fleet.read that they see their entities only', async () => {
    await render(respond(fleet), { fleetReader: false });
    expect(
      await screen.findByText(
        /You see the databases of the entities you may read/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('5 of 5 databases')).toBeInTheDocument();
  });

  it('tells a caller the backend refuses that they may not, not a raw error', async () => {
    const error = await errorResponse(
      403,
      'NotAllowedError',
      'Not allowed: postgres.fleet.read',
    );
    await render({ getFleet: jest.fn().mockRejectedValue(error) });
    expect(
      await screen.findByText('You may not see the fleet of databases'),
    ).toBeInTheDocument();
  });

  it('shows any other API error', async () => {
    const error = await errorResponse(
      503,
      'ServiceUnavailableError',
      'The catalog did not answer',
    );
    await render({ getFleet: jest.fn().mockRejectedValue(error) });
    expect(
      (await screen.findAllByText(/The catalog did not answer/)).length,
    ).toBeGreaterThan(0);
  });

  it('says so when there is no database at all', async () => {
    await render(respond({ items: [], errors: [] }));
    expect(
      await screen.findByText('No PostgreSQL databases yet'),
    ).toBeInTheDocument();
  });

  it('refreshes on demand', async () => {
    const api = respond(fleet);
    await render(api);
    await screen.findByText('5 of 5 databases');
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(api.getFleet).toHaveBeenCalledTimes(2));
  });
});
