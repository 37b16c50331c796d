import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ClusterReader } from './ClusterReader';
import { ClusterApiClient } from './ClusterApiClient';

/** One cache shared by every reader, as replicas share Redis: values expire after their ttl. */
function sharedCache(): CacheService {
  const entries = new Map<string, { value: any; expiresAt: number }>();
  const cache: CacheService = {
    async get(key) {
      const entry = entries.get(key);
      if (!entry || entry.expiresAt <= Date.now()) return undefined;
      return JSON.parse(JSON.stringify(entry.value));
    },
    async set(key, value, options) {
      const ttl = typeof options?.ttl === 'number' ? options.ttl : 60_000;
      entries.set(key, { value, expiresAt: Date.now() + ttl });
    },
    async delete(key) {
      entries.delete(key);
    },
    withOptions: () => cache,
  };
  return cache;
}

/** An upstream that answers every LIST after `delayMs` and counts the requests it got. */
function upstream(delayMs: number, hang = false) {
  const calls: string[] = [];
  const client = {
    async get(cluster: string, path: string) {
      calls.push(`${cluster}${path}`);
      if (hang) return new Promise(() => {});
      await new Promise(r => setTimeout(r, delayMs));
      return { items: [{ metadata: { name: 'db', namespace: 'team' } }] };
    },
  } as unknown as ClusterApiClient;
  return { client, calls };
}

function replica(
  cache: CacheService,
  client: ClusterApiClient,
  leaseMs?: number,
) {
  return new ClusterReader({
    client,
    cache,
    ttlMs: 5000,
    logger: mockServices.logger.mock(),
    esoApiVersion: 'external-secrets.io/v1beta1',
    leaseMs,
  });
}

describe('ClusterReader across replicas', () => {
  it('replicas sharing the cache read an object once between them', async () => {
    const cache = sharedCache();
    const { client, calls } = upstream(50);
    const replicas = [replica(cache, client), replica(cache, client)];
    const answers = await Promise.all(
      replicas.flatMap(r => [
        r.inNamespace('c1', 'team', 'clusters'),
        r.inNamespace('c1', 'team', 'clusters'),
      ]),
    );
    expect(calls).toEqual([
      'c1/apis/postgresql.cnpg.io/v1/namespaces/team/clusters',
    ]);
    for (const items of answers) {
      expect(items.map(i => i.metadata?.name)).toEqual(['db']);
    }
  });

  it('a replica whose read fails releases the lease and the others read themselves', async () => {
    const cache = sharedCache();
    let first = true;
    const calls: string[] = [];
    const client = {
      async get(cluster: string, path: string) {
        calls.push(`${cluster}${path}`);
        await new Promise(r => setTimeout(r, 30));
        if (first) {
          first = false;
          throw new Error('not a Kubernetes read error');
        }
        return { items: [] };
      },
    } as unknown as ClusterApiClient;
    const [a, b] = [replica(cache, client), replica(cache, client)];
    const readA = a.inNamespace('c1', 'team', 'clusters');
    // a misses first and takes the lease
    await new Promise(r => setTimeout(r, 10));
    const [fromA, fromB] = await Promise.allSettled([
      readA,
      b.inNamespace('c1', 'team', 'clusters'),
    ]);
    expect(fromA.status).toBe('rejected');
    expect(fromB).toEqual({ status: 'fulfilled', value: [] });
    expect(calls).toHaveLength(2);
  });

  it('a replica stops waiting for a read that never ends once the lease runs out', async () => {
    const cache = sharedCache();
    const stuck = upstream(0, true);
    const fine = upstream(0);
    const a = replica(cache, stuck.client, 200);
    const b = replica(cache, fine.client, 200);
    void a.inNamespace('c1', 'team', 'clusters');
    await new Promise(r => setTimeout(r, 20));
    const fromB = b.inNamespace('c1', 'team', 'clusters');
    // while a holds the lease, b waits for a's result rather than reading
    await new Promise(r => setTimeout(r, 100));
    expect(fine.calls).toHaveLength(0);
    expect(await fromB).toHaveLength(1);
    expect(stuck.calls).toHaveLength(1);
    expect(fine.calls).toHaveLength(1);
  });
});

