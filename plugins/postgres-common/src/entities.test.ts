import { toDatabaseItem } from './entities';
import { deriveDatabaseHealth } from './health/derive';
import { claimSummary } from './resources';

const claim = (annotations?: Record<string, string>) => ({
  apiVersion: 'database.bizmatters.io/v1alpha1',
  kind: 'PostgresInstance',
  metadata: { name: 'orders-db', namespace: 'orders', annotations },
  spec: { size: 'small', version: '16' },
});

describe('toDatabaseItem', () => {
  it('says where the credentials come from and when External Secrets last synced them, never a value', () => {
    const c = {
      ...claim(),
      spec: {
        size: 'small',
        credentialsSecretName: 'orders-db-credentials',
        connectionSecretName: 'orders-postgres',
      },
    };
    const externalSecret = {
      apiVersion: 'external-secrets.io/v1beta1',
      kind: 'ExternalSecret',
      metadata: { name: 'orders-db-credentials', namespace: 'orders' },
      spec: {
        refreshInterval: '1h',
        target: { name: 'orders-db-credentials' },
        data: [
          {
            secretKey: 'username',
            remoteRef: { key: '/zerotouch/dev/orders/postgres/user' },
          },
          {
            secretKey: 'password',
            remoteRef: { key: '/zerotouch/dev/orders/postgres/password' },
          },
        ],
      },
      status: {
        refreshTime: '2026-12-08T01:00:00Z',
        syncedResourceVersion: '1-0123abcd',
      },
    };
    const objects = { claim: c, externalSecret };
    const item = toDatabaseItem(
      'sandbox-a',
      c,
      objects,
      deriveDatabaseHealth(objects),
    );
    expect(item.ssmParameters).toEqual({
      user: '/zerotouch/dev/orders/postgres/user',
      password: '/zerotouch/dev/orders/postgres/password',
    });
    expect(item.credentialsSync).toEqual({
      refreshTime: '2026-12-08T01:00:00Z',
      refreshInterval: '1h',
    });
    // none without an ExternalSecret
    const bare = toDatabaseItem(
      'sandbox-a',
      c,
      { claim: c },
      deriveDatabaseHealth({ claim: c }),
    );
    expect(bare.credentialsSync).toBeUndefined();
    expect(bare.ssmParameters).toBeUndefined();
  });

  it('carries the entity and the owner group the claim names, normalized', () => {
    const c = claim({
      'bizmatters.io/entity-ref': 'Component:default/Orders',
      'bizmatters.io/owner': 'team-agents',
    });
    const item = toDatabaseItem(
      'sandbox-a',
      c,
      { claim: c },
      deriveDatabaseHealth({ claim: c }),
    );
    expect(item).toMatchObject({
      cluster: 'sandbox-a',
      namespace: 'orders',
      name: 'orders-db',
      entityRef: 'component:default/orders',
      owner: 'group:default/team-agents',
    });
  });

  it('leaves both out when the claim names none (or no entity ref)', () => {
    for (const annotations of [
      undefined,
      { 'bizmatters.io/entity-ref': 'not a ref', 'bizmatters.io/owner': '' },
    ]) {
      const c = claim(annotations);
      const item = toDatabaseItem(
        'sandbox-a',
        c,
        { claim: c },
        deriveDatabaseHealth({ claim: c }),
      );
      expect(item).not.toHaveProperty('entityRef');
      expect(item).not.toHaveProperty('owner');
    }
  });

  it('names the same entity and owner as the catalog provider’s claim summary', () => {
    for (const annotations of [
      undefined,
      { 'bizmatters.io/entity-ref': 'Orders', 'bizmatters.io/owner': 'Ops' },
      {
        'bizmatters.io/entity-ref': 'resource:shop/Orders-DB',
        'bizmatters.io/owner': 'user:default/alice',
      },
      { 'bizmatters.io/entity-ref': '??', 'bizmatters.io/owner': ' ' },
    ]) {
      const c = claim(annotations);
      const { cluster, namespace, name, entityRef, owner } = toDatabaseItem(
        'sandbox-a',
        c,
        { claim: c },
        deriveDatabaseHealth({ claim: c }),
      );
      expect(cluster).toBe('sandbox-a');
      expect(
        JSON.parse(JSON.stringify({ namespace, name, entityRef, owner })),
      ).toEqual({ ...claimSummary(c), secrets: undefined });
    }
  });
});
