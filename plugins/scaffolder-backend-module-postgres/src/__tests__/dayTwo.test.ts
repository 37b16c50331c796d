/*
 * The real "Change Postgres DB" template through the real scaffolder backend (with its GitHub
 * module and ours), the real catalog and permission backends, and Octokit talking HTTP to the
 * sandbox's Git forge, whose GitOps repository holds existing databases of two teams.
 */
import {
  renderManifestFiles,
  DatabaseRequest,
} from '@bizmatters/plugin-postgres-common';
import {
  startScaffolderHarness,
  ScaffolderHarness,
  USERS,
} from '@bizmatters/test-backend/scaffolder';

jest.setTimeout(120_000);

const TEMPLATE_REF = 'template:default/change-postgres-db';

function database(team: 'payments' | 'orders'): DatabaseRequest {
  return {
    name: `${team}-db`,
    namespace: team,
    service: team,
    environment: 'prod',
    size: 'small',
    version: '16',
    storageGB: 20,
    databaseName: team,
    databaseOwner: team,
    component: `component:default/${team}`,
    owner: `group:default/${team}`,
  };
}

/** The claim as the template wrote it, with a comment a platform engineer added since. */
function seededFiles(team: 'payments' | 'orders') {
  const files = renderManifestFiles(database(team));
  const out: Record<string, string> = {};
  for (const [file, text] of Object.entries(files)) {
    out[`databases/${team}/${team}-db/${file}`] =
      file === 'postgresinstance.yaml'
        ? text.replace(
            '  storageGB: 20',
            '  # sized for the launch\n  storageGB: 20',
          )
        : text;
  }
  return out;
}

const PAYMENTS_CLAIM = 'databases/payments/payments-db/postgresinstance.yaml';

