/*
 * A database's whole life through the real scaffolder, catalog, permission, postgres and
 * Kubernetes backends: "New Postgres DB" → merge → healthy; "Change Postgres DB"
 * (decommission) → merge → the sandbox's Argo CD prunes, Crossplane and ESO delete what they
 * made; "Remove Postgres DB credentials" deletes the SSM parameters only then, and not before.
 */
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  startScaffolderHarness,
  ScaffolderHarness,
  USERS,
} from '@bizmatters/test-backend/scaffolder';

jest.setTimeout(180_000);

const SSM_NAMES = [
  '/zerotouch/prod/payments/postgres/password',
  '/zerotouch/prod/payments/postgres/user',
];

describe('decommission, end to end', () => {
  let h: ScaffolderHarness;

  beforeAll(async () => {
    h = await startScaffolderHarness({ platform: true });
  });
  afterAll(() => h?.stop());

  const database = {
    component: 'component:default/payments',
    namespace: 'payments',
    name: 'payments-db',
  };

  async function run(templateRef: string, values: Record<string, unknown>) {
    const r = await h.runTask({
      templateRef,
      values: { ...database, repoUrl: h.repoUrl(), ...values },
    });
    expect(r.status).toBe(201);
    return {
      status: r.task.status as string,
      log: r.log,
      task: r.task,
      output: r.output,
    };
  }
  const remove = () => run('template:default/remove-postgres-credentials', {});
  const ssmNames = () => [...h.ssm.parameters.keys()].sort();
  const claimInCluster = () =>
    h.kube!.get(
      'database.bizmatters.io/v1alpha1',
      'PostgresInstance',
      'payments',
      'payments-db',
    );
  async function tab() {
    // the cache of the postgres backend is 1 s here
    await new Promise(r => setTimeout(r, 1100));
    const res = await request(h.backend.server)
      .get('/api/postgres/v1/entities/component/default/payments/databases')
      .set('Authorization', mockCredentials.user.header(USERS.alice));
    expect(res.status).toBe(200);
    return res.body as { items: any[]; errors: any[] };
  }
  const openPull = () => h.forge.pulls.filter(p => p.state === 'open');

  it('creates, decommissions, and deletes the credentials only once the database is gone', async () => {
    const created = await run('template:default/new-postgres-db', {
      environment: 'prod',
      size: 'small',
      version: '16',
      storageGB: 20,
      databaseName: 'payments',
      databaseOwner: 'payments',
      baseBranch: 'main',
    });
    expect([created.status, created.log]).toEqual([
      'completed',
      expect.anything(),
    ]);
    expect(ssmNames()).toEqual(SSM_NAMES);
    await h.forge.merge('platform', 'gitops', openPull()[0].number);
    expect((await tab()).items.map(i => [i.name, i.health.verdict])).toEqual([
      ['payments-db', 'healthy'],
    ]);

    // day-2 changes reach the cluster and the tab: size, then version, one pull request each
    for (const [values, check] of [
      [
        { operation: 'changeSize', size: 'medium' },
        (item: any) => expect(item.spec.size).toBe('medium'),
      ],
      [
        { operation: 'upgradeVersion', version: '17' },
        (item: any) => {
          expect(item.spec.version).toBe('17');
          expect(item.clusterStatus.image).toBe(
            'ghcr.io/cloudnative-pg/postgresql:17',
          );
        },
      ],
    ] as const) {
      const changed = await run('template:default/change-postgres-db', values);
      expect([changed.status, changed.log]).toEqual([
        'completed',
        expect.anything(),
      ]);
      await h.forge.merge('platform', 'gitops', openPull()[0].number);
      const [item] = (await tab()).items;
      check(item);
      expect(item.health.verdict).toBe('healthy');
    }

    // not decommissioned: refused, SSM untouched
    let removed = await remove();
    expect(removed.status).toBe('failed');
    expect(removed.log).toMatch(
      /payments\/payments-db is still in the GitOps repository .*Nothing was deleted/,
    );
    expect(ssmNames()).toEqual(SSM_NAMES);

    const decommission = await run('template:default/change-postgres-db', {
      operation: 'decommission',
      confirmName: 'payments-db',
    });
    expect(decommission.status).toBe('completed');
    const [pr] = openPull();
    expect(pr.title).toBe('Decommission payments/payments-db');
    // the task's page links to the follow-up with the database filled in
    expect(decodeURIComponent(decommission.output.text[0].content)).toContain(
      '/create/templates/default/remove-postgres-credentials?formData={"component":"component:default/payments","namespace":"payments","name":"payments-db"}',
    );
    // the pull request is open: still refused
    removed = await remove();
    expect(removed.log).toMatch(/still in the GitOps repository/);

    await h.forge.merge('platform', 'gitops', pr.number);
    expect(claimInCluster()).toBeUndefined();
    for (const [apiVersion, kind] of [
      ['postgresql.cnpg.io/v1', 'Cluster'],
      ['v1', 'Secret'],
      ['external-secrets.io/v1beta1', 'ExternalSecret'],
    ]) {
      expect([kind, h.kube!.list(apiVersion, kind, 'payments')]).toEqual([
        kind,
        [],
      ]);
    }

    // Argo CD has not pruned yet (the claim is back in the cluster): refused
    const { kube } = h;
    kube!.apply({
      apiVersion: 'database.bizmatters.io/v1alpha1',
      kind: 'PostgresInstance',
      metadata: {
        name: 'payments-db',
        namespace: 'payments',
        labels: { 'backstage.io/kubernetes-id': 'payments' },
        annotations: {
          'bizmatters.io/entity-ref': 'component:default/payments',
          'bizmatters.io/owner': 'group:default/payments',
        },
      },
      spec: { size: 'small' },
    });
    await tab();
    removed = await remove();
    expect(removed.status).toBe('failed');
    expect(removed.log).toMatch(
      /payments\/payments-db still exists in cluster .*credentials are kept/,
    );
    expect(ssmNames()).toEqual(SSM_NAMES);

    // gone: the credentials go, and the tab shows nothing
    kube!.delete(
      'database.bizmatters.io/v1alpha1',
      'PostgresInstance',
      'payments',
      'payments-db',
    );
    expect((await tab()).items).toEqual([]);
    removed = await remove();
    expect([removed.status, removed.log]).toEqual([
      'completed',
      expect.stringContaining(
        `Deleted the SSM parameters of payments/payments-db: ${SSM_NAMES.join(
          ', ',
        )}`,
      ),
    ]);
    expect(ssmNames()).toEqual([]);

    // again: nothing left, nothing to do
    removed = await remove();
    expect([removed.status, removed.log]).toEqual([
      'completed',
      expect.stringContaining('nothing to delete'),
    ]);
  });

  it('never deletes a parameter tagged for the claim but written for another entity', async () => {
    h.ssm.seed('/zerotouch/prod/orders/postgres/user', 'orders', [
      { Key: 'bizmatters.io/postgres-claim', Value: 'payments/payments-db' },
      { Key: 'backstage.io/entity', Value: 'component:default/orders' },
    ]);
    await new Promise(r => setTimeout(r, 1100));
    const removed = await remove();
    expect(removed.status).toBe('failed');
    expect(removed.log).toContain(
      'Some SSM parameters tagged for payments/payments-db were not written for component:default/payments',
    );
    // not found or not yours: neither the other parameter's name nor its entity
    expect(removed.log).not.toContain('/zerotouch/prod/orders/postgres/user');
    expect(removed.log).not.toContain('component:default/orders');
    expect(ssmNames()).toEqual(['/zerotouch/prod/orders/postgres/user']);
  });
});
