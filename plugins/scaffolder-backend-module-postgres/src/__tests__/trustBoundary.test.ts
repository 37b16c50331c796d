/*
 * The trust boundary through the real scaffolder, the real template, the real catalog and the
 * real permission backend (permissions on; the policy delegates to postgres-common's rules, so
 * IS_ENTITY_OWNER is resolved by the catalog), with two teams: alice (payments) and mallory
 * (orders). SSM and the Git forge are the sandbox's stand-ins, observed through their own APIs.
 */
import path from 'path';
import { parse } from 'yaml';
import {
  ENTITY_REF_ANNOTATION,
  OWNER_ANNOTATION,
} from '@bizmatters/plugin-postgres-common';
import {
  startScaffolderHarness,
  ScaffolderHarness,
  USERS,
} from '@bizmatters/test-backend/scaffolder';

jest.setTimeout(120_000);

const USER_PARAM = '/zerotouch/dev/payments/postgres/user';
const PASSWORD_PARAM = '/zerotouch/dev/payments/postgres/password';
const BRANCH = 'postgres/payments/payments-db';

const payments = {
  component: 'component:default/payments',
  namespace: 'payments',
  environment: 'dev',
  size: 'small',
  version: '16',
  storageGB: 20,
  baseBranch: 'main',
};

