/*
 * A hostile member of another team (mallory, of orders) against the actions' and routes' own
 * edges, through the real scaffolder, catalog and permission backends and the sandbox's SSM and
 * forge stand-ins: templates of their own calling our actions, inline dry runs rendering another
 * team's keys, a component in another catalog namespace squatting another team's SSM path, a
 * flood of availability checks. Each case failed on the code before these guards.
 */
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  startScaffolderHarness,
  ScaffolderHarness,
  USERS,
} from '@bizmatters/test-backend/scaffolder';

jest.setTimeout(180_000);

/** mallory's own component: she may create and change its databases. */
const ORDERS = {
  component: 'component:default/orders',
  namespace: 'orders',
  environment: 'dev',
  size: 'small',
  version: '16',
  storageGB: 20,
};

/** A Template of mallory's team (registered by a user) with one step: `action` with `input`. */
function teamTemplate(
  name: string,
  action: string,
  input: Record<string, unknown>,
): Entity {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name, namespace: 'default' },
    spec: {
      owner: 'group:default/orders',
      type: 'service',
      parameters: [],
      steps: [{ id: 'step', name: action, action, input: input as any }],
    },
  };
}

/** A component of mallory's team in another catalog namespace, named like payments' service. */
const EVIL_PAYMENTS: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', namespace: 'evil' },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/orders',
  },
};

const ACTIONS: Array<[string, (repoUrl: string) => Record<string, unknown>]> = [
  ['postgres:credentials:write', repoUrl => ({ ...ORDERS, repoUrl })],
  ['postgres:manifests:create', repoUrl => ({ ...ORDERS, repoUrl })],
  [
    'postgres:database:change',
    repoUrl => ({
      component: ORDERS.component,
      namespace: 'orders',
      name: 'orders-db',
      repoUrl,
      operation: 'growStorage',
      storageGB: 30,
    }),
  ],
  [
    'postgres:credentials:delete',
    repoUrl => ({
      component: ORDERS.component,
      namespace: 'orders',
      name: 'orders-db',
      repoUrl,
    }),
  ],
  [
    'postgres:credentials:repair',
    repoUrl => ({
      component: ORDERS.component,
      namespace: 'orders',
      name: 'orders-db',
      repoUrl,
    }),
  ],
  [
    'postgres:request:register',
    repoUrl => ({
      component: ORDERS.component,
      namespace: 'orders',
      name: 'orders-db',
      repoUrl,
      pullRequestNumber: 1,
    }),
  ],
];

/**
 * Limits count calls per user in one-minute windows: a loop that crossed into the next minute
 * would be allowed the limit again. Waits for the next window when fewer than 25 s are left.
 */
async function withinOneWindow() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 25_000) await new Promise(r => setTimeout(r, left + 50));
}

const templateName = (action: string) => `team-${action.replace(/[:]/g, '-')}`;

