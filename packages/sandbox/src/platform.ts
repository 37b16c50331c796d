import { createHash } from 'crypto';
import { parseAllDocuments } from 'yaml';
import { DatabaseServer } from './databaseServer';
import { ForgeStandIn } from './forge';
import { KubeObject, KubernetesStandIn } from './kubernetes';
import { SsmStandIn } from './ssm';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: unknown) =>
  typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : undefined;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message?: string,
) {
  return {
    type,
    status,
    reason,
    ...(message ? { message } : {}),
    lastTransitionTime: now(),
  };
}

/** CNPG's Ready condition while a cluster is being set up. */
const clusterNotReady = () =>
  condition('Ready', 'False', 'ClusterIsNotReady', 'Cluster Is Not Ready');

function syncWave(obj: KubeObject): number {
  const wave = Number(
    (obj.metadata as any).annotations?.['argocd.argoproj.io/sync-wave'] ?? 0,
  );
  return Number.isFinite(wave) ? wave : 0;
}

export interface PlatformOptions {
  kube: KubernetesStandIn;
  ssm: SsmStandIn;
  forge?: ForgeStandIn;
  /** GitOps repository that Argo CD follows. */
  repo?: { owner: string; name: string; branch?: string };
  /** Delay between controller passes; 0 runs every pass at once (tests). */
  stepMs?: number;
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
}

/**
 * The Composition's size map (reference platform/ssm-variant-arun4infra-b88f630,
 * postgres-composition.yaml: the `map` transforms onto the Cluster's resources), as the
 * platform defines it — not the plugins' policy, which the sandbox stands in front of.
 */
const COMPOSITION_SIZES: Record<
  string,
  {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
  }
> = {
  small: {
    requests: { cpu: '250m', memory: '256Mi' },
    limits: { cpu: '1000m', memory: '1Gi' },
  },
  medium: {
    requests: { cpu: '500m', memory: '512Mi' },
    limits: { cpu: '2000m', memory: '2Gi' },
  },
  large: {
    requests: { cpu: '1000m', memory: '1Gi' },
    limits: { cpu: '4000m', memory: '4Gi' },
  },
};

/** The labels Crossplane puts on composed resources, naming their claim. */
const CLAIM_NAME_LABEL = 'crossplane.io/claim-name';
const CLAIM_NAMESPACE_LABEL = 'crossplane.io/claim-namespace';
/**
 * The sandbox's stand-in for the owner reference ESO puts on a target secret
 * (creationPolicy Owner): the ExternalSecret's name.
 */
const ESO_OWNER_LABEL = 'sandbox.bizmatters.io/external-secret';

/** CNPG's annotations and hibernation condition (pkg/utils/labels_annotations.go). */
const RECONCILIATION_LOOP = 'cnpg.io/reconciliationLoop';
const HIBERNATION = 'cnpg.io/hibernation';

export class PlatformSimulator {
  private timer?: NodeJS.Timeout;
  /** Operations waiting for their Cluster, by "namespace/name". */
  private readonly operations = new Map<string, ClusterOperation>();
  /** Clusters whose primary is lost, by "namespace/name". */
  private readonly lostPrimaries = new Map<string, 'complete' | 'hold'>();
  private wake?: () => void;
  private running?: Promise<void>;
  private pending = false;
  private stopped = false;
  /** Per cluster ("namespace/name"), a hash of the credentials last applied to its database. */
  private readonly bootstrapped = new Map<string, string>();
  /** Objects applied from Git, by "kind/namespace/name". */
  readonly applied: string[] = [];
  /** What the last sync applied from Git, to prune what Git no longer holds (Argo CD prune). */
  private fromGit: KubeObject[] = [];