describe('a team creates, reuses and sees only what is its own', () => {
  let h: ScaffolderHarness;
  beforeAll(async () => {
    h = await startScaffolderHarness();
  });
  afterAll(() => h?.stop());
  beforeEach(() => h.ssm.reset());

  const values = (patch: Record<string, unknown> = {}) => ({
    ...payments,
    repoUrl: h.repoUrl(),
    ...patch,
  });
  const pullsFor = (head: string) => h.forge.pulls.filter(p => p.head === head);
  /** The error a dry run answered with: its HTTP body, or its failed step's log. */
  const dryRunError = (res: { status: number; body: any }) =>
    res.status === 200
      ? JSON.stringify(
          res.body.log.filter((l: any) => l.body.status === 'failed'),
        )
      : JSON.stringify(res.body.error);

  it('the orders team (mallory) cannot create for payments: NotAllowedError naming the component; no SSM call, no branch, no pull request — real task and dry run', async () => {
    const branches = h.forge.branchesCreated;
    const pulls = h.forge.pulls.length;

    const { task, events } = await h.runTask(
      { values: values() },
      USERS.mallory,
    );
    expect(task.status).toBe('failed');
    const text = JSON.stringify(events);
    expect(text).toContain('NotAllowedError');
    expect(text).toContain(
      'user:default/mallory may not create a database for component:default/payments',
    );

    const dry = await h.dryRun(values(), {}, USERS.mallory);
    const dryText = dryRunError(dry);
    expect(dryText).toContain('NotAllowedError');
    expect(dryText).toContain('component:default/payments');

    expect(h.ssm.log).toEqual([]);
    expect(h.ssm.parameters.size).toBe(0);
    expect(h.forge.branchesCreated).toBe(branches);
    expect(h.forge.pulls.length).toBe(pulls);
  });

  it('mallory can create for her own team’s component (the denial is about ownership, not about mallory)', async () => {
    const { task } = await h.runTask(
      {
        values: values({
          component: 'component:default/orders',
          namespace: 'orders',
        }),
      },
      USERS.mallory,
    );
    expect(task.status).toBe('completed');
    expect(pullsFor('postgres/orders/orders-db')).toHaveLength(1);
    expect(
      h.ssm.parameters.get('/zerotouch/dev/orders/postgres/password')!.tags,
    ).toContainEqual({
      Key: 'backstage.io/created-by',
      Value: 'user:default/mallory',
    });
  });

  it('a parameter planted by another user for payments’ claim is never reused by alice: conflict naming who and when; nothing written, no pull request', async () => {
    const planted = 'MalloryKnowsThisPassword0123456789abcdef';
    const tags = [
      { Key: 'bizmatters.io/postgres-claim', Value: 'payments/payments-db' },
      { Key: 'backstage.io/entity', Value: 'component:default/payments' },
      { Key: 'backstage.io/created-by', Value: 'user:default/mallory' },
      { Key: 'backstage.io/scaffolder-task', Value: 'some-task-of-mallory' },
      { Key: 'bizmatters.io/postgres-username', Value: 'payments' },
    ];
    h.ssm.seed(USER_PARAM, 'payments', tags);
    h.ssm.seed(PASSWORD_PARAM, planted, tags);
    const when = new Date(
      h.ssm.parameters.get(USER_PARAM)!.lastModifiedDate * 1000,
    ).toISOString();

    const { task, events } = await h.runTask({ values: values() });
    expect(task.status).toBe('failed');
    const text = JSON.stringify(events);
    expect(text).toContain('ConflictError');
    expect(text).toContain(
      `it was written by user:default/mallory (last modified ${when}), not by user:default/alice`,
    );
    expect(text).not.toContain(planted);
    expect(h.ssm.writes).toBe(0);
    expect(h.ssm.parameters.get(PASSWORD_PARAM)!.value).toBe(planted);
    expect(pullsFor(BRANCH)).toHaveLength(0);
    // decided without reading any value
    expect(
      h.ssm.log.filter(l => l.operation.startsWith('GetParameter')),
    ).toEqual([]);
  });

  it('a dry run with a guessed password reveals nothing: the same answer for the right and a wrong password, and no value is ever read', async () => {
    const real = 'AliceRealPassword0123456789abcdefghijklm';
    // its own namespace, so its pull request does not share a branch with the happy path's
    const created = await h.runTask({
      values: values({
        namespace: 'payments-guess',
        postgresPassword: '*'.repeat(real.length),
      }),
      secrets: { postgresPassword: real },
    });
    expect(created.task.status).toBe('completed');
    expect(h.ssm.parameters.get(PASSWORD_PARAM)!.value).toBe(real);

    const answers: string[] = [];
    for (const user of [USERS.alice, USERS.mallory]) {
      for (const guess of [real, 'WrongGuess0123456789abcdefghijklmnopqrs']) {
        const res = await h.dryRun(
          values({
            namespace: 'payments-guess',
            postgresPassword: '*'.repeat(guess.length),
          }),
          { postgresPassword: guess },
          user,
        );
        const answer = dryRunError(res);
        expect(answer).not.toContain(guess);
        answers.push(
          `${res.status} ${answer.replace(
            /"id":"[^"]*"|\d{4}-\d\d-\d\dT[\d:.]+Z/g,
            '',
          )}`,
        );
      }
    }
    // alice: refused whatever the password; mallory: refused before SSM is asked
    expect(answers[0]).toBe(answers[1]);
    expect(answers[2]).toBe(answers[3]);
    expect(answers[0]).toContain(
      'Leave Password empty to keep the existing one, or remove the parameter',
    );
    expect(answers[2]).toContain('NotAllowedError');
    expect(
      h.ssm.log.filter(l => l.operation.startsWith('GetParameter')),
    ).toEqual([]);
    expect(h.ssm.calls.DescribeParameters).toBeGreaterThan(0);
  });

  it.each([
    [
      'another repository',
      { repoUrl: undefined as unknown, repo: 'other' },
      '- repoUrl: Pull requests may not go to',
    ],
    [
      'another base branch',
      { baseBranch: 'release' },
      "must target the branch 'main', not 'release'",
    ],
  ])(
    'a GitOps target not in postgres.gitops.repositories (%s): clear error, no SSM call, no pull request',
    async (_label, patch: Record<string, unknown>, message) => {
      const { repo, ...rest } = patch;
      const v = values({
        ...rest,
        ...(repo
          ? { repoUrl: `${h.forge.host}?owner=platform&repo=${repo}` }
          : {}),
      });
      const pulls = h.forge.pulls.length;
      const branches = h.forge.branchesCreated;
      const { task, events } = await h.runTask({ values: v });
      expect(task.status).toBe('failed');
      expect(JSON.stringify(events)).toContain(message);
      const dry = await h.dryRun(v);
      expect(dryRunError(dry)).toContain(message);
      expect(h.ssm.log).toEqual([]);
      expect(h.forge.pulls.length).toBe(pulls);
      expect(h.forge.branchesCreated).toBe(branches);
    },
  );

  it('the happy path: alice creates for payments; the manifests name the component and its owner group, the parameters their author', async () => {
    const { task } = await h.runTask({ values: values() });
    expect(task.status).toBe('completed');
    const [pr] = pullsFor(BRANCH).slice(-1);
    expect(pr.base).toBe('main');
    expect(pr.body).toContain(
      'for `component:default/payments` (owner `group:default/payments`)',
    );
    const files = await h.forge.pullFiles(pr);
    const byName = Object.fromEntries(
      files.map(f => [path.basename(f.filename), parse(f.content!)]),
    );
    for (const file of ['externalsecret.yaml', 'postgresinstance.yaml']) {
      expect(byName[file].metadata.annotations).toMatchObject({
        [ENTITY_REF_ANNOTATION]: 'component:default/payments',
        [OWNER_ANNOTATION]: 'group:default/payments',
      });
    }
    for (const name of [USER_PARAM, PASSWORD_PARAM]) {
      expect(h.ssm.parameters.get(name)!.tags).toEqual(
        expect.arrayContaining([
          {
            Key: 'bizmatters.io/postgres-claim',
            Value: 'payments/payments-db',
          },
          { Key: 'backstage.io/entity', Value: 'component:default/payments' },
          { Key: 'backstage.io/created-by', Value: 'user:default/alice' },
          { Key: 'backstage.io/scaffolder-task', Value: task.id },
          { Key: 'bizmatters.io/postgres-username', Value: 'payments' },
        ]),
      );
    }
  });
});
