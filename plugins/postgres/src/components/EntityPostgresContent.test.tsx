import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { parse } from 'yaml';
import {
  applicationEnv,
  DatabaseItem,
} from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';
import { newDatabaseRouteRef } from '../routes';
import { configApiRef } from '@backstage/core-plugin-api';
import type { JsonObject } from '@backstage/types';
import { EntityPostgresContent } from './EntityPostgresContent';
import { exampleItems } from '../__testUtils__/examples';

const componentNamed = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: {},
});

const authorized: Array<{ permission: string; resourceRef?: string }> = [];

async function render(
  ids: string[],
  mayCreate = true,
  entity = componentNamed('agent-executor'),
  config: JsonObject = {},
  patch: (items: ReturnType<typeof exampleItems>) => void = () => {},
) {
  const items = exampleItems();
  patch(items);
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [
          permissionApiRef,
          mockApis.permission({
            authorize: request => {
              authorized.push({
                permission: request.permission.name,
                resourceRef: (request as { resourceRef?: string }).resourceRef,
              });
              return mayCreate ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
            },
          }),
        ],
        [configApiRef, mockApis.config({ data: config })],
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
    {
      mountedRoutes: {
        '/create/templates/:namespace/:templateName': newDatabaseRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

describe('EntityPostgresContent', () => {
  it('offers "New database" with the entity chosen to those who may create one for it', async () => {
    await render(['01']);
    // MUI gives the anchor-styled button role="button"; it is still a link with an href
    const button = await screen.findByRole('button', { name: 'New database' });
    expect(decodeURIComponent(button.getAttribute('href')!)).toBe(
      '/create/templates/default/new-postgres-db?formData={"component":"component:default/agent-executor"}',
    );
    expect(authorized).toContainEqual({
      permission: 'postgres.database.create',
      resourceRef: 'component:default/agent-executor',
    });
  });

  it('opens the template app-config names (postgres.entityPage.template)', async () => {
    await render(['01'], true, componentNamed('billing'), {
      postgres: { entityPage: { template: 'template:platform/pg-ha' } },
    });
    const button = await screen.findByRole('button', { name: 'New database' });
    expect(decodeURIComponent(button.getAttribute('href')!)).toBe(
      '/create/templates/platform/pg-ha?formData={"component":"component:default/billing"}',
    );
  });

  it('offers no "New database" to those who may not create one', async () => {
    // (another entity: the permission hook caches answers per permission and resource)
    await render(['01'], false, componentNamed('payments'));
    await screen.findByText('Cluster in healthy state');
    expect(screen.queryByRole('button', { name: 'New database' })).toBeNull();
    expect(authorized).toContainEqual({
      permission: 'postgres.database.create',
      resourceRef: 'component:default/payments',
    });
  });

  it("offers each database's day-2 operations with the database filled in", async () => {
    const item = exampleItems()['01'];
    await render(['01'], true, componentNamed('orders'));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Change…' }),
    );
    const menu = await screen.findByRole('menu');
    const links = within(menu)
      .getAllByRole('menuitem')
      .map(m => [m.textContent, decodeURIComponent(m.getAttribute('href')!)]);
    const component = item.entityRef ?? 'component:default/orders';
    const formData = (operation: string) =>
      `/create/templates/default/change-postgres-db?formData=${JSON.stringify({
        component,
        namespace: item.namespace,
        name: item.name,
        // not today's values as the new ones: the fields read today's and say it
        operation,
      })}`;
    expect(links).toEqual([
      ['Grow storage', formData('growStorage')],
      ['Change size', formData('changeSize')],
      ['Upgrade PostgreSQL', formData('upgradeVersion')],
      ['Decommission…', formData('decommission')],
    ]);
    expect(authorized).toContainEqual({
      permission: 'postgres.database.change',
      resourceRef: component,
    });
  });

  it('offers "Repair credentials" only for credentials whose username is not the owner', async () => {
    const item = exampleItems()['05'];
    await render(['05'], true, componentNamed('billing'));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Change…' }),
    );
    const menu = await screen.findByRole('menu');
    const repair = within(menu).getByRole('menuitem', {
      name: 'Repair credentials',
    });
    expect(decodeURIComponent(repair.getAttribute('href')!)).toBe(
      `/create/templates/default/change-postgres-db?formData=${JSON.stringify({
        component: item.entityRef ?? 'component:default/billing',
        namespace: item.namespace,
        name: item.name,
        operation: 'repairCredentials',
      })}`,
    );
  });

  it('offers no "Change…" to those who may not change the databases', async () => {
    await render(['01'], false, componentNamed('inventory'));
    await screen.findByText('Cluster in healthy state');
    expect(screen.queryByRole('button', { name: 'Change…' })).toBeNull();
  });

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

  it('shows a degraded hop (hibernated on purpose) as a warning, not an error', async () => {
    await render(['hibernated']);
    const steps = await screen.findByRole('list', {
      name: 'Health of agent-executor-db',
    });
    const cluster = within(steps).getAllByRole('listitem')[3];
    expect(cluster).toHaveAttribute('aria-current', 'step');
    expect(cluster).toHaveTextContent('Degraded');
    expect(cluster).not.toHaveTextContent('Error');
    expect(cluster).toHaveTextContent('Hibernated on purpose');
    expect(cluster).toHaveTextContent('cnpg.io/hibernation-');
  });

  it("beside a hibernated cluster, CNPG's frozen 'healthy' phase is not shown as the state", async () => {
    await render(['hibernated']);
    const facts = await screen.findByText(/CNPG's phase still reads/);
    expect(facts).toHaveTextContent(
      "Hibernated (CNPG's phase still reads 'Cluster in healthy state')",
    );
    expect(screen.queryByText('Cluster in healthy state')).toBeNull();
  });

  it("on the database's own Resource page, links to the service it belongs to", async () => {
    await render(
      ['01'],
      true,
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: 'agent-executor-db.x.sandbox-a',
          namespace: 'default',
        },
        spec: {},
      } as any,
      {},
      items => {
        items['01'].entityRef = 'component:default/agent-executor';
      },
    );
    const link = await screen.findByRole('link', { name: 'agent-executor' });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/agent-executor',
    );
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

  describe('recent events under the failing hop', () => {
    const minutesAgo = (m: number) =>
      new Date(Date.now() - m * 60_000).toISOString();
    const withEvents =
      (events: DatabaseItem['events']) =>
      (items: Record<string, DatabaseItem>) => {
        items['04'].events = events;
      };
    const object = {
      kind: 'ExternalSecret',
      name: 'agent-executor-db-credentials',
    };

    it('lists them, labelled, in the failing step row: type, reason, count, age, message', async () => {
      await render(
        ['04'],
        true,
        undefined,
        {},
        withEvents({
          step: 'externalSecret',
          objects: [object],
          items: [
            {
              type: 'Warning',
              reason: 'UpdateFailed',
              message:
                'error retrieving secret at .data[0], key: /zerotouch/prod/agent-executor/postgres/user, err: Secret does not exist',
              count: 12,
              lastSeen: minutesAgo(3),
              object,
            },
            {
              type: 'Normal',
              reason: 'Updated',
              message: 'Updated Secret',
              count: 1,
              lastSeen: minutesAgo(50),
              object,
            },
          ],
        }),
      );
      const steps = await screen.findByRole('list', {
        name: 'Health of agent-executor-db',
      });
      const failing = within(steps)
        .getAllByRole('listitem')
        .find(r => r.getAttribute('aria-current') === 'step')!;
      const events = within(failing).getByRole('list', {
        name: 'Recent events',
      });
      const lines = within(events).getAllByRole('listitem');
      expect(lines.map(l => l.textContent)).toEqual([
        'Warning UpdateFailed ×12 · 3m agoerror retrieving secret at .data[0], key: /zerotouch/prod/agent-executor/postgres/user, err: Secret does not exist',
        'Normal Updated · 50m agoUpdated Secret',
      ]);
    });

    it('says when they could not be read', async () => {
      await render(
        ['04'],
        true,
        undefined,
        {},
        withEvents({
          step: 'externalSecret',
          objects: [object],
          items: [],
          error: 'Events could not be read: The portal may not list events',
        }),
      );
      const failing = (await screen.findAllByRole('listitem')).find(
        r => r.getAttribute('aria-current') === 'step',
      )!;
      expect(failing).toHaveTextContent(
        'Events could not be read: The portal may not list events',
      );
      expect(
        within(failing).queryByRole('list', { name: 'Recent events' }),
      ).toBeNull();
    });
  });
  describe('backups and recovery', () => {
    it('a healthy database without backups in prod says so beside its verdict, with what to do', async () => {
      await render(['01'], true, componentNamed('recover-none'), {}, items => {
        items['01'].recoverability = {
          state: 'none',
          severity: 'warning',
          required: true,
          environment: 'prod',
          methods: [],
          backups: [],
          schedules: [],
          message:
            'No backups are configured for this database in prod: no base backups and no WAL archive.',
          hint: 'Ask the platform team to compose backups for it.',
        };
      });
      expect(
        await screen.findAllByRole('img', { name: 'Not recoverable' }),
      ).toHaveLength(2); // beside the verdict, and in the section
      expect(screen.getByRole('img', { name: 'Healthy' })).toBeInTheDocument();
      const section = screen.getByRole('group', {
        name: 'Backups and recovery',
      });
      expect(section).toHaveTextContent('prod (backups required)');
      expect(section).toHaveTextContent(
        'What to do: Ask the platform team to compose backups for it.',
      );
    });

    it('a protected database shows its window and last backups, and nothing beside the verdict', async () => {
      await render(['01'], true, componentNamed('recover-ok'), {}, items => {
        items['01'].recoverability = {
          state: 'protected',
          severity: 'ok',
          required: true,
          environment: 'prod',
          methods: ['barman-cloud.cloudnative-pg.io'],
          recoverableFrom: '2026-12-06T10:00:00Z',
          lastSuccessfulBackup: '2026-12-08T02:10:00Z',
          backups: [
            {
              name: 'orders-db-20261208',
              phase: 'completed',
              startedAt: '2026-12-08T02:00:00Z',
              stoppedAt: '2026-12-08T02:10:00Z',
            },
          ],
          schedules: [
            {
              name: 'orders-db-daily',
              schedule: '0 0 2 * * *',
              suspended: false,
            },
          ],
          message: 'Restorable from 2026-12-06T10:00:00Z to now.',
        };
      });
      const section = await screen.findByRole('group', {
        name: 'Backups and recovery',
      });
      expect(
        within(section).getByRole('img', { name: 'Recoverable' }),
      ).toBeInTheDocument();
      expect(section).toHaveTextContent('Recovery window: restorable from');
      expect(section).toHaveTextContent(
        'Backups by barman-cloud.cloudnative-pg.io · orders-db-daily (0 0 2 * * *)',
      );
      expect(
        within(
          screen.getByRole('list', { name: /^Last backups of / }),
        ).getByText(/orders-db-20261208/),
      ).toBeInTheDocument();
      expect(screen.getAllByRole('img', { name: 'Recoverable' })).toHaveLength(
        1,
      );
    });
  });
  it('says where the credentials come from and when they were last synced (names only)', async () => {
    await render(['01'], true, componentNamed('credentials-source'));
    const group = await screen.findByRole('group', {
      name: /^Credentials of /,
    });
    const item = exampleItems()['01'];
    expect(group).toHaveTextContent(item.ssmParameters!.user);
    expect(group).toHaveTextContent(
      /Last synced by External Secrets .* ago · every 1h/,
    );
  });
});
