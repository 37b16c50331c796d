import http from 'http';
import { AddressInfo } from 'net';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { ClaimsResponse } from '@bizmatters/plugin-postgres-common';
import { DatabaseEntityProvider } from './DatabaseEntityProvider';

/** The postgres backend's claims route, answering what a test sets (or a status). */
let answer: ClaimsResponse | number = { clusters: [] };
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url !== '/api/postgres/v1/claims' || !req.headers.authorization) {
      res.writeHead(401).end();
    } else if (typeof answer === 'number') {
      res.writeHead(answer).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise(r => server.close(r)));

const claim = (name: string, owner = 'group:default/team-a') => ({
  namespace: 'ns',
  name,
  entityRef: 'component:default/orders',
  owner,
});

function setup() {
  const mutations: EntityProviderMutation[] = [];
  const connection: EntityProviderConnection = {
    applyMutation: async m => {
      mutations.push(m);
    },
    refresh: async () => {},
  };
  const logger = mockServices.logger.mock();
  const provider = new DatabaseEntityProvider({
    discovery: {
      getBaseUrl: async (id: string) => `${baseUrl}/${id}`,
      getExternalBaseUrl: async (id: string) => `${baseUrl}/${id}`,
    },
    auth: mockServices.auth(),
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'orders', namespace: 'default' },
          spec: { owner: 'team-orders', system: 'shop' },
        },
      ],
    }),
    logger,
    scheduler: mockServices.scheduler(),
    schedule: { frequency: { minutes: 1 }, timeout: { minutes: 1 } },
  });
  const names = (m: EntityProviderMutation) =>
    (m.type === 'full' ? m.entities : m.added)
      .map(d => d.entity.metadata.name)
      .sort();
  return { provider, connection, mutations, logger, names };
}

describe('DatabaseEntityProvider', () => {
  it('a cluster never read since start: only adds what is read and removes nothing (delta)', async () => {
    const { provider, connection, mutations, names, logger } = setup();
    await provider.connect(connection);
    answer = {
      clusters: [
        { cluster: 'a', claims: [claim('one')] },
        { cluster: 'b', error: 'cluster b did not answer within 5000 ms' },
      ],
    };
    expect(await provider.refresh()).toEqual({
      mutation: 'delta',
      entities: 1,
      unread: { b: 'cluster b did not answer within 5000 ms' },
    });
    expect(mutations[0]).toMatchObject({ type: 'delta', removed: [] });
    expect(names(mutations[0])).toEqual(['one.ns.a']);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'Cluster b: its PostgresInstance claims could not be read (cluster b did not answer within 5000 ms) and were not read since this backend started',
      ),
    );
    // a claim of a goes: removed, though b is still unknown
    answer = {
      clusters: [
        { cluster: 'a', claims: [claim('two')] },
        { cluster: 'b', error: 'down' },
      ],
    };
    await provider.refresh();
    expect(mutations[1]).toEqual({
      type: 'delta',
      added: [expect.objectContaining({ locationKey: 'postgres-claims:a' })],
      removed: [
        {
          entityRef: 'resource:default/one.ns.a',
          locationKey: 'postgres-claims:a',
        },
      ],
    });
    // b answers: from now on full, and b's Resources kept when it fails again
    answer = {
      clusters: [
        { cluster: 'a', claims: [claim('two')] },
        { cluster: 'b', claims: [claim('three')] },
      ],
    };
    expect((await provider.refresh()).mutation).toBe('full');
    expect(names(mutations[2])).toEqual(['three.ns.b', 'two.ns.a']);
    answer = {
      clusters: [
        { cluster: 'a', claims: [] },
        { cluster: 'b', error: 'connection refused' },
      ],
    };
    expect((await provider.refresh()).mutation).toBe('full');
    expect(names(mutations[3])).toEqual(['three.ns.b']);
    const kept = (mutations[3] as any).entities[0].entity;
    expect(kept.metadata.annotations).toMatchObject({
      'bizmatters.io/claims-unread-reason': 'connection refused',
    });
    const since =
      kept.metadata.annotations['bizmatters.io/claims-unread-since'];
    // the mark does not change while the cluster stays unread (no churn in the catalog)
    answer = {
      clusters: [
        { cluster: 'a', claims: [] },
        { cluster: 'b', error: 'another reason' },
      ],
    };
    await new Promise(r => setTimeout(r, 5));
    await provider.refresh();
    expect((mutations[4] as any).entities[0].entity).toEqual(kept);
    expect(since).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('the postgres backend unreachable: everything last known is kept; before any read, nothing is touched', async () => {
    const { provider, connection, mutations } = setup();
    await provider.connect(connection);
    answer = 503;
    const first = await provider.refresh();
    expect(first.mutation).toBe('delta');
    expect(mutations[0]).toEqual({ type: 'delta', added: [], removed: [] });
    answer = { clusters: [{ cluster: 'a', claims: [claim('one')] }] };
    await provider.refresh();
    answer = 503;
    const down = await provider.refresh();
    expect(down.mutation).toBe('full');
    expect(down.unread.a).toMatch(
      /^the postgres backend did not list the claims: .*503/,
    );
    const [kept] = (mutations[2] as any).entities;
    expect(kept.entity.metadata.name).toBe('one.ns.a');
    expect(
      kept.entity.metadata.annotations['bizmatters.io/claims-unread-since'],
    ).toBeDefined();
  });

  it('a cluster gone from the Kubernetes backend’s list takes its Resources with it', async () => {
    const { provider, connection, mutations, names } = setup();
    await provider.connect(connection);
    answer = {
      clusters: [
        { cluster: 'a', claims: [claim('one')] },
        { cluster: 'b', claims: [claim('two')] },
      ],
    };
    await provider.refresh();
    answer = { clusters: [{ cluster: 'a', claims: [claim('one')] }] };
    await provider.refresh();
    expect(mutations[1].type).toBe('full');
    expect(names(mutations[1])).toEqual(['one.ns.a']);
  });

  it('owner: the claim’s, else its component’s; a claim with neither is left out and counted', async () => {
    const { provider, connection, mutations, logger } = setup();
    await provider.connect(connection);
    answer = {
      clusters: [
        {
          cluster: 'a',
          claims: [
            claim('owned'),
            {
              namespace: 'ns',
              name: 'inherits',
              entityRef: 'component:default/orders',
            },
            { namespace: 'ns', name: 'orphan' },
          ],
        },
      ],
    };
    await provider.refresh();
    const specs = Object.fromEntries(
      (mutations[0] as any).entities.map((d: any) => [
        d.entity.metadata.name,
        d.entity.spec,
      ]),
    );
    expect(specs).toEqual({
      'owned.ns.a': {
        type: 'database',
        owner: 'group:default/team-a',
        dependencyOf: ['component:default/orders'],
        system: 'system:default/shop',
      },
      'inherits.ns.a': {
        type: 'database',
        owner: 'group:default/team-orders',
        dependencyOf: ['component:default/orders'],
        system: 'system:default/shop',
      },
    });
    expect(logger.warn).toHaveBeenCalledWith(
      '1 PostgresInstance claims name no owner (bizmatters.io/owner) and no component with an owner (bizmatters.io/entity-ref): they are not in the catalog',
    );
  });
});
