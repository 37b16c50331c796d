import { Entity } from '@backstage/catalog-model';
import { DatabaseResourceGuard } from './DatabaseResourceGuard';

const resource = (annotations: Record<string, string> = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'payments-db.payments.sandbox-a',
    namespace: 'default',
    annotations,
  },
  spec: { type: 'database', owner: 'group:default/team-guests' },
});
const INSTANCES = {
  'bizmatters.io/postgres-instances': 'sandbox-a/payments/payments-db',
};

describe('DatabaseResourceGuard', () => {
  const guard = new DatabaseResourceGuard();
  const pre = (entity: Entity, type: string, target: string) =>
    guard.preProcessEntity(entity, { type, target });

  it('refuses a Resource naming a database from any location but the provider’s', async () => {
    await expect(
      pre(resource(INSTANCES), 'url', 'https://example.com/catalog-info.yaml'),
    ).rejects.toThrow(
      'Resource:default/payments-db.payments.sandbox-a: only the postgres database provider may make a Resource with the bizmatters.io/postgres-instances annotation',
    );
    await expect(
      pre(resource(INSTANCES), 'file', '/tmp/catalog-info.yaml'),
    ).rejects.toThrow('only the postgres database provider');
  });

  it('lets the provider’s Resources, other Resources and other kinds through unchanged', async () => {
    const ours = resource(INSTANCES);
    expect(await pre(ours, 'postgres-claims', 'sandbox-a')).toBe(ours);
    const mysql = resource();
    expect(await pre(mysql, 'url', 'https://example.com/x.yaml')).toBe(mysql);
    const component = {
      ...resource(INSTANCES),
      kind: 'Component',
    };
    expect(await pre(component, 'url', 'https://example.com/x.yaml')).toBe(
      component,
    );
  });
});
