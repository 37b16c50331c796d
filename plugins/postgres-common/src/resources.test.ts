import {
  claimOwnershipInCluster,
  claimSummary,
  databaseResourceName,
  databaseResourceRef,
} from './resources';

/** The catalog's rule for entity names (catalog-model's KubernetesValidatorFunctions). */
const ENTITY_NAME = /^([a-zA-Z0-9]+[-_.])*[a-zA-Z0-9]+$/;

describe('database Resource names', () => {
  it('are name.namespace.cluster when that is a valid entity name', () => {
    expect(
      databaseResourceName({
        cluster: 'cluster-a',
        namespace: 'orders',
        name: 'orders-db',
      }),
    ).toBe('orders-db.orders.cluster-a');
    expect(
      databaseResourceRef({
        cluster: 'cluster-a',
        namespace: 'orders',
        name: 'orders-db',
      }),
    ).toBe('resource:default/orders-db.orders.cluster-a');
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
    ].map(databaseResourceName);
    expect(new Set(names.map(n => n.toLowerCase())).size).toBe(names.length);
  });

  it('are valid, at most 63 characters and stable when the readable form does not fit', () => {
    const long = {
      cluster: 'production-eu-west-1.example.com',
      namespace: 'payments-platform',
      name: 'payments-ledger-db',
    };
    const name = databaseResourceName(long);
    expect(name).toMatch(/^payments-ledger-db-[0-9a-f]{16}$/);
    expect(databaseResourceName({ ...long })).toBe(name);
    expect(
      databaseResourceName({ ...long, cluster: 'production-eu-west-2' }),
    ).not.toBe(name);
    for (const claim of [
      long,
      { cluster: 'Prod_Cluster', namespace: 'ns', name: 'db' },
      { cluster: 'a--b', namespace: 'ns', name: 'db' },
      { cluster: 'c', namespace: 'n'.repeat(63), name: 'd'.repeat(63) },
      { cluster: 'c', namespace: 'ns', name: 'a--b' },
    ]) {
      const n = databaseResourceName(claim);
      expect(n.length).toBeLessThanOrEqual(63);
      expect(n).toMatch(ENTITY_NAME);
      // none of these has a readable form: the hashed form has no dot, so it never equals one
      expect(n).not.toContain('.');
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
        'resource:default/orders-db.orders.cluster-a',
      ),
    ).toBe('ours');
    expect(
      claimOwnershipInCluster(
        'cluster-a',
        claim(ORDERS),
        'Resource:default/Orders-DB.orders.cluster-a',
      ),
    ).toBe('ours');
    // the same claim read from another cluster, or any other Resource
    expect(
      claimOwnershipInCluster(
        'cluster-b',
        claim(ORDERS),
        'resource:default/orders-db.orders.cluster-a',
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
        'resource:default/orders-db.orders.cluster-a',
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
