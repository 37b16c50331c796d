import { KubernetesStandIn } from '.';
import { recordEvent } from './events';

/*
 * LISTs with a label selector, as the API server answers them: the selector is the
 * `labelSelector` query parameter; `key` selects objects that have the label whatever its value,
 * `!key` those that do not, `key=value` / `key==value` / `key!=value` compare the value, and
 * comma-separated requirements must all hold
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors and
 * #list-and-watch-filtering).
 */
describe('KubernetesStandIn label selectors', () => {
  let k: KubernetesStandIn;
  const secret = (name: string, labels?: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'apps', ...(labels ? { labels } : {}) },
    data: { password: 'cGFzc3dvcmQ=' },
  });

  beforeAll(async () => {
    k = await KubernetesStandIn.start();
    k.apply(
      secret('orders-db-credentials', {
        'bizmatters.io/postgres-instance': 'orders-db',
      }),
      secret('billing-db-credentials', {
        'bizmatters.io/postgres-instance': 'billing-db',
        tier: 'gold',
      }),
      secret('other-app'),
      secret('labelled-elsewhere', { app: 'other' }),
    );
  });
  afterAll(() => k.stop());

  async function names(selector: string): Promise<string[]> {
    const res = await fetch(
      `${
        k.url
      }/api/v1/namespaces/apps/secrets?labelSelector=${encodeURIComponent(
        selector,
      )}`,
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.kind).toBe('SecretList');
    return body.items.map((i: any) => i.metadata.name).sort();
  }

  it('selects by existence, absence, equality and inequality, all requirements at once', async () => {
    expect(await names('bizmatters.io/postgres-instance')).toEqual([
      'billing-db-credentials',
      'orders-db-credentials',
    ]);
    expect(await names('!bizmatters.io/postgres-instance')).toEqual([
      'labelled-elsewhere',
      'other-app',
    ]);
    expect(await names('bizmatters.io/postgres-instance=orders-db')).toEqual([
      'orders-db-credentials',
    ]);
    expect(await names('bizmatters.io/postgres-instance==billing-db')).toEqual([
      'billing-db-credentials',
    ]);
    expect(await names('bizmatters.io/postgres-instance,tier!=gold')).toEqual([
      'orders-db-credentials',
    ]);
  });

  it('records each request with its query', async () => {
    k.resetCounters();
    await names('bizmatters.io/postgres-instance');
    expect(k.requests).toEqual([
      'GET /api/v1/namespaces/apps/secrets?labelSelector=bizmatters.io%2Fpostgres-instance',
    ]);
    expect(k.calls).toEqual({ 'GET /api/v1/namespaces/apps/secrets': 1 });
  });
});

/*
 * Names as the API server validates them (k8s.io/apimachinery validation): objects are named by
 * a DNS-1123 subdomain, namespaces by a DNS-1123 label; an invalid name is a 422 Invalid Status
 * naming the field.
 */
describe('KubernetesStandIn names', () => {
  let k: KubernetesStandIn;
  beforeAll(async () => {
    k = await KubernetesStandIn.start();
  });
  afterAll(() => k.stop());

  const create = (path: string, body: object) =>
    fetch(`${k.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const secret = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
  });

  it.each(['Orders-DB', 'orders_db', '-orders', 'orders.', ''])(
    'refuses the Secret name %j',
    async name => {
      const res = await create('/api/v1/namespaces/apps/secrets', secret(name));
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body).toMatchObject({
        kind: 'Status',
        reason: 'Invalid',
        code: 422,
        details: { kind: 'Secret', causes: [{ field: 'metadata.name' }] },
      });
      expect(k.get('v1', 'Secret', 'apps', name)).toBeUndefined();
    },
  );

  it('takes subdomain names, and refuses a dot in a namespace name', async () => {
    const ok = await create(
      '/api/v1/namespaces/apps/secrets',
      secret('orders-db.credentials'),
    );
    expect(ok.status).toBe(201);
    const ns = await create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team.orders' },
    });
    expect(ns.status).toBe(422);
    expect((await ns.json()).message).toMatch(/RFC 1123 label/);
  });
});

/*
 * Events by field selector, as the API server answers them: core/v1 Events may be selected on
 * their involved object's fields, `reason`, `type`, `source` and `reportingComponent`
 * (kubernetes pkg/registry/core/event/strategy.go); any other field label is a 400.
 */
describe('KubernetesStandIn events', () => {
  let k: KubernetesStandIn;
  const es = {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: { name: 'orders-db-credentials', namespace: 'apps' },
  };
  const cluster = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'orders-db', namespace: 'apps' },
  };

  beforeAll(async () => {
    k = await KubernetesStandIn.start();
    for (let i = 0; i < 3; i++)
      recordEvent(k, es, 'Warning', 'UpdateFailed', 'no such key', 'eso');
    recordEvent(k, es, 'Normal', 'Updated', 'Updated Secret', 'eso');
    recordEvent(k, cluster, 'Normal', 'CreatingInstance', 'Primary', 'cnpg');
  });
  afterAll(() => k.stop());

  const list = async (selector: string) => {
    const res = await fetch(
      `${
        k.url
      }/api/v1/namespaces/apps/events?fieldSelector=${encodeURIComponent(
        selector,
      )}`,
    );
    return { code: res.status, body: (await res.json()) as any };
  };

  it('selects by involved object, folding repeats into one event with a count', async () => {
    const { body } = await list(
      'involvedObject.kind=ExternalSecret,involvedObject.name=orders-db-credentials',
    );
    expect(
      body.items.map((e: any) => [e.type, e.reason, e.count]).sort(),
    ).toEqual([
      ['Normal', 'Updated', 1],
      ['Warning', 'UpdateFailed', 3],
    ]);
    expect(
      (await list('involvedObject.kind=Cluster')).body.items.map(
        (e: any) => e.involvedObject.name,
      ),
    ).toEqual(['orders-db']);
    expect(
      (await list('type!=Normal')).body.items.map((e: any) => e.reason),
    ).toEqual(['UpdateFailed']);
  });

  it('answers 400 to a field label Events do not support', async () => {
    const { code, body } = await list('involvedObject.color=red');
    expect(code).toBe(400);
    expect(body.message).toBe(
      'field label not supported: involvedObject.color',
    );
  });
});
