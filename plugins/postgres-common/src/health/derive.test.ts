import { deriveDatabaseHealth } from './derive';
import type { DatabaseObjects, StepId } from './types';
import { selectDatabaseObjects, isPostgresInstance } from '../select';
import { KubeObject } from '../manifests';
import { exampleFiles, readExample } from '../__testUtils__/reference';

function objectsOf(file: string): DatabaseObjects {
  const items = readExample(file);
  const claim = items.find(isPostgresInstance)!;
  return selectDatabaseObjects(claim, items);
}

function stepOf(health: ReturnType<typeof deriveDatabaseHealth>, id: StepId) {
  return health.steps.find(s => s.id === id)!;
}

describe('deriveDatabaseHealth on the reference examples', () => {
  const expected: Record<
    string,
    { verdict: string; failingStep?: StepId; reason?: string }
  > = {
    '01-healthy-ssm-externalsecret-variant.json': { verdict: 'healthy' },
    '02-healthy-zero-touch-head-variant.json': { verdict: 'healthy' },
    '03-cluster-stuck-setting-up-primary.json': {
      verdict: 'progressing',
      failingStep: 'cluster',
      reason: 'Progressing',
    },
    '04-externalsecret-ssm-parameter-missing.json': {
      verdict: 'failed',
      failingStep: 'externalSecret',
      reason: 'SecretSyncedError',
    },
    '05-databaseowner-username-mismatch.json': {
      verdict: 'failed',
      failingStep: 'credentialsSecret',
      reason: 'OwnerMismatch',
    },
  };

  it('covers every example in the reference folder', () => {
    expect(exampleFiles()).toEqual(Object.keys(expected).sort());
  });

  const chain = [
    'externalSecret',
    'credentialsSecret',
    'claim',
    'cluster',
    'connectionSecret',
  ];

  it.each(Object.entries(expected))('%s', (file, want) => {
    const health = deriveDatabaseHealth(objectsOf(file));
    expect(health.verdict).toBe(want.verdict);
    expect(health.failingStep).toBe(want.failingStep);
    expect(health.steps.map(s => s.id)).toEqual(chain);
    // the failing step, if any, carries the expected reason and a hint
    const failing = health.steps.find(s => s.id === want.failingStep);
    expect(failing?.reason).toBe(want.reason);
    expect(
      failing === undefined || (failing.status !== 'ok' && !!failing.hint),
    ).toBe(true);
    // a healthy database has every step ok, an unhealthy one at least one not ok
    expect(health.steps.every(s => s.status === 'ok')).toBe(
      want.verdict === 'healthy',
    );
  });

  it('03: the claim says Ready while CNPG is still setting up the primary', () => {
    const health = deriveDatabaseHealth(
      objectsOf('03-cluster-stuck-setting-up-primary.json'),
    );
    expect(stepOf(health, 'claim').status).toBe('ok');
    expect(stepOf(health, 'cluster')).toMatchObject({ status: 'pending' });
    expect(stepOf(health, 'cluster').message).toContain('Setting up primary');
    expect(stepOf(health, 'cluster').message).toContain(
      'Creating primary instance agent-executor-db-1',
    );
  });

  it('03: with the current time, a primary that never came up is reported stuck', () => {
    const health = deriveDatabaseHealth(
      objectsOf('03-cluster-stuck-setting-up-primary.json'),
      {
        now: Date.parse('2025-12-15T11:02:15Z'),
      },
    );
    expect(health.verdict).toBe('failed');
    expect(stepOf(health, 'cluster')).toMatchObject({
      status: 'error',
      reason: 'Stuck',
    });
    expect(stepOf(health, 'cluster').message).toContain('60 min');
    expect(stepOf(health, 'cluster').hint).toContain('StorageClass');
  });

  it('03: within the grace period it is still progressing', () => {
    const health = deriveDatabaseHealth(
      objectsOf('03-cluster-stuck-setting-up-primary.json'),
      {
        now: Date.parse('2025-12-15T10:05:15Z'),
      },
    );
    expect(health.verdict).toBe('progressing');
  });

  it('04: names the SSM parameters and the store in the hint; downstream hops wait', () => {
    const health = deriveDatabaseHealth(
      objectsOf('04-externalsecret-ssm-parameter-missing.json'),
    );
    const es = stepOf(health, 'externalSecret');
    expect(es.message).toContain('could not get secret data from provider');
    expect(es.hint).toContain('/zerotouch/prod/agent-executor/postgres/user');
    expect(es.hint).toContain("ClusterSecretStore 'aws-parameter-store'");
    expect(stepOf(health, 'credentialsSecret').status).toBe('pending');
    expect(stepOf(health, 'claim').status).toBe('pending');
    expect(stepOf(health, 'connectionSecret').status).toBe('pending');
  });

  it('05: CNPG is healthy but the username differs from the owner', () => {
    const health = deriveDatabaseHealth(
      objectsOf('05-databaseowner-username-mismatch.json'),
    );
    expect(stepOf(health, 'cluster').status).toBe('ok');
    const creds = stepOf(health, 'credentialsSecret');
    expect(creds.message).toContain("'agent-executor'");
    expect(creds.message).toContain("'agent_executor'");
    expect(creds.hint).toContain(
      '/zerotouch/prod/agent-executor/postgres/user',
    );
  });

  it('never puts a secret value into the health it derives', () => {
    const secretKey = /password|PASSWORD|uri|pgpass/;
    let checked = 0;
    for (const file of exampleFiles()) {
      const items = readExample(file);
      const objects = objectsOf(file);
      const text = JSON.stringify([
        objects.credentialsSecret,
        objects.connectionSecret,
        deriveDatabaseHealth(objects),
      ]);
      const secretValues = items
        .filter(i => i.kind === 'Secret')
        .flatMap(i => Object.entries((i.data ?? {}) as Record<string, string>))
        .filter(([key]) => secretKey.test(key))
        .flatMap(([, value]) => [
          value,
          Buffer.from(value, 'base64').toString('utf8'),
        ]);
      checked += secretValues.length;
      expect(secretValues.filter(v => text.includes(v))).toEqual([]);
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('deriveDatabaseHealth traps', () => {
  const healthy = () => objectsOf('01-healthy-ssm-externalsecret-variant.json');
  const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

  it('fewer ready instances than instances is degraded', () => {
    const o = healthy();
    o.cluster = clone(o.cluster!);
    o.cluster.status.instances = 3;
    o.cluster.status.readyInstances = 2;
    const h = deriveDatabaseHealth(o);
    expect(h.verdict).toBe('degraded');
    expect(h.failingStep).toBe('cluster');
    expect(stepOf(h, 'cluster').message).toContain('2 of 3');
  });

  it('a credentials secret that is not basic-auth fails', () => {
    const o = healthy();
    o.credentialsSecret = { ...o.credentialsSecret!, type: 'Opaque' };
    const h = deriveDatabaseHealth(o);
    expect(h).toMatchObject({
      verdict: 'failed',
      failingStep: 'credentialsSecret',
    });
    expect(stepOf(h, 'credentialsSecret')).toMatchObject({
      reason: 'WrongType',
    });
    expect(stepOf(h, 'credentialsSecret').hint).toContain(
      'kubernetes.io/basic-auth',
    );
  });

  it('a credentials secret without a password fails', () => {
    const o = healthy();
    o.credentialsSecret = { ...o.credentialsSecret!, keys: ['username'] };
    expect(stepOf(deriveDatabaseHealth(o), 'credentialsSecret')).toMatchObject({
      status: 'error',
      reason: 'MissingKeys',
    });
  });

  it.each(['endpoint', 'port', 'database', 'username', 'password'])(
    'a connection secret without %s fails',
    key => {
      const o = healthy();
      o.connectionSecret = {
        ...o.connectionSecret!,
        keys: o.connectionSecret!.keys.filter(k => k !== key),
      };
      const h = deriveDatabaseHealth(o);
      expect(h).toMatchObject({
        verdict: 'failed',
        failingStep: 'connectionSecret',
      });
      expect(stepOf(h, 'connectionSecret').message).toContain(key);
    },
  );

  it('a missing connection secret with everything else ready fails', () => {
    const o = healthy();
    delete o.connectionSecret;
    expect(deriveDatabaseHealth(o)).toMatchObject({
      verdict: 'failed',
      failingStep: 'connectionSecret',
    });
  });

  it('reads an ExternalSecret of apiVersion external-secrets.io/v1 the same way', () => {
    const o = healthy();
    o.externalSecret = {
      ...clone(o.externalSecret!),
      apiVersion: 'external-secrets.io/v1',
    };
    expect(deriveDatabaseHealth(o).verdict).toBe('healthy');
    const broken = clone(o);
    broken.externalSecret!.status.conditions = [
      {
        type: 'Ready',
        status: 'False',
        reason: 'SecretSyncedError',
        message: 'could not get secret data from provider',
      },
    ];
    delete broken.credentialsSecret;
    expect(deriveDatabaseHealth(broken)).toMatchObject({
      verdict: 'failed',
      failingStep: 'externalSecret',
    });
  });

  it('an ExternalSecret not yet reconciled is progressing', () => {
    const o = healthy();
    o.externalSecret = clone(o.externalSecret!);
    delete o.externalSecret.status;
    delete o.credentialsSecret;
    expect(deriveDatabaseHealth(o)).toMatchObject({
      verdict: 'progressing',
      failingStep: 'externalSecret',
    });
  });

  it('a missing ExternalSecret and secret fails at the first hop', () => {
    const o = healthy();
    delete o.externalSecret;
    delete o.credentialsSecret;
    expect(deriveDatabaseHealth(o)).toMatchObject({
      verdict: 'failed',
      failingStep: 'externalSecret',
    });
  });

  it('a credentials secret managed without ESO is accepted', () => {
    const o = healthy();
    delete o.externalSecret;
    expect(deriveDatabaseHealth(o).verdict).toBe('healthy');
  });

  it.each([
    ['Cluster is unrecoverable and needs manual intervention', 'failed'],
    ['Unable to create required cluster objects', 'failed'],
    ['Waiting for user action', 'degraded'],
    ['Creating a new replica', 'progressing'],
    ['Something new in CNPG 2.0', 'unknown'],
    // no phase yet: CNPG has not reported on it, the cluster is being set up
    ['', 'progressing'],
  ])('CNPG phase %j gives %s', (phase, verdict) => {
    const o = healthy();
    o.cluster = clone(o.cluster!);
    o.cluster.status.phase = phase;
    const h = deriveDatabaseHealth(o);
    expect(h.verdict).toBe(verdict);
    expect(h.failingStep).toBe('cluster');
  });

  it('a claim that Crossplane cannot reconcile fails at the claim', () => {
    const o = healthy();
    o.claim = clone(o.claim!);
    o.claim.status.conditions = [
      {
        type: 'Synced',
        status: 'False',
        reason: 'ReconcileError',
        message: 'cannot compose resources',
      },
    ];
    const h = deriveDatabaseHealth(o);
    expect(h).toMatchObject({ verdict: 'failed', failingStep: 'claim' });
    expect(stepOf(h, 'claim').message).toContain('cannot compose resources');
  });

  it('a claim that is Ready with no CNPG cluster fails at the cluster', () => {
    const o = healthy();
    delete o.cluster;
    expect(deriveDatabaseHealth(o)).toMatchObject({
      verdict: 'failed',
      failingStep: 'cluster',
    });
  });

  it('an unreadable hop is unknown, with the cause', () => {
    const o = healthy();
    delete o.cluster;
    o.unreadable = { cluster: 'clusters.postgresql.cnpg.io is forbidden' };
    const h = deriveDatabaseHealth(o);
    expect(h).toMatchObject({ verdict: 'unknown', failingStep: 'cluster' });
    expect(stepOf(h, 'cluster').message).toContain('forbidden');
  });

  it('a missing claim is unknown', () => {
    expect(deriveDatabaseHealth({})).toMatchObject({
      verdict: 'unknown',
      failingStep: 'claim',
    });
  });

  it('compares the connection secret username with the owner too', () => {
    const o = healthy();
    o.connectionSecret = { ...o.connectionSecret!, username: 'someone_else' };
    expect(deriveDatabaseHealth(o)).toMatchObject({
      verdict: 'failed',
      failingStep: 'connectionSecret',
    });
  });
});

describe('selectDatabaseObjects', () => {
  it('ignores objects of other namespaces and other claims', () => {
    const items = readExample('01-healthy-ssm-externalsecret-variant.json');
    const claim = items.find(isPostgresInstance)!;
    const elsewhere: KubeObject[] = items.map(i => ({
      ...i,
      metadata: { ...i.metadata, namespace: 'other' },
    }));
    const o = selectDatabaseObjects(claim, elsewhere);
    expect(o).toEqual({ claim });
  });
});
