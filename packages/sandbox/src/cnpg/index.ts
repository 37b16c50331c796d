import { KubernetesStandIn } from '../kubernetes';
import type { KubeObject } from '../kubernetes';
import { recordEvent } from '../kubernetes/events';
import { condition, now } from '../kubernetes/conditions';
import { InitDb } from './initdb';
import { takeBackups } from './backups';

/**
 * What a person or the cluster does to a CNPG Cluster outside Git (kubectl annotate, kubectl
 * patch, a node going away), applied by the simulator once the Cluster exists.
 */
export interface ClusterOperation {
  /** Annotations to set (a null value removes one), e.g. `cnpg.io/hibernation: on`. */
  annotations?: Record<string, string | null>;
  /** spec.instances, as `kubectl cnpg` or a patch would set it. */
  instances?: number;
  /**
   * The primary's pod is lost once the cluster is healthy. `complete`: CloudNative-PG promotes a
   * replica; `hold`: the replicas' WAL receivers do not stop, so CNPG waits in "Failing over"
   * (replicas.go: ErrWalReceiversRunning) until the simulator is told otherwise.
   */
  losePrimary?: 'complete' | 'hold';
  /** Its backups fail with this error (the Barman Cloud plugin's Composition: cnpg/backups.ts). */
  failBackups?: string;
}

/** CNPG's Ready condition while a cluster is being set up. */
const clusterNotReady = () =>
  condition('Ready', 'False', 'ClusterIsNotReady', 'Cluster Is Not Ready');

/** CNPG's annotations and hibernation condition (pkg/utils/labels_annotations.go). */
const RECONCILIATION_LOOP = 'cnpg.io/reconciliationLoop';
const HIBERNATION = 'cnpg.io/hibernation';

/**
 * CloudNative-PG's operator against the Kubernetes stand-in, with its phases, reasons and
 * conditions: a Cluster walks from "Setting up primary" to "Cluster in healthy state" once its
 * `bootstrap.initdb` secret exists (and the database is made, ./initdb), then follows replicas,
 * hibernation, failover and image changes; what people do to a Cluster outside Git
 * ({@link ClusterOperation}) is applied once the Cluster exists.
 */
export class CloudNativePg {
  /** Operations waiting for their Cluster, by "namespace/name". */
  private readonly operations = new Map<string, ClusterOperation>();
  /** Clusters whose primary is lost, by "namespace/name". */
  private readonly lostPrimaries = new Map<string, 'complete' | 'hold'>();
  /** Clusters whose backups fail, by "namespace/name", with the error. */
  private readonly failingBackups = new Map<string, string>();

  constructor(
    private readonly kube: KubernetesStandIn,
    private readonly initdb: InitDb,
    private readonly log?: (message: string) => void,
  ) {}

  /** Records an operation on a Cluster; {@link CloudNativePg.people} applies it. */
  operate(namespace: string, name: string, operation: ClusterOperation) {
    const key = `${namespace}/${name}`;
    const { failBackups, ...rest } = operation;
    if (failBackups) this.failingBackups.set(key, failBackups);
    if (Object.keys(rest).length) {
      this.operations.set(key, { ...this.operations.get(key), ...rest });
    }
  }

  /** The first Backup of each healthy Cluster archiving through the plugin (./backups). */
  backups(): boolean {
    return takeBackups(this.kube, this.failingBackups);
  }

