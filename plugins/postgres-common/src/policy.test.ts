import { ConfigReader } from '@backstage/config';
import { DEFAULT_POLICY, readPostgresPolicy, resolvePolicy } from './policy';
import { summarizeSecret } from './secrets';

describe('readPostgresPolicy', () => {
  it('gives the seed defaults without config', () => {
    expect(readPostgresPolicy(new ConfigReader({}))).toEqual(DEFAULT_POLICY);
    expect(readPostgresPolicy()).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY.sizes.medium.resources).toEqual({
      requests: { cpu: '500m', memory: '512Mi' },
      limits: { cpu: '2000m', memory: '2Gi' },
    });
  });

  it('reads every part of postgres.* and keeps defaults for the rest', () => {
    const policy = readPostgresPolicy(
      new ConfigReader({
        postgres: {
          sizes: {
            medium: { description: 'Team default' },
            xl: {
              description: 'Extra large',
              resources: {
                requests: { cpu: '2', memory: '4Gi' },
                limits: { cpu: '8', memory: '16Gi' },
              },
            },
          },
          versions: ['16', '17'],
          environments: ['prod'],
          storageGB: { max: 200 },
          ssm: { pathPattern: '/db/{environment}/{service}/{key}' },
          externalSecret: {
            apiVersion: 'external-secrets.io/v1',
            secretStoreRef: { name: 'ssm' },
          },
          gitops: { pathPattern: 'apps/{namespace}/{name}' },
        },
      }),
    );
    expect(Object.keys(policy.sizes)).toEqual(['medium', 'xl']);
    expect(policy.sizes.medium).toEqual({
      description: 'Team default',
      resources: DEFAULT_POLICY.sizes.medium.resources,
    });
    expect(policy.sizes.xl.resources.limits).toEqual({
      cpu: '8',
      memory: '16Gi',
    });
    expect(policy.versions).toEqual(['16', '17']);
    expect(policy.environments).toEqual(['prod']);
    expect(policy.storageGB).toEqual({ min: 10, max: 200 });
    expect(policy.ssm.pathPattern).toBe('/db/{environment}/{service}/{key}');
    expect(policy.externalSecret).toEqual({
      apiVersion: 'external-secrets.io/v1',
      secretStoreRef: { name: 'ssm', kind: 'ClusterSecretStore' },
      refreshInterval: '1h',
    });
    expect(policy.gitops.pathPattern).toBe('apps/{namespace}/{name}');
  });

  it('refuses a new size without resources', () => {
    expect(() =>
      readPostgresPolicy(
        new ConfigReader({
          postgres: { sizes: { huge: { description: 'Huge' } } },
        }),
      ),
    ).toThrow(/postgres.sizes.huge.resources/);
  });

  it('resolvePolicy merges partial input', () => {
    expect(resolvePolicy({ storageGB: { min: 1 } }).storageGB).toEqual({
      min: 1,
      max: 1000,
    });
  });
});

describe('summarizeSecret', () => {
  it('keeps key names, type and the username, never other values', () => {
    const password = 'S3cr3tPassw0rdThatMustNotLeak1234';
    const s = summarizeSecret({
      metadata: { name: 'c' },
      type: 'kubernetes.io/basic-auth',
      data: {
        username: Buffer.from('agent_executor').toString('base64'),
        password: Buffer.from(password).toString('base64'),
      },
    });
    expect(s).toEqual({
      name: 'c',
      type: 'kubernetes.io/basic-auth',
      keys: ['password', 'username'],
      username: 'agent_executor',
    });
    expect(JSON.stringify(s)).not.toContain(password);
    expect(JSON.stringify(s)).not.toContain(
      Buffer.from(password).toString('base64'),
    );
  });

  it('reads POSTGRES_USER and stringData, tolerates bad base64', () => {
    expect(
      summarizeSecret({
        metadata: { name: 'x' },
        stringData: { POSTGRES_USER: 'u' },
      }).username,
    ).toBe('u');
    expect(
      summarizeSecret({ metadata: { name: 'x' }, data: { username: '%%%' } })
        .username,
    ).toBeUndefined();
  });
});
