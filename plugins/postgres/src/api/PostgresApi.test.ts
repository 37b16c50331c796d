import { PostgresClient } from './PostgresApi';

describe('PostgresClient', () => {
  const discoveryApi = {
    getBaseUrl: async (id: string) => `http://backend/api/${id}`,
  };

  it('asks the backend for the entity, escaping its parts', async () => {
    const fetch = jest.fn().mockResolvedValue(
      new Response(JSON.stringify({ items: [], errors: [] }), {
        status: 200,
      }),
    );
    const client = new PostgresClient({ discoveryApi, fetchApi: { fetch } });
    await expect(
      client.getEntityDatabases({
        kind: 'Component',
        namespace: 'default',
        name: 'a b',
      }),
    ).resolves.toEqual({
      items: [],
      errors: [],
    });
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/postgres/v1/entities/component/default/a%20b/databases',
    );
  });

  it('dismisses a request with a DELETE on the entity, escaping its id', async () => {
    const fetch = jest
      .fn()
      .mockResolvedValue(new Response(null, { status: 204 }));
    const client = new PostgresClient({ discoveryApi, fetchApi: { fetch } });
    await client.dismissRequest(
      { kind: 'Component', namespace: 'default', name: 'orders' },
      'a/b',
    );
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/postgres/v1/entities/component/default/orders/requests/a%2Fb',
      { method: 'DELETE' },
    );
  });

  it('turns an error response into a ResponseError with the server message', async () => {
    const fetch = jest.fn().mockResolvedValue(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotFoundError',
            message: 'No entity component:default/x',
          },
          request: { method: 'GET', url: '/v1/databases' },
          response: { statusCode: 404 },
        }),
        {
          status: 404,
          headers: { 'content-type': 'application/json' },
        },
      ),
    );
    const client = new PostgresClient({ discoveryApi, fetchApi: { fetch } });
    await expect(client.getFleet()).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 404,
      cause: expect.objectContaining({
        message: 'No entity component:default/x',
      }),
    });
  });

  it("asks the scaffolder module's availability route, leaving out what is empty", async () => {
    const answer = {
      verdict: 'taken',
      message: 'orders/orders-db is used by another database.',
      field: 'name',
      checks: [],
    };
    const fetch = jest
      .fn()
      .mockResolvedValue(new Response(JSON.stringify(answer), { status: 200 }));
    const client = new PostgresClient({ discoveryApi, fetchApi: { fetch } });
    await expect(
      client.checkAvailability({
        component: 'component:default/orders',
        namespace: 'orders',
        environment: 'dev',
        name: 'orders-db',
        databaseOwner: '',
        repoUrl: 'localhost:7020?owner=platform&repo=gitops',
      }),
    ).resolves.toEqual(answer);
    const url = new URL(fetch.mock.calls[0][0]);
    expect(url.origin + url.pathname).toBe(
      'http://backend/api/scaffolder/postgres/v1/availability',
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      component: 'component:default/orders',
      namespace: 'orders',
      environment: 'dev',
      name: 'orders-db',
      repoUrl: 'localhost:7020?owner=platform&repo=gitops',
    });
  });

  it('turns a refused availability check into a ResponseError with its status', async () => {
    const fetch = jest.fn().mockResolvedValue(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'You may not create a database for component:default/x',
          },
          request: { method: 'GET', url: '/postgres/v1/availability' },
          response: { statusCode: 403 },
        }),
        { status: 403, headers: { 'content-type': 'application/json' } },
      ),
    );
    const client = new PostgresClient({ discoveryApi, fetchApi: { fetch } });
    await expect(
      client.checkAvailability({
        component: 'component:default/x',
        namespace: 'x',
        environment: 'dev',
      }),
    ).rejects.toMatchObject({ name: 'ResponseError', statusCode: 403 });
  });
});
