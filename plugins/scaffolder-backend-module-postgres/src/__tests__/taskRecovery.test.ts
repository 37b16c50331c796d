/*
 * With scaffolder task recovery on (as an operator running several replicas configures it), a
 * task run again resumes after its completed steps: through the real scaffolder, the real
 * template and the real GitHub module against the sandbox's stand-ins, a task whose pull request
 * step was cut off is run again and opens one pull request with the files its manifests step
 * wrote, without writing SSM again.
 */
import {
  startScaffolderHarness,
  ScaffolderHarness,
} from '@bizmatters/test-backend/scaffolder';
import { seedInput } from '../__testUtils__/seed';
import { TASK_ROW_WORKSPACE_PROVIDER } from '../taskRowWorkspace';

jest.setTimeout(120_000);

const { service: _s, name: _n, ...seed } = seedInput();

/** The files of the seed's database in `namespace` that a pull request must change. */
const manifests = (namespace: string) =>
  ['externalsecret', 'kustomization', 'postgresinstance'].map(
    kind => `databases/${namespace}/agent-executor-db/${kind}.yaml`,
  );

describe('a task run again with task recovery on', () => {
  let h: ScaffolderHarness;
  beforeAll(async () => {
    h = await startScaffolderHarness({
      scaffolder: {
        taskRecovery: {
          enabled: true,
          workspaceProvider: TASK_ROW_WORKSPACE_PROVIDER,
        },
      },
    });
  });
  afterAll(() => h?.stop());

  it('resumes at the pull request step with its workspace: one pull request with the manifests, one SSM write per parameter', async () => {
    const values = {
      ...seed,
      baseBranch: 'main',
      namespace: 'resumed',
      environment: 'staging',
      repoUrl: h.repoUrl(),
    };
    // the branch is pushed, then the pull request is refused (a 422 is not retried by Octokit):
    // the step is cut off half-way, as a replica stopped in it leaves it
    h.forge.failNext(
      'POST /repos/:owner/:repo/pulls',
      422,
      'Validation Failed',
    );
    const first = await h.runTask({ values });
    expect(first.task.status).toBe('failed');
    const branch = 'postgres/resumed/agent-executor-db';
    expect(h.forge.pulls.filter(p => p.head === branch)).toHaveLength(0);
    const writes = h.ssm.writes;
    expect(writes).toBeGreaterThan(0);

    const second = await h.retry(first.body.id);
    expect(second.task.status).toBe('completed');
    const skipped = second.events
      .filter(e => /already completed in a previous run/.test(e.body.message))
      .map(e => e.body.stepId);
    expect(skipped).toEqual(['credentials', 'manifests']);
    expect(h.ssm.writes).toBe(writes);

    const pulls = h.forge.pulls.filter(p => p.head === branch);
    expect(pulls).toHaveLength(1);
    const files = (await h.forge.pullFiles(pulls[0])).map(f => f.filename);
    expect(files.sort()).toEqual(manifests('resumed'));
    // the snapshot is not kept once the task completed
    const row = (await h.databaseRows()).find(
      r => r.table === 'tasks' && r.row.includes(first.body.id),
    );
    expect(row?.row).toContain('"workspace":null');
  });

  it('a pull request step run again while its pull request is open updates it: still one pull request, the same three files', async () => {
    const values = {
      ...seed,
      baseBranch: 'main',
      namespace: 'again',
      repoUrl: h.repoUrl(),
    };
    const first = await h.runTask({ values });
    expect(first.task.status).toBe('completed');
    const branch = 'postgres/again/agent-executor-db';
    const updates = h.forge.calls['PATCH /repos/:owner/:repo/pulls/:number'];
    expect(updates ?? 0).toBe(0);
    // the same request again (its claim not merged): the step finds the open pull request
    const second = await h.runTask({ values });
    expect(second.task.status).toBe('completed');
    expect(h.forge.calls['PATCH /repos/:owner/:repo/pulls/:number']).toBe(1);
    const pulls = h.forge.pulls.filter(p => p.head === branch);
    expect(pulls).toHaveLength(1);
    const files = (await h.forge.pullFiles(pulls[0])).map(f => f.filename);
    expect(files.sort()).toEqual(manifests('again'));
  });
});
