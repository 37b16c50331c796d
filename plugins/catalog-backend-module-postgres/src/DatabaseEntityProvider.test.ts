import http from 'http';
import { AddressInfo } from 'net';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogService,
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import {
  ClaimsResponse,
  databaseResourceName,
} from '@bizmatters/plugin-postgres-common';
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

/** The (opaque) name of the Resource of claim `ns/<name>` in `cluster`. */
const db = (cluster: string, name: string) =>
  databaseResourceName({ cluster, namespace: 'ns', name });

const ORDERS = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders', namespace: 'default' },
  spec: { owner: 'team-orders', system: 'shop' },
};

/** A database Resource as the catalog holds it, managed by `location`. */
const stored = (
  name: string,
  location: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': location,
      'backstage.io/managed-by-origin-location': location,
      ...annotations,
    },
  },
  spec: { type: 'database', owner: 'group:default/team-a' },
});

function setup(
  inCatalog: Entity[] = [],
  catalog: CatalogService = catalogServiceMock({
    entities: [ORDERS, ...inCatalog],
  }),
) {
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
    catalog,
    logger,
    scheduler: mockServices.scheduler(),
    schedule: { frequency: { minutes: 1 }, timeout: { minutes: 1 } },
  });
  const full = (i: number) => {
    const m = mutations[i];
    if (m.type !== 'full') throw new Error(`mutation ${i} is ${m.type}`);
    return Object.fromEntries(
      m.entities.map(d => [d.entity.metadata.name, d.entity]),
    );
  };
  return { provider, connection, mutations, logger, full };
}

const UNREAD = 'bizmatters.io/claims-unread-since';
const WHY = 'bizmatters.io/claims-unread-reason';

