import {
  claimOwnershipInCluster,
  claimSummary,
  databaseResourceName,
  databaseResourceRef,
} from './resources';

/** The catalog's rule for entity names (catalog-model's KubernetesValidatorFunctions). */
const ENTITY_NAME = /^([a-zA-Z0-9]+[-_.])*[a-zA-Z0-9]+$/;

/** The name of orders-db (namespace orders, cluster cluster-a), pinned. */
const PINNED_ORDERS_NAME = 'postgres-9820e920eec181ae';

describe('database Resource names', () => {
  const orders = {
    cluster: 'cluster-a',
    namespace: 'orders',
    name: 'orders-db',
  };

  it('are opaque: a fixed prefix and a hash, never the claim, namespace or cluster', () => {
    const name = databaseResourceName(orders);
    expect(name).toMatch(/^postgres-[0-9a-f]{16}$/);
    expect(name).not.toMatch(/orders|cluster/);
    expect(databaseResourceRef(orders)).toBe(`resource:default/${name}`);
  });

  it('are stable: the same claim always gets the same name', () => {
    // pinned: a changed name would orphan every Resource (and its relations) in the catalog
    expect(databaseResourceName(orders)).toBe(
      databaseResourceName({ ...orders }),
    );
    expect(databaseResourceName(orders)).toBe(PINNED_ORDERS_NAME);
  });

  it('differ between clusters, and where separators would make two claims alike', () => {
    const names = [
      { cluster: 'a', namespace: 'b', name: 'c' },
      { cluster: 'b', namespace: 'b', name: 'c' },
      { cluster: 'a-b', namespace: 'c', name: 'd' },
      { cluster: 'a', namespace: 'b-c', name: 'd' },
      { cluster: 'A', namespace: 'b', name: 'c' },
      { cluster: 'x.y', namespace: 'b', name: 'c' },
      { cluster: 'x', namespace: 'y', name: 'b.c' },
      { cluster: 'x', namespace: 'y.b', name: 'c' },
    ].map(databaseResourceName);
    expect(new Set(names.map(n => n.toLowerCase())).size).toBe(names.length);
  });

  it('are valid entity names of at most 63 characters, whatever the cluster is called', () => {
    for (const claim of [
      orders,
      {
        cluster: 'production-eu-west-1.example.com',
        namespace: 'payments-platform',
        name: 'payments-ledger-db',
      },
      { cluster: 'Prod_Cluster', namespace: 'ns', name: 'db' },
      { cluster: 'a--b', namespace: 'ns', name: 'db' },
      { cluster: 'c', namespace: 'n'.repeat(63), name: 'd'.repeat(63) },
      { cluster: 'c', namespace: 'ns', name: 'a--b' },
    ]) {
      const n = databaseResourceName(claim);
      expect(n.length).toBeLessThanOrEqual(63);
      expect(n).toMatch(ENTITY_NAME);
      expect(n).toMatch(/^postgres-[0-9a-f]{16}$/);
    }
  });
});

const claim = (annotations?: Record<string, string>) => ({
  metadata: { name: 'orders-db', namespace: 'orders', annotations },
});

describe('claims on database Resources', () => {
  const ORDERS = { 'bizmatters.io/entity-ref': 'component:default/orders' };

  it('a claim belongs to its own Resource only, computed from where it is', () => {
    expect(
      claimOwnershipInCluster(
        'cluster-a',
        claim(ORDERS),
        `resource:default/${PINNED_ORDERS_NAME}`,
      ),
    ).toBe('ours');
    expect(
      claimOwnershipInCluster(
        'cluster-a',
        claim(ORDERS),
        `Resource:default/${PINNED_ORDERS_NAME.toUpperCase()}`,
      ),
    ).toBe('ours');
    // the same claim read from another cluster, or any other Resource
    expect(
      claimOwnershipInCluster(
        'cluster-b',
        claim(ORDERS),
        `resource:default/${PINNED_ORDERS_NAME}`,
      ),
    ).toBe('other');
    expect(
      claimOwnershipInCluster(
        'cluster-a',
        claim(ORDERS),
        'resource:default/snoop',
      ),
    ).toBe('other');
    expect(
      claimOwnershipInCluster('cluster-a', claim(), 'resource:default/snoop'),
    ).toBe('other');
  });

  it('its own Resource of a claim naming no component is unannotated', () => {
    expect(
      claimOwnershipInCluster(
        'cluster-a',
        claim(),
        `resource:default/${PINNED_ORDERS_NAME}`,
      ),
    ).toBe('unannotated');
  });

  it('other kinds decide by the claim’s entity annotation, as before', () => {
    expect(
      claimOwnershipInCluster(
        'cluster-a',
        claim(ORDERS),
        'component:default/orders',
      ),
    ).toBe('ours');
    expect(
      claimOwnershipInCluster(
        'cluster-a',
        claim(ORDERS),
        'component:default/payments',
      ),
    ).toBe('other');
  });

  it('summarizes a claim as where it is and the refs it names, normalized', () => {
    expect(
      claimSummary({
        metadata: {
          name: 'orders-db',
          namespace: 'orders',
          annotations: {
            'bizmatters.io/entity-ref': 'Orders',
            'bizmatters.io/owner': 'team-orders',
          },
        },
        spec: { databaseOwner: 'orders' },
      }),
    ).toEqual({
      namespace: 'orders',
      name: 'orders-db',
      entityRef: 'component:default/orders',
      owner: 'group:default/team-orders',
      // names only: which secrets it uses, never what they hold
      secrets: { credentials: 'orders-db-app', connection: 'orders-db-conn' },
    });
    expect(claimSummary(claim({ 'bizmatters.io/owner': '??' }))).toEqual({
      namespace: 'orders',
      name: 'orders-db',
      secrets: { credentials: 'orders-db-app', connection: 'orders-db-conn' },
    });
  });
});
