import {
  claimEntityRef,
  claimOwnership,
  normalizeEntityRef,
} from './ownership';
import { checkGitopsTarget, parseRepoUrl } from './gitops';
import { readPostgresPolicy } from './policy';
import { validateDatabaseRequest } from './validate';
import { ConfigReader } from '@backstage/config';

const claim = (annotations?: Record<string, string>) => ({
  metadata: { name: 'orders-db', namespace: 'orders', annotations },
});

describe('claim ownership', () => {
  it('normalizes refs with a default kind and namespace', () => {
    expect(normalizeEntityRef('Orders', 'component')).toBe(
      'component:default/orders',
    );
    expect(normalizeEntityRef('group:ops/Team-A', 'component')).toBe(
      'group:ops/team-a',
    );
    expect(normalizeEntityRef('not a ref', 'component')).toBeUndefined();
  });

  it('is ours only when the claim names the entity', () => {
    const c = claim({ 'bizmatters.io/entity-ref': 'component:default/orders' });
    expect(claimEntityRef(c)).toBe('component:default/orders');
    expect(claimOwnership(c, 'component:default/orders')).toBe('ours');
    expect(claimOwnership(c, 'Component:default/Orders')).toBe('ours');
    expect(claimOwnership(c, 'component:default/payments')).toBe('other');
    expect(claimOwnership(c, 'component:team-x/orders')).toBe('other');
    expect(claimOwnership(claim(), 'component:default/orders')).toBe(
      'unannotated',
    );
    expect(
      claimOwnership(
        claim({ 'bizmatters.io/entity-ref': '?' }),
        'component:default/orders',
      ),
    ).toBe('other');
  });
});

describe('GitOps targets', () => {
  const repositories = [
    { host: 'github.com', owner: 'acme', repo: 'gitops', baseBranch: 'main' },
  ];

  it('parses the scaffolder repo URL', () => {
    expect(parseRepoUrl('github.com?owner=acme&repo=gitops')).toEqual({
      host: 'github.com',
      owner: 'acme',
      repo: 'gitops',
    });
    expect(parseRepoUrl('github.com?owner=acme')).toBeUndefined();
    expect(parseRepoUrl('https://github.com/acme/gitops')).toBeUndefined();
  });

  it('allows only configured repositories and their base branch', () => {
    expect(
      checkGitopsTarget(
        { repoUrl: 'github.com?owner=acme&repo=gitops' },
        repositories,
      ),
    ).toBeUndefined();
    expect(
      checkGitopsTarget(
        { repoUrl: 'github.com?owner=acme&repo=gitops', baseBranch: 'main' },
        repositories,
      ),
    ).toBeUndefined();
    expect(
      checkGitopsTarget(
        { repoUrl: 'github.com?owner=evil&repo=gitops' },
        repositories,
      ),
    ).toMatch(
      /may not go to github.com\/evil\/gitops; allowed: github.com\/acme\/gitops/,
    );
    expect(
      checkGitopsTarget(
        { repoUrl: 'localhost:7020?owner=acme&repo=gitops' },
        repositories,
      ),
    ).toMatch(/may not go to localhost:7020/);
    expect(
      checkGitopsTarget(
        { repoUrl: 'github.com?owner=acme&repo=gitops', baseBranch: 'prod' },
        repositories,
      ),
    ).toMatch(/must target the branch 'main', not 'prod'/);
    expect(checkGitopsTarget({}, repositories)).toMatch(/Choose the GitOps/);
    expect(
      checkGitopsTarget({ repoUrl: 'github.com?owner=acme&repo=gitops' }, []),
    ).toMatch(/postgres.gitops.repositories/);
  });

  it('reads the repositories from config', () => {
    const policy = readPostgresPolicy(
      new ConfigReader({
        postgres: {
          gitops: {
            repositories: [
              { host: 'GitHub.com', owner: 'acme', repo: 'gitops' },
              {
                host: 'ghe.example',
                owner: 'p',
                repo: 'r',
                baseBranch: 'release',
              },
            ],
          },
        },
      }),
    );
    expect(policy.gitops.repositories).toEqual([
      { host: 'github.com', owner: 'acme', repo: 'gitops', baseBranch: 'main' },
      { host: 'ghe.example', owner: 'p', repo: 'r', baseBranch: 'release' },
    ]);
    expect(policy.gitops.pathPattern).toBe('databases/{namespace}/{name}');
    expect(() =>
      readPostgresPolicy(
        new ConfigReader({
          postgres: { gitops: { repositories: [{ host: 'github.com' }] } },
        }),
      ),
    ).toThrow(/repositories\[0\].owner is required/);
  });
});

describe('the owner field', () => {
  const base = {
    name: 'orders-db',
    namespace: 'orders',
    service: 'orders',
    environment: 'dev',
    size: 'small',
    version: '16',
    storageGB: 20,
    databaseName: 'orders',
    databaseOwner: 'orders',
  };
  it('takes a group ref and refuses anything else', () => {
    expect(
      validateDatabaseRequest({ ...base, owner: 'group:default/team-a' }),
    ).toEqual([]);
    expect(validateDatabaseRequest({ ...base, owner: 'team-a' })).toEqual([]);
    expect(
      validateDatabaseRequest({ ...base, owner: 'user:default/mallory' }),
    ).toEqual([
      expect.objectContaining({
        field: 'owner',
        message: expect.stringMatching(/not a group reference/),
      }),
    ]);
    expect(
      validateDatabaseRequest({ ...base, owner: 'group:x/a b' })[0]?.field,
    ).toBe('owner');
  });
});

describe('decidePostgresPermission', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const p = require('./index');
  const alice = {
    info: {
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: ['user:default/alice', 'group:default/payments'],
    },
  };
  const ops = {
    info: {
      userEntityRef: 'user:default/olga',
      ownershipEntityRefs: ['group:default/Platform-Team'],
    },
  };
  const opts = { fleetReaders: ['group:default/platform-team'] };

  it('leaves other permissions to the caller', () => {
    expect(
      p.decidePostgresPermission(
        { name: 'catalog.entity.read', type: 'basic', attributes: {} },
        alice,
        opts,
      ),
    ).toBeUndefined();
  });

  it('creates and reads only what the user owns', () => {
    for (const perm of [
      p.postgresDatabaseCreatePermission,
      p.postgresDatabaseReadPermission,
    ]) {
      expect(p.decidePostgresPermission(perm, alice, opts)).toEqual({
        result: 'CONDITIONAL',
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: ['user:default/alice', 'group:default/payments'],
          },
        },
      });
    }
    expect(
      p.decidePostgresPermission(p.postgresFleetReadPermission, alice, opts),
    ).toEqual({ result: 'DENY' });
    expect(
      p.decidePostgresPermission(p.postgresDatabaseReadPermission, undefined),
    ).toEqual({ result: 'DENY' });
  });

  it('lets the fleet readers read every database, but not create for others', () => {
    expect(
      p.decidePostgresPermission(p.postgresFleetReadPermission, ops, opts),
    ).toEqual({ result: 'ALLOW' });
    expect(
      p.decidePostgresPermission(p.postgresDatabaseReadPermission, ops, opts),
    ).toEqual({ result: 'ALLOW' });
    expect(
      p.decidePostgresPermission(p.postgresDatabaseCreatePermission, ops, opts)
        ?.result,
    ).toBe('CONDITIONAL');
  });
});
