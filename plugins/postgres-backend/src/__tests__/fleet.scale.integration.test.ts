/*
 * The fleet view for an owner of many entities (not a fleet reader): filtered per caller through
 * the REAL catalog and the REAL permission backend, which refuses request bodies past 100 kB —
 * the filter must ask in batches. 600 entities, one claim each.
 */
import request from 'supertest';
import { KubernetesStandIn } from '@bizmatters/sandbox';
import {
  componentEntity,
  PostgresBackend,
  postgresPolicy,
  startPostgresBackend,
  teamEntities,
  userAuth,
} from '@bizmatters/test-backend/postgres';
import postgresPlugin from '../index';

jest.setTimeout(180_000);

const COUNT = 600;
const names = Array.from({ length: COUNT }, (_, i) => `svc-${i}`);

const entities = [
  ...teamEntities(['many'], { owner: ['many'] }),
  ...names.map(name => componentEntity(name, 'group:default/many')),
];

const policy = postgresPolicy();

describe('the fleet view of an owner of 600 entities', () => {
  let k: KubernetesStandIn;
  let pg: PostgresBackend;
  const auth = userAuth('owner');

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
    pg = await startPostgresBackend({
      plugin: postgresPlugin,
      entities,
      policy,
      clusters: [k],
      postgres: { kubernetes: { deadlineMs: 60_000 } },
      waitFor: {
        refs: ['user/default/owner', `component/default/${names[COUNT - 1]}`],
        user: 'owner',
        timeoutMs: 120_000,
      },
    });
  });

  afterAll(async () => {
    await pg?.stop();
    await k?.stop();
  });

  it('shows every database the owner may read', async () => {
    const res = await request(pg.server)
      .get('/api/postgres/v1/databases')
      .set('authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(res.body.items).toHaveLength(COUNT);
  });
});
