/*
 * A database request from the moment it is made: the real template through the real scaffolder
 * (our actions, the GitHub module's pull request, postgres:request:register), the real postgres
 * backend storing the request in its database and following the pull request on the sandbox
 * forge through the GitHub integration, the real Kubernetes backend reading the sandbox cluster
 * that the platform simulator (Argo CD, ESO, Crossplane, CNPG) fills after the merge.
 */
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  KubernetesStandIn,
  PlatformSimulator,
  PullRequest,
} from '@bizmatters/sandbox';
import type {
  DatabasesResponse,
  DatabaseRequestStatus,
} from '@bizmatters/plugin-postgres-common';
import {
  startScaffolderHarness,
  ScaffolderHarness,
  USERS,
} from '@bizmatters/test-backend/scaffolder';
import { seedInput } from '../__testUtils__/seed';

jest.setTimeout(180_000);

const { service: _service, name: _name, ...seed } = seedInput();
const TAB =
  '/api/postgres/v1/entities/component/default/agent-executor/databases';
const LIST = 'GET /repos/:owner/:repo/pulls';
const GET = 'GET /repos/:owner/:repo/pulls/:number';

describe('a database request from the template to healthy, through the real backends', () => {
  let h: ScaffolderHarness;
  let kube: KubernetesStandIn;
  let platform: PlatformSimulator | undefined;

  beforeAll(async () => {
    kube = await KubernetesStandIn.start({ name: 'cluster-a' });
    h = await startScaffolderHarness({ clusters: [kube], ttlSeconds: 1 });
  });
  afterAll(async () => {
    await platform?.stop();
    await h?.stop();
    await kube?.stop();
  });

  async function tab(user: string = USERS.alice): Promise<DatabasesResponse> {
    const res = await request(h.backend.server)
      .get(TAB)
      .set('Authorization', mockCredentials.user.header(user));
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    return res.body;
  }

  /** The tab, asked until `done` holds of it (the answers are cached for the 1 s TTL). */
  async function tabUntil(
    done: (body: DatabasesResponse) => boolean,
  ): Promise<DatabasesResponse> {
    let body = await tab();
    for (let i = 0; i < 100 && !done(body); i++) {
      await new Promise(r => setTimeout(r, 100));
      body = await tab();
    }
    return body;
  }

  let pr: PullRequest;
  let requested: DatabaseRequestStatus;

  it('right after the task, the tab shows the request with its pull request, who and when', async () => {
    const before = Date.now();
    const { task, status, body, events } = await h.runTask({
      values: { ...seed, baseBranch: 'main', repoUrl: h.repoUrl() },
    });
    expect([status, JSON.stringify(body).slice(0, 300)]).toEqual([
      201,
      expect.anything(),
    ]);
    // the task's log in the failure message, if it fails
    expect([
      task.status,
      task.status === 'completed'
        ? ''
        : events.map((e: any) => e.body?.message ?? '').join('\n'),
    ]).toEqual(['completed', '']);
    pr = h.forge.pulls[h.forge.pulls.length - 1];

    const answer = await tab();
    expect(answer.items).toEqual([]);
    expect(answer.requests).toHaveLength(1);
    requested = answer.requests![0];
    expect(requested).toMatchObject({
      namespace: 'databases',
      name: 'agent-executor-db',
      phase: 'requested',
      requestedBy: USERS.alice,
      pullRequest: {
        number: pr.number,
        url: h.forge.htmlUrl(pr),
        state: 'open',
      },
    });
    expect(Date.parse(requested.timeline.requestedAt)).toBeGreaterThanOrEqual(
      before - 1000,
    );
    expect(requested.timeline.mergedAt).toBeUndefined();
    expect(requested.timeToHealthySeconds).toBeUndefined();
  });

  it('many viewers cost one list of open pull requests per TTL, not one read per view', async () => {
    const list = h.forge.calls[LIST] ?? 0;
    const get = h.forge.calls[GET] ?? 0;
    await new Promise(r => setTimeout(r, 1100)); // past the TTL: the next view refreshes
    await Promise.all(Array.from({ length: 50 }, () => tab()));
    expect((h.forge.calls[LIST] ?? 0) - list).toBe(1);
    expect((h.forge.calls[GET] ?? 0) - get).toBe(0);
  });

  it('is shown only on its entity, to callers who may read its databases', async () => {
    const res = await request(h.backend.server)
      .get(TAB)
      .set('Authorization', mockCredentials.user.header(USERS.mallory));
    expect(res.status).toBe(403);
    const other = await request(h.backend.server)
      .get('/api/postgres/v1/entities/component/default/payments/databases')
      .set('Authorization', mockCredentials.user.header(USERS.alice));
    expect(other.status).toBe(200);
    expect(other.body.requests ?? []).toEqual([]);
  });

  it('after the merge: "merged", waiting for Argo CD, with the time of the merge', async () => {
    await h.forge.merge('platform', 'gitops', pr.number);
    const answer = await tabUntil(b => b.requests?.[0]?.phase === 'merged');
    expect(answer.items).toEqual([]);
    expect(answer.requests![0]).toMatchObject({
      id: requested.id,
      phase: 'merged',
      pullRequest: { state: 'merged' },
      timeline: { mergedAt: pr.mergedAt },
    });
  });

  it('a restarted backend (a new one on the same database) still shows it', async () => {
    await h.restart();
    const answer = await tab();
    expect(answer.requests).toEqual([
      expect.objectContaining({
        id: requested.id,
        phase: 'merged',
        requestedBy: USERS.alice,
        timeline: expect.objectContaining({
          requestedAt: requested.timeline.requestedAt,
          mergedAt: pr.mergedAt,
        }),
      }),
    ]);
  });

  it('once Argo CD applied it and the controllers acted: the database, healthy, with its request and time to healthy', async () => {
    platform = new PlatformSimulator({
      kube,
      ssm: h.ssm,
      forge: h.forge,
      repo: { owner: 'platform', name: 'gitops' },
    });
    await platform.syncFromGit();
    const answer = await tabUntil(
      b => b.items[0]?.health.verdict === 'healthy',
    );
    expect(answer.requests).toEqual([]);
    expect(answer.items).toHaveLength(1);
    const item = answer.items[0];
    expect(item).toMatchObject({
      namespace: 'databases',
      name: 'agent-executor-db',
      health: { verdict: 'healthy' },
    });
    expect(item.request).toMatchObject({ id: requested.id, phase: 'healthy' });
    const { timeline } = item.request!;
    expect(timeline.claimSeenAt).toEqual(expect.any(String));
    expect(timeline.healthyAt).toEqual(expect.any(String));
    expect(Date.parse(timeline.healthyAt!)).toBeGreaterThanOrEqual(
      Date.parse(timeline.mergedAt!),
    );
    expect(item.request!.timeToHealthySeconds).toBe(
      Math.round(
        (Date.parse(timeline.healthyAt!) - Date.parse(timeline.requestedAt)) /
          1000,
      ),
    );
    // the first sightings are stored: a restarted backend gives the same times
    await h.restart();
    const again = await tab();
    expect(again.items[0].request!.timeline).toEqual(timeline);
  });

  it('keeps no password in its database', async () => {
    const password = h.ssm.parameters.get(
      '/zerotouch/prod/agent-executor/postgres/password',
    )!.value;
    const rows = await h.postgresRows();
    expect(rows.some(r => r.table === 'database_requests')).toBe(true);
    expect(rows.filter(r => r.row.includes(password))).toEqual([]);
  });
});

