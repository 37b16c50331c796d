/*
 * The "New Postgres DB" form's availability check (GET /api/scaffolder/postgres/v1/availability)
 * through the real scaffolder, catalog, permission, postgres and Kubernetes backends, against
 * the sandbox's forge, SSM and platform: free → a half-done request (retry) → merged (exists) →
 * another team's request of the same name (taken, and its task refused without touching the
 * open pull request) → a second database of the same service (the SSM pattern holds one), and
 * with `{name}` in the pattern, a second database that works.
 */
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  DatabaseAvailability,
  DatabaseRequest,
  DEFAULT_POLICY,
  gitopsPath,
  renderManifestFiles,
} from '@bizmatters/plugin-postgres-common';
import {
  startScaffolderHarness,
  ScaffolderHarness,
  USERS,
} from '@bizmatters/test-backend/scaffolder';

jest.setTimeout(180_000);

const PAYMENTS = {
  component: 'component:default/payments',
  namespace: 'payments',
  environment: 'prod',
};

const TASK_VALUES = {
  size: 'small',
  version: '16',
  storageGB: 20,
};

async function availability(
  h: ScaffolderHarness,
  query: Record<string, string>,
  user: string = USERS.alice,
) {
  return request(h.backend.server)
    .get('/api/scaffolder/postgres/v1/availability')
    .query(query)
    .set('Authorization', mockCredentials.user.header(user));
}

const states = (body: DatabaseAvailability) =>
  body.checks.map(c => `${c.subject} ${c.name}: ${c.state}`);

