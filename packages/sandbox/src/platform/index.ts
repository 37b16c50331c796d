import { ArgoCd } from '../argocd';
import { CloudNativePg, ClusterOperation } from '../cnpg';
import { InitDb } from '../cnpg/initdb';
import { reconcileClaims } from '../crossplane';
import { DatabaseServer } from '../database';
import { reconcileExternalSecrets } from '../eso';
import { ForgeStandIn } from '../forge';
import { KubernetesStandIn } from '../kubernetes';
import { SsmStandIn } from '../ssm';

export type { ClusterOperation } from '../cnpg';

export interface PlatformOptions {
  kube: KubernetesStandIn;
  ssm: SsmStandIn;
  forge?: ForgeStandIn;
  /** GitOps repository that Argo CD follows. */
  repo?: { owner: string; name: string; branch?: string };
  /** Delay between controller passes; 0 runs every pass at once (tests). */
  stepMs?: number;
  /**
   * How often the controllers look again by themselves (External Secrets' refreshInterval,
   * Crossplane's and CloudNative-PG's resyncs), scaled down for a walkthrough: a change made
   * outside Git (an SSM parameter written) reaches the cluster within it. Undefined: only a
   * merge or an operation starts passes (tests).
   */
  resyncMs?: number;
  /**
   * Where CloudNative-PG's clusters really live: their roles and databases are made there from
   * the credentials secret, and the connection secrets point there. Without it the clusters
   * are status only and the connection secrets point at the in-cluster service names.
   */
  database?: DatabaseServer;
  /** One line per event worth telling (never a password). */
  log?: (message: string) => void;
}

/**
 * Plays Argo CD and the platform's controllers against the Kubernetes stand-in, with the real
 * status vocabulary: on each merge to the GitOps branch it applies the manifests in sync-wave
 * order; External Secrets reads the SSM stand-in and makes the basic-auth Secret (or reports
 * SecretSyncedError); Crossplane sets the claim's conditions and composes the CNPG Cluster and
 * the connection secret; CloudNative-PG walks to "Cluster in healthy state".
 */
export class PlatformSimulator {
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private wake?: () => void;
  private running?: Promise<void>;
  private pending = false;
  private stopped = false;
  private readonly argocd?: ArgoCd;
  private readonly cnpg: CloudNativePg;

  constructor(private readonly options: PlatformOptions) {
    const { forge, repo, kube, log } = options;
    this.cnpg = new CloudNativePg(kube, new InitDb(options.database, log), log);
    if (options.resyncMs) {
      this.resync = setInterval(() => {
        this.reconcile().catch(e => log?.(`resync: ${e?.message ?? e}`));
      }, options.resyncMs);
      this.resync.unref();
    }
    if (forge && repo) {
      this.argocd = new ArgoCd({ kube, forge, repo, log });
      forge.onMerge(async e => {
        if (
          e.owner === repo.owner &&
          e.repo === repo.name &&
          e.branch === (repo.branch ?? 'main')
        ) {
          await this.syncFromGit();
        }
      });
    }
  }

  /** Objects applied from Git by the last sync, by "kind/namespace/name". */
  get applied(): string[] {
    return this.argocd?.applied ?? [];
  }

  /** Argo CD: apply every manifest of the branch, lower sync-waves first; then the controllers. */
  async syncFromGit() {
    if (!this.argocd) return;
    await this.argocd.sync();
    const settled = this.reconcile();
    if ((this.options.stepMs ?? 0) === 0) await settled;
  }

  /**
   * Runs controller passes until nothing changes: one after the other when stepMs is 0, else one
   * pass per step (resolves when the platform has settled). A call while passes run makes them
   * go on until the new objects have been seen.
   */
  reconcile(): Promise<void> {
    this.pending = true;
    this.running ??= this.passes().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async passes() {
    const stepMs = this.options.stepMs ?? 0;
    for (let n = 0; !this.stopped; n++) {
      if (stepMs > 0) {
        await new Promise<void>(resolve => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, stepMs);
        });
        if (this.stopped) return;
      } else if (n >= 20) {
        return; // without a pace, a controller that never settles must not spin for ever
      }
      this.pending = false;
      const changed = await this.pass();
      if (!changed && !this.pending) return;
    }
  }

  /**
   * Does to a Cluster what a person or the cluster would (see {@link ClusterOperation}); waits
   * for the Cluster to exist. The controllers see it on their next pass.

  /**
   * Does to a Cluster what a person or the cluster would (see {@link ClusterOperation}); waits
   * for the Cluster to exist. The controllers see it on their next pass.
   */
  operate(
    namespace: string,
    name: string,
    operation: ClusterOperation,
  ): Promise<void> {
    this.cnpg.operate(namespace, name, operation);
    return this.reconcile();
  }

  /** Stops the controllers; resolves when a pass under way has finished. */
  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.resync) clearInterval(this.resync);
    this.wake?.();
    await this.running;
  }

  /** One pass of every controller; true if anything changed. */
  async pass(): Promise<boolean> {
    const { kube, ssm, database, log } = this.options;
    const a = reconcileExternalSecrets(kube, ssm);
    const b = reconcileClaims(kube, { database, log });
    const p = this.cnpg.people();
    const c = await this.cnpg.clusters();
    const d = this.cnpg.backups();
    return a || b || p || c || d;
  }
}
