import { Octokit } from '@octokit/rest';
import { parse } from 'yaml';
import {
  deriveDatabaseHealth,
  renderManifestFiles,
  selectDatabaseObjects,
  DatabaseRequest,
  HealthOptions,
} from '@bizmatters/plugin-postgres-common';
import {
  ForgeStandIn,
  KubernetesStandIn,
  PlatformSimulator,
  SsmStandIn,
} from '@bizmatters/sandbox';

const request: DatabaseRequest = {
  name: 'orders-db',
  namespace: 'payments',
  service: 'orders',
  environment: 'dev',
  size: 'small',
  version: '17',
  storageGB: 10,
  databaseName: 'orders',
  databaseOwner: 'orders_app',
};

// a merge walks real Git and Octokit through several controller passes: seconds on a loaded machine
jest.setTimeout(30_000);

describe('PlatformSimulator', () => {
  let kube: KubernetesStandIn;
  let ssm: SsmStandIn;
  let forge: ForgeStandIn;
  let platform: PlatformSimulator;

  beforeEach(async () => {
    kube = await KubernetesStandIn.start();
    ssm = await SsmStandIn.start();
    forge = await ForgeStandIn.start();
    await forge.createRepo('platform', 'gitops');
    platform = new PlatformSimulator({
      kube,
      ssm,
      forge,
      repo: { owner: 'platform', name: 'gitops' },
    });
  });
  afterEach(async () => {
    platform.stop();
    await Promise.all([kube.stop(), ssm.stop(), forge.stop()]);
  });

  /** Opens and merges a pull request setting files (a null deletes one) of orders-db's folder. */
  async function openAndMerge(
    files: Record<string, string | null>,
    branch = 'db',
  ) {
    const octokit = new Octokit({ baseUrl: forge.apiBaseUrl, auth: 'x' });
    const owner = 'platform';
    const repo = 'gitops';
    const {
      data: [latest],
    } = await octokit.request('GET /repos/{owner}/{repo}/commits', {
      owner,
      repo,
      sha: 'main',
      per_page: 1,
    });
    const tree = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: latest.commit.tree.sha,
      tree: Object.entries(files).map(([path, content]) => ({
        path: `databases/payments/orders-db/${path}`,
        mode: '100644' as const,
        ...(content === null ? { sha: null } : { content }),
      })),
    });
    const commit = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: 'db',
      tree: tree.data.sha,
      parents: [latest.sha],
    });
    await octokit.rest.git.createRef({
      owner,
      repo,
      ref: `refs/heads/${branch}`,
      sha: commit.data.sha,
    });
    const pr = await octokit.rest.pulls.create({
      owner,
      repo,
      head: branch,
      base: 'main',
      title: 'db',
    });
    await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: pr.data.number,
    });
  }

  function health(options?: HealthOptions) {
    const claim = kube.get(
      'database.bizmatters.io/v1alpha1',
      'PostgresInstance',
      'payments',
      'orders-db',
    )!;
    const all = [
      ...kube.list('postgresql.cnpg.io/v1', 'Cluster', 'payments'),
      ...kube.list('external-secrets.io/v1beta1', 'ExternalSecret', 'payments'),
      ...kube.list('v1', 'Secret', 'payments'),
    ];
    return deriveDatabaseHealth(
      selectDatabaseObjects(claim as any, all as any),
      options,
    );
  }

  it('a merged pull request becomes a healthy database', async () => {
    ssm.seed('/zerotouch/dev/orders/postgres/user', 'orders_app');
    ssm.seed('/zerotouch/dev/orders/postgres/password', 'p'.repeat(40));
    await openAndMerge(renderManifestFiles(request));
    expect(platform.applied).toEqual([
      'ExternalSecret/payments/orders-db-credentials',
      'PostgresInstance/payments/orders-db',
    ]);
    expect(health()).toMatchObject({ verdict: 'healthy' });
    const cluster = kube.get(
      'postgresql.cnpg.io/v1',
      'Cluster',
      'payments',
      'orders-db',
    ) as any;
    expect(cluster.spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17');
    expect(cluster.spec.bootstrap.initdb).toEqual({
      database: 'orders',
      owner: 'orders_app',
      secret: { name: 'orders-db-credentials' },
    });
    const connection = kube.get(
      'v1',
      'Secret',
      'payments',
      'orders-postgres',
    ) as any;
    expect(Buffer.from(connection.data.endpoint, 'base64').toString()).toBe(
      'orders-db-rw.payments.svc.cluster.local',
    );
    // External Secrets puts the template's labels on the Secret it writes, next to its own;
    // the Composition writes the connection secret without the databases' label
    expect(
      kube.get('v1', 'Secret', 'payments', 'orders-db-credentials')!.metadata
        .labels,
    ).toEqual({
      'bizmatters.io/postgres-instance': 'orders-db',
      'reconcile.external-secrets.io/created-by': 'sandbox',
      'sandbox.bizmatters.io/external-secret': 'orders-db-credentials',
    });
    expect(
      connection.metadata.labels?.['bizmatters.io/postgres-instance'],
    ).toBeUndefined();
  });

  it('a merged change reaches the CNPG Cluster; a merged decommission prunes the claim, the ExternalSecret, the Cluster and both secrets', async () => {
    ssm.seed('/zerotouch/dev/orders/postgres/user', 'orders_app');
    ssm.seed('/zerotouch/dev/orders/postgres/password', 'p'.repeat(40));
    const files = renderManifestFiles(request);
    await openAndMerge(files);
    expect(health()).toMatchObject({ verdict: 'healthy' });
    const claim = files['postgresinstance.yaml'];
    await openAndMerge(
      {
        'postgresinstance.yaml': claim
          .replace('storageGB: 10', 'storageGB: 30')
          .replace('version: "17"', 'version: "18"')
          .replace('size: small', 'size: large'),
      },
      'change',
    );
    const cluster = () =>
      kube.get(
        'postgresql.cnpg.io/v1',
        'Cluster',
        'payments',
        'orders-db',
      ) as any;
    expect(cluster().spec.storage.size).toBe('30Gi');
    expect(cluster().spec.imageName).toBe(
      'ghcr.io/cloudnative-pg/postgresql:18',
    );
    expect(cluster().spec.resources.limits).toEqual({
      cpu: '4000m',
      memory: '4Gi',
    });
    expect(cluster().status.image).toBe('ghcr.io/cloudnative-pg/postgresql:18');
    expect(health()).toMatchObject({ verdict: 'healthy' });
    const secrets = () =>
      kube.list('v1', 'Secret', 'payments').map(o => o.metadata.name);
    expect(secrets().sort()).toEqual([
      'orders-db-credentials',
      'orders-postgres',
    ]);

    await openAndMerge(
      Object.fromEntries(Object.keys(files).map(f => [f, null])),
      'decommission',
    );
    expect(
      kube.list(
        'database.bizmatters.io/v1alpha1',
        'PostgresInstance',
        'payments',
      ),
    ).toEqual([]);
    expect(
      kube.list('external-secrets.io/v1beta1', 'ExternalSecret', 'payments'),
    ).toEqual([]);
    expect(cluster()).toBeUndefined();
    expect(secrets()).toEqual([]);
  });

  it('without the SSM parameters the ExternalSecret fails and the cluster waits for its secret', async () => {
    await openAndMerge(renderManifestFiles(request));
    const h = health();
    expect(h).toMatchObject({
      verdict: 'failed',
      failingStep: 'externalSecret',
    });
    const cluster = kube.get(
      'postgresql.cnpg.io/v1',
      'Cluster',
      'payments',
      'orders-db',
    ) as any;
    expect(cluster.status.phase).toBe('Setting up primary');
  });

  it('with a step delay the database walks through progressing to healthy', async () => {
    const slow = new PlatformSimulator({ kube, ssm, stepMs: 5 });
    ssm.seed('/zerotouch/dev/orders/postgres/user', 'orders_app');
    ssm.seed('/zerotouch/dev/orders/postgres/password', 'p'.repeat(40));
    const files = renderManifestFiles(request);
    kube.apply(
      parse(files['externalsecret.yaml']),
      parse(files['postgresinstance.yaml']),
    );
    const verdicts: string[] = [];
    const done = slow.reconcile();
    const watch = setInterval(() => verdicts.push(health().verdict), 1);
    await done;
    clearInterval(watch);
    verdicts.push(health().verdict);
    expect(verdicts[verdicts.length - 1]).toBe('healthy');
    expect(verdicts).toContain('progressing');
  });

  it('looks again by itself every resyncMs: an SSM value changed outside Git reaches the secret', async () => {
    const user = '/zerotouch/dev/orders/postgres/user';
    ssm.seed(user, 'orders-app');
    ssm.seed('/zerotouch/dev/orders/postgres/password', 'p'.repeat(40));
    await openAndMerge(renderManifestFiles(request));
    const credentials = () =>
      health().steps.find(s => s.id === 'credentialsSecret')!.reason;
    expect(credentials()).toBe('OwnerMismatch');
    const resyncing = new PlatformSimulator({ kube, ssm, resyncMs: 20 });
    try {
      // what "Repair credentials" does: the owner written as the username, nothing merged
      ssm.parameters.get(user)!.value = request.databaseOwner;
      // the platform without resync never looks again
      await new Promise(r => setTimeout(r, 100));
      for (let i = 0; i < 50 && credentials() !== 'Present'; i++) {
        await new Promise(r => setTimeout(r, 20));
      }
      expect(credentials()).toBe('Present');
    } finally {
      await resyncing.stop();
    }
  });

  describe('what people and the cluster do to a CNPG Cluster', () => {
    const cluster = () =>
      kube.get(
        'postgresql.cnpg.io/v1',
        'Cluster',
        'payments',
        'orders-db',
      ) as any;
    const clusterStep = () => health().steps.find(s => s.id === 'cluster')!;

    beforeEach(async () => {
      ssm.seed('/zerotouch/dev/orders/postgres/user', 'orders_app');
      ssm.seed('/zerotouch/dev/orders/postgres/password', 'p'.repeat(40));
      await openAndMerge(renderManifestFiles(request));
      const { verdict } = health();
      if (verdict !== 'healthy') throw new Error(`set-up is ${verdict}`);
    });

    it('cnpg.io/hibernation=on hibernates it (not healthy, says how to wake it); removing it wakes it', async () => {
      await platform.operate('payments', 'orders-db', {
        annotations: { 'cnpg.io/hibernation': 'on' },
      });
      expect(cluster().status).toMatchObject({
        phase: 'Cluster in healthy state',
        readyInstances: 0,
      });
      expect(health().verdict).toBe('degraded');
      expect(clusterStep()).toMatchObject({ reason: 'Hibernated' });
      expect(clusterStep().hint).toContain('cnpg.io/hibernation-');
      await platform.operate('payments', 'orders-db', {
        annotations: { 'cnpg.io/hibernation': null },
      });
      expect(health().verdict).toBe('healthy');
    });

    it('cnpg.io/reconciliationLoop=disabled freezes it: a scale-up is not acted on, and it is not healthy', async () => {
      await platform.operate('payments', 'orders-db', {
        annotations: { 'cnpg.io/reconciliationLoop': 'disabled' },
        instances: 3,
      });
      expect(cluster().status).toMatchObject({
        phase: 'Cluster in healthy state',
        readyInstances: 1,
      });
      expect(clusterStep()).toMatchObject({
        status: 'error',
        reason: 'ReconciliationSuspended',
      });
      await platform.operate('payments', 'orders-db', {
        annotations: { 'cnpg.io/reconciliationLoop': null },
      });
      expect(cluster().status).toMatchObject({ readyInstances: 3 });
      expect(health().verdict).toBe('healthy');
    });

    it('a lost primary with replicas fails over to one of them', async () => {
      await platform.operate('payments', 'orders-db', { instances: 3 });
      expect(cluster().status).toMatchObject({ readyInstances: 3 });
      await platform.operate('payments', 'orders-db', {
        losePrimary: 'complete',
      });
      expect(cluster().status).toMatchObject({
        phase: 'Cluster in healthy state',
        currentPrimary: 'orders-db-2',
        readyInstances: 3,
      });
      expect(health().verdict).toBe('healthy');
    });

    it('a failover that cannot finish is degraded while it lasts, failed once stuck', async () => {
      await platform.operate('payments', 'orders-db', {
        instances: 3,
        losePrimary: 'hold',
      });
      expect(cluster().status).toMatchObject({
        phase: 'Failing over',
        phaseReason: 'Initiating a failover from orders-db-1',
        readyInstances: 2,
      });
      expect(health()).toMatchObject({
        verdict: 'degraded',
        failingStep: 'cluster',
      });
      expect(clusterStep().reason).toBe('FailingOver');
      // 20 minutes on, past the default 15 minutes
      expect(health({ now: Date.now() + 20 * 60_000 })).toMatchObject({
        verdict: 'failed',
        failingStep: 'cluster',
      });
    });
  });
});
