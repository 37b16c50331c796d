/*
 * The form's choices: `GET /api/postgres/v1/policy` in a started backend serves what app-config
 * says (and only the choices), to signed-in callers only.
 */
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DEFAULT_POLICY,
  PostgresChoices,
} from '@bizmatters/plugin-postgres-common';
import postgresPlugin from '../index';

jest.setTimeout(60_000);

/** The `postgres` block of app-config. */
type Postgres = Record<string, any>;

/** A size the seed does not have, with all its resources. */
const TINY = {
  description: 'Tiny: for tests',
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '200m', memory: '256Mi' },
  },
};

async function backendWith(postgres: Postgres) {
  return startTestBackend({
    features: [
      postgresPlugin,
      catalogServiceMock.factory(),
      // a request without a token has no credentials (the mock's default is a user)
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: { backend: { baseUrl: 'http://localhost:7007' }, postgres },
      }),
    ],
  });
}

describe('GET /api/postgres/v1/policy', () => {
  const started: Array<Awaited<ReturnType<typeof startTestBackend>>> = [];
  afterAll(() => Promise.all(started.map(b => b.stop())));

  async function get(postgres: Postgres, auth?: string) {
    const backend = await backendWith(postgres);
    started.push(backend);
    const req = request(backend.server).get('/api/postgres/v1/policy');
    return auth ? req.set('authorization', auth) : req;
  }

  it('serves the curated choices from app-config, and nothing else of the policy', async () => {
    const res = await get(
      {
        sizes: { tiny: TINY, small: { description: 'Small, as the seed' } },
        versions: ['17', '18'],
        environments: ['qa', 'prod'],
        storageGB: { min: 5, max: 50 },
        upgrades: { maxMajorSteps: 2 },
        ssm: { pathPattern: '/secret/{environment}/{service}/{key}' },
        gitops: {
          repositories: [{ host: 'github.com', owner: 'acme', repo: 'ops' }],
        },
      },
      `Bearer ${mockCredentials.user.token()}`,
    );
    expect(res.status).toBe(200);
    const expected: PostgresChoices = {
      sizes: {
        tiny: TINY,
        small: {
          description: 'Small, as the seed',
          resources: DEFAULT_POLICY.sizes.small.resources,
        },
      },
      versions: ['17', '18'],
      environments: ['qa', 'prod'],
      storageGB: { min: 5, max: 50 },
      upgrades: { maxMajorSteps: 2 },
      // a name the form shows (where the credentials go), not a secret
      ssm: { pathPattern: '/secret/{environment}/{service}/{key}' },
    };
    expect(res.body).toEqual(expected);
    expect(res.text).not.toContain('acme');
  });

  it('serves the seed defaults without config', async () => {
    const res = await get({}, `Bearer ${mockCredentials.user.token()}`);
    expect(res.status).toBe(200);
    expect(res.body.versions).toEqual(DEFAULT_POLICY.versions);
    expect(Object.keys(res.body.sizes)).toEqual(['small', 'medium', 'large']);
  });

  it('answers 401 without credentials', async () => {
    const res = await get({});
    expect(res.status).toBe(401);
    expect(res.body).not.toHaveProperty('sizes');
  });
});