describe('ClusterReader.databaseSecrets', () => {
  it('lists a namespace by the databases label only and keeps summaries of labelled items', async () => {
    const calls: string[] = [];
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const client = {
      async get(_cluster: string, path: string) {
        calls.push(path);
        // as an API server (or proxy) that ignored the selector would answer
        return {
          items: [
            {
              metadata: {
                name: 'orders-db-credentials',
                namespace: 'team apps',
                labels: { 'bizmatters.io/postgres-instance': 'orders-db' },
              },
              type: 'kubernetes.io/basic-auth',
              data: { username: b64('orders'), password: b64('pw-orders') },
            },
            { metadata: { name: 'other-app' }, data: { token: b64('t0k') } },
          ],
        };
      },
    } as unknown as ClusterApiClient;
    const reader = replica(sharedCache(), client);
    const listed = await reader.databaseSecrets('a', 'team apps');
    expect(calls).toEqual([
      '/api/v1/namespaces/team%20apps/secrets?labelSelector=bizmatters.io%2Fpostgres-instance',
    ]);
    expect(listed).toEqual([
      {
        namespace: 'team apps',
        instance: 'orders-db',
        summary: {
          name: 'orders-db-credentials',
          type: 'kubernetes.io/basic-auth',
          keys: ['password', 'username'],
          username: 'orders',
        },
      },
    ]);
    // cached: a second call reads nothing
    await reader.databaseSecrets('a', 'team apps');
    expect(calls).toHaveLength(1);
    // every namespace at once
    await reader.databaseSecrets('a');
    expect(calls[1]).toBe(
      '/api/v1/secrets?labelSelector=bizmatters.io%2Fpostgres-instance',
    );
  });
});

describe('ClusterReader.events', () => {
  it('lists one kind of a namespace once per TTL, keeping only what the events view reads', async () => {
    const calls: string[] = [];
    const client = {
      async get(_cluster: string, path: string) {
        calls.push(path);
        return {
          items: [
            {
              metadata: {
                name: 'orders-db-credentials.18f2a1b3',
                creationTimestamp: '2026-12-07T11:00:00Z',
                managedFields: [{ manager: 'external-secrets' }],
                annotations: { note: 'not kept' },
              },
              involvedObject: {
                kind: 'ExternalSecret',
                name: 'orders-db-credentials',
                uid: 'u-1',
              },
              type: 'Warning',
              reason: 'UpdateFailed',
              message: 'err',
              count: 4,
              lastTimestamp: '2026-12-07T11:58:00Z',
              eventTime: null,
              source: { component: 'external-secrets' },
            },
          ],
        };
      },
    } as unknown as ClusterApiClient;
    const reader = replica(sharedCache(), client);
    const first = await reader.events('a', 'orders', 'ExternalSecret');
    const again = await reader.events('a', 'orders', 'ExternalSecret');
    expect(calls).toEqual([
      '/api/v1/namespaces/orders/events?fieldSelector=involvedObject.kind%3DExternalSecret&limit=500',
    ]);
    expect(again).toEqual(first);
    expect(first).toEqual([
      {
        type: 'Warning',
        reason: 'UpdateFailed',
        message: 'err',
        count: 4,
        lastTimestamp: '2026-12-07T11:58:00Z',
        involvedObject: {
          kind: 'ExternalSecret',
          name: 'orders-db-credentials',
        },
        metadata: { creationTimestamp: '2026-12-07T11:00:00Z' },
      },
    ]);
    await reader.events('a', 'orders', 'Cluster');
    expect(calls).toHaveLength(2);
  });
});
