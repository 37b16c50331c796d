/*
 * The platform sandbox for the local portal: AWS SSM, a Git forge, two Kubernetes API servers,
 * the platform simulator and, where PostgreSQL's server programs are installed, a PostgreSQL
 * server of its own with password authentication where the databases are really made (the
 * login check), on fixed ports of 127.0.0.1 (see app-config.sandbox.yaml).
 * Seeds, from the static files of seed/ (databases.yaml, gitops/), a healthy database for
 * agent-executor, a broken one (owner ≠ username) for billing, a healthy one for payments, which belongs to another team than the guest's, one hibernated on
 * purpose for inventory (annotation cnpg.io/hibernation=on) and one failing over for search
 * (three instances, the primary lost, the failover held: degraded, then stuck after 15 minutes).
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs packages/sandbox/src/main.ts
 */
import { DatabaseServer } from './database';
import { ForgeStandIn } from './forge';
import { KubernetesStandIn } from './kubernetes';
import { PlatformSimulator } from './platform';
import { seedDatabases } from './seed';
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

export async function startSandbox(
  options: {
    stepMs?: number;
    /** How often the controllers look again by themselves (default 10 s). */
    resyncMs?: number;
    log?: (m: string) => void;
  } = {},
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
    // External Secrets' refreshInterval (1h in the manifests), scaled down: a repaired SSM
    // username reaches the secret within seconds here
    resyncMs: options.resyncMs ?? 10_000,
    database,
    log: m => log(`sandbox: ${m}`),
  });

  const seeds = seedDatabases();
  for (const seed of seeds) {
    for (const [name, value] of Object.entries(seed.parameters))
      ssm.seed(name, value, seed.tags);
    await forge.commitFiles(
      GITOPS.owner,
      GITOPS.name,
      seed.files,
      `Add ${seed.namespace}/${seed.name}`,
    );
  }
  await platform.syncFromGit();
  for (const { namespace, name, operation } of seeds) {
    if (!operation) continue;
    platform
      .operate(namespace, name, operation)
      .catch(e => log(`sandbox: ${namespace}/${name}: ${e?.message}`));
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
    resyncMs: Number(process.env.SANDBOX_RESYNC_MS ?? 10_000),
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