describe('availability, with the seed SSM pattern', () => {
  let h: ScaffolderHarness;
  beforeAll(async () => {
    h = await startScaffolderHarness({ platform: true });
  });
  afterAll(() => h?.stop());

  const openPulls = () => h.forge.pulls.filter(p => p.state === 'open');

  it('answers free, then retry, then exists, as the request goes from nothing to merged', async () => {
    const query = { ...PAYMENTS, repoUrl: h.repoUrl() };
    let res = await availability(h, query);
    expect(res.status).toBe(200);
    expect(res.body.verdict).toBe('free');
    expect(states(res.body)).toEqual([
      'gitops databases/payments/payments-db/postgresinstance.yaml: free',
      'claim payments/payments-db: free',
      'credentialsSecret payments-db-credentials: free',
      'connectionSecret payments-postgres: free',
      'ssm /zerotouch/prod/payments/postgres/user: free',
      'ssm /zerotouch/prod/payments/postgres/password: free',
    ]);

    // the pull request step fails after SSM was written: a half-done request
    h.forge.failNext(
      'POST /repos/:owner/:repo/pulls',
      422,
      'Validation Failed',
    );
    const first = await h.runTask({
      values: { ...query, ...TASK_VALUES },
    });
    expect(first.task.status).toBe('failed');
    res = await availability(h, query);
    expect(res.body.verdict).toBe('retry');
    expect(res.body.message).toMatch(/earlier run/);
    // the same request, by someone else of the same team: not theirs to finish
    // (mallory is not an owner of payments at all: refused before anything is read)
    const mallory = await availability(h, query, USERS.mallory);
    expect(mallory.status).toBe(403);

    const second = await h.runTask({ values: { ...query, ...TASK_VALUES } });
    expect(second.task.status).toBe('completed');
    expect(openPulls()).toHaveLength(1);
    res = await availability(h, query);
    expect(res.body.verdict).toBe('retry');
    expect(res.body.checks).toContainEqual(
      expect.objectContaining({
        subject: 'pullRequest',
        state: 'ours',
        url: expect.stringContaining(`/pull/${openPulls()[0].number}`),
      }),
    );

    await h.forge.merge('platform', 'gitops', openPulls()[0].number);
    // a merge on the forge is not the module's own write: the same question gets the same
    // answer until the cache's TTL (1 s here) has passed
    await new Promise(r => setTimeout(r, 1100));
    res = await availability(h, query);
    expect(res.body.verdict).toBe('exists');
    expect(res.body.url).toContain(
      'databases/payments/payments-db/postgresinstance.yaml',
    );
    expect(res.body.message).toMatch(
      /The database payments\/payments-db already exists/,
    );
    // in the cluster too, once the platform applied it (the postgres backend's cache is 1 s)
    await new Promise(r => setTimeout(r, 1100));
    res = await availability(h, { ...PAYMENTS });
    expect(res.body.verdict).toBe('exists');
    expect(states(res.body)).toContain('claim payments/payments-db: exists');

    // and the task refuses it: no second pull request
    const pulls = h.forge.pulls.length;
    const again = await h.runTask({ values: { ...query, ...TASK_VALUES } });
    expect(again.task.status).toBe('failed');
    expect(JSON.stringify(again.events)).toContain(
      'The database payments/payments-db already exists',
    );
    expect(h.forge.pulls.length).toBe(pulls);
  });

  it("a second database of the same service: the seed's SSM pattern holds one, and the form is told why and what to change", async () => {
    const res = await availability(h, {
      ...PAYMENTS,
      name: 'payments-reports',
    });
    expect(res.status).toBe(200);
    expect(res.body.verdict).toBe('taken');
    const ssm = res.body.checks.find(
      (c: any) => c.subject === 'ssm' && c.state === 'taken',
    );
    expect(ssm.message).toContain(
      'already holds the credentials of payments/payments-db, another database of this service',
    );
    expect(ssm.message).toContain(
      'ask the platform team to add {name} to postgres.ssm.pathPattern',
    );
    // and the default connection secret is payments-db's
    expect(res.body.checks).toContainEqual(
      expect.objectContaining({
        subject: 'connectionSecret',
        name: 'payments-postgres',
        state: 'taken',
        field: 'connectionSecretName',
      }),
    );
  });

  it("another team's request of the same name: taken without saying whose, and its task cannot push over the open pull request", async () => {
    // orders (mallory's team) asks for shared/shared-name while alice's request for payments is open
    const alice = await h.runTask({
      values: {
        ...PAYMENTS,
        namespace: 'shared',
        name: 'shared-name',
        environment: 'staging',
        repoUrl: h.repoUrl(),
        ...TASK_VALUES,
      },
    });
    expect(alice.task.status).toBe('completed');
    const pull = openPulls().find(
      p => p.head === 'postgres/shared/shared-name',
    )!;
    const refWrites = () =>
      Object.entries(h.forge.calls)
        .filter(([route]) => /^(POST|PATCH) .*git\/refs/.test(route))
        .reduce((n, [, count]) => n + count, 0);
    const refsBefore = refWrites();
    const pullsBefore = h.forge.pulls.length;

    const query = {
      component: 'component:default/orders',
      namespace: 'shared',
      name: 'shared-name',
      environment: 'dev',
      repoUrl: h.repoUrl(),
    };
    const res = await availability(h, query, USERS.mallory);
    expect(res.status).toBe(200);
    expect(res.body.verdict).toBe('taken');
    expect(res.body.url).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toMatch(
      /component:default\/payments|alice/,
    );

    const writes = h.ssm.writes;
    const task = await h.runTask(
      { values: { ...query, ...TASK_VALUES } },
      USERS.mallory,
    );
    expect(task.task.status).toBe('failed');
    expect(JSON.stringify(task.events)).toContain(
      'A pull request adding another database named shared/shared-name is open',
    );
    expect(h.ssm.writes).toBe(writes);
    expect(pull.state).toBe('open');
    expect([refWrites(), h.forge.pulls.length]).toEqual([
      refsBefore,
      pullsBefore,
    ]);
  });

  it('bad input: 400 with the field, before anything is read', async () => {
    const forgeCalls = () =>
      Object.values(h.forge.calls).reduce((n, c) => n + c, 0);
    const calls = forgeCalls();
    const res = await availability(h, {
      ...PAYMENTS,
      databaseOwner: 'postgres',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/databaseOwner/);
    const missing = await availability(h, { component: PAYMENTS.component });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/namespace/);
    expect(forgeCalls()).toBe(calls);
  });
});