describe('Change Postgres DB template through the real scaffolder', () => {
  let h: ScaffolderHarness;
  let seeded: Record<string, string>;

  beforeAll(async () => {
    h = await startScaffolderHarness();
    seeded = { ...seededFiles('payments'), ...seededFiles('orders') };
    await h.forge.commitFiles(
      'platform',
      'gitops',
      seeded,
      'Two existing databases',
    );
  });
  afterAll(() => h?.stop());

  const base = (values: Record<string, unknown>) => ({
    component: 'component:default/payments',
    namespace: 'payments',
    name: 'payments-db',
    repoUrl: h.repoUrl(),
    ...values,
  });

  async function change(
    values: Record<string, unknown>,
    user: string = USERS.alice,
  ) {
    const pullsBefore = h.forge.pulls.length;
    const mainBefore = await h.forge.readFiles('platform', 'gitops');
    const result = await h.runTask(
      { templateRef: TEMPLATE_REF, values: base(values) },
      user,
    );
    expect(result.status).toBe(201);
    const newPulls = h.forge.pulls.slice(pullsBefore);
    return { ...result, newPulls, mainBefore };
  }

  /** A refused change: the task failed with the message, no pull request, main unchanged. */
  async function refused(
    values: Record<string, unknown>,
    message: RegExp,
    user: string = USERS.alice,
  ) {
    const ssmBefore = JSON.stringify([...h.ssm.parameters.entries()]);
    const r = await change(values, user);
    expect(r.task.status).toBe('failed');
    expect(JSON.stringify([...h.ssm.parameters.entries()])).toBe(ssmBefore);
    expect(r.log).toMatch(message);
    expect(r.log).toMatch(/Nothing was written|nothing was written/);
    expect(r.newPulls).toEqual([]);
    expect(await h.forge.readFiles('platform', 'gitops')).toEqual(r.mainBefore);
  }

  it('dry run: shows the diff, writes nothing, opens no pull request', async () => {
    const pulls = h.forge.pulls.length;
    const res = await h.dryRun(
      base({ operation: 'growStorage', storageGB: 50 }),
      {},
      USERS.alice,
      h.changeTemplate,
    );
    expect([
      res.status,
      res.status === 200 ? '' : JSON.stringify(res.body),
    ]).toEqual([200, '']);
    const log = res.body.log.map((l: any) => l.body.message).join('\n');
    expect(log).toContain('-  storageGB: 20\n+  storageGB: 50');
    expect(log).toContain('dry run, nothing written');
    expect(h.forge.pulls.length).toBe(pulls);
  });

  it('grow storage: one pull request changing exactly that line; merged, main has it', async () => {
    const r = await change({ operation: 'growStorage', storageGB: 50 });
    expect([r.task.status, r.log]).toEqual(['completed', expect.anything()]);
    expect(r.newPulls).toHaveLength(1);
    const pr = r.newPulls[0];
    expect(pr.title).toBe(
      'Grow storage of payments/payments-db from 20 GB to 50 GB',
    );
    expect(pr.head).toMatch(
      /^postgres-change\/payments\/payments-db\/growStorage-/,
    );
    const files = await h.forge.pullFiles(pr);
    expect(files).toEqual([
      {
        filename: PAYMENTS_CLAIM,
        status: 'modified',
        content: seeded[PAYMENTS_CLAIM].replace(
          'storageGB: 20',
          'storageGB: 50',
        ),
      },
    ]);
    expect(pr.body).toContain('-  storageGB: 20\n+  storageGB: 50');
    expect(pr.body).toContain('requested by `user:default/alice`');

    // another change while this one is open is refused, naming it
    await refused(
      { operation: 'changeSize', size: 'medium' },
      new RegExp(`already has an open change request: #${pr.number}`),
    );

    await h.forge.merge('platform', 'gitops', pr.number);
    const main = await h.forge.readFiles('platform', 'gitops');
    expect(main[PAYMENTS_CLAIM]).toContain(
      '# sized for the launch\n  storageGB: 50',
    );
  });

  it('upgrade PostgreSQL: only the version changes, and the pull request says what CNPG does', async () => {
    const r = await change({ operation: 'upgradeVersion', version: '17' });
    expect(r.task.status).toBe('completed');
    const [pr] = r.newPulls;
    const [file] = await h.forge.pullFiles(pr);
    const before = (await h.forge.readFiles('platform', 'gitops'))[
      PAYMENTS_CLAIM
    ];
    expect(file.content).toBe(before.replace('version: "16"', 'version: "17"'));
    expect(pr.body).toMatch(/unavailable/);
    expect(pr.body).toMatch(/Backups/);
    expect(pr.body).toMatch(/Rollback/);
    await h.forge.merge('platform', 'gitops', pr.number);
  });

  it('change size: only the size changes', async () => {
    const before = (await h.forge.readFiles('platform', 'gitops'))[
      PAYMENTS_CLAIM
    ];
    const r = await change({ operation: 'changeSize', size: 'large' });
    expect(r.task.status).toBe('completed');
    const [pr] = r.newPulls;
    expect(pr.title).toBe(
      'Change size of payments/payments-db from small to large',
    );
    const files = await h.forge.pullFiles(pr);
    expect(files).toEqual([
      {
        filename: PAYMENTS_CLAIM,
        status: 'modified',
        content: before.replace('size: small', 'size: large'),
      },
    ]);
    await h.forge.merge('platform', 'gitops', pr.number);
  });

  it('bad input: each refused with a clear message, nothing written', async () => {
    await refused(
      { operation: 'growStorage', storageGB: 30 },
      /Storage cannot shrink.*50 GB/,
    );
    await refused(
      { operation: 'upgradeVersion', version: '16' },
      /cannot be downgraded \(from 17 to 16\)/,
    );
    await refused(
      { operation: 'decommission', confirmName: 'payments' },
      /Type the database's name, payments-db, to confirm/,
    );
    await refused(
      { operation: 'growStorage', storageGB: 60, name: 'nope-db' },
      /There is no database payments\/nope-db of component:default\/payments in \S+ \(or it is not yours to change\)/,
    );
    // mallory is not an owner of payments
    await refused(
      { operation: 'growStorage', storageGB: 60 },
      /user:default\/mallory may not change the databases of component:default\/payments/,
      USERS.mallory,
    );
    // alice owns payments, but orders' claim names orders: not hers to change from payments, and
    // the answer is the one for a database that does not exist (it names no other entity)
    const notYours = await change(
      {
        operation: 'growStorage',
        storageGB: 60,
        namespace: 'orders',
        name: 'orders-db',
      },
      USERS.alice,
    );
    const unknown = await change(
      {
        operation: 'growStorage',
        storageGB: 60,
        namespace: 'orders',
        name: 'nope-db',
      },
      USERS.alice,
    );
    const refusal = (log: string) =>
      log
        .split('\n')
        .find(l => l.includes('There is no database'))
        ?.replace(/orders-db|nope-db/g, 'NAME');
    expect(refusal(notYours.log)).toBeDefined();
    expect(refusal(notYours.log)).toBe(refusal(unknown.log));
    expect(notYours.log).not.toContain('component:default/orders');
    expect(notYours.newPulls).toEqual([]);
    await refused(
      {
        operation: 'growStorage',
        storageGB: 60,
        repoUrl: `${h.forge.host}?owner=platform&repo=other`,
      },
      /GitOps target is not allowed/,
    );
  });

  it('decommission: the pull request deletes the three manifests and nothing else', async () => {
    const r = await change({
      operation: 'decommission',
      confirmName: 'payments-db',
    });
    expect(r.task.status).toBe('completed');
    const [pr] = r.newPulls;
    const files = await h.forge.pullFiles(pr);
    expect(files.map(f => [f.filename, f.status]).sort()).toEqual(
      [
        'databases/payments/payments-db/externalsecret.yaml',
        'databases/payments/payments-db/kustomization.yaml',
        PAYMENTS_CLAIM,
      ].map(f => [f, 'removed']),
    );
    expect(pr.body).toMatch(/the data is gone/);
    await h.forge.merge('platform', 'gitops', pr.number);
    const main = await h.forge.readFiles('platform', 'gitops');
    expect(
      Object.keys(main).filter(f => f.startsWith('databases/payments/')),
    ).toEqual([]);
    expect(main['databases/orders/orders-db/postgresinstance.yaml']).toBe(
      seeded['databases/orders/orders-db/postgresinstance.yaml'],
    );
  });
});
