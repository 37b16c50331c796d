import { screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { PostgresReviewNames, reviewNames } from './ReviewNames';

describe('reviewNames', () => {
  const values = {
    component: 'component:default/orders',
    repoUrl: 'github.com?owner=platform&repo=gitops',
    operation: 'repairCredentials',
  };

  it('names the service, the repository and the change as a person reads them', () => {
    expect(
      reviewNames(['service', 'repository', 'change'], values, undefined),
    ).toEqual({
      service: 'orders',
      repository: 'platform/gitops on github.com',
      change: 'Repair credentials (the SSM username becomes the owner)',
    });
  });

  it("takes the catalog's title, says a namespace other than default, and only the keys asked", () => {
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'orders', namespace: 'shop', title: 'Orders API' },
    };
    expect(
      reviewNames(
        ['service'],
        { ...values, component: 'component:shop/orders' },
        entity,
      ),
    ).toEqual({ service: 'Orders API (shop)' });
  });
});

describe('PostgresReviewNames', () => {
  it('shows nothing on the form and holds the names the Review step lists', async () => {
    const onChange = jest.fn();
    const catalogApi = catalogApiMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'orders', namespace: 'default', title: 'Orders' },
        },
      ],
    });
    await renderInTestApp(
      <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
        <div data-testid="field">
          <PostgresReviewNames
            {...({
              onChange,
              formData: undefined,
              schema: {
                type: 'object',
                properties: { service: {}, repository: {} },
              },
              formContext: {
                formData: {
                  component: 'component:default/orders',
                  repoUrl: 'localhost:7020?owner=platform&repo=gitops',
                },
              },
            } as any)}
          />
        </div>
      </TestApiProvider>,
    );
    expect(screen.getByTestId('field')).toBeEmptyDOMElement();
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith({
        service: 'Orders',
        repository: 'platform/gitops on localhost:7020',
      }),
    );
  });
});