describe('availability, with {name} in the SSM pattern', () => {
  let h: ScaffolderHarness;
  beforeAll(async () => {
    h = await startScaffolderHarness({
      platform: true,
      postgres: {
        ssm: { pathPattern: '/zerotouch/{environment}/{service}/{name}/{key}' },
      },
    });
  });
  afterAll(() => h?.stop());

  it('a second database of the same service is free and is created', async () => {
    for (const [name, connectionSecretName] of [
      ['payments-db', undefined],
      ['payments-reports', 'payments-reports-postgres'],
    ]) {
      const query = {
        ...PAYMENTS,
        name: name!,
        ...(connectionSecretName ? { connectionSecretName } : {}),
        repoUrl: h.repoUrl(),
      };
      const res = await availability(h, query);
      expect([name, res.body.verdict]).toEqual([name, 'free']);
      const task = await h.runTask({ values: { ...query, ...TASK_VALUES } });
      expect([name, task.task.status]).toEqual([name, 'completed']);
    }
    expect([...h.ssm.parameters.keys()].sort()).toEqual([
      '/zerotouch/prod/payments/payments-db/password',
      '/zerotouch/prod/payments/payments-db/user',
      '/zerotouch/prod/payments/payments-reports/password',
      '/zerotouch/prod/payments/payments-reports/user',
    ]);
  });

  // what exists is read from it, never re-derived from today's config

  /** A database of payments as the template wrote it, with the SSM pattern of its day. */
  const legacy: DatabaseRequest = {
    name: 'legacy-db',
    namespace: 'payments',
    service: 'payments',
    environment: 'prod',
    size: 'small',
    version: '16',
    storageGB: 10,
    databaseName: 'legacy',
    databaseOwner: 'legacy',
    connectionSecretName: 'legacy-postgres',
    component: 'component:default/payments',
    owner: 'group:default/team-payments',
  };
  const filesOf = (database: DatabaseRequest) => {
    const folder = gitopsPath(database, DEFAULT_POLICY);
    // the seed's pattern, as when it was created: /zerotouch/{environment}/{service}/postgres/{key}
    return Object.fromEntries(
      Object.entries(renderManifestFiles(database, DEFAULT_POLICY)).map(
        ([file, text]) => [`${folder}/${file}`, text],
      ),
    );
  };

  it("an existing database's SSM parameters are read from its ExternalSecret, never from today's pattern", async () => {
    await h.forge.commitFiles('platform', 'gitops', filesOf(legacy), 'legacy');
    const res = await availability(h, {
      ...PAYMENTS,
      name: 'legacy-db',
      connectionSecretName: 'legacy-postgres',
      repoUrl: h.repoUrl(),
    });
    expect(res.body.verdict).toBe('exists');
    const ssm = res.body.checks
      .filter((c: any) => c.subject === 'ssm')
      .map((c: any) => c.name);
    expect(ssm).toEqual([
      '/zerotouch/prod/payments/postgres/user',
      '/zerotouch/prod/payments/postgres/password',
    ]);
    expect(JSON.stringify(res.body)).not.toContain('payments/legacy-db/user');
  });

  it('the link to an existing claim is built from the forge integration and answers', async () => {
    const res = await availability(h, {
      ...PAYMENTS,
      name: 'legacy-db',
      connectionSecretName: 'legacy-postgres',
      repoUrl: h.repoUrl(),
    });
    expect(res.body.url).toMatch(
      new RegExp(
        `^http://${h.forge.host.replace(/\./g, '\\.')}/platform/gitops/`,
      ),
    );
    const page = await fetch(res.body.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('kind: PostgresInstance');
  });

  it('a secret name written by an open pull request is taken, though no cluster has it yet', async () => {
    const pending: DatabaseRequest = {
      ...legacy,
      name: 'pending-db',
      databaseName: 'pending',
      databaseOwner: 'pending',
      connectionSecretName: 'pending-postgres',
    };
    await h.forge.openPullRequest('platform', 'gitops', {
      head: 'postgres/payments/pending-db',
      files: filesOf(pending),
      title: 'Add pending-db',
    });
    const res = await availability(h, {
      ...PAYMENTS,
      name: 'pending-zz',
      connectionSecretName: 'pending-postgres',
      repoUrl: h.repoUrl(),
    });
    expect(res.body.verdict).toBe('taken');
    expect(res.body.checks).toContainEqual(
      expect.objectContaining({
        subject: 'connectionSecret',
        name: 'pending-postgres',
        state: 'taken',
        field: 'connectionSecretName',
      }),
    );
  });
});
