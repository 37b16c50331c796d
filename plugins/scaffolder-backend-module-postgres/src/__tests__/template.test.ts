/*
 * The real "New Postgres DB" template through the real scaffolder backend (with its GitHub
 * module and ours), the real AWS SDK and Octokit making HTTP requests to the sandbox's SSM and
 * Git forge stand-ins on 127.0.0.1.
 */
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import { ForgeStandIn, SsmStandIn } from '@bizmatters/sandbox';
import {
  applicationEnv,
  ENTITY_REF_ANNOTATION,
  OWNER_ANNOTATION,
  renderManifests,
} from '@bizmatters/plugin-postgres-common';
import {
  startScaffolderHarness,
  ScaffolderHarness,
} from '@bizmatters/test-backend/scaffolder';
import { seedInput } from '../__testUtils__/seed';

jest.setTimeout(120_000);

const { service: _service, name: _name, ...seed } = seedInput();
const values = {
  ...seed,
  baseBranch: 'main',
};

describe('New Postgres DB template through the real scaffolder', () => {
  let h: ScaffolderHarness;
  let ssm: SsmStandIn;
  let forge: ForgeStandIn;
  let backend: ScaffolderHarness['backend'];

  beforeAll(async () => {
    h = await startScaffolderHarness();
    ({ ssm, forge, backend } = h);
  });
  afterAll(() => h?.stop());
  beforeEach(() => ssm.reset());

  const repoUrl = () => h.repoUrl();

  /**
   * What the backend kept and said about a task: every row of the scaffolder's database and
   * every line of the backend's log output. Checks the search covers this task, so that a
   * canary over it can fail.
   */
  async function storedAndLogged(taskId: string) {
    const rows = await h.databaseRows();
    expect(rows.some(r => r.table === 'tasks' && r.row.includes(taskId))).toBe(
      true,
    );
    expect(
      rows.filter(r => r.table === 'task_events' && r.row.includes(taskId))
        .length,
    ).toBeGreaterThan(3);
    const logs = h.logLines.map(l => `${l.level} ${l.message} ${l.meta}`);
    expect(logs.some(l => l.includes('postgres:credentials:write'))).toBe(true);
    return [...rows.map(r => r.row), ...logs].join('\n');
  }

  async function runTask(body: Record<string, unknown>) {
    const result = await h.runTask(body);
    expect([
      result.status,
      result.status === 201 ? '' : JSON.stringify(result.body),
    ]).toEqual([201, '']);
    return result;
  }

  it('dry-run: validates and plans, writes no SSM parameter and opens no pull request', async () => {
    const res = await h.dryRun({ ...values, repoUrl: repoUrl() });
    expect([
      res.status,
      res.status === 200 ? '' : JSON.stringify(res.body),
    ]).toEqual([200, '']);
    const log = res.body.log.map((l: any) => l.body.message).join('\n');
    expect(res.body.steps.map((s: any) => s.id)).toEqual([
      'credentials',
      'manifests',
      'pr',
      'request',
    ]);
    expect(log).toContain('would-create');
    expect(log).toContain(
      'Dry run: would register the request for databases/agent-executor-db',
    );
    expect(ssm.writes).toBe(0);
    expect(forge.branchesCreated).toBe(0);
    expect(forge.pulls).toHaveLength(0);
    const files = res.body.directoryContents.map((f: any) => f.path).sort();
    expect(files).toEqual([
      'databases/databases/agent-executor-db/externalsecret.yaml',
      'databases/databases/agent-executor-db/kustomization.yaml',
      'databases/databases/agent-executor-db/postgresinstance.yaml',
    ]);
  });

  it('a real task writes SSM, opens one pull request with exactly the manifests, and never leaks the password', async () => {
    const { task, events } = await runTask({
      values: { ...values, repoUrl: repoUrl() },
    });
    expect(task.status).toBe('completed');

    // SSM: two SecureStrings, tagged for the claim; the generated password read back from the stand-in
    const user = ssm.parameters.get(
      '/zerotouch/prod/agent-executor/postgres/user',
    )!;
    const password = ssm.parameters.get(
      '/zerotouch/prod/agent-executor/postgres/password',
    )!;
    expect(user).toMatchObject({
      type: 'SecureString',
      value: 'agent_executor',
      version: 1,
    });
    expect(password.type).toBe('SecureString');
    expect(password.value).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(password.tags).toContainEqual({
      Key: 'bizmatters.io/postgres-claim',
      Value: 'databases/agent-executor-db',
    });

    // the pull request: exactly the two manifests and the kustomization, matching the request
    expect(forge.pulls).toHaveLength(1);
    const pr = forge.pulls[0];
    expect(pr.title).toBe(
      'Add PostgreSQL database databases/agent-executor-db',
    );
    expect(pr.head).toBe('postgres/databases/agent-executor-db');
    const files = await forge.pullFiles(pr);
    expect(files.map(f => f.filename).sort()).toEqual([
      'databases/databases/agent-executor-db/externalsecret.yaml',
      'databases/databases/agent-executor-db/kustomization.yaml',
      'databases/databases/agent-executor-db/postgresinstance.yaml',
    ]);
    const expected = renderManifests({
      ...values,
      service: 'agent-executor',
      name: 'agent-executor-db',
      // the component's owner in the catalog
      owner: 'group:default/team-agents',
    });
    const byName = Object.fromEntries(
      files.map(f => [path.basename(f.filename), parse(f.content!)]),
    );
    for (const file of ['externalsecret.yaml', 'postgresinstance.yaml']) {
      expect(byName[file].metadata.annotations).toMatchObject({
        [ENTITY_REF_ANNOTATION]: 'component:default/agent-executor',
        [OWNER_ANNOTATION]: 'group:default/team-agents',
      });
    }
    expect(byName['externalsecret.yaml']).toEqual(expected.externalSecret);
    expect(byName['postgresinstance.yaml']).toEqual(expected.postgresInstance);
    expect(byName['postgresinstance.yaml'].spec.storageGB).toBe(20);
    expect(pr.body).toContain('/zerotouch/prod/agent-executor/postgres/user');
    // the PR text names the component and its owner from the catalog
    expect(pr.body).toContain(
      'Adds a PostgreSQL database for `component:default/agent-executor` (owner `group:default/team-agents`)',
    );
    expect(pr.base).toBe('main');

    // outputs: the PR link and the env block
    const completion = events.find((e: any) => e.type === 'completion');
    const { links, text } = completion.body.output;
    expect(links[0]).toEqual({ title: 'Pull request', url: forge.htmlUrl(pr) });
    const envBlock = /```yaml\n([\s\S]*)```/.exec(text[1].content)![1];
    expect(parse(envBlock)).toEqual({
      env: applicationEnv('agent-executor-postgres'),
    });
    const output = JSON.stringify(task);
    const taskOutput = (
      await request(backend.server).get(`/api/scaffolder/v2/tasks/${task.id}`)
    ).body;

    // the password nowhere: task state, events (logs), the scaffolder's stored rows, the
    // backend's log output, PR body and files
    const haystack = [
      output,
      JSON.stringify(taskOutput),
      JSON.stringify(events),
      await storedAndLogged(task.id),
      pr.body,
      pr.title,
      ...files.map(f => f.content),
    ].join('\n');
    expect(haystack).not.toContain(password.value);
    expect(haystack).toContain('agent_executor');
  });

  it('a known password typed in the Secret field is written and appears nowhere', async () => {
    const canary = 'CanaryPassword0123456789abcdefghijklmnop';
    const { task, events } = await runTask({
      values: {
        ...values,
        environment: 'staging',
        namespace: 'canary',
        repoUrl: repoUrl(),
        // what the form's Secret field leaves in the values: one '*' per character
        postgresPassword: '*'.repeat(canary.length),
      },
      secrets: { postgresPassword: canary },
    });
    expect(task.status).toBe('completed');
    expect(
      ssm.parameters.get('/zerotouch/staging/agent-executor/postgres/password')!
        .value,
    ).toBe(canary);
    const pr = forge.pulls[forge.pulls.length - 1];
    const files = await forge.pullFiles(pr);
    const haystack = [
      JSON.stringify(task),
      JSON.stringify(events),
      await storedAndLogged(task.id),
      pr.body,
      ...files.map(f => f.content),
    ].join('\n');
    expect(haystack).not.toContain(canary);
  });

  it('invalid input fails with a message naming the field; nothing is written', async () => {
    const { task, events } = await runTask({
      values: {
        ...values,
        databaseOwner: 'postgres',
        namespace: 'canary2',
        repoUrl: repoUrl(),
      },
    });
    expect(task.status).toBe('failed');
    const messages = JSON.stringify(events);
    expect(messages).toContain('databaseOwner');
    expect(messages).toContain('reserved for CloudNative-PG');
    expect(ssm.writes).toBe(0);
  });

  it('SSM throttling is retried by the SDK and the task succeeds', async () => {
    ssm.throttleNext(2);
    const { task } = await runTask({
      values: {
        ...values,
        environment: 'dev',
        namespace: 'throttled',
        repoUrl: repoUrl(),
      },
    });
    expect(task.status).toBe('completed');
    expect(ssm.calls.DescribeParameters).toBeGreaterThanOrEqual(1);
    expect(
      ssm.parameters.has('/zerotouch/dev/agent-executor/postgres/password'),
    ).toBe(true);
  });

  it('a database that exists (its pull request merged): the task refuses with a clear message, nothing written, no pull request', async () => {
    const existing = { ...values, namespace: 'existing', repoUrl: repoUrl() };
    const first = await runTask({ values: existing });
    expect(first.task.status).toBe('completed');
    const pr = forge.pulls[forge.pulls.length - 1];
    expect(pr.head).toBe('postgres/existing/agent-executor-db');
    await forge.merge('platform', 'gitops', pr.number);

    const writes = ssm.writes;
    const pulls = forge.pulls.length;
    const contentReads =
      forge.calls['GET /repos/:owner/:repo/contents/:path'] ?? 0;
    const { task, events } = await runTask({ values: existing });
    expect(task.status).toBe('failed');
    const messages = events
      .map((e: any) => e.body?.message ?? e.body?.error?.message ?? '')
      .join('\n');
    expect(messages).toContain(
      `The database existing/agent-executor-db already exists: its claim databases/existing/agent-executor-db/postgresinstance.yaml is on main of ${forge.host}/platform/gitops`,
    );
    expect(messages).toContain('Nothing was written');
    // read through the real integration (token from integrations.github) over HTTP: the
    // claim, and its ExternalSecret (an existing database's SSM names are read from it)
    expect(forge.calls['GET /repos/:owner/:repo/contents/:path']).toBe(
      contentReads + 2,
    );
    expect(ssm.writes).toBe(writes);
    expect(forge.pulls).toHaveLength(pulls);

    // another database of the same service in the same namespace is not refused for it
    const other = await runTask({
      values: { ...existing, environment: 'staging', name: 'second-db' },
    });
    expect(other.task.status).toBe('completed');
  });
});