describe('DatabaseEntityProvider', () => {
  it('a cluster not read keeps what the catalog has of it, marked unread; Resources of others are not touched', async () => {
    const { provider, connection, full, logger } = setup([
      stored(db('b', 'old'), 'postgres-claims:b'),
      stored('by-hand', 'url:https://example.com/catalog-info.yaml'),
    ]);
    await provider.connect(connection);
    answer = {
      clusters: [
        { cluster: 'a', claims: [claim('one')] },
        { cluster: 'b', error: 'cluster b did not answer within 5000 ms' },
      ],
    };
    expect(await provider.refresh()).toEqual({
      entities: 2,
      unread: { b: 'cluster b did not answer within 5000 ms' },
      kept: { b: 1 },
    });
    const emitted = full(0);
    expect(Object.keys(emitted).sort()).toEqual(
      [db('b', 'old'), db('a', 'one')].sort(),
    );
    expect(
      emitted[db('a', 'one')].metadata.annotations![UNREAD],
    ).toBeUndefined();
    expect(emitted[db('b', 'old')].metadata.annotations).toMatchObject({
      [UNREAD]: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      [WHY]: 'cluster b did not answer within 5000 ms',
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'Cluster b: its PostgresInstance claims could not be read (cluster b did not answer within 5000 ms); its 1 database Resources are kept as last read',
      ),
    );
  });

  it('the mark does not change while the cluster stays unread, whoever refreshes (no churn)', async () => {
    const marked = stored(db('b', 'old'), 'postgres-claims:b', {
      [UNREAD]: '2026-01-01T00:00:00.000Z',
      [WHY]: 'connection refused',
    });
    const { provider, connection, full } = setup([marked]);
    await provider.connect(connection);
    answer = { clusters: [{ cluster: 'b', error: 'another reason' }] };
    await provider.refresh();
    expect(full(0)[db('b', 'old')]).toEqual(marked);
  });

  it('a claim removed, or its cluster gone from the Kubernetes backend: its Resource goes', async () => {
    const { provider, connection, full } = setup();
    await provider.connect(connection);
    answer = {
      clusters: [
        { cluster: 'a', claims: [claim('one'), claim('two')] },
        { cluster: 'b', claims: [claim('three')] },
      ],
    };
    await provider.refresh();
    expect(Object.keys(full(0)).sort()).toEqual(
      [db('a', 'one'), db('b', 'three'), db('a', 'two')].sort(),
    );
    answer = { clusters: [{ cluster: 'a', claims: [claim('one')] }] };
    await provider.refresh();
    expect(Object.keys(full(1))).toEqual([db('a', 'one')]);
  });

  it('a cluster the catalog has not processed yet: this replica’s last read is kept', async () => {
    const { provider, connection, full } = setup();
    await provider.connect(connection);
    answer = { clusters: [{ cluster: 'b', claims: [claim('three')] }] };
    await provider.refresh();
    answer = { clusters: [{ cluster: 'b', error: 'down' }] };
    expect((await provider.refresh()).kept).toEqual({ b: 1 });
    expect(full(1)[db('b', 'three')].metadata.annotations![WHY]).toBe('down');
  });

  it('the postgres backend unreachable: every Resource of ours in the catalog is kept', async () => {
    const { provider, connection, full } = setup([
      stored(db('a', 'x'), 'postgres-claims:a'),
      stored(db('b', 'y'), 'postgres-claims:b'),
      stored('by-hand', 'url:https://example.com/catalog-info.yaml'),
    ]);
    await provider.connect(connection);
    answer = 503;
    const summary = await provider.refresh();
    expect(summary.kept).toEqual({ a: 1, b: 1 });
    expect(summary.unread.a).toMatch(
      /^the postgres backend did not list the claims: .*503/,
    );
    expect(Object.keys(full(0)).sort()).toEqual(
      [db('a', 'x'), db('b', 'y')].sort(),
    );
  });

  it('the catalog unreadable while a cluster is not read: nothing is applied', async () => {
    const failing = catalogServiceMock.mock({
      getEntities: async () => {
        throw new Error('catalog down');
      },
      getEntitiesByRefs: async () => ({ items: [] }),
    });
    const { provider, connection, mutations } = setup([], failing);
    await provider.connect(connection);
    answer = {
      clusters: [
        { cluster: 'a', claims: [claim('one')] },
        { cluster: 'b', error: 'down' },
      ],
    };
    await expect(provider.refresh()).rejects.toThrow('catalog down');
    expect(mutations).toEqual([]);
  });

  it('owner: the component’s in the catalog, never the claim’s annotation; a claim that disagrees is marked and related to nothing', async () => {
    const { provider, connection, full, logger } = setup();
    await provider.connect(connection);
    answer = {
      clusters: [
        {
          cluster: 'a',
          claims: [
            // names payments' component but another owner: the annotation lies
            claim('lying', 'group:default/team-agents'),
            claim('agrees', 'group:default/team-orders'),
            {
              namespace: 'ns',
              name: 'inherits',
              entityRef: 'component:default/orders',
            },
            // names a component the catalog does not have: nothing to take an owner from
            {
              namespace: 'ns',
              name: 'unknown',
              entityRef: 'component:default/nowhere',
              owner: 'group:default/team-a',
            },
            // made by hand, naming an owner but no component: nothing to check it against
            {
              namespace: 'ns',
              name: 'hand-made',
              owner: 'group:default/team-a',
            },
            { namespace: 'ns', name: 'orphan' },
          ],
        },
      ],
    };
    await provider.refresh();
    const emitted = full(0);
    const specs = Object.fromEntries(
      Object.entries(emitted).map(([name, e]) => [name, e.spec]),
    );
    expect(specs).toEqual({
      [db('a', 'lying')]: {
        type: 'database',
        owner: 'group:default/team-orders',
      },
      [db('a', 'agrees')]: {
        type: 'database',
        owner: 'group:default/team-orders',
        dependencyOf: ['component:default/orders'],
        system: 'system:default/shop',
      },
      [db('a', 'inherits')]: {
        type: 'database',
        owner: 'group:default/team-orders',
        dependencyOf: ['component:default/orders'],
        system: 'system:default/shop',
      },
    });
    expect(
      emitted[db('a', 'lying')].metadata.annotations![
        'bizmatters.io/ownership-mismatch'
      ],
    ).toBe(
      'The claim names owner group:default/team-agents, but the catalog says component:default/orders is owned by group:default/team-orders',
    );
    for (const name of [db('a', 'agrees'), db('a', 'inherits')]) {
      expect(
        emitted[name].metadata.annotations!['bizmatters.io/ownership-mismatch'],
      ).toBeUndefined();
    }
    expect(logger.warn).toHaveBeenCalledWith(
      '3 PostgresInstance claims name no component the catalog has with an owner (bizmatters.io/entity-ref): they are not in the catalog',
    );
    expect(logger.warn).toHaveBeenCalledWith(
      '1 PostgresInstance claims name an owner (bizmatters.io/owner) other than their component’s in the catalog: their Resources are owned as the catalog says, marked bizmatters.io/ownership-mismatch, and related to no component',
    );
  });
});