describe('an abandoned request', () => {
  let h: ScaffolderHarness;

  beforeAll(async () => {
    h = await startScaffolderHarness({ ttlSeconds: 1 });
  });
  afterAll(() => h?.stop());

  const auth = (user: string) => mockCredentials.user.header(user);

  it('shows as abandoned once its pull request is closed without merge, until an owner dismisses it', async () => {
    const { task } = await h.runTask({
      values: { ...seed, baseBranch: 'main', repoUrl: h.repoUrl() },
    });
    expect(task.status).toBe('completed');
    const pr = h.forge.pulls[h.forge.pulls.length - 1];
    h.forge.setState('platform', 'gitops', pr.number, 'closed');
    await new Promise(r => setTimeout(r, 1100));
    const body = (
      await request(h.backend.server)
        .get(TAB)
        .set('Authorization', auth(USERS.alice))
    ).body as DatabasesResponse;
    expect(body.requests).toEqual([
      expect.objectContaining({
        phase: 'abandoned',
        pullRequest: expect.objectContaining({ state: 'closed' }),
        timeline: expect.objectContaining({ closedAt: pr.closedAt }),
      }),
    ]);
    const id = body.requests![0].id;
    const path = `/api/postgres/v1/entities/component/default/agent-executor/requests/${id}`;

    // mallory does not own agent-executor: not allowed, and it stays
    const refused = await request(h.backend.server)
      .delete(path)
      .set('Authorization', auth(USERS.mallory));
    expect(refused.status).toBe(403);
    // an id of another entity is not found there
    const elsewhere = await request(h.backend.server)
      .delete(
        `/api/postgres/v1/entities/component/default/payments/requests/${id}`,
      )
      .set('Authorization', auth(USERS.alice));
    expect(elsewhere.status).toBe(404);

    const dismissed = await request(h.backend.server)
      .delete(path)
      .set('Authorization', auth(USERS.alice));
    expect(dismissed.status).toBe(204);
    const after = (
      await request(h.backend.server)
        .get(TAB)
        .set('Authorization', auth(USERS.alice))
    ).body as DatabasesResponse;
    expect(after.requests ?? []).toEqual([]);
  });

  it('refuses to register a pull request that does not exist, or for a repository not allowed, and writes nothing', async () => {
    const rows = (await h.postgresRows()).filter(
      r => r.table === 'database_requests',
    ).length;
    // as postgres:request:register sends it: the scaffolder acting for the user
    const viaScaffolder = (user: string) =>
      `Bearer ${mockCredentials.user.token(user, {
        actor: { subject: 'plugin:scaffolder' },
      })}`;
    const token = viaScaffolder(USERS.alice);
    const post = (body: object) =>
      request(h.backend.server)
        .post(
          '/api/postgres/v1/entities/component/default/agent-executor/requests',
        )
        .set('Authorization', token)
        .send(body);
    const good = {
      namespace: 'databases',
      name: 'x-db',
      repoUrl: h.repoUrl(),
      pullRequestNumber: 999,
    };
    const missing = await post(good);
    expect([missing.status, missing.body.error?.message]).toEqual([
      400,
      expect.stringMatching(/There is no pull request #999/),
    ]);
    const other = await post({
      ...good,
      repoUrl: `${h.forge.host}?owner=platform&repo=other`,
      pullRequestNumber: 1,
    });
    expect([other.status, other.body.error?.message]).toEqual([
      400,
      expect.stringMatching(/postgres.gitops.repositories/),
    ]);
    const badName = await post({
      ...good,
      name: 'Not A Name',
      pullRequestNumber: 1,
    });
    expect(badName.status).toBe(400);
    // mallory may not create a database for agent-executor
    const refused = await request(h.backend.server)
      .post(
        '/api/postgres/v1/entities/component/default/agent-executor/requests',
      )
      .set('Authorization', viaScaffolder(USERS.mallory))
      .send({ ...good, pullRequestNumber: 1 });
    expect(refused.status).toBe(403);
    expect(
      (await h.postgresRows()).filter(r => r.table === 'database_requests'),
    ).toHaveLength(rows);
  });
});
