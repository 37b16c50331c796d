/*
 * "Repair credentials" (Change Postgres DB) through the real scaffolder, catalog, permission,
 * postgres and Kubernetes backends and the sandbox's platform: a database whose SSM username is
 * not the owner its claim names (CloudNativePG never gives that owner a password) is repaired
 * by an owner of its component — the username written to the parameter its ExternalSecret
 * reads, no pull request — and the tab turns healthy; another team, a parameter not written for
 * the database, and a team's own template are refused with nothing written.
 */
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  startScaffolderHarness,
  ScaffolderHarness,
  USERS,
} from '@bizmatters/test-backend/scaffolder';

jest.setTimeout(180_000);

const USER = '/zerotouch/prod/payments/postgres/user';
const PASSWORD = '/zerotouch/prod/payments/postgres/password';

describe('Repair credentials, end to end', () => {
  let h: ScaffolderHarness;

  beforeAll(async () => {
    h = await startScaffolderHarness({ platform: true });
  });
  afterAll(() => h?.stop());

  const database = {
    component: 'component:default/payments',
    namespace: 'payments',
    name: 'payments-db',
  };

  async function run(
    values: Record<string, unknown>,
    user: string = USERS.alice,
  ) {
    const r = await h.runTask(
      {
        templateRef: 'template:default/change-postgres-db',
        values: { ...database, repoUrl: h.repoUrl(), ...values },
      },
      user,
    );
    expect(r.status).toBe(201);
    return {
      status: r.task.status as string,
      log: r.log,
      output: r.output,
      events: r.events,
    };
  }
  const repair = (user?: string) =>
    run({ operation: 'repairCredentials' }, user);
  async function credentialsHop() {
    // the cache of the postgres backend is 1 s here
    await new Promise(r => setTimeout(r, 1100));
    const res = await request(h.backend.server)
      .get('/api/postgres/v1/entities/component/default/payments/databases')
      .set('Authorization', mockCredentials.user.header(USERS.alice));
    expect(res.status).toBe(200);
    const [item] = res.body.items;
    return item.health.steps.find((s: any) => s.id === 'credentialsSecret');
  }
  async function eventually(check: () => Promise<boolean>) {
    for (let i = 0; i < 20 && !(await check()); i++) {
      await new Promise(r => setTimeout(r, 250));
    }
  }
  const user = () => h.ssm.parameters.get(USER)!;
  const tag = (key: string) => user().tags.find(t => t.Key === key)?.Value;
  const puts = () =>
    h.ssm.log.filter(
      l =>
        l.operation === 'PutParameter' || l.operation === 'AddTagsToResource',
    ).length;

  it('writes the owner as the username, only for an owner of the database, and the tab turns healthy', async () => {
    const created = await h.runTask({
      values: {
        ...database,
        repoUrl: h.repoUrl(),
        environment: 'prod',
        size: 'small',
        version: '16',
        storageGB: 20,
        databaseName: 'payments',
        databaseOwner: 'payments',
        baseBranch: 'main',
      },
    });
    expect(created.task.status).toBe('completed');
    const [pr] = h.forge.pulls.filter(p => p.state === 'open');
    await h.forge.merge('platform', 'gitops', pr.number);
    expect((await credentialsHop()).reason).toBe('Present');

    // broken as billing is: SSM holds 'payments-app', the claim's owner is 'payments'
    user().value = 'payments-app';
    await h.platform!.syncFromGit();
    await eventually(
      async () => (await credentialsHop()).reason === 'OwnerMismatch',
    );
    const broken = await credentialsHop();
    expect(broken.reason).toBe('OwnerMismatch');
    expect(broken.hint).toContain(
      `Choose "Repair credentials" in "Change Postgres DB"`,
    );
    const keyId = user().keyId;
    const author = tag('backstage.io/created-by');
    const writes = puts();
    const pulls = h.forge.pulls.length;

    // another team: not found or not theirs, nothing written
    const foreign = await repair(USERS.mallory);
    expect(foreign.status).toBe('failed');
    expect(foreign.log).toMatch(/Nothing was written/);
    expect(foreign.log).not.toContain(USER);
    expect(puts()).toBe(writes);

    // a parameter not tagged for this database is not repaired from here
    const claimTag = user().tags.find(
      t => t.Key === 'bizmatters.io/postgres-claim',
    )!;
    claimTag.Value = 'orders/orders-db';
    const untagged = await repair();
    expect(untagged.status).toBe('failed');
    expect(untagged.log).toContain(
      `The SSM parameter ${USER} is not tagged as written for payments/payments-db of component:default/payments`,
    );
    expect(untagged.log).toContain(
      "Ask the platform team to write the username 'payments'",
    );
    expect(puts()).toBe(writes);
    expect(user().value).toBe('payments-app');
    claimTag.Value = 'payments/payments-db';

    // the owner: repaired, no pull request, the password untouched and never said
    const password = h.ssm.parameters.get(PASSWORD)!;
    const passwordBefore = { ...password };
    const repaired = await repair();
    expect([repaired.status, repaired.log]).toEqual([
      'completed',
      expect.stringContaining(
        `Wrote the username 'payments', the owner payments/payments-db names, to ${USER}`,
      ),
    ]);
    expect(user().value).toBe('payments');
    expect(user().type).toBe('SecureString');
    expect(user().keyId).toBe(keyId);
    expect(tag('bizmatters.io/postgres-username')).toBe('payments');
    expect(tag('bizmatters.io/postgres-repaired-by')).toBe(USERS.alice);
    // the author stays the author (creation's reuse rule is unchanged)
    expect(tag('backstage.io/created-by')).toBe(author);
    expect(h.ssm.parameters.get(PASSWORD)).toEqual(passwordBefore);
    expect(JSON.stringify(repaired.events)).not.toContain(password.value);
    expect(h.forge.pulls.length).toBe(pulls);
    expect(repaired.output.text[0].content).toContain(
      `now holds the username \`payments\``,
    );
    // when the secret follows: the ExternalSecret's own refreshInterval
    expect(repaired.output.text[0].content).toContain(
      'at its next refresh (its refreshInterval is 1h)',
    );
    // the task page shows the links that lead somewhere: no pull request
    expect(
      repaired.output.links
        .filter((l: any) => l.url || l.entityRef)
        .map((l: any) => l.title),
    ).toEqual(['Service']);
    expect(
      h.auditLines.find(
        l =>
          l.status === 'succeeded' &&
          l.meta.action === 'postgres:credentials:repair',
      ),
    ).toMatchObject({
      meta: {
        actor: USERS.alice,
        entityRef: 'component:default/payments',
        claim: 'payments/payments-db',
        ssmParameters: [USER],
        username: 'payments',
      },
    });
    expect(JSON.stringify(h.auditLines)).not.toContain(password.value);

    // External Secrets copies it, and the credentials are the owner's again
    await h.platform!.syncFromGit();
    await eventually(async () => (await credentialsHop()).reason === 'Present');
    expect((await credentialsHop()).reason).toBe('Present');
  });
});
