import { seedInput } from '../__testUtils__/seed';
import {
  GetParameterCommand,
  GetParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  SSMClient,
  ParameterAlreadyExists,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { ConfigReader } from '@backstage/config';
import { parse } from 'yaml';
import { readModuleSettings } from '../config';
import { createPostgresCredentialsWriteAction } from './credentialsWrite';
import { examples } from './credentialsWrite.examples';

const settings = readModuleSettings(new ConfigReader({}));
const ssm = mockClient(SSMClient);

const input = seedInput();
const USER = '/zerotouch/prod/agent-executor/postgres/user';
const PASSWORD = '/zerotouch/prod/agent-executor/postgres/password';
const CLAIM_TAG = {
  Key: 'bizmatters.io/postgres-claim',
  Value: 'databases/agent-executor-db',
};

function run(
  actionInput: Record<string, unknown>,
  extra: Partial<Parameters<typeof createMockActionContext>[0]> = {},
) {
  const action = createPostgresCredentialsWriteAction({
    settings,
    ssmClient: new SSMClient({ region: 'eu-west-1' }),
  });
  const logs: string[] = [];
  const ctx = createMockActionContext({
    input: actionInput as any,
    user: { ref: 'user:default/alice' },
    ...extra,
  });
  // createMockActionContext drops isDryRun; set it as the scaffolder would
  if (extra.isDryRun) (ctx as any).isDryRun = true;
  for (const level of ['info', 'warn', 'error', 'debug'] as const) {
    (ctx.logger as any)[level] = (m: string, meta?: unknown) =>
      logs.push(`${m} ${meta ? JSON.stringify(meta) : ''}`);
  }
  return { promise: action.handler(ctx as any), ctx, logs };
}

/** SSM holds only the user parameter, written for this claim, with `username` as its value. */
function onlyUserStoredForThisClaim(username: string) {
  ssm.on(GetParametersCommand).resolves({
    Parameters: [{ Name: USER, Version: 1 }],
    InvalidParameters: [PASSWORD],
  });
  ssm.on(ListTagsForResourceCommand).resolves({ TagList: [CLAIM_TAG] });
  ssm
    .on(GetParameterCommand)
    .resolves({ Parameter: { Name: USER, Value: username } });
}

function putCalls() {
  return ssm.commandCalls(PutParameterCommand).map(c => c.args[0].input);
}

beforeEach(() => {
  ssm.reset();
  ssm
    .on(GetParametersCommand)
    .resolves({ Parameters: [], InvalidParameters: [USER, PASSWORD] });
  ssm.on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' });
});

describe('postgres:credentials:write', () => {
  it('writes user then password as SecureString without overwrite, tagged, and never outputs the password', async () => {
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
    expect(puts[1].Tags).toEqual([
      CLAIM_TAG,
      { Key: 'backstage.io/entity', Value: 'component:default/agent-executor' },
      { Key: 'backstage.io/created-by', Value: 'user:default/alice' },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('userParameter', USER);
    expect(ctx.output).toHaveBeenCalledWith('passwordParameter', PASSWORD);
    expect(ctx.output).toHaveBeenCalledWith('passwordParameterVersion', 1);
    expect(ctx.output).toHaveBeenCalledWith(
      'request',
      expect.objectContaining({
        name: 'agent-executor-db',
        service: 'agent-executor',
      }),
    );
    const everything = JSON.stringify([
      (ctx.output as jest.Mock).mock.calls,
      logs,
    ]);
    expect(everything).not.toContain(password);
  });

  it('generates a different password each run, of the configured length', async () => {
    const long = readModuleSettings(
      new ConfigReader({ postgres: { ssm: { passwordLength: 64 } } }),
    );
    const action = createPostgresCredentialsWriteAction({
      settings: long,
      ssmClient: new SSMClient({ region: 'eu-west-1' }),
    });
    await action.handler(createMockActionContext({ input }) as any);
    await action.handler(createMockActionContext({ input }) as any);
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
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ctx.output).toHaveBeenCalledWith('parameters', [
      { name: USER, action: 'would-create' },
      { name: PASSWORD, action: 'would-create' },
    ]);
  });

  it('an existing parameter of another claim: clear error, nothing written', async () => {
    ssm.on(GetParametersCommand).resolves({
      Parameters: [{ Name: PASSWORD, Version: 3 }],
      InvalidParameters: [USER],
    });
    ssm.on(ListTagsForResourceCommand).resolves({
      TagList: [{ Key: 'bizmatters.io/postgres-claim', Value: 'other/db' }],
    });
    const { promise } = run(input);
    await expect(promise).rejects.toThrow(
      /already exists and was not written for the claim databases\/agent-executor-db \(it belongs to other\/db\)/,
    );
    expect(putCalls()).toEqual([]);
  });

  it('an existing parameter without tags is not taken over', async () => {
    ssm.on(GetParametersCommand).resolves({
      Parameters: [{ Name: USER, Version: 1 }],
      InvalidParameters: [PASSWORD],
    });
    ssm.on(ListTagsForResourceCommand).resolves({ TagList: [] });
    await expect(run(input).promise).rejects.toThrow(/no claim tag/);
    expect(putCalls()).toEqual([]);
  });

  it('existing parameters of the same claim are reused (a re-run keeps the password)', async () => {
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: USER, Version: 1 },
        { Name: PASSWORD, Version: 2 },
      ],
      InvalidParameters: [],
    });
    ssm.on(ListTagsForResourceCommand).resolves({ TagList: [CLAIM_TAG] });
    ssm
      .on(GetParameterCommand, { Name: USER })
      .resolves({ Parameter: { Name: USER, Value: 'agent_executor' } });
    const { promise, ctx } = run(input);
    await promise;
    expect(putCalls()).toEqual([]);
    expect(ctx.output).toHaveBeenCalledWith('parameters', [
      { name: USER, version: 1, action: 'reused' },
      { name: PASSWORD, version: 2, action: 'reused' },
    ]);
    // the password is not even read when it is not compared
    expect(
      ssm.commandCalls(GetParameterCommand).map(c => c.args[0].input.Name),
    ).toEqual([USER]);
  });

  it('only the missing parameter is written when the other exists for the same claim', async () => {
    onlyUserStoredForThisClaim('agent_executor');
    await run(input).promise;
    expect(putCalls().map(p => p.Name)).toEqual([PASSWORD]);
  });

  it('an existing username that differs from databaseOwner is an error, nothing written', async () => {
    onlyUserStoredForThisClaim('agent-executor');
    await expect(run(input).promise).rejects.toThrow(
      /username 'agent-executor', but databaseOwner is 'agent_executor'/,
    );
    expect(putCalls()).toEqual([]);
  });

  it('retries AWS throttling and then succeeds', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
      $fault: 'client',
    });
    // aws-sdk-client-mock replaces the middleware stack's send, so the SDK's retry does not
    // run here; the real retry is covered against the SSM stand-in in the integration test.
    ssm.on(PutParameterCommand).rejectsOnce(throttled).resolves({ Version: 1 });
    await expect(run(input).promise).rejects.toThrow(
      /ThrottlingException: Rate exceeded/,
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

  it.each([
    [{ ...input, databaseOwner: 'postgres' }, 'databaseOwner'],
    [{ ...input, namespace: '../etc' }, 'namespace'],
    [{ ...input, storageGB: 5000 }, 'storageGB'],
    [{ ...input, component: undefined, service: undefined }, 'service'],
  ])('invalid input %# is refused before any AWS call', async (bad, field) => {
    await expect(run(bad).promise).rejects.toThrow(new RegExp(`- ${field}:`));
    expect(ssm.calls()).toHaveLength(0);
  });

  it('its examples parse and are valid requests', async () => {
    for (const example of examples) {
      const step = parse(example.example).steps[0];
      expect(step.action).toBe('postgres:credentials:write');
      ssm.reset();
      ssm.on(GetParametersCommand).resolves({ Parameters: [] });
      ssm.on(PutParameterCommand).resolves({ Version: 1 });
      await run(step.input, { secrets: { postgresPassword: 'p'.repeat(40) } })
        .promise;
      expect(putCalls()).toHaveLength(2);
    }
  });
});
