/*
 * The platform sandbox for the local portal: AWS SSM, a Git forge, two Kubernetes API servers,
 * the platform simulator and, where PostgreSQL's server programs are installed, a PostgreSQL
 * server of its own with password authentication where the databases are really made (the
 * login check), on fixed ports of 127.0.0.1 (see app-config.sandbox.yaml).
 * Seeds a healthy database for agent-executor, a broken one (owner ≠ username) for billing, a
 * healthy one for payments, which belongs to another team than the guest's, one hibernated on
 * purpose for inventory (annotation cnpg.io/hibernation=on) and one failing over for search
 * (three instances, the primary lost, the failover held: degraded, then stuck after 15 minutes).
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs packages/sandbox/src/main.ts
 */
import { randomBytes } from 'crypto';
import {
  DatabaseRequest,
  gitopsPath,
  renderManifestFiles,
  SEED_EXAMPLE_REQUEST,
  ssmParameterNames,
} from '@bizmatters/plugin-postgres-common';
import { DatabaseServer } from './databaseServer';
import { ForgeStandIn } from './forge';
import { KubernetesStandIn } from './kubernetes';
import { ClusterOperation, PlatformSimulator } from './platform';
import { SsmStandIn } from './ssm';

export const SANDBOX_PORTS = {
  ssm: 7010,
  forge: 7020,
  clusterA: 7030,
  clusterB: 7031,
  /** the sandbox's PostgreSQL server, where the CloudNative-PG stand-in makes databases */
  postgres: 7040,
};
export const GITOPS = { owner: 'platform', name: 'gitops' };

const seeds: Array<{
  request: DatabaseRequest;
  username: string;
  /** What happens to its CNPG Cluster once made (see ClusterOperation). */
  operation?: ClusterOperation;
}> = [
  {
    request: { ...SEED_EXAMPLE_REQUEST, owner: 'group:default/team-agents' },
    username: 'agent_executor',
  },
  {
    // broken on purpose: SSM holds 'billing-app', the claim's owner is 'billing_app'
    request: {
      name: 'billing-db',
      namespace: 'billing',
      service: 'billing',
      environment: 'prod',
      size: 'small',
      version: '16',
      storageGB: 10,
      databaseName: 'billing',
      databaseOwner: 'billing_app',
      component: 'component:default/billing',
      owner: 'group:default/team-agents',
    },
    username: 'billing-app',
  },
  {
    // another team's database: team-agents (the guest) may not see it
    request: {
      name: 'payments-db',
      namespace: 'payments',
      service: 'payments',
      environment: 'prod',
      size: 'small',
      version: '16',
      storageGB: 10,
      databaseName: 'payments',
      databaseOwner: 'payments',
      component: 'component:default/payments',
      owner: 'group:default/team-payments',
    },
    username: 'payments',
  },
  {
    // hibernated on purpose: CNPG deletes its pods and keeps its volumes
    request: {
      name: 'inventory-db',
      namespace: 'inventory',
      service: 'inventory',
      environment: 'prod',
      size: 'small',
      version: '16',
      storageGB: 10,
      databaseName: 'inventory',
      databaseOwner: 'inventory',
      component: 'component:default/inventory',
      owner: 'group:default/team-agents',
    },
    username: 'inventory',
    operation: { annotations: { 'cnpg.io/hibernation': 'on' } },
  },
  {
    // three instances; the primary is lost and the failover cannot finish
    request: {
      name: 'search-db',
      namespace: 'search',
      service: 'search',
      environment: 'prod',
      size: 'small',
      version: '16',
      storageGB: 10,
      databaseName: 'search',
      databaseOwner: 'search',
      component: 'component:default/search',
      owner: 'group:default/team-agents',
    },
    username: 'search',
    operation: { instances: 3, losePrimary: 'hold' },
  },
];

export async function startSandbox(
  options: { stepMs?: number; log?: (m: string) => void } = {},
) {
  const log = options.log ?? (() => {});
  const ssm = await SsmStandIn.start({ port: SANDBOX_PORTS.ssm });
  const forge = await ForgeStandIn.start({ port: SANDBOX_PORTS.forge });
  const clusterA = await KubernetesStandIn.start({
    name: 'sandbox-a',
    port: SANDBOX_PORTS.clusterA,
  });
  const clusterB = await KubernetesStandIn.start({
    name: 'sandbox-b',
    port: SANDBOX_PORTS.clusterB,
  });
  let database: DatabaseServer | undefined;
  try {
    database = await DatabaseServer.start({ port: SANDBOX_PORTS.postgres });
    log(
      `sandbox: login check on: the databases are made on PostgreSQL ${database.version} at 127.0.0.1:${database.port} (password authentication), and their connection secrets point there`,
    );
  } catch (e: any) {
    log(
      `sandbox: login check off: ${e?.message}; the databases are status only, and nothing checks that their credentials log in`,
    );
  }
  await forge.createRepo(GITOPS.owner, GITOPS.name, {
    'README.md':
      '# GitOps\n\nArgo CD (the sandbox) applies what is merged to main.\n',
  });
  const platform = new PlatformSimulator({
    kube: clusterA,
    ssm,
    forge,
    repo: GITOPS,
    stepMs: options.stepMs ?? 1500,
    database,
    log: m => log(`sandbox: ${m}`),
  });

  for (const { request, username } of seeds) {
    const names = ssmParameterNames(request);
    const tags = [
      {
        Key: 'bizmatters.io/postgres-claim',
        Value: `${request.namespace}/${request.name}`,
      },
    ];
    const values: Array<[string, string]> = [
      [names.user, username],
      [
        names.password,
        randomBytes(30)
          .toString('base64url')
          .replace(/[^A-Za-z0-9]/g, 'x'),
      ],
    ];
    for (const [name, value] of values) ssm.seed(name, value, tags);
    const folder = gitopsPath(request);
    const files = Object.fromEntries(
      Object.entries(renderManifestFiles(request)).map(([f, text]) => [
        `${folder}/${f}`,
        text,
      ]),
    );
    await forge.commitFiles(
      GITOPS.owner,
      GITOPS.name,
      files,
      `Add ${request.namespace}/${request.name}`,
    );
  }
  await platform.syncFromGit();
  for (const { request, operation } of seeds) {
    if (!operation) continue;
    platform
      .operate(request.namespace, request.name, operation)
      .catch(e =>
        log(`sandbox: ${request.namespace}/${request.name}: ${e?.message}`),
      );
  }
  log(
    `sandbox: SSM ${ssm.url}, forge ${forge.url} (pull requests: ${forge.url}/${GITOPS.owner}/${GITOPS.name}/pulls), clusters ${clusterA.url} and ${clusterB.url}`,
  );

  return {
    ssm,
    forge,
    clusterA,
    clusterB,
    platform,
    database,
    async stop() {
      await platform.stop();
      await Promise.all([
        ssm.stop(),
        forge.stop(),
        clusterA.stop(),
        clusterB.stop(),
        database?.stop(),
      ]);
    },
  };
}

if (require.main === module) {
  startSandbox({
    stepMs: Number(process.env.SANDBOX_STEP_MS ?? 1500),
    log: m => process.stdout.write(`${m}\n`),
  }).then(
    sandbox => {
      let stopping: Promise<void> | undefined;
      const shutdown = () => {
        stopping ??= sandbox.stop().then(
          () => process.exit(0),
          e => {
            process.stderr.write(`sandbox: stopping failed: ${e?.message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    },
    e => {
      process.stderr.write(`sandbox failed to start: ${e?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
