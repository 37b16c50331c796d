import { seedRequest } from './__testUtils__/reference';
import { SEED_EXAMPLE_REQUEST } from './request';
import {
  validateDatabaseRequest,
  assertValidDatabaseRequest,
  checkRequestField,
  DatabaseRequestError,
} from './validate';
import { checkSuppliedPassword } from './names';
import {
  applyRequestDefaults,
  DatabaseRequest,
  DatabaseRequestField,
  resolveDatabaseRequest,
  suggestNamesForService,
} from './request';
import { resolvePolicy } from './policy';

const seed: DatabaseRequest = {
  ...seedRequest(),
  connectionSecretName: 'agent-executor-postgres',
  credentialsSecretName: 'agent-executor-db-credentials',
};

const with_ = (patch: Record<string, unknown>) => ({ ...seed, ...patch });
const without = (field: string) => {
  const r: Record<string, unknown> = { ...seed };
  delete r[field];
  return r;
};

describe('validateDatabaseRequest', () => {
  const invalid: Array<[string, unknown, DatabaseRequestField]> = [
    ['name missing', without('name'), 'name'],
    ['name empty', with_({ name: '' }), 'name'],
    ['name uppercase', with_({ name: 'Orders-DB' }), 'name'],
    ['name starts with digit (DNS-1035)', with_({ name: '1orders' }), 'name'],
    ['name ends with dash', with_({ name: 'orders-' }), 'name'],
    ['name with underscore', with_({ name: 'orders_db' }), 'name'],
    ['name with dot', with_({ name: 'orders.db' }), 'name'],
    ['name 51 characters', with_({ name: `a${'b'.repeat(50)}` }), 'name'],
    ['name path traversal', with_({ name: '../../etc' }), 'name'],
    [
      'name with newline (YAML injection)',
      with_({ name: 'orders\nkind: Secret' }),
      'name',
    ],
    ['name with Cyrillic look-alike', with_({ name: 'оrders-db' }), 'name'],
    ['name a number', with_({ name: 42 }), 'name'],
    ['namespace missing', without('namespace'), 'namespace'],
    ['namespace with slash', with_({ namespace: 'team/a' }), 'namespace'],
    ['namespace kube-system', with_({ namespace: 'kube-system' }), 'namespace'],
    [
      'namespace 64 characters',
      with_({ namespace: 'n'.repeat(64) }),
      'namespace',
    ],
    ['service uppercase', with_({ service: 'Agent' }), 'service'],
    ['service with slash (SSM path)', with_({ service: 'a/b' }), 'service'],
    ['service missing', without('service'), 'service'],
    ['environment not offered', with_({ environment: 'qa' }), 'environment'],
    ['environment with slash', with_({ environment: 'prod/x' }), 'environment'],
    ['size not offered', with_({ size: 'xlarge' }), 'size'],
    ['size wrong case', with_({ size: 'Medium' }), 'size'],
    ['size prototype key', with_({ size: 'constructor' }), 'size'],
    ['version not offered', with_({ version: '9.6' }), 'version'],
    ['version not offered as number', with_({ version: 13 }), 'version'],
    ['version as object', with_({ version: { major: 16 } }), 'version'],
    ['storage below minimum', with_({ storageGB: 9 }), 'storageGB'],
    ['storage above maximum', with_({ storageGB: 1001 }), 'storageGB'],
    ['storage fractional', with_({ storageGB: 20.5 }), 'storageGB'],
    ['storage as text', with_({ storageGB: '20' }), 'storageGB'],
    ['storage NaN', with_({ storageGB: NaN }), 'storageGB'],
    ['storage Infinity', with_({ storageGB: Infinity }), 'storageGB'],
    ['storage negative', with_({ storageGB: -20 }), 'storageGB'],
    ['storage missing', without('storageGB'), 'storageGB'],
    [
      'databaseName postgres',
      with_({ databaseName: 'postgres' }),
      'databaseName',
    ],
    [
      'databaseName template0',
      with_({ databaseName: 'template0' }),
      'databaseName',
    ],
    [
      'databaseName template1',
      with_({ databaseName: 'template1' }),
      'databaseName',
    ],
    [
      'databaseName with dash',
      with_({ databaseName: 'orders-db' }),
      'databaseName',
    ],
    [
      'databaseName starts with digit',
      with_({ databaseName: '1orders' }),
      'databaseName',
    ],
    [
      'databaseName 64 bytes',
      with_({ databaseName: 'd'.repeat(64) }),
      'databaseName',
    ],
    [
      'databaseName SQL injection',
      with_({ databaseName: 'x; DROP DATABASE y' }),
      'databaseName',
    ],
    [
      'databaseName uppercase',
      with_({ databaseName: 'Orders' }),
      'databaseName',
    ],
    [
      'databaseOwner postgres',
      with_({ databaseOwner: 'postgres' }),
      'databaseOwner',
    ],
    [
      'databaseOwner streaming_replica',
      with_({ databaseOwner: 'streaming_replica' }),
      'databaseOwner',
    ],
    [
      'databaseOwner cnpg_pooler_pgbouncer',
      with_({ databaseOwner: 'cnpg_pooler_pgbouncer' }),
      'databaseOwner',
    ],
    [
      'databaseOwner pg_monitor',
      with_({ databaseOwner: 'pg_monitor' }),
      'databaseOwner',
    ],
    [
      'databaseOwner with quote',
      with_({ databaseOwner: 'app"' }),
      'databaseOwner',
    ],
    [
      'databaseOwner with non-ASCII',
      with_({ databaseOwner: 'ünicode' }),
      'databaseOwner',
    ],
    ['databaseOwner missing', without('databaseOwner'), 'databaseOwner'],
    [
      'connection secret uppercase',
      with_({ connectionSecretName: 'Orders' }),
      'connectionSecretName',
    ],
    [
      'connection secret with slash',
      with_({ connectionSecretName: 'a/b' }),
      'connectionSecretName',
    ],
    [
      'credentials secret 254 characters',
      with_({ credentialsSecretName: 'c'.repeat(254) }),
      'credentialsSecretName',
    ],
    [
      'credentials secret with space',
      with_({ credentialsSecretName: 'my secret' }),
      'credentialsSecretName',
    ],
    [
      'secrets with the same name',
      with_({ connectionSecretName: 'x', credentialsSecretName: 'x' }),
      'connectionSecretName',
    ],
    [
      'credentials default equals given connection name',
      with_({
        connectionSecretName: 'agent-executor-db-credentials',
        credentialsSecretName: undefined,
      }),
      'connectionSecretName',
    ],
    [
      'component not an entity ref',
      with_({ component: 'component:default/a b' }),
      'component',
    ],
    ['component with two slashes', with_({ component: 'a/b/c' }), 'component'],
    ['component a number', with_({ component: 7 }), 'component'],
  ];

  it('has at least 40 invalid cases', () =>
    expect(invalid.length).toBeGreaterThanOrEqual(40));

  it.each(invalid)(
    '%s → a problem on the right field',
    (_label, request, field) => {
      const problems = validateDatabaseRequest(request);
      expect(problems.map(p => p.field)).toContain(field);
      for (const p of problems) {
        expect(p.message.length).toBeGreaterThan(10);
      }
    },
  );

  it.each([null, undefined, 'orders', 42, [], true])(
    'non-object %p: every required field',
    input => {
      const fields = validateDatabaseRequest(input).map(p => p.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'name',
          'namespace',
          'service',
          'environment',
          'size',
          'version',
          'storageGB',
          'databaseName',
          'databaseOwner',
        ]),
      );
    },
  );

  it('an SSM name that exceeds AWS limits is a problem on the service', () => {
    const problems = validateDatabaseRequest(seed, {
      ssm: { pathPattern: '/aws/{service}/{key}' },
    });
    expect(problems).toEqual([
      { field: 'service', message: expect.stringContaining('reserved by AWS') },
    ]);
    const deep = validateDatabaseRequest(seed, {
      ssm: { pathPattern: '/a/b/c/d/e/f/g/h/i/j/k/l/m/n/{service}/{key}' },
    });
    expect(deep).toEqual([
      { field: 'service', message: expect.stringContaining('15') },
    ]);
  });

  it('a pattern without {key} is reported', () => {
    const problems = validateDatabaseRequest(seed, {
      ssm: { pathPattern: '/x/{service}' },
    });
    expect(problems[0].message).toContain('{key}');
  });

  const valid: Array<[string, unknown]> = [
    ['the seed', seed],
    ['without optional names', without('connectionSecretName')],
    [
      'minimal',
      {
        ...without('component'),
        connectionSecretName: undefined,
        credentialsSecretName: undefined,
      },
    ],
    ['name of 50 characters', with_({ name: `a${'b'.repeat(49)}` })],
    ['name of one letter', with_({ name: 'a' })],
    ['databaseName of 63 bytes', with_({ databaseName: 'd'.repeat(63) })],
    ['owner starting with underscore', with_({ databaseOwner: '_app' })],
    ['owner with pg inside', with_({ databaseOwner: 'app_pg_user' })],
    [
      'owner "postgresql" (not reserved)',
      with_({ databaseOwner: 'postgresql' }),
    ],
    ['database "postgres_app"', with_({ databaseName: 'postgres_app' })],
    ['storage at minimum', with_({ storageGB: 10 })],
    ['storage at maximum', with_({ storageGB: 1000 })],
    ['version as number', with_({ version: 16 })],
    [
      'secret names with dots',
      with_({ connectionSecretName: 'a.b', credentialsSecretName: 'c.d' }),
    ],
    ['component without kind', with_({ component: 'agent-executor' })],
    [
      'component in another namespace',
      with_({ component: 'component:payments/agent-executor' }),
    ],
    ['environment dev', with_({ environment: 'dev' })],
    ['namespace kubernetes-apps', with_({ namespace: 'kubernetes-apps' })],
    ['extra unknown fields are ignored', with_({ extra: 'x' })],
  ];

  it.each(valid)('%s is valid', (_label, request) => {
    expect(validateDatabaseRequest(request)).toEqual([]);
  });

  it('uses the policy for sizes, versions, environments and storage', () => {
    const policy = {
      sizes: { tiny: resolvePolicy().sizes.small },
      versions: ['17'],
      environments: ['lab'],
      storageGB: { min: 1, max: 5 },
    };
    const ok = with_({
      size: 'tiny',
      version: '17',
      environment: 'lab',
      storageGB: 5,
    });
    expect(validateDatabaseRequest(ok, policy)).toEqual([]);
    expect(
      validateDatabaseRequest(seed, policy)
        .map(p => p.field)
        .sort(),
    ).toEqual(['environment', 'size', 'storageGB', 'version']);
  });

  it('suggested names for a service are valid', () => {
    const s = suggestNamesForService('agent-executor');
    expect(s).toEqual({
      name: 'agent-executor-db',
      databaseName: 'agent_executor',
      databaseOwner: 'agent_executor',
      connectionSecretName: 'agent-executor-postgres',
      credentialsSecretName: 'agent-executor-db-credentials',
    });
    expect(validateDatabaseRequest({ ...seed, ...s })).toEqual([]);
  });

  it('resolves the seed defaults for the secret names', () => {
    const r = resolveDatabaseRequest({
      ...seed,
      connectionSecretName: undefined,
      credentialsSecretName: undefined,
    });
    expect(r.connectionSecretName).toBe('agent-executor-postgres');
    expect(r.credentialsSecretName).toBe('agent-executor-db-credentials');
  });
});

