import { seedInput } from '../__testUtils__/seed';
import {
  mockActionContext,
  GITOPS_REPO_URL,
  unitAuthorizer,
  unitSettings,
} from '../__testUtils__/actionDeps';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  SSMClient,
  ParameterAlreadyExists,
  Tag,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { parse } from 'yaml';
import { createPostgresCredentialsWriteAction } from './credentialsWrite';
import { examples } from './credentialsWrite.examples';

const settings = unitSettings();
const ssm = mockClient(SSMClient);

const input = { ...seedInput(), repoUrl: GITOPS_REPO_URL };
const USER = '/zerotouch/prod/agent-executor/postgres/user';
const PASSWORD = '/zerotouch/prod/agent-executor/postgres/password';
const ALICE = 'user:default/alice';
const CLAIM_TAG = {
  Key: 'bizmatters.io/postgres-claim',
  Value: 'databases/agent-executor-db',
};
const MODIFIED = new Date('2026-11-01T10:00:00Z');

/** Tags of a parameter written for this claim by `by` in task `task`, with `username`. */
function tagsOf(
  by = ALICE,
  options: { task?: string; username?: string } = {},
): Tag[] {
  return [
    CLAIM_TAG,
    { Key: 'backstage.io/entity', Value: 'component:default/agent-executor' },
    { Key: 'backstage.io/created-by', Value: by },
    {
      Key: 'backstage.io/scaffolder-task',
      Value: options.task ?? 'an-earlier-task',
    },
    {
      Key: 'bizmatters.io/postgres-username',
      Value: options.username ?? 'agent_executor',
    },
  ];
}

/** A claim file naming `entityRef`, as the template writes it. */
function claimText(entityRef: string): string {
  return [
    'apiVersion: database.bizmatters.io/v1alpha1',
    'kind: PostgresInstance',
    'metadata:',
    '  name: agent-executor-db',
    '  namespace: databases',
    '  annotations:',
    `    bizmatters.io/entity-ref: ${entityRef}`,
    'spec:',
    '  size: small',
    '',
  ].join('\n');
}

function run(
  actionInput: Record<string, unknown>,
  extra: {
    secrets?: Record<string, string>;
    isDryRun?: boolean;
    initiator?: string;
    authorize?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  } = {},
) {
  const { initiator = ALICE, authorize, ...contextOptions } = extra;
  const action = createPostgresCredentialsWriteAction({
    settings,
    ssmClient: new SSMClient({ region: 'eu-west-1' }),
    ...unitAuthorizer(authorize),
  });
  const { ctx, logs } = mockActionContext({
    input: actionInput,
    user: initiator,
    ...contextOptions,
  });
  return { promise: action.handler(ctx as any), ctx, logs };
}

/** SSM holds these parameters (metadata and tags). */
function stored(params: Record<string, { version: number; tags: Tag[] }>) {
  ssm.on(DescribeParametersCommand).resolves({
    Parameters: Object.entries(params).map(([name, p]) => ({
      Name: name,
      Version: p.version,
      LastModifiedDate: MODIFIED,
      Type: 'SecureString',
    })),
  });
  for (const [name, p] of Object.entries(params)) {
    ssm
      .on(ListTagsForResourceCommand, { ResourceId: name })
      .resolves({ TagList: p.tags });
  }
}

function putCalls() {
  return ssm.commandCalls(PutParameterCommand).map(c => c.args[0].input);
}

/** No call that could return a value: the decisions are made from metadata and tags only. */
function expectNoValueRead() {
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(0);
}

beforeEach(() => {
  ssm.reset();
  ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
  ssm.on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' });
});