  constructor(private readonly options: PlatformOptions) {
    const { forge, repo } = options;
    if (forge && repo) {
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

  /** Argo CD: apply every manifest of the branch, lower sync-waves first. */
  async syncFromGit() {
    const { forge, repo } = this.options;
    if (!forge || !repo) return;
    const files = await forge.readFiles(
      repo.owner,
      repo.name,
      repo.branch ?? 'main',
    );
    const objects: KubeObject[] = [];
    for (const [path, text] of Object.entries(files)) {
      if (!/\.ya?ml$/.test(path)) continue;
      for (const doc of parseAllDocuments(text)) {
        const obj = doc.toJS() as KubeObject;
        if (!obj?.apiVersion || !obj?.kind || !obj?.metadata?.name) continue;
        if (obj.apiVersion.startsWith('kustomize.config.k8s.io')) continue;
        objects.push(obj);
      }
    }
    objects.sort((a, b) => syncWave(a) - syncWave(b));
    // Argo CD with automated prune: an object of the last sync that Git no longer holds is
    // deleted (higher sync-waves first, as Argo CD prunes in reverse order)
    const id = (o: KubeObject) =>
      `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${
        o.metadata.name
      }`;
    const kept = new Set(objects.map(id));
    for (const gone of this.fromGit
      .filter(o => !kept.has(id(o)))
      .sort((a, b) => syncWave(b) - syncWave(a))) {
      this.options.kube.delete(
        gone.apiVersion!,
        gone.kind!,
        gone.metadata.namespace,
        gone.metadata.name!,
      );
      this.options.log?.(
        `argocd: pruned ${gone.kind} ${gone.metadata.namespace}/${gone.metadata.name}`,
      );
    }
    this.fromGit = objects;
    this.applied.length = 0;
    for (const obj of objects) {
      const existing = this.options.kube.get(
        obj.apiVersion,
        obj.kind,
        obj.metadata.namespace,
        obj.metadata.name,
      );
      // keep the status the controllers wrote; take spec, labels and annotations from Git
      this.options.kube.apply(
        existing
          ? { ...existing, ...obj, status: (existing as any).status }
          : obj,
      );
      this.applied.push(
        `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`,
      );
    }
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
   */
  operate(
    namespace: string,
    name: string,
    operation: ClusterOperation,
  ): Promise<void> {
    const key = `${namespace}/${name}`;
    this.operations.set(key, { ...this.operations.get(key), ...operation });
    return this.reconcile();
  }

  /** Applies waiting operations to the Clusters that exist; true if anything changed. */
  private people(): boolean {
    const { kube } = this.options;
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

  /** Stops the controllers; resolves when a pass under way has finished. */
  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running;
  }

  /** One pass of every controller; true if anything changed. */
  async pass(): Promise<boolean> {
    const a = this.externalSecrets();
    const b = this.crossplane();
    const p = this.people();
    const c = await this.cnpg();
    return a || b || p || c;
  }

  private externalSecrets(): boolean {
    const { kube, ssm } = this.options;
    let changed = false;
    const all = [
      ...kube.list('external-secrets.io/v1beta1', 'ExternalSecret'),
      ...kube.list('external-secrets.io/v1', 'ExternalSecret'),
    ];
    // creationPolicy Owner: the secret has an owner reference to its ExternalSecret, so
    // Kubernetes' garbage collector deletes it with the ExternalSecret
    for (const secret of kube.list('v1', 'Secret')) {
      const owner = secret.metadata.labels?.[ESO_OWNER_LABEL];
      if (
        owner &&
        !all.some(
          es =>
            es.metadata.namespace === secret.metadata.namespace &&
            es.metadata.name === owner,
        )
      ) {
        kube.delete(
          'v1',
          'Secret',
          secret.metadata.namespace,
          secret.metadata.name,
        );
        changed = true;
      }
    }
    for (const es of all) {
      const spec = (es as any).spec ?? {};
      const target = spec.target?.name ?? es.metadata.name;
      const values: Record<string, string> = {};
      let missing: string | undefined;
      (spec.data ?? []).forEach((d: any, i: number) => {
        const p = ssm.parameters.get(d.remoteRef?.key);
        if (p) values[d.secretKey] = p.value;
        else
          missing ??= `error retrieving secret at .data[${i}], key: ${d.remoteRef?.key}, err: Secret does not exist`;
      });
      const ready = ((es as any).status?.conditions ?? []).find(
        (c: any) => c.type === 'Ready',
      );
      if (missing) {
        if (ready?.reason !== 'SecretSyncedError') {
          kube.apply({
            ...es,
            status: {
              binding: {},
              refreshTime: null,
              conditions: [
                condition(
                  'Ready',
                  'False',
                  'SecretSyncedError',
                  'could not get secret data from provider',
                ),
              ],
            },
          });
          kube.apply({
            apiVersion: 'v1',
            kind: 'Event',
            metadata: {
              name: `${es.metadata.name}.${Date.now().toString(16)}`,
              namespace: es.metadata.namespace,
            },
            type: 'Warning',
            reason: 'UpdateFailed',
            message: missing,
          } as any);
          changed = true;
        }
        continue;
      }
      const data = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, b64(v)]),
      );
      const secret = kube.get(
        'v1',
        'Secret',
        es.metadata.namespace,
        target,
      ) as any;
      const type = spec.target?.template?.type ?? 'Opaque';
      // ESO puts the template's labels on the Secret it writes, next to its own
      // (spec.target.template.metadata.labels, external-secrets.io CRD)
      const labels = {
        ...(spec.target?.template?.metadata?.labels ?? {}),
        'reconcile.external-secrets.io/created-by': 'sandbox',
        [ESO_OWNER_LABEL]: es.metadata.name,
      };
      if (
        !secret ||
        JSON.stringify(secret.data) !== JSON.stringify(data) ||
        secret.type !== type ||
        JSON.stringify(secret.metadata.labels) !== JSON.stringify(labels)
      ) {
        kube.apply({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: target,
            namespace: es.metadata.namespace,
            labels,
          },
          type,
          data,
        } as any);
        changed = true;
      }
      if (ready?.reason !== 'SecretSynced') {
        kube.apply({
          ...es,
          status: {
            binding: { name: target },
            refreshTime: now(),
            conditions: [
              condition('Ready', 'True', 'SecretSynced', 'Secret was synced'),
            ],
          },
        });
        changed = true;
      }
    }
    return changed;
  }

  private crossplane(): boolean {
    const { kube } = this.options;
    let changed = false;
    const claims = kube.list(
      'database.bizmatters.io/v1alpha1',
      'PostgresInstance',
    );
    // a deleted claim: Crossplane deletes its composite and the composed resources (the CNPG
    // Cluster and the connection secret), labelled with the claim they were composed for
    for (const [apiVersion, kind] of [
      ['postgresql.cnpg.io/v1', 'Cluster'],
      ['v1', 'Secret'],
    ]) {
      for (const composed of kube.list(apiVersion, kind)) {
        const claimName = composed.metadata.labels?.[CLAIM_NAME_LABEL];
        const claimNamespace =
          composed.metadata.labels?.[CLAIM_NAMESPACE_LABEL];
        if (
          claimName &&
          !claims.some(
            c =>
              c.metadata.name === claimName &&
              c.metadata.namespace === claimNamespace,
          )
        ) {
          kube.delete(
            apiVersion,
            kind,
            composed.metadata.namespace,
            composed.metadata.name,
          );
          this.options.log?.(
            `crossplane: deleted ${kind} ${composed.metadata.namespace}/${composed.metadata.name} of the deleted claim ${claimNamespace}/${claimName}`,
          );
          changed = true;
        }
      }
    }
    for (const claim of claims) {
      const spec = (claim as any).spec ?? {};
      const ns = claim.metadata.namespace!;
      const name = claim.metadata.name;
      const resources = COMPOSITION_SIZES[spec.size] ?? COMPOSITION_SIZES.small;
      const composedLabels = {
        [CLAIM_NAME_LABEL]: name,
        [CLAIM_NAMESPACE_LABEL]: ns,
      };
      const image = `ghcr.io/cloudnative-pg/postgresql:${spec.version ?? '16'}`;
      const storageSize = `${spec.storageGB ?? 20}Gi`;
      const cluster = kube.get(
        'postgresql.cnpg.io/v1',
        'Cluster',
        ns,
        name,
      ) as any;
      if (
        cluster &&
        (cluster.spec?.imageName !== image ||
          cluster.spec?.storage?.size !== storageSize ||
          JSON.stringify(cluster.spec?.resources) !== JSON.stringify(resources))
      ) {
        // the Composition's patches (storage size, image from the version, resources from the size)
        kube.apply({
          ...cluster,
          spec: {
            ...cluster.spec,
            imageName: image,
            storage: { ...cluster.spec?.storage, size: storageSize },
            resources,
          },
        });
        changed = true;
      }
      if (!cluster) {
        kube.apply({
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Cluster',
          metadata: {
            name,
            namespace: ns,
            creationTimestamp: now(),
            labels: composedLabels,
          },
          spec: {
            instances: 1,
            imageName: image,
            storage: {
              size: storageSize,
              storageClass: 'local-path',
            },
            enableSuperuserAccess: false,
            bootstrap: {
              initdb: {
                database: spec.databaseName ?? 'app',
                owner: spec.databaseOwner ?? 'app',
                secret: {
                  name: spec.credentialsSecretName ?? `${name}-credentials`,
                },
              },
            },
            resources,
          },
        } as any);
        changed = true;
      }
      const credentials = kube.get(
        'v1',
        'Secret',
        ns,
        spec.credentialsSecretName,
      ) as any;
      const connectionName = spec.connectionSecretName ?? `${name}-conn`;
      if (credentials) {
        // the Composition's keys (reference platform/ssm-variant-arun4infra-b88f630): endpoint,
        // port and database set from the claim, username and password copied from the
        // credentials secret, again whenever it changes; in the sandbox the "service" is its
        // PostgreSQL server
        const server = this.options.database;
        const data = {
          endpoint: b64(server?.host ?? `${name}-rw.${ns}.svc.cluster.local`),
          port: b64(String(server?.port ?? 5432)),
          database: b64(spec.databaseName ?? 'app'),
          username: credentials.data?.username ?? '',
          password: credentials.data?.password ?? '',
        };
        const existing = kube.get('v1', 'Secret', ns, connectionName) as any;
        if (JSON.stringify(existing?.data) !== JSON.stringify(data)) {
          kube.apply({
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name: connectionName,
              namespace: ns,
              labels: composedLabels,
            },
            type: 'Opaque',
            data,
          } as any);
          changed = true;
        }
      }
      const ready =
        !!credentials && !!kube.get('v1', 'Secret', ns, connectionName);
      const conditions = [
        condition('Synced', 'True', 'ReconcileSuccess'),
        ready
          ? condition('Ready', 'True', 'Available')
          : condition(
              'Ready',
              'False',
              'Waiting',
              'Claim is waiting for composite resource to become Ready',
            ),
      ];
      const current = ((claim as any).status?.conditions ?? [])
        .map((c: any) => `${c.type}=${c.status}/${c.reason}`)
        .join(',');
      const next = conditions
        .map(c => `${c.type}=${c.status}/${c.reason}`)
        .join(',');
      if (current !== next) {
        kube.apply({ ...claim, status: { conditions } });
        changed = true;
      }
    }
    return changed;
  }

  private async cnpg(): Promise<boolean> {
    const { kube } = this.options;
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
        !(await this.bootstrapDatabase(`${ns}/${name}`, c.spec, secret))
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
        this.options.log?.(`cnpg: ${ns}/${name} now runs ${c.spec?.imageName}`);
      }
      if (status) {
        kube.apply({ ...cluster, status });
        changed = true;
      }
    }
    return changed;
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

  /**
   * CloudNative-PG's `bootstrap.initdb` on the sandbox's PostgreSQL server (see
   * DatabaseServer.bootstrap): once the credentials secret exists, and again whenever it changes,
   * as CNPG's instance manager re-reads it. True when the database is there (or there is no
   * server); false when making it failed (said in the log, and tried again on the next pass).
   */
  private async bootstrapDatabase(
    cluster: string,
    spec: any,
    secret: any,
  ): Promise<boolean> {
    const server = this.options.database;
    if (!server) return true;
    const initdb = spec?.bootstrap?.initdb ?? {};
    // CNPG's defaults (reference cnpg/postgresql.cnpg.io_clusters.yaml): database "app", owner
    // the database's name
    const database: string = initdb.database ?? 'app';
    const owner: string = initdb.owner ?? database;
    const username = unb64(secret?.data?.username);
    const password = unb64(secret?.data?.password);
    const credentials =
      username !== undefined && password !== undefined
        ? { username, password }
        : undefined;
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([database, owner, username ?? null, password ?? null]),
      )
      .digest('hex');
    if (this.bootstrapped.get(cluster) === fingerprint) return true;
    const log = this.options.log ?? (() => {});
    try {
      const result = await server.bootstrap({
        cluster,
        database,
        owner,
        credentials,
      });
      this.bootstrapped.set(cluster, fingerprint);
      const shared = result.shared
        ? ` (shares the ${result.shared}: the sandbox has one PostgreSQL server for all its clusters)`
        : '';
      log(
        result.problem
          ? `CloudNative-PG ${cluster}: database '${database}' owned by '${owner}', but no password set: ${result.problem} (the application cannot log in)${shared}`
          : `CloudNative-PG ${cluster}: database '${database}' owned by '${owner}'${
              result.passwordSet ? ', password from the secret' : ''
            }, on 127.0.0.1:${server.port}${shared}`,
      );
      return true;
    } catch (e: any) {
      log(
        `CloudNative-PG ${cluster}: could not make database '${database}' on 127.0.0.1:${server.port}: ${e?.message}`,
      );
      return false;
    }
  }
}
