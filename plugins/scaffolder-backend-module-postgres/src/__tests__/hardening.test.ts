/*
 * Hostile input and faults through the real scaffolder, the real template, the real AWS SDK
 * and Octokit against the sandbox's stand-ins.
 */
import {
  startScaffolderHarness,
  ScaffolderHarness,
} from '@bizmatters/test-backend/scaffolder';
import { seedInput } from '../__testUtils__/seed';

jest.setTimeout(120_000);

const { service: _s, name: _n, ...seed } = seedInput();
const base = {
  ...seed,
  baseBranch: 'main',
};

/** [label, field the message must name, values patch] */
const HOSTILE: Array<[string, string, Record<string, unknown>]> = [
  ['path traversal in namespace', 'namespace', { namespace: '../../etc' }],
  ['path traversal in name', 'name', { name: '../x' }],
  ['absolute path in name', 'name', { name: '/etc/passwd' }],
  ['newline injection in name', 'name', { name: 'db\nkind: Secret' }],
  ['YAML document break in name', 'name', { name: 'db---' }],
  [
    'YAML injection in databaseName',
    'databaseName',
    { databaseName: 'x\n  owner: postgres' },
  ],
  [
    'YAML flow injection in databaseOwner',
    'databaseOwner',
    { databaseOwner: '{a: b}' },
  ],
  [
    'SQL injection in databaseName',
    'databaseName',
    { databaseName: "x'; DROP DATABASE y; --" },
  ],
  [
    'SQL injection in databaseOwner',
    'databaseOwner',
    { databaseOwner: 'a" SUPERUSER --' },
  ],
  ['reserved owner postgres', 'databaseOwner', { databaseOwner: 'postgres' }],
  [
    'reserved owner streaming_replica',
    'databaseOwner',
    { databaseOwner: 'streaming_replica' },
  ],
  [
    'reserved owner prefix cnpg_',
    'databaseOwner',
    { databaseOwner: 'cnpg_pooler_pgbouncer' },
  ],
  [
    'reserved owner prefix pg_',
    'databaseOwner',
    { databaseOwner: 'pg_read_all_data' },
  ],
  ['reserved database postgres', 'databaseName', { databaseName: 'postgres' }],
  [
    'reserved database template0',
    'databaseName',
    { databaseName: 'template0' },
  ],
  [
    'reserved database template1',
    'databaseName',
    { databaseName: 'template1' },
  ],
  ['Cyrillic look-alike in name', 'name', { name: 'оrders-db' }],
  ['Cyrillic look-alike in namespace', 'namespace', { namespace: 'paуments' }],
  [
    'fullwidth letters in databaseOwner',
    'databaseOwner',
    { databaseOwner: 'ａpp' },
  ],
  ['zero-width space in name', 'name', { name: 'orders\u200b-db' }],
  [
    'right-to-left override in namespace',
    'namespace',
    { namespace: 'a\u202eb' },
  ],
  ['emoji in databaseName', 'databaseName', { databaseName: 'db_🐘' }],
  ['oversize name (51)', 'name', { name: `a${'b'.repeat(50)}` }],
  ['oversize name (10k)', 'name', { name: 'a'.repeat(10_000) }],
  ['oversize namespace (64)', 'namespace', { namespace: 'n'.repeat(64) }],
  [
    'oversize databaseName (64)',
    'databaseName',
    { databaseName: 'd'.repeat(64) },
  ],
  [
    'oversize databaseOwner (100)',
    'databaseOwner',
    { databaseOwner: 'o'.repeat(100) },
  ],
  ['uppercase name', 'name', { name: 'Orders-DB' }],
  ['name starting with a digit', 'name', { name: '9orders' }],
  ['name ending with a dash', 'name', { name: 'orders-' }],
  ['namespace kube-system', 'namespace', { namespace: 'kube-system' }],
  ['namespace with dot', 'namespace', { namespace: 'a.b' }],
  ['empty namespace', 'namespace', { namespace: '' }],
  ['whitespace namespace', 'namespace', { namespace: '   ' }],
  ['storage as text', 'storageGB', { storageGB: '20' }],
  ['storage as object', 'storageGB', { storageGB: { $gt: 1 } }],
  ['storage fractional', 'storageGB', { storageGB: 20.5 }],
  ['storage zero', 'storageGB', { storageGB: 0 }],
  ['storage negative', 'storageGB', { storageGB: -5 }],
  ['storage too large', 'storageGB', { storageGB: 100_000 }],
  ['storage huge number', 'storageGB', { storageGB: 1e308 }],
  ['version not offered', 'version', { version: '9.6' }],
  ['version as number', 'version', { version: 16 }],
  ['version injection', 'version', { version: '16\nimage: evil' }],
  ['size not offered', 'size', { size: 'xxl' }],
  ['size as array', 'size', { size: ['small'] }],
  ['environment not offered', 'environment', { environment: 'qa' }],
  [
    'environment with slash (SSM path)',
    'environment',
    { environment: 'prod/../../aws' },
  ],
  ['component not a ref', 'component', { component: 'not a ref!' }],
  ['component with path', 'component', { component: 'component:default/../x' }],
  ['databaseOwner as number', 'databaseOwner', { databaseOwner: 42 }],
  ['databaseName null', 'databaseName', { databaseName: null }],
  ['name as boolean', 'name', { name: true }],
];