describe('postgres:credentials:write', () => {
  it('writes user then password as SecureString without overwrite, tagged with claim, entity, author, task and username, and never outputs the password', async () => {
    const { promise, ctx, logs } = run(input);
    await promise;
    const puts = putCalls();
    expect(puts.map(p => p.Name)).toEqual([USER, PASSWORD]);
    expect(puts[0]).toMatchObject({
      Value: 'agent_executor',
      Type: 'SecureString',
      Overwrite: false,
    });
    const password = puts[1].Value!;
    expect(password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(puts[1].Tags).toEqual(tagsOf(ALICE, { task: 'mock-task-id' }));
    expect(puts[0].Tags).toEqual(puts[1].Tags);
    expect(ctx.output).toHaveBeenCalledWith('userParameter', USER);
    expect(ctx.output).toHaveBeenCalledWith('passwordParameter', PASSWORD);
    expect(ctx.output).toHaveBeenCalledWith('passwordParameterVersion', 1);
    expect(ctx.output).toHaveBeenCalledWith(
      'request',
      expect.objectContaining({
        name: 'agent-executor-db',
        service: 'agent-executor',
        component: 'component:default/agent-executor',
        owner: 'group:default/team-agents',
      }),
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'owner',
      'group:default/team-agents',
    );
    expect(ctx.output).toHaveBeenCalledWith('repoUrl', GITOPS_REPO_URL);
    expect(ctx.output).toHaveBeenCalledWith('baseBranch', 'main');
    const everything = JSON.stringify([
      (ctx.output as jest.Mock).mock.calls,
      logs,
    ]);
    expect(everything).not.toContain(password);
    expectNoValueRead();
  });

  it('generates a different password each run, of the configured length', async () => {
    const long = unitSettings({ ssm: { passwordLength: 64 } });
    const action = createPostgresCredentialsWriteAction({
      settings: long,
      ssmClient: new SSMClient({ region: 'eu-west-1' }),
      ...unitAuthorizer(),
    });
    await action.handler(mockActionContext({ input, user: ALICE }).ctx as any);
    await action.handler(mockActionContext({ input, user: ALICE }).ctx as any);
    const passwords = putCalls()
      .filter(p => p.Name === PASSWORD)
      .map(p => p.Value);
    expect(passwords).toHaveLength(2);
    expect(passwords[0]).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(passwords[0]).not.toBe(passwords[1]);
  });

  it('takes the password from the task secrets when given', async () => {
    const supplied = 'Supplied-password-0123456789-abcdefghij';
    const { promise, ctx, logs } = run(input, {
      secrets: { postgresPassword: supplied },
    });
    await promise;
    expect(putCalls()[1].Value).toBe(supplied);
    expect(
      JSON.stringify([(ctx.output as jest.Mock).mock.calls, logs]),
    ).not.toContain(supplied);
  });

  it('refuses a short supplied password without echoing it, and writes nothing', async () => {
    const { promise } = run(input, {
      secrets: { postgresPassword: 'tooShortSecret' },
    });
    await expect(promise).rejects.toThrow(/at least 32 characters/);
    await expect(
      run(input, { secrets: { postgresPassword: 'tooShortSecret' } }).promise,
    ).rejects.not.toThrow(/tooShortSecret/);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('dry run: checks existence, writes nothing', async () => {
    const { promise, ctx } = run(input, { isDryRun: true });
    await promise;
    expect(putCalls()).toEqual([]);
    expect(ssm.commandCalls(DescribeParametersCommand)).toHaveLength(1);
    expect(ctx.output).toHaveBeenCalledWith('parameters', [
      { name: USER, action: 'would-create' },
      { name: PASSWORD, action: 'would-create' },
    ]);
  });

  it('asks SSM for the metadata of exactly the two names, and follows pages', async () => {
    ssm
      .on(DescribeParametersCommand)
      .resolvesOnce({ Parameters: [], NextToken: 'page-2' })
      .resolves({
        Parameters: [{ Name: USER, Version: 4, LastModifiedDate: MODIFIED }],
      });
    ssm.on(ListTagsForResourceCommand).resolves({ TagList: tagsOf() });
    const { promise, ctx } = run(input);
    await promise;
    const describes = ssm
      .commandCalls(DescribeParametersCommand)
      .map(c => c.args[0].input);
    expect(describes).toEqual([
      {
        ParameterFilters: [
          { Key: 'Name', Option: 'Equals', Values: [USER, PASSWORD] },
        ],
      },
      {
        ParameterFilters: [
          { Key: 'Name', Option: 'Equals', Values: [USER, PASSWORD] },
        ],
        NextToken: 'page-2',
      },
    ]);
    expect(putCalls().map(p => p.Name)).toEqual([PASSWORD]);
    expect(ctx.output).toHaveBeenCalledWith('userParameterVersion', 4);
  });

  it('an existing parameter of another claim: clear error naming who wrote it, nothing written', async () => {
    stored({
      [PASSWORD]: {
        version: 3,
        tags: [
          { Key: 'bizmatters.io/postgres-claim', Value: 'other/db' },
          { Key: 'backstage.io/created-by', Value: 'user:default/bob' },
        ],
      },
    });
    const { promise } = run(input);
    await expect(promise).rejects.toThrow(
      /already exists and was not written for the claim databases\/agent-executor-db \(it belongs to other\/db; it was written by user:default\/bob \(last modified 2026-11-01T10:00:00.000Z\)\)/,
    );
    expect(putCalls()).toEqual([]);
  });

  it('an existing parameter without tags is not taken over: written outside Backstage', async () => {
    stored({ [USER]: { version: 1, tags: [] } });
    await expect(run(input).promise).rejects.toThrow(
      /no claim tag; it was written outside Backstage \(last modified 2026-11-01/,
    );
    expect(putCalls()).toEqual([]);
  });

  it('a parameter written for this claim by someone else is never reused: conflict naming who and when, nothing written', async () => {
    stored({
      [USER]: { version: 1, tags: tagsOf('user:default/mallory') },
      [PASSWORD]: { version: 1, tags: tagsOf('user:default/mallory') },
    });
    const { promise } = run(input);
    const error = await promise.catch(e => e);
    expect(error.name).toBe('ConflictError');
    expect(error.message).toContain(
      `The SSM parameter ${USER} already exists for the claim databases/agent-executor-db, but it was written by user:default/mallory (last modified 2026-11-01T10:00:00.000Z), not by user:default/alice`,
    );
    expect(putCalls()).toEqual([]);
    expectNoValueRead();
  });

  it('a parameter with the claim tag but no author tag is not reused', async () => {
    stored({ [USER]: { version: 1, tags: [CLAIM_TAG] } });
    await expect(run(input).promise).rejects.toThrow(
      /but it was written outside Backstage \(last modified 2026-11-01T10:00:00.000Z\), not by user:default\/alice/,
    );
    expect(putCalls()).toEqual([]);
  });

  it('existing parameters written by the same person for the same claim are reused (a re-run keeps the password), without reading a value', async () => {
    stored({
      [USER]: { version: 1, tags: tagsOf() },
      [PASSWORD]: { version: 2, tags: tagsOf() },
    });
    const { promise, ctx } = run(input);
    await promise;
    expect(putCalls()).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('parameters', [
      { name: USER, version: 1, action: 'reused' },
      { name: PASSWORD, version: 2, action: 'reused' },
    ]);
    expectNoValueRead();
  });

  it('a retry of the same task reuses what it wrote, even when the task tag is the only match', async () => {
    stored({
      [USER]: {
        version: 1,
        tags: tagsOf('user:default/someone-else', { task: 'mock-task-id' }),
      },
    });
    await run(input).promise;
    expect(putCalls().map(p => p.Name)).toEqual([PASSWORD]);
  });

  it('an existing username that differs from databaseOwner is an error (from the username tag), nothing written', async () => {
    stored({
      [USER]: { version: 1, tags: tagsOf(ALICE, { username: 'agent-exec' }) },
    });
    await expect(run(input).promise).rejects.toThrow(
      /username 'agent-exec', but databaseOwner is 'agent_executor'/,
    );
    // 'agent-exec' has a hyphen: the owner rule refuses it, so it is never advised as the owner
    await expect(run(input).promise).rejects.toThrow(
      /ask the platform team to remove the parameter/,
    );
    await expect(run(input).promise).rejects.not.toThrow(
      /set databaseOwner to 'agent-exec'/,
    );
    expect(putCalls()).toEqual([]);
    expectNoValueRead();
  });

  it('a supplied password when a password parameter exists: conflict, whatever the password, and no value is read', async () => {
    stored({
      [USER]: { version: 1, tags: tagsOf() },
      [PASSWORD]: { version: 1, tags: tagsOf() },
    });
    const answers: string[] = [];
    for (const guess of ['A'.repeat(40), 'B'.repeat(40)]) {
      for (const isDryRun of [true, false]) {
        const { promise } = run(input, {
          isDryRun,
          secrets: { postgresPassword: guess },
        });
        const error = await promise.catch(e => e);
        answers.push(`${error.name}: ${error.message}`);
        expect(error.message).not.toContain(guess);
      }
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain(
      'Leave Password empty to keep the existing one, or remove the parameter',
    );
    expect(putCalls()).toEqual([]);
    expectNoValueRead();
  });

  it('denied by the permission policy: NotAllowedError naming the component, no SSM call at all', async () => {
    const { promise } = run(input, { authorize: AuthorizeResult.DENY });
    const error = await promise.catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toContain(
      'user:default/alice may not create a database for component:default/agent-executor',
    );
    expect(ssm.calls()).toHaveLength(0);
  });

  it('a claim already on the GitOps repository’s branch: ConflictError naming and linking it, no SSM call', async () => {
    const readFile = jest.fn(async () => ({
      url: 'https://github.com/platform/gitops/blob/main/databases/databases/agent-executor-db/postgresinstance.yaml',
      text: claimText('component:default/agent-executor'),
    }));
    const action = createPostgresCredentialsWriteAction({
      settings,
      ssmClient: new SSMClient({ region: 'eu-west-1' }),
      ...unitAuthorizer(),
      gitops: { ...unitAuthorizer().gitops, readFile },
    });
    const error = await Promise.resolve(
      action.handler(mockActionContext({ input, user: ALICE }).ctx as any),
    ).catch(e => e);
    expect(error.name).toBe('ConflictError');
    expect(error.message).toContain(
      'The database databases/agent-executor-db already exists: its claim databases/databases/agent-executor-db/postgresinstance.yaml is on main of github.com/platform/gitops. Change it there, or choose another name for a new database. (https://github.com/platform/gitops/blob/main/',
    );
    expect(error.message).toContain('Nothing was written.');
    expect(readFile).toHaveBeenCalledWith(
      settings.policy.gitops.repositories[0],
      'databases/databases/agent-executor-db/postgresinstance.yaml',
    );
    expect(ssm.calls()).toHaveLength(0);
  });

  it("another component's claim of the same name on the branch, or an open pull request adding one: taken, no link, no SSM call", async () => {
    const other = claimText('component:default/orders');
    for (const gitops of [
      {
        readFile: async () => ({ url: 'https://x/claim', text: other }),
      },
      {
        openPullRequestFrom: async (_r: unknown, branch: string) =>
          branch === 'postgres/databases/agent-executor-db'
            ? { number: 7, url: 'https://x/pull/7', branch }
            : undefined,
        readFile: async (_r: unknown, _p: string, ref?: string) =>
          ref ? { url: 'https://x/claim', text: other } : undefined,
      },
    ]) {
      const action = createPostgresCredentialsWriteAction({
        settings,
        ssmClient: new SSMClient({ region: 'eu-west-1' }),
        ...unitAuthorizer(),
        gitops: { ...unitAuthorizer().gitops, ...gitops },
      });
      const error = await Promise.resolve(
        action.handler(mockActionContext({ input, user: ALICE }).ctx as any),
      ).catch(e => e);
      expect(error.name).toBe('ConflictError');
      expect(error.message).toMatch(
        /nother database named databases\/agent-executor-db .*choose another name/,
      );
      expect(error.message).not.toContain('https://x/');
      expect(error.message).not.toContain('orders');
    }
    expect(ssm.calls()).toHaveLength(0);
  });

  it('the GitOps repository cannot be read: an error saying nothing was written, no SSM call', async () => {
    const action = createPostgresCredentialsWriteAction({
      settings,
      ssmClient: new SSMClient({ region: 'eu-west-1' }),
      ...unitAuthorizer(),
      gitops: {
        ...unitAuthorizer().gitops,
        readFile: async () => {
          throw new Error('Bad credentials');
        },
      },
    });
    await expect(
      action.handler(mockActionContext({ input, user: ALICE }).ctx as any),
    ).rejects.toThrow(
      /Could not check whether the database databases\/agent-executor-db already exists; nothing was written: Could not read github.com\/platform\/gitops: Bad credentials/,
    );
    expect(ssm.calls()).toHaveLength(0);
  });

  it('a component that is not in the catalog: NotFoundError, no SSM call', async () => {
    const { promise } = run({
      ...input,
      component: 'component:default/nowhere',
    });
    await expect(promise).rejects.toThrow(
      /The component component:default\/nowhere is not in the catalog/,
    );
    expect(ssm.calls()).toHaveLength(0);
  });

  it.each([
    [
      { ...input, repoUrl: undefined },
      /- repoUrl: Choose the GitOps repository/,
    ],
    [
      { ...input, repoUrl: 'github.com?owner=evil&repo=gitops' },
      /- repoUrl: Pull requests may not go to github.com\/evil\/gitops/,
    ],
    [
      { ...input, baseBranch: 'release' },
      /- baseBranch: .* must target the branch 'main', not 'release'/,
    ],
  ])(
    'a GitOps target not in postgres.gitops.repositories is refused before any call (%#)',
    async (bad, message) => {
      await expect(run(bad).promise).rejects.toThrow(message);
      expect(ssm.calls()).toHaveLength(0);
    },
  );

  it.each([
    [{ ...input, databaseOwner: 'postgres' }, 'databaseOwner'],
    [{ ...input, namespace: '../etc' }, 'namespace'],
    [{ ...input, storageGB: 5000 }, 'storageGB'],
    [{ ...input, component: undefined, service: undefined }, 'service'],
    [{ ...input, component: undefined }, 'component'],
  ])('invalid input %# is refused before any AWS call', async (bad, field) => {
    await expect(run(bad).promise).rejects.toThrow(new RegExp(`- ${field}:`));
    expect(ssm.calls()).toHaveLength(0);
  });

  it('an owner in the input is ignored: the owner is the catalog’s', async () => {
    const { promise, ctx } = run({ ...input, owner: 'group:default/orders' });
    await promise;
    expect(ctx.output).toHaveBeenCalledWith(
      'request',
      expect.objectContaining({ owner: 'group:default/team-agents' }),
    );
  });

  it('AWS failure: clear error naming the parameter and the cause', async () => {
    ssm
      .on(PutParameterCommand, { Name: PASSWORD })
      .rejects(
        Object.assign(
          new Error('User is not authorized to perform: ssm:PutParameter'),
          { name: 'AccessDeniedException' },
        ),
      );
    await expect(run(input).promise).rejects.toThrow(
      `Could not write the SSM parameter ${PASSWORD}: AccessDeniedException: User is not authorized to perform: ssm:PutParameter`,
    );
  });

  it('a parameter created concurrently is reported, nothing more is written', async () => {
    ssm.on(PutParameterCommand, { Name: USER }).rejects(
      new ParameterAlreadyExists({
        message: 'The parameter already exists.',
        $metadata: {},
      }),
    );
    await expect(run(input).promise).rejects.toThrow(/created by someone else/);
    expect(putCalls().map(p => p.Name)).toEqual([USER]);
  });

  it('its examples parse and are valid requests', async () => {
    for (const example of examples) {
      const step = parse(example.example).steps[0];
      expect(step.action).toBe('postgres:credentials:write');
      ssm.reset();
      ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
      ssm.on(PutParameterCommand).resolves({ Version: 1 });
      await run(step.input, { secrets: { postgresPassword: 'p'.repeat(40) } })
        .promise;
      expect(putCalls()).toHaveLength(2);
    }
  });
});
