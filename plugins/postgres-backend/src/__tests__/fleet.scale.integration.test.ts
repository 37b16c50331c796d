/*
 * The fleet view for an owner of many entities (not a fleet reader): filtered per caller through
 * the REAL catalog and the REAL permission backend, which refuses request bodies past 100 kB —
 * the filter must ask in batches. 600 entities, one claim each.
 */
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { Entity } from '@backstage/catalog-model';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { KubernetesStandIn } from '@bizmatters/sandbox';
import { decidePostgresPermission } from '@bizmatters/plugin-postgres-common';
import {
  catalogAndPermissions,
  catalogAndPermissionsConfig,
  testDatabases,
  waitForCatalog,
} from '@bizmatters/test-backend';
import postgresPlugin from '../index';

jest.setTimeout(180_000);

const COUNT = 600;
const names = Array.from({ length: COUNT }, (_, i) => `svc-${i}`);

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'many', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'owner', namespace: 'default' },
    spec: { memberOf: ['many'] },
  },
  ...names.map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/many',
    },
  })),
];

const policy: PermissionPolicy = {
  async handle(query, user) {
    return (
      decidePostgresPermission(query.permission, user) ?? {
        result: AuthorizeResult.ALLOW,
      }
    );
  },
};

describe('the fleet view of an owner of 600 entities', () => {
  let k: KubernetesStandIn;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  // the plugins' databases: SQLite in memory, or PostgreSQL with TEST_DATABASE=postgres
  const databases = testDatabases();
  const auth = `Bearer ${mockCredentials.user.token('user:default/owner')}`;

  beforeAll(async () => {
    k = await KubernetesStandIn.start({ name: 'cluster-a' });
    k.apply(
      ...names.map(name => ({
        apiVersion: 'database.bizmatters.io/v1alpha1',
        kind: 'PostgresInstance',
        metadata: {
          name: `${name}-db`,
          namespace: 'fleet',
          annotations: {
            'bizmatters.io/entity-ref': `component:default/${name}`,
          },
        },
        spec: {
          size: 'small',
          version: '16',
          storageGB: 10,
          databaseName: 'app',
          databaseOwner: 'app',
          connectionSecretName: `${name}-postgres`,
          credentialsSecretName: `${name}-db-credentials`,
        },
      })),
    );
    backend = await startTestBackend({
      features: [
        postgresPlugin,
        kubernetesPlugin,
        databases.factory,
        ...catalogAndPermissions({ entities, policy }),
        permissionsServiceFactory,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            ...catalogAndPermissionsConfig(['Component', 'Group', 'User']),
            kubernetes: KubernetesStandIn.backstageConfig([k]),
            postgres: { kubernetes: { deadlineMs: 60_000 } },
          },
        }),
      ],
    });
    await waitForCatalog(
      backend.server,
      ['user/default/owner', `component/default/${names[COUNT - 1]}`],
      { authorization: auth, timeoutMs: 120_000 },
    );
  });

  afterAll(async () => {
    await backend?.stop();
    await databases.stop();
    await k?.stop();
  });

  it('shows every database the owner may read', async () => {
    const res = await request(backend.server)
      .get('/api/postgres/v1/databases')
      .set('authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.items).toHaveLength(COUNT);
  });
});
