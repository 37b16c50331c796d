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
});