  /** Applies waiting operations to the Clusters that exist; true if anything changed. */
  people(): boolean {
    const { kube } = this;
    let changed = false;
    for (const [key, op] of this.operations) {
      const [ns, name] = key.split('/');
      const cluster = kube.get(
        'postgresql.cnpg.io/v1',
        'Cluster',
        ns,
        name,
      ) as any;
      if (!cluster) continue;
      const { annotations, instances, losePrimary } = op;
      if (annotations || instances !== undefined) {
        const merged = { ...cluster.metadata.annotations };
        for (const [k, v] of Object.entries(annotations ?? {})) {
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        kube.apply({
          ...cluster,
          metadata: { ...cluster.metadata, annotations: merged },
          spec: { ...cluster.spec, ...(instances ? { instances } : {}) },
        });
        changed = true;
      }
      // a primary can be lost once the cluster is healthy with every instance ready
      const settled =
        cluster.status?.phase === 'Cluster in healthy state' &&
        cluster.status?.readyInstances === cluster.spec?.instances &&
        instances === undefined;
      if (losePrimary && !settled) {
        this.operations.set(key, { losePrimary });
        continue;
      }
      if (losePrimary) this.lostPrimaries.set(key, losePrimary);
      this.operations.delete(key);
      changed = true;
    }
    return changed;
  }

  /** One pass over every Cluster: its phase moves one step; true if anything changed. */
  async clusters(): Promise<boolean> {
    const { kube } = this;
    let changed = false;
    for (const cluster of kube.list('postgresql.cnpg.io/v1', 'Cluster')) {
      const c = cluster as any;
      const name = cluster.metadata.name;
      const ns = cluster.metadata.namespace;
      // cluster_controller.go: "Disable reconciliation loop annotation set, skipping the
      // reconciliation" (the status stays as it was)
      if (c.metadata.annotations?.[RECONCILIATION_LOOP] === 'disabled')
        continue;
      const secretName = c.spec?.bootstrap?.initdb?.secret?.name;
      const secret = secretName
        ? (kube.get('v1', 'Secret', ns, secretName) as any)
        : undefined;
      const hasSecret = !secretName || !!secret;
      const phase = c.status?.phase;
      if (
        hasSecret &&
        phase &&
        !(await this.initdb.run(`${ns}/${name}`, c.spec, secret))
      ) {
        continue; // the database could not be made: the primary is not set up
      }
      const base = {
        instances: c.spec?.instances ?? 1,
        image: c.spec?.imageName,
        writeService: `${name}-rw`,
        readService: `${name}-r`,
      };
      let status: any;
      if (
        !phase ||
        (phase === 'Setting up primary' &&
          !hasSecret &&
          c.status?.phaseReason === undefined)
      ) {
        status = {
          ...base,
          phase: 'Setting up primary',
          phaseReason: `Creating primary instance ${name}-1`,
          conditions: [clusterNotReady()],
        };
      } else if (phase === 'Setting up primary' && hasSecret) {
        status = {
          ...base,
          phase: 'Waiting for the instances to become active',
          phaseReason: 'Some instances are not yet active. Please wait.',
          readyInstances: 0,
          conditions: [clusterNotReady()],
        };
      } else if (phase === 'Waiting for the instances to become active') {
        status = {
          ...base,
          phase: 'Cluster in healthy state',
          readyInstances: base.instances,
          currentPrimary: `${name}-1`,
          targetPrimary: `${name}-1`,
          instancesStatus: { healthy: [`${name}-1`] },
          conditions: [
            condition('Ready', 'True', 'ClusterIsReady', 'Cluster is Ready'),
          ],
        };
      }
      status ??= this.afterSetup(c);
      if (
        !status &&
        c.status?.phase === 'Cluster in healthy state' &&
        c.status?.image !== c.spec?.imageName
      ) {
        // a rolling update (minor) or an offline in-place major upgrade, done in one pass here
        status = { ...c.status, image: c.spec?.imageName };
        this.log?.(`cnpg: ${ns}/${name} now runs ${c.spec?.imageName}`);
      }
      if (status) {
        kube.apply({ ...cluster, status });
        this.recordPhaseEvent(cluster, phase, status);
        changed = true;
      }
    }
    return changed;
  }

  /**
   * The Cluster events CNPG records as it enters the phases simulated here (source component
   * `cloudnative-pg`): Normal `CreatingInstance` "Primary instance (initdb)" when it creates the
   * first instance (internal/controller/cluster_create.go: `r.Recorder.Event(cluster, "Normal",
   * "CreatingInstance", "Primary instance (initdb)")`), Warning `FailingOver` when the primary is
   * lost (the reason as CNPG records it; the message is the operator's own log line for it, the
   * exact event text not being in reference/), Normal `CreatingInstance` for a new replica.
   */
  private recordPhaseEvent(cluster: KubeObject, before: unknown, status: any) {
    const after = status.phase;
    if (after === before) return;
    const event = (
      type: 'Normal' | 'Warning',
      reason: string,
      message: string,
    ) =>
      recordEvent(this.kube, cluster, type, reason, message, 'cloudnative-pg');
    if (after === 'Setting up primary')
      event('Normal', 'CreatingInstance', 'Primary instance (initdb)');
    else if (after === 'Failing over')
      event(
        'Warning',
        'FailingOver',
        "Current primary isn't healthy, initiating a failover",
      );
    else if (after === 'Creating a new replica')
      event(
        'Normal',
        'CreatingInstance',
        `Creating instance ${String(status.phaseReason ?? '').replace(
          /^Creating replica /,
          '',
        )}`,
      );
  }

  /**
   * CloudNative-PG on a cluster that has been set up: replicas for a raised spec.instances,
   * declarative hibernation (pkg/reconciler/hibernation/status.go) and failover
   * (internal/controller/replicas.go), with their phases, reasons and conditions.
   */
  private afterSetup(c: any): any | undefined {
    const name: string = c.metadata.name;
    const key = `${c.metadata.namespace}/${name}`;
    const status = c.status ?? {};
    const phase: string | undefined = status.phase;
    const instances: number = c.spec?.instances ?? 1;
    const ready: number = status.readyInstances ?? 0;
    const conditions: any[] = status.conditions ?? [];
    const hibernation = conditions.find(x => x.type === HIBERNATION);
    const others = conditions.filter(
      x => x.type !== HIBERNATION && x.type !== 'Ready',
    );
    const pods = (n: number) =>
      Array.from({ length: n }, (_, i) => `${name}-${i + 1}`);
    const healthy = (primary: string, extra: any = {}) => ({
      ...status,
      instances,
      phase: 'Cluster in healthy state',
      phaseReason: undefined,
      readyInstances: instances,
      currentPrimary: primary,
      targetPrimary: primary,
      instancesStatus: { healthy: pods(instances) },
      conditions: [
        ...others,
        condition('Ready', 'True', 'ClusterIsReady', 'Cluster is Ready'),
      ],
      ...extra,
    });
    const notReady = () => [...others, clusterNotReady()];

    const wantsHibernation = c.metadata.annotations?.[HIBERNATION] === 'on';
    if (wantsHibernation && phase === 'Cluster in healthy state') {
      if (hibernation?.reason === 'Hibernated') return undefined;
      if (hibernation?.reason !== 'DeletingPods') {
        return {
          ...status,
          conditions: [
            ...conditions.filter(x => x.type !== HIBERNATION),
            condition(
              HIBERNATION,
              'False',
              'DeletingPods',
              'Hibernation is in progress',
            ),
          ],
        };
      }
      // the pods are gone; CNPG keeps the phase and the PVCs (docs declarative_hibernation.md)
      return {
        ...status,
        readyInstances: 0,
        instancesStatus: {},
        conditions: [
          ...conditions.filter(x => x.type !== HIBERNATION),
          condition(
            HIBERNATION,
            'True',
            'Hibernated',
            'Cluster has been hibernated',
          ),
        ],
      };
    }
    if (!wantsHibernation && hibernation) {
      // rehydration: the condition goes, the pods come back on the same volumes
      return {
        ...status,
        phase: 'Waiting for the instances to become active',
        phaseReason: 'Some instances are not yet active. Please wait.',
        readyInstances: 0,
        conditions: notReady(),
      };
    }

    const lost = this.lostPrimaries.get(key);
    if (lost && phase === 'Cluster in healthy state') {
      const from = status.currentPrimary ?? `${name}-1`;
      return {
        ...status,
        phase: 'Failing over',
        phaseReason: `Initiating a failover from ${from}`,
        targetPrimary: 'pending',
        targetPrimaryTimestamp: now(),
        readyInstances: Math.max(0, ready - 1),
        instancesStatus: {
          healthy: pods(instances).filter(p => p !== from),
          failed: [from],
        },
        conditions: notReady(),
      };
    }
    if (lost === 'complete' && phase === 'Failing over') {
      const from = status.currentPrimary;
      const to = pods(instances).find(p => p !== from);
      if (!to) return undefined; // no replica to promote: CNPG waits for the primary
      if (status.targetPrimary === 'pending') {
        return {
          ...status,
          phaseReason: `Failing over from ${from} to ${to}`,
          targetPrimary: to,
          targetPrimaryTimestamp: now(),
        };
      }
      this.lostPrimaries.delete(key);
      return healthy(to, { currentPrimaryTimestamp: now() });
    }
    if (
      phase === 'Cluster in healthy state' &&
      ready < instances &&
      !hibernation
    ) {
      return {
        ...status,
        instances,
        phase: 'Creating a new replica',
        phaseReason: `Creating replica ${name}-${ready + 1}`,
        conditions: notReady(),
      };
    }
    if (phase === 'Creating a new replica') {
      return healthy(status.currentPrimary ?? `${name}-1`);
    }
    return undefined;
  }
}
