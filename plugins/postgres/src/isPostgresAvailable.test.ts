import { Entity } from '@backstage/catalog-model';
import { configApiRef } from '@backstage/core-plugin-api';
import { mockApis, TestApiRegistry } from '@backstage/test-utils';
import { isPostgresAvailable } from './isPostgresAvailable';

const entity = (
  kind: string,
  type?: string,
  annotations?: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'x', namespace: 'default', annotations },
  spec: type ? { type } : {},
});

const withConfig = (data: object) => ({
  apis: TestApiRegistry.from([configApiRef, mockApis.config({ data })]),
});

describe('isPostgresAvailable', () => {
  it.each<[string, Entity, boolean]>([
    ['a service', entity('Component', 'service'), true],
    ['a website', entity('Component', 'website'), false],
    ['a library', entity('Component', 'library'), false],
    ['a database resource', entity('Resource', 'database'), true],
    ['an S3 bucket', entity('Resource', 's3-bucket'), false],
    ['a group', entity('Group'), false],
    [
      'a website naming databases in bizmatters.io/postgres-instances',
      entity('Component', 'website', {
        'bizmatters.io/postgres-instances': 'payments/payments-db',
      }),
      true,
    ],
    [
      'a system naming databases',
      entity('System', undefined, {
        'bizmatters.io/postgres-instances': 'a/b',
      }),
      true,
    ],
  ])('by default: %s → %s', (_, e, shown) => {
    expect(isPostgresAvailable(e)).toBe(shown);
    expect(isPostgresAvailable(e, withConfig({}))).toBe(shown);
  });

  it('follows postgres.entityPage.show (kind and type in any case; no type: any type)', () => {
    const context = withConfig({
      postgres: {
        entityPage: {
          show: [{ kind: 'component', type: 'Website' }, { kind: 'System' }],
        },
      },
    });
    expect(isPostgresAvailable(entity('Component', 'website'), context)).toBe(
      true,
    );
    expect(isPostgresAvailable(entity('System'), context)).toBe(true);
    expect(isPostgresAvailable(entity('Component', 'service'), context)).toBe(
      false,
    );
    expect(isPostgresAvailable(entity('Resource', 'database'), context)).toBe(
      false,
    );
    // the annotation shows it whatever the configured kinds
    expect(
      isPostgresAvailable(
        entity('Component', 'service', {
          'bizmatters.io/postgres-instances': 'a/b',
        }),
        context,
      ),
    ).toBe(true);
  });
});