describe('hostile input through the real scaffolder', () => {
  let h: ScaffolderHarness;
  beforeAll(async () => {
    h = await startScaffolderHarness();
  });
  afterAll(() => h?.stop());

  it('has at least 50 cases', () =>
    expect(HOSTILE.length).toBeGreaterThanOrEqual(50));

  it.each(HOSTILE)(
    '%s: refused naming %s, nothing written (dry run and real)',
    async (_label, field, patch) => {
      const values = { ...base, ...patch, repoUrl: h.repoUrl() };

      const dry = await h.dryRun(values);
      const dryText = JSON.stringify(dry.body);
      const dryFailed =
        dry.status !== 200 ||
        dry.body.log?.some((l: any) => l.body.status === 'failed');
      expect(dryFailed).toBe(true);
      expect(dryText).toContain(field);

      const real = await h.runTask({ values });
      const realText = JSON.stringify([real.body, real.events]);
      expect(real.status === 201 ? real.task.status : 'refused').not.toBe(
        'completed',
      );
      expect(realText).toContain(field);

      expect(h.ssm.writes).toBe(0);
      expect(h.forge.branchesCreated).toBe(0);
      expect(h.forge.pulls).toHaveLength(0);
    },
  );
});

describe('faults through the real scaffolder', () => {
  let h: ScaffolderHarness;
  beforeAll(async () => {
    h = await startScaffolderHarness();
  });
  afterAll(() => h?.stop());
  beforeEach(() => h.ssm.reset());

  it('a burst of SSM throttling is retried and the task succeeds', async () => {
    h.ssm.throttleNext(2);
    const { task } = await h.runTask({
      values: { ...base, namespace: 'burst', repoUrl: h.repoUrl() },
    });
    expect(task.status).toBe('completed');
    expect(h.ssm.parameters.size).toBe(2);
  });

  it('SSM unreachable: a clear error and no pull request', async () => {
    const pulls = h.forge.pulls.length;
    const branches = h.forge.branchesCreated;
    h.ssm.failNext({
      code: 'InternalServerError',
      status: 503,
      message: 'Service Unavailable',
    });
    h.ssm.failNext({
      code: 'InternalServerError',
      status: 503,
      message: 'Service Unavailable',
    });
    h.ssm.failNext({
      code: 'InternalServerError',
      status: 503,
      message: 'Service Unavailable',
    });
    const { task, events } = await h.runTask({
      values: { ...base, namespace: 'down', repoUrl: h.repoUrl() },
    });
    expect(task.status).toBe('failed');
    expect(JSON.stringify(events)).toContain(
      'Could not read SSM parameters /zerotouch/prod/agent-executor/postgres/user',
    );
    expect(h.forge.pulls.length).toBe(pulls);
    expect(h.forge.branchesCreated).toBe(branches);
    expect(h.ssm.writes).toBe(0);
  });

  it('the forge fails after SSM was written: a re-run reuses the parameters and opens exactly one pull request', async () => {
    const values = {
      ...base,
      namespace: 'retry',
      environment: 'staging',
      repoUrl: h.repoUrl(),
    };
    // 5xx answers are retried by the GitHub module's Octokit; a 422 is not
    h.forge.failNext(
      'POST /repos/:owner/:repo/pulls',
      422,
      'Validation Failed',
    );
    const first = await h.runTask({ values });
    expect(first.task.status).toBe('failed');
    const password = h.ssm.parameters.get(
      '/zerotouch/staging/agent-executor/postgres/password',
    )!;
    expect(password.version).toBe(1);
    const passwordValue = password.value;

    const second = await h.runTask({ values });
    expect(second.task.status).toBe('completed');
    const after = h.ssm.parameters.get(
      '/zerotouch/staging/agent-executor/postgres/password',
    )!;
    expect([after.value === passwordValue, after.version]).toEqual([true, 1]);
    expect(JSON.stringify(second.events)).toContain('reused');
    expect(
      h.forge.pulls.filter(p => p.head === 'postgres/retry/agent-executor-db'),
    ).toHaveLength(1);
  });
});
