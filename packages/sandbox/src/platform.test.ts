import { Octokit } from '@octokit/rest';
import { parse } from 'yaml';
import {
  deriveDatabaseHealth,
  renderManifestFiles,
  selectDatabaseObjects,
  DatabaseRequest,
} from '@bizmatters/plugin-postgres-common';
import { ForgeStandIn } from './forge';
import { KubernetesStandIn } from './kubernetes';
import { PlatformSimulator } from './platform';
import { SsmStandIn } from './ssm';

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

  async function openAndMerge(files: Record<string, string>) {
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
        content,
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
      ref: 'refs/heads/db',
      sha: commit.data.sha,
    });
    const pr = await octokit.rest.pulls.create({
      owner,
      repo,
      head: 'db',
      base: 'main',
      title: 'db',
    });
    await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: pr.data.number,
    });
  }

  function health() {
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
});
