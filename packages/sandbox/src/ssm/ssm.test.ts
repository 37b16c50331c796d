import {
  SSMClient,
  PutParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  ListTagsForResourceCommand,
  DescribeParametersCommand,
  DeleteParameterCommand,
  AddTagsToResourceCommand,
} from '@aws-sdk/client-ssm';
import { SsmStandIn } from '.';

describe('SsmStandIn with the real AWS SDK', () => {
  let ssm: SsmStandIn;
  let client: SSMClient;
  beforeAll(async () => {
    ssm = await SsmStandIn.start();
    client = new SSMClient({
      region: 'eu-west-1',
      endpoint: ssm.url,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
      maxAttempts: 4,
      retryMode: 'standard',
    });
  });
  afterAll(() => ssm.stop());
  beforeEach(() => ssm.reset());

  it('puts, gets (with and without decryption), tags and describes', async () => {
    const put = await client.send(
      new PutParameterCommand({
        Name: '/a/b/user',
        Value: 'alice',
        Type: 'SecureString',
        Tags: [{ Key: 'k', Value: 'v' }],
      }),
    );
    expect(put.Version).toBe(1);
    const got = await client.send(
      new GetParameterCommand({ Name: '/a/b/user', WithDecryption: true }),
    );
    expect(got.Parameter).toMatchObject({
      Name: '/a/b/user',
      Value: 'alice',
      Type: 'SecureString',
      Version: 1,
    });
    const hidden = await client.send(
      new GetParameterCommand({ Name: '/a/b/user' }),
    );
    expect(hidden.Parameter?.Value).not.toBe('alice');
    const many = await client.send(
      new GetParametersCommand({ Names: ['/a/b/user', '/a/b/none'] }),
    );
    expect(many.Parameters?.map(p => p.Name)).toEqual(['/a/b/user']);
    expect(many.InvalidParameters).toEqual(['/a/b/none']);
    await client.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: '/a/b/user',
        Tags: [{ Key: 'x', Value: 'y' }],
      }),
    );
    const tags = await client.send(
      new ListTagsForResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: '/a/b/user',
      }),
    );
    expect(tags.TagList).toEqual([
      { Key: 'k', Value: 'v' },
      { Key: 'x', Value: 'y' },
    ]);
    const described = await client.send(
      new DescribeParametersCommand({
        ParameterFilters: [
          { Key: 'Name', Option: 'Equals', Values: ['/a/b/user'] },
        ],
      }),
    );
    expect(described.Parameters?.[0]).toMatchObject({
      Name: '/a/b/user',
      Type: 'SecureString',
      Version: 1,
    });
    const byTag = async (Key: string, Values?: string[]) =>
      (
        await client.send(
          new DescribeParametersCommand({
            ParameterFilters: [{ Key, ...(Values ? { Values } : {}) }],
          }),
        )
      ).Parameters?.map(p => p.Name);
    expect(await byTag('tag:x', ['y'])).toEqual(['/a/b/user']);
    expect(await byTag('tag:x', ['z'])).toEqual([]);
    expect(await byTag('tag:k')).toEqual(['/a/b/user']);
    expect(await byTag('tag:nope')).toEqual([]);
    await client.send(new DeleteParameterCommand({ Name: '/a/b/user' }));
    expect(ssm.parameters.size).toBe(0);
  });

  it('answers with AWS error codes the SDK turns into its exceptions', async () => {
    await client.send(
      new PutParameterCommand({ Name: '/x', Value: '1', Type: 'String' }),
    );
    await expect(
      client.send(
        new PutParameterCommand({ Name: '/x', Value: '2', Type: 'String' }),
      ),
    ).rejects.toMatchObject({
      name: 'ParameterAlreadyExists',
    });
    await expect(
      client.send(
        new PutParameterCommand({
          Name: '/x',
          Value: '2',
          Overwrite: true,
          Tags: [{ Key: 'a', Value: 'b' }],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(
        "tags and overwrite can't be used together",
      ),
    });
    await expect(
      client.send(new GetParameterCommand({ Name: '/nope' })),
    ).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(
      client.send(new PutParameterCommand({ Name: '/aws/x', Value: '1' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('throttles on demand; the SDK standard retry succeeds', async () => {
    ssm.throttleNext(2);
    const put = await client.send(
      new PutParameterCommand({ Name: '/t', Value: 'v', Type: 'String' }),
    );
    expect(put.Version).toBe(1);
    expect(ssm.calls.PutParameter).toBe(3);
  });

  it('injects a failure for one operation', async () => {
    ssm.failNext({
      operation: 'GetParameters',
      code: 'AccessDeniedException',
      message: 'not allowed',
    });
    await expect(
      client.send(new GetParametersCommand({ Names: ['/a'] })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(ssm.writes).toBe(0);
  });
});