describe('assertValidDatabaseRequest', () => {
  it('throws an InputError that lists every problem by field', () => {
    let error: unknown;
    try {
      assertValidDatabaseRequest(
        with_({ name: 'X', databaseOwner: 'postgres' }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatabaseRequestError);
    const e = error as DatabaseRequestError;
    expect(e.name).toBe('InputError');
    expect(e.problems.map(p => p.field)).toEqual(['name', 'databaseOwner']);
    expect(e.message).toContain('name:');
    expect(e.message).toContain('databaseOwner:');
  });

  it('normalises a numeric version and drops empty optional names', () => {
    const r = assertValidDatabaseRequest(
      with_({ version: 16, connectionSecretName: '', extra: 1 }),
    );
    expect(r.version).toBe('16');
    expect(r).not.toHaveProperty('connectionSecretName');
    expect(r).not.toHaveProperty('extra');
  });
});

describe('checkRequestField', () => {
  it('gives the message the whole request check gives for that field, and nothing for others', () => {
    for (const [field, value] of [
      ['databaseOwner', 'postgres'],
      ['databaseOwner', 'pg_app'],
      ['databaseName', 'template1'],
      ['name', 'a'.repeat(51)],
      ['namespace', 'kube-system'],
      ['size', 'huge'],
    ] as const) {
      const whole = validateDatabaseRequest(with_({ [field]: value }));
      expect(whole).toHaveLength(1);
      expect(checkRequestField(field, value)).toBe(whole[0].message);
    }
    expect(checkRequestField('databaseOwner', 'orders_app')).toBeUndefined();
    expect(checkRequestField('name', 'a'.repeat(50))).toBeUndefined();
  });

  it('leaves an empty value to the form and the defaults', () => {
    expect(checkRequestField('databaseOwner', '')).toBeUndefined();
    expect(checkRequestField('size', undefined)).toBeUndefined();
  });

  it('checks choices against the given policy', () => {
    expect(checkRequestField('size', 'huge')).toMatch(/not an offered size/);
    expect(
      checkRequestField('size', 'huge', {
        sizes: { huge: resolvePolicy().sizes.large },
      }),
    ).toBeUndefined();
    expect(
      checkRequestField('version', '16', { versions: ['17', '18'] }),
    ).toMatch(/choose one of '17', '18'/);
  });
});

describe('applyRequestDefaults', () => {
  it('derives service and names from the component, keeping what is given', () => {
    expect(
      applyRequestDefaults({
        component: 'component:default/agent-executor',
        namespace: 'x',
      }),
    ).toEqual({
      component: 'component:default/agent-executor',
      namespace: 'x',
      service: 'agent-executor',
      name: 'agent-executor-db',
      databaseName: 'agent_executor',
      databaseOwner: 'agent_executor',
    });
    expect(
      applyRequestDefaults({
        service: 'orders',
        name: 'custom',
        databaseOwner: '',
      }),
    ).toEqual({
      service: 'orders',
      name: 'custom',
      databaseName: 'orders',
      databaseOwner: 'orders',
    });
  });

  it('passes non-objects through for validation to reject', () => {
    expect(applyRequestDefaults(null)).toBeNull();
    expect(applyRequestDefaults('x')).toBe('x');
  });
});

describe('checkSuppliedPassword', () => {
  it.each([
    ['short', 'abc', /at least 32/],
    ['with a space', `${'a'.repeat(32)} b`, /spaces/],
    ['with a newline', `${'a'.repeat(32)}\n`, /line breaks/],
    ['not text', 42, /text/],
  ])('refuses a password %s without repeating it', (_l, value, message) => {
    const m = checkSuppliedPassword(value)!;
    expect(m).toMatch(message);
    expect(m).not.toContain(String(value).trim() || '\u0000');
  });

  it('accepts 32+ printable characters', () => {
    expect(checkSuppliedPassword('Aa1!'.repeat(8))).toBeUndefined();
  });
});

it('SEED_EXAMPLE_REQUEST is the seed fixture, and valid', () => {
  expect(SEED_EXAMPLE_REQUEST).toEqual(seedRequest());
  expect(validateDatabaseRequest(SEED_EXAMPLE_REQUEST)).toEqual([]);
});