describe('a hostile team against the actions and routes', () => {
  let h: ScaffolderHarness;
  const repoUrl = () => h.repoUrl();
  beforeAll(async () => {
    h = await startScaffolderHarness({
      entities: [
        EVIL_PAYMENTS,
        ...ACTIONS.map(([action, input]) =>
          teamTemplate(
            templateName(action),
            action,
            // the forge's host is known once it started: the template's input is filled below
            input('${{ parameters.repoUrl }}'),
          ),
        ),
      ],
      postgres: { limits: { callsPerMinute: 60 } },
    });
  });
  afterAll(() => h?.stop());
  beforeEach(() => h.ssm.reset());

  const forgeCalls = () =>
    Object.values(h.forge.calls).reduce((a, b) => a + b, 0);

  it.each(ACTIONS.map(([action]) => action))(
    'a template registered by a team calling %s is refused before any SSM or forge call, and audited',
    async action => {
      const before = forgeCalls();
      const audited = h.auditLines.length;
      const { task, events } = await h.runTask(
        {
          templateRef: `template:default/${templateName(action)}`,
          values: { repoUrl: repoUrl() },
        },
        USERS.mallory,
      );
      expect(task.status).toBe('failed');
      const text = JSON.stringify(events);
      expect(text).toContain(
        `template:default/${templateName(
          action,
        )} is not one of the templates allowed to run ${action}`,
      );
      expect(h.ssm.log).toEqual([]);
      expect(forgeCalls()).toBe(before);
      const refusal = h.auditLines
        .slice(audited)
        .find(l => l.status === 'failed' && l.meta.action === action);
      expect(refusal).toMatchObject({
        plugin: 'scaffolder',
        meta: {
          actor: USERS.mallory,
          templateRef: `template:default/${templateName(action)}`,
          decision: 'refused',
        },
      });
      expect(refusal!.error).toContain('not one of the templates allowed');
    },
  );

  it("an inline dry run naming another team's service renders nothing of it: refused, and the shipped template's dry run still works", async () => {
    const template = JSON.parse(JSON.stringify(h.template));
    const manifests = template.spec.steps.find(
      (s: any) => s.action === 'postgres:manifests:create',
    );
    manifests.input.service = 'payments';
    template.spec.steps = [manifests];
    const res = await h.dryRun(
      { ...ORDERS, repoUrl: repoUrl() },
      {},
      USERS.mallory,
      template,
    );
    const text = JSON.stringify(res.body);
    const rendered = (res.body.directoryContents ?? []).map((f: any) =>
      Buffer.from(f.base64Content, 'base64').toString('utf8'),
    );
    expect(rendered.join('\n')).not.toContain('/zerotouch/dev/payments/');
    expect(text).toContain(
      "service: 'payments' is not the name of component:default/orders",
    );

    const shipped = await h.dryRun(
      { ...ORDERS, repoUrl: repoUrl() },
      {},
      USERS.mallory,
    );
    expect(shipped.status).toBe(200);
    expect(JSON.stringify(shipped.body.log)).not.toContain('"failed"');
    const externalSecret = shipped.body.directoryContents.find((f: any) =>
      f.path.endsWith('externalsecret.yaml'),
    );
    expect(
      Buffer.from(externalSecret.base64Content, 'base64').toString('utf8'),
    ).toContain('/zerotouch/dev/orders/postgres/password');
    expect(h.ssm.log.filter(l => l.operation === 'PutParameter')).toEqual([]);
  });

  it('the manifests action alone renders no SSM key that is not provably this claim’s: parameters another user wrote for it are refused', async () => {
    const tags = [
      { Key: 'bizmatters.io/postgres-claim', Value: 'orders/orders-db' },
      { Key: 'backstage.io/entity', Value: 'component:default/orders' },
      { Key: 'backstage.io/created-by', Value: USERS.alice },
      { Key: 'bizmatters.io/postgres-username', Value: 'orders' },
    ];
    h.ssm.seed('/zerotouch/dev/orders/postgres/user', 'orders', tags);
    h.ssm.seed('/zerotouch/dev/orders/postgres/password', 'x'.repeat(40), tags);
    const template = JSON.parse(JSON.stringify(h.template));
    template.spec.steps = template.spec.steps.filter(
      (s: any) => s.action === 'postgres:manifests:create',
    );
    const res = await h.dryRun(
      { ...ORDERS, repoUrl: repoUrl() },
      {},
      USERS.mallory,
      template,
    );
    const text = JSON.stringify(res.body);
    expect(text).toContain(
      'The SSM parameter /zerotouch/dev/orders/postgres/user already exists for the claim orders/orders-db',
    );
    expect(res.body.directoryContents ?? []).toEqual([]);
  });

  it('parameters of the same claim name written for another entity are never reused, even by their author', async () => {
    const tags = [
      { Key: 'bizmatters.io/postgres-claim', Value: 'orders/orders-db' },
      { Key: 'backstage.io/entity', Value: 'component:default/payments' },
      { Key: 'backstage.io/created-by', Value: USERS.mallory },
      { Key: 'bizmatters.io/postgres-username', Value: 'orders' },
    ];
    h.ssm.seed('/zerotouch/dev/orders/postgres/user', 'orders', tags);
    h.ssm.seed('/zerotouch/dev/orders/postgres/password', 'y'.repeat(40), tags);
    const res = await h.dryRun(
      { ...ORDERS, repoUrl: repoUrl() },
      {},
      USERS.mallory,
    );
    expect(JSON.stringify(res.body)).toContain(
      'already exists for the claim orders/orders-db, but for component:default/payments, not component:default/orders',
    );
  });

  it("a day-2 action naming another team's service is refused before the repository is read", async () => {
    const change = JSON.parse(JSON.stringify(h.changeTemplate));
    const step = change.spec.steps.find(
      (s: any) => s.action === 'postgres:database:change',
    );
    step.input.service = 'payments';
    change.spec.steps = [step];
    const before = forgeCalls();
    const res = await h.dryRun(
      {
        component: ORDERS.component,
        namespace: 'orders',
        name: 'orders-db',
        repoUrl: repoUrl(),
        operation: 'growStorage',
        storageGB: 30,
      },
      {},
      USERS.mallory,
      change,
    );
    expect(JSON.stringify(res.body)).toContain(
      "service: 'payments' is not the name of component:default/orders",
    );
    expect(forgeCalls()).toBe(before);
  });

  it("component:evil/payments cannot squat payments' SSM path: refused, nothing written", async () => {
    const before = forgeCalls();
    const branches = h.forge.branchesCreated;
    const { task, events } = await h.runTask(
      {
        values: {
          ...ORDERS,
          component: 'component:evil/payments',
          repoUrl: repoUrl(),
        },
      },
      USERS.mallory,
    );
    expect(task.status).toBe('failed');
    const text = JSON.stringify(events);
    expect(text).toContain('{entityNamespace}');
    expect(h.ssm.parameters.size).toBe(0);
    expect(h.ssm.log.filter(l => l.operation === 'PutParameter')).toEqual([]);
    expect(h.forge.branchesCreated).toBe(branches);
    expect(forgeCalls()).toBeLessThanOrEqual(before);
  });

  it('writes and refusals of the shipped template are audit events with who, which entity and what was decided — never the password', async () => {
    const audited = h.auditLines.length;
    const { task } = await h.runTask(
      { values: { ...ORDERS, repoUrl: repoUrl() } },
      USERS.mallory,
    );
    expect(task.status).toBe('completed');
    const mine = h.auditLines.slice(audited);
    const succeeded = (action: string) =>
      mine.find(l => l.status === 'succeeded' && l.meta.action === action);
    expect(succeeded('postgres:credentials:write')).toMatchObject({
      plugin: 'scaffolder',
      severityLevel: 'medium',
      meta: {
        actor: USERS.mallory,
        entityRef: 'component:default/orders',
        templateRef: 'template:default/new-postgres-db',
        decision: 'written',
        ssmParameters: [
          '/zerotouch/dev/orders/postgres/user',
          '/zerotouch/dev/orders/postgres/password',
        ],
      },
    });
    expect(succeeded('postgres:manifests:create')).toMatchObject({
      meta: { entityRef: 'component:default/orders', decision: 'written' },
    });
    const password = h.ssm.parameters.get(
      '/zerotouch/dev/orders/postgres/password',
    )!.value;
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(h.auditLines)).not.toContain(password);

    // a permission refusal is audited too: mallory for payments
    const denied = await h.runTask(
      {
        values: {
          ...ORDERS,
          component: 'component:default/payments',
          namespace: 'payments',
          repoUrl: repoUrl(),
        },
      },
      USERS.mallory,
    );
    expect(denied.task.status).toBe('failed');
    expect(
      h.auditLines.find(
        l =>
          l.status === 'failed' &&
          l.meta.entityRef === 'component:default/payments' &&
          l.meta.decision === 'refused' &&
          /NotAllowedError/.test(l.error ?? ''),
      ),
    ).toBeDefined();
  });

  it('2,000 availability checks from one user: 429 with Retry-After after the limit, forge calls bounded; another user is not held back', async () => {
    const query = {
      component: ORDERS.component,
      namespace: 'orders',
      environment: 'dev',
      name: 'orders-flood',
      repoUrl: repoUrl(),
    };
    await withinOneWindow();
    const before = forgeCalls();
    const ssmBefore = h.ssm.log.length;
    const statuses: Record<number, number> = {};
    let retryAfter: string | undefined;
    for (let i = 0; i < 2000; i++) {
      const res = await request(h.backend.server)
        .get('/api/scaffolder/postgres/v1/availability')
        .query({ ...query, name: `orders-flood-${i % 100}` })
        .set('Authorization', mockCredentials.user.header(USERS.mallory));
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 429) retryAfter ??= res.headers['retry-after'];
    }
    expect(statuses[200]).toBe(60);
    expect(statuses[429]).toBe(1940);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    // at most 4 forge reads (the claim, the open pull request and its ExternalSecret) and 3
    // SSM calls per answered check
    expect(forgeCalls() - before).toBeLessThanOrEqual(60 * 4);
    expect(h.ssm.log.length - ssmBefore).toBeLessThanOrEqual(60 * 3);

    const alice = await request(h.backend.server)
      .get('/api/scaffolder/postgres/v1/availability')
      .query({
        component: 'component:default/payments',
        namespace: 'payments',
        environment: 'dev',
        repoUrl: repoUrl(),
      })
      .set('Authorization', mockCredentials.user.header(USERS.alice));
    expect(alice.status).toBe(200);
    expect(
      h.auditLines.some(
        l =>
          l.meta.actor === USERS.mallory &&
          l.eventId === 'availability-limit' &&
          l.status === 'failed',
      ),
    ).toBe(true);
  });

  it('registering requests: 429 with Retry-After past the limit, before the forge is read', async () => {
    // as postgres:request:register sends it: the scaffolder acting for alice (who registered
    // nothing yet in this file)
    const auth = `Bearer ${mockCredentials.user.token(USERS.alice, {
      actor: { subject: 'plugin:scaffolder' },
    })}`;
    await withinOneWindow();
    const statuses: number[] = [];
    const retryAfters: string[] = [];
    let forgeAtLimit = 0;
    for (let i = 0; i < 70; i++) {
      if (i === 60) forgeAtLimit = forgeCalls();
      const res = await request(h.backend.server)
        .post('/api/postgres/v1/entities/component/default/payments/requests')
        .set('Authorization', auth)
        .send({
          namespace: 'payments',
          name: 'payments-db',
          repoUrl: repoUrl(),
          pullRequestNumber: 9000 + i,
        });
      statuses.push(res.status);
      if (res.status === 429) retryAfters.push(res.headers['retry-after']);
    }
    expect(retryAfters).toHaveLength(10);
    expect(retryAfters.every(r => Number(r) > 0 && Number(r) <= 60)).toBe(true);
    expect(statuses.slice(0, 60).every(s => s !== 429)).toBe(true);
    expect(statuses.slice(60)).toEqual(Array(10).fill(429));
    expect(forgeCalls()).toBe(forgeAtLimit);
  });

  it('the same question within the TTL is answered again without another forge or SSM call', async () => {
    const query = {
      component: 'component:default/payments',
      namespace: 'payments',
      environment: 'dev',
      name: 'payments-same',
      repoUrl: repoUrl(),
    };
    const ask = () =>
      request(h.backend.server)
        .get('/api/scaffolder/postgres/v1/availability')
        .query(query)
        .set('Authorization', mockCredentials.user.header(USERS.alice));
    const first = await ask();
    expect(first.status).toBe(200);
    const forge = forgeCalls();
    const ssm = h.ssm.log.length;
    const second = await ask();
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(forgeCalls()).toBe(forge);
    expect(h.ssm.log.length).toBe(ssm);
  });
});
