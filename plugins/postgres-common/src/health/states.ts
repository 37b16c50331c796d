import type { Finding, Severity, StepId, StepStatus, Verdict } from './types';

/**
 * The one home of what each state of each hop means: its step status and verdict (from the
 * severity), the reason word, the hint a product developer can act on, and where the state comes
 * from. The hop evaluators (one file per hop) pick a row and add the facts of the case to its
 * message; the README's table is rendered from this one (see `statesMarkdown`).
 *
 * Sources, read in each project's own code (mirrors of 2026-08):
 * - CNPG: cloudnative-pg/cloudnative-pg api/v1/cluster_types.go (the `Phase…` constants, v1.30.0
 *   and HEAD a95a534), pkg/utils/labels_annotations.go (`cnpg.io/reconciliationLoop`,
 *   `cnpg.io/hibernation`), pkg/reconciler/hibernation/status.go (condition `cnpg.io/hibernation`
 *   and its reasons), pkg/resources/status/transactions.go (Ready condition), docs/src/
 *   declarative_hibernation.md and failure_modes.md. Seed platform: CNPG 1.28.0.
 * - ESO: external-secrets/external-secrets apis/externalsecrets/v1/externalsecret_types.go
 *   (conditions, reasons, refreshPolicy, refreshInterval, status.refreshTime and
 *   syncedResourceVersion), pkg/controllers/externalsecret/externalsecret_controller.go
 *   (shouldRefresh, markAsDone) and util.go (SetExternalSecretCondition keeps lastTransitionTime
 *   while the status stays the same), helm-chart-2.9.0 cc5bfbc; seed platform ESO 0.9.13.
 * - Crossplane: crossplane/crossplane-runtime apis/common/v1/condition.go v1.16.0 (Ready:
 *   Available, Unavailable, Creating, Deleting; Synced: ReconcileSuccess, ReconcileError,
 *   ReconcilePaused; optional observedGeneration), the claim reconciler's Waiting reason and
 *   spec.resourceRef (../shared/reference/crossplane/claim-xr-injected-schema.v1.16.json).
 */
export interface StateRow {
  /** The hop, or `any` for a row every hop uses. */
  hop: StepId | 'any';
  severity: Severity;
  /** The step's reason word (the operator's own where it has one). */
  reason: string;
  /** The state, for the README. */
  when: string;
  /** What to do; `{placeholders}` are filled from the case (see `finding`). */
  hint?: string;
  /** Where the state is defined. */
  source: string;
}

const CNPG = 'CNPG api/v1/cluster_types.go';
const CNPG_INSPECT = '`{inspect}` and the operator logs';
const SETUP_HINT =
  "If this lasts more than 10 minutes, ask the platform team to look at the first instance's PVC (is its StorageClass available?) and the initdb pod (kubectl get pods -n {namespace} -l cnpg.io/cluster={cluster}): a missing credentials secret shows there as CreateContainerConfigError.";

/** Every state, by id. */
export const STATES = {
  // ── any hop ──────────────────────────────────────────────────────────────────────────────
  unreadable: {
    hop: 'any',
    severity: 'unknown',
    reason: 'Unreadable',
    when: 'the object could not be read (e.g. 403, cluster unreachable)',
    hint: 'Ask the platform team to check that the portal can reach this cluster and may read this kind of object.',
    source: 'portal',
  },

  // ── ExternalSecret ───────────────────────────────────────────────────────────────────────
  esNotUsed: {
    hop: 'externalSecret',
    severity: 'ok',
    reason: 'NotUsed',
    when: 'the claim names no credentials secret (CNPG generates them)',
    source: 'platform XRD (zero-touch variant)',
  },
  esManagedElsewhere: {
    hop: 'externalSecret',
    severity: 'ok',
    reason: 'ManagedElsewhere',
    when: 'no ExternalSecret, but the credentials secret exists',
    source: 'portal',
  },
  esNotFound: {
    hop: 'externalSecret',
    severity: 'failed',
    reason: 'NotFound',
    when: 'no ExternalSecret and no credentials secret',
    hint: 'If its pull request was merged minutes ago, wait for Argo CD to sync it. Otherwise ask the platform team to check that Argo CD synced the ExternalSecret (sync-wave 0; with External Secrets 0.17 or newer it must use external-secrets.io/v1).',
    source: 'portal',
  },
  esDeleting: {
    hop: 'externalSecret',
    severity: 'pending',
    reason: 'Deleting',
    when: '`metadata.deletionTimestamp` is set: being deleted',
    hint: 'If it was not meant to go, ask the platform team to restore its manifest in the GitOps repository; if it stays here, ask them to check its finalizers.',
    source: 'Kubernetes object metadata',
  },
  esNotReconciled: {
    hop: 'externalSecret',
    severity: 'pending',
    reason: 'NotReconciled',
    when: 'no `Ready` condition yet (no status)',
    hint: 'If this lasts more than a minute, ask the platform team to check that External Secrets runs and serves {apiVersion}.',
    source: 'ESO externalsecret_types.go (status.conditions)',
  },
  esStuck: {
    hop: 'externalSecret',
    severity: 'failed',
    reason: 'Stuck',
    when: 'no `Ready` condition for longer than `stuckAfterSeconds`',
    hint: 'External Secrets has not reconciled it: ask the platform team to check that the controller runs and serves {apiVersion} (ESO 0.17 and newer serve only external-secrets.io/v1).',
    source: 'ESO externalsecret_types.go',
  },
  esDeleted: {
    hop: 'externalSecret',
    severity: 'failed',
    reason: 'SecretDeleted',
    when: '`Ready=True` reason `SecretDeleted` / `ResourceDeleted`: the target was deleted by its deletionPolicy',
    hint: 'Ask the platform team to write {keys} to SSM again; the secret is made again at the next refresh.',
    source: 'ESO externalsecret_types.go ConditionReasonSecretDeleted',
  },
  esSyncError: {
    hop: 'externalSecret',
    severity: 'failed',
    reason: 'SecretSyncedError',
    when: '`Ready=False` reason `SecretSyncedError` / `ResourceSyncedError`',
    hint: "Ask the platform team to check that {keys} exist in SSM and that {store} may read them (ssm:GetParameter, and kms:Decrypt for SecureString); the ExternalSecret's events name the failing key.",
    source: 'ESO externalsecret_types.go ConditionReasonSecretSyncedError',
  },
  esChangeNotSynced: {
    hop: 'externalSecret',
    severity: 'pending',
    reason: 'ChangeNotSynced',
    when: '`metadata.generation` ahead of the generation in `status.syncedResourceVersion`: the latest change is not synced yet',
    hint: 'External Secrets syncs a changed ExternalSecret on its next reconcile; if this lasts more than its refresh interval, ask the platform team to read its events.',
    source:
      'ESO externalsecret_controller.go shouldRefresh, util.go GetResourceVersion',
  },
  esChangeIgnored: {
    hop: 'externalSecret',
    severity: 'degraded',
    reason: 'ChangeIgnored',
    when: '`refreshPolicy: CreatedOnce` and the ExternalSecret changed after its secret was made: the change is never applied',
    hint: 'With refreshPolicy CreatedOnce the change is never applied to the existing secret: ask the platform team to delete the secret {target}, which External Secrets then makes again from the current spec.',
    source:
      'ESO externalsecret_controller.go shouldRefresh (RefreshPolicyCreatedOnce)',
  },
  esSynced: {
    hop: 'externalSecret',
    severity: 'ok',
    reason: 'SecretSynced',
    when: '`Ready=True` reason `SecretSynced` / `ResourceSynced` (or `…Missing` with creationPolicy Merge)',
    source: 'ESO externalsecret_types.go ConditionReasonSecretSynced',
  },
  esSyncedOnce: {
    hop: 'externalSecret',
    severity: 'ok',
    reason: 'SecretSynced',
    when: 'synced, but `refreshInterval: 0` or `refreshPolicy: CreatedOnce` / `OnChange`: SSM is not read again, a value rotated there since `refreshTime` is not picked up',
    hint: 'After a rotation of {keys} in SSM, ask the platform team to make External Secrets read them again (kubectl annotate externalsecret {name} -n {namespace} force-sync=$(date +%s) --overwrite).',
    source:
      'ESO externalsecret_types.go RefreshPolicy/RefreshInterval, controller shouldRefreshPeriodic',
  },
  esUnknown: {
    hop: 'externalSecret',
    severity: 'unknown',
    reason: 'UnknownCondition',
    when: 'a `Ready` status or reason this portal does not know (shown raw)',
    hint: 'Ask the platform team to read the ExternalSecret (kubectl describe externalsecret {name} -n {namespace}).',
    source: 'ESO externalsecret_types.go',
  },

  // ── credentials secret ───────────────────────────────────────────────────────────────────
  credsWaitingForCluster: {
    hop: 'credentialsSecret',
    severity: 'pending',
    reason: 'WaitingForCluster',
    when: 'zero-touch variant: CNPG makes `<claim>-app` with the cluster, which does not exist yet',
    source: 'CNPG secret naming',
  },
  credsNotMadeByCnpg: {
    hop: 'credentialsSecret',
    severity: 'failed',
    reason: 'NotFound',
    when: 'zero-touch variant: the cluster exists but `<claim>-app` does not',
    hint: 'Ask the platform team to check the CloudNative-PG operator logs for the cluster {claim} in {namespace}.',
    source: 'CNPG secret naming',
  },
  credsWaitingForExternalSecret: {
    hop: 'credentialsSecret',
    severity: 'pending',
    reason: 'WaitingForExternalSecret',
    when: 'the secret does not exist and the ExternalSecret is not synced',
    source: 'portal',
  },
  credsMissing: {
    hop: 'credentialsSecret',
    severity: 'failed',
    reason: 'NotFound',
    when: 'the ExternalSecret reports success but the secret does not exist',
    hint: "Ask the platform team to check the ExternalSecret's spec.target.name and its events, and to force a refresh by annotating it with force-sync.",
    source: 'portal',
  },
  credsWrongType: {
    hop: 'credentialsSecret',
    severity: 'failed',
    reason: 'WrongType',
    when: 'the secret is not `kubernetes.io/basic-auth`',
    hint: 'Ask the platform team to set spec.target.template.type: kubernetes.io/basic-auth in the ExternalSecret.',
    source: 'CNPG bootstrap.initdb.secret',
  },
  credsMissingKeys: {
    hop: 'credentialsSecret',
    severity: 'failed',
    reason: 'MissingKeys',
    when: 'the secret lacks `username` or `password`',
    hint: "Ask the platform team to map the SSM parameters to the keys 'username' and 'password' in the ExternalSecret's spec.data.",
    source: 'CNPG bootstrap.initdb.secret',
  },
  credsOwnerMismatch: {
    hop: 'credentialsSecret',
    severity: 'failed',
    reason: 'OwnerMismatch',
    when: "the secret's username differs from the database owner (CNPG still reports healthy)",
    hint: `Choose "Repair credentials" in "Change Postgres DB" (the Change menu on the Databases tab): it puts '{owner}', the owner the claim names, in {userParameter}; External Secrets copies it at its next refresh and the application can log in. If the repair is refused, ask the platform team to write '{owner}' to {userParameter}.`,
    source: 'CNPG instance_controller.go (logged only)',
  },
  credsPresent: {
    hop: 'credentialsSecret',
    severity: 'ok',
    reason: 'Present',
    when: 'basic-auth, both keys, username matches the owner',
    source: 'portal',
  },

  // ── PostgresInstance claim ───────────────────────────────────────────────────────────────
  claimNotFound: {
    hop: 'claim',
    severity: 'unknown',
    reason: 'NotFound',
    when: 'the claim was not found',
    hint: "If its pull request was opened minutes ago, merge it (the Databases tab links it) and wait for Argo CD to sync; otherwise ask the platform team whether the claim the entity's bizmatters.io/postgres-instances annotation names exists.",
    source: 'portal',
  },
  claimDeleting: {
    hop: 'claim',
    severity: 'pending',
    reason: 'Deleting',
    when: '`metadata.deletionTimestamp` set, or `Ready=False` reason `Deleting`: being deleted',
    hint: 'The database goes with it (compositeDeletePolicy). If that was not meant, ask the platform team to restore the claim in the GitOps repository at once.',
    source: 'crossplane-runtime condition.go ReasonDeleting',
  },
  claimReconcileError: {
    hop: 'claim',
    severity: 'failed',
    reason: 'ReconcileError',
    when: '`Synced=False` reason `ReconcileError`',
    hint: 'Ask the platform team to check that the XRD xpostgresinstances.database.bizmatters.io and the Composition postgres-instance are installed, and to read the claim’s events.',
    source: 'crossplane-runtime condition.go ReasonReconcileError',
  },
  claimPaused: {
    hop: 'claim',
    severity: 'degraded',
    reason: 'ReconcilePaused',
    when: '`Synced=False` reason `ReconcilePaused` (annotation `crossplane.io/paused`)',
    hint: 'Crossplane is paused on this claim (annotation crossplane.io/paused): ask the platform team to remove the annotation to resume.',
    source: 'crossplane-runtime condition.go ReasonReconcilePaused',
  },
  claimNotReconciled: {
    hop: 'claim',
    severity: 'pending',
    reason: 'NotReconciled',
    when: 'no conditions yet (Crossplane has not reported on it)',
    hint: 'If this lasts more than a few minutes, ask the platform team to check that Crossplane runs and the XRD xpostgresinstances.database.bizmatters.io is Established.',
    source: 'crossplane-runtime condition.go',
  },
  claimNoComposite: {
    hop: 'claim',
    severity: 'pending',
    reason: 'NoCompositeResource',
    when: 'not Ready and no `spec.resourceRef`: the composite resource is not made yet',
    hint: 'Crossplane makes the XPostgresInstance first; if none appears within minutes, ask the platform team to read the claim’s events (kubectl describe postgresinstance {claim} -n {namespace}).',
    source: 'Crossplane claim schema spec.resourceRef',
  },
  claimStuck: {
    hop: 'claim',
    severity: 'failed',
    reason: 'Stuck',
    when: 'no conditions or no `spec.resourceRef` for longer than `stuckAfterSeconds`',
    hint: 'Crossplane is not acting on the claim: ask the platform team to check that it runs, that the XRD is Established and the Composition exists, and to read the claim’s events.',
    source: 'crossplane-runtime condition.go',
  },
  claimChangeNotApplied: {
    hop: 'claim',
    severity: 'pending',
    reason: 'ChangeNotApplied',
    when: '`metadata.generation` ahead of the conditions’ `observedGeneration`: the latest change is not applied yet',
    hint: 'Crossplane applies it on its next reconcile; if this lasts more than a few minutes, ask the platform team to read the claim’s events.',
    source: 'crossplane-runtime condition.go ObservedGeneration',
  },
  claimWaiting: {
    hop: 'claim',
    severity: 'pending',
    reason: 'Waiting',
    when: '`Ready=False` reason `Waiting` / `Creating`',
    hint: 'The claim becomes Ready when every composed resource is; the hop that is not ready says why. If it lasts more than 15 minutes, ask the platform team to read the claim’s events.',
    source:
      'crossplane-runtime condition.go ReasonCreating; claim reconciler Waiting',
  },
  claimUnavailable: {
    hop: 'claim',
    severity: 'degraded',
    reason: 'Unavailable',
    when: '`Ready=False` reason `Unavailable`: it was available and is not any more',
    hint: 'A composed resource stopped being ready: ask the platform team which one (kubectl get objects -l crossplane.io/claim-name={claim}).',
    source: 'crossplane-runtime condition.go ReasonUnavailable',
  },
  claimAvailable: {
    hop: 'claim',
    severity: 'ok',
    reason: 'Available',
    when: '`Ready=True` reason `Available` (alone, this does not mean the database is up)',
    source: 'crossplane-runtime condition.go ReasonAvailable',
  },
  claimUnknown: {
    hop: 'claim',
    severity: 'unknown',
    reason: 'UnknownCondition',
    when: 'a `Synced`/`Ready` status or reason this portal does not know (shown raw)',
    hint: 'Ask the platform team to read the claim (kubectl describe postgresinstance {claim} -n {namespace}).',
    source: 'crossplane-runtime condition.go',
  },

  // ── CNPG Cluster ─────────────────────────────────────────────────────────────────────────
  clusterMissing: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'NotFound',
    when: 'the claim is Ready but no Cluster exists',
    hint: 'Ask the platform team to check the composed objects (kubectl get objects -l crossplane.io/claim-name={claim}) and that CloudNative-PG is installed.',
    source: 'portal',
  },
  clusterNotCreated: {
    hop: 'cluster',
    severity: 'pending',
    reason: 'NotCreated',
    when: 'the claim is not Ready and no Cluster exists yet',
    source: 'portal',
  },
  clusterDeleting: {
    hop: 'cluster',
    severity: 'pending',
    reason: 'Deleting',
    when: '`metadata.deletionTimestamp` is set: being deleted',
    hint: 'The database is going away; if that was not meant, ask the platform team to restore the claim in the GitOps repository at once (its PVCs follow the Cluster’s deletion).',
    source: 'Kubernetes object metadata',
  },
  clusterSuspended: {
    hop: 'cluster',
    severity: 'degraded',
    reason: 'ReconciliationSuspended',
    when: 'annotation `cnpg.io/reconciliationLoop: disabled` (before CNPG 1.15 `k8s.enterprisedb.io/reconciliationLoop`): the operator is not acting on it — no self-healing, no failover; its status is frozen',
    hint: 'Someone is working on it by hand; ask the platform team when that work is done and for the annotation to be removed (kubectl annotate cluster {cluster} -n {namespace} {annotation}-).',
    source:
      'CNPG pkg/utils/labels_annotations.go IsReconciliationDisabled; docs failure_modes.md',
  },
  clusterHibernated: {
    hop: 'cluster',
    severity: 'degraded',
    reason: 'Hibernated',
    when: 'condition `cnpg.io/hibernation` True reason `Hibernated`: hibernated on purpose, no pods run, the data is kept',
    hint: 'To wake it, ask the platform team to end the hibernation (kubectl annotate cluster {cluster} -n {namespace} cnpg.io/hibernation-); the pods come back on the same volumes.',
    source:
      'CNPG pkg/reconciler/hibernation/status.go; docs declarative_hibernation.md',
  },
  clusterHibernating: {
    hop: 'cluster',
    severity: 'degraded',
    reason: 'Hibernating',
    when: 'annotation `cnpg.io/hibernation: on` and the hibernation is under way (`DeletingPods`, `WaitingPodsDeletion`, or not started)',
    hint: 'Someone asked to hibernate it; to keep it running, ask the platform team to remove the hibernation (kubectl annotate cluster {cluster} -n {namespace} cnpg.io/hibernation-).',
    source: 'CNPG pkg/reconciler/hibernation/status.go',
  },
  clusterNotReported: {
    hop: 'cluster',
    severity: 'pending',
    reason: 'NotReported',
    when: 'no `status.phase` yet: CNPG has not reported on it — being set up',
    hint: 'If this lasts more than a few minutes, ask the platform team to check that CloudNative-PG runs and watches this namespace (kubectl get pods -n cnpg-system).',
    source: CNPG,
  },
  clusterHealthy: {
    hop: 'cluster',
    severity: 'ok',
    reason: 'ClusterInHealthyState',
    when: '`Cluster in healthy state`, every desired instance ready',
    source: `${CNPG} PhaseHealthy`,
  },
  clusterInstancesNotReady: {
    hop: 'cluster',
    severity: 'degraded',
    reason: 'InstancesNotReady',
    when: '`Cluster in healthy state` but fewer ready instances than `spec.instances`',
    hint: 'The database answers, with less redundancy. If this lasts more than a few minutes, ask the platform team to look at the pods that are not ready ({inspect}).',
    source: `${CNPG} ClusterStatus.readyInstances`,
  },
  clusterReadyFalse: {
    hop: 'cluster',
    severity: 'pending',
    reason: 'ClusterIsNotReady',
    when: '`Cluster in healthy state` but the `Ready` condition is not True (status being written)',
    source: 'CNPG pkg/resources/status/transactions.go',
  },
  clusterProgressing: {
    hop: 'cluster',
    severity: 'pending',
    reason: 'Progressing',
    when: 'a phase on its way: `Creating a new replica`, `Upgrading cluster`, `Upgrading Postgres major version`, `Primary instance is being restarted in-place`, `Primary instance is being restarted without a switchover`, `Waiting for the instances to become active`, `Online upgrade in progress`, `Applying configuration`, `Promoting to primary cluster`',
    hint: 'The operator is applying a change. If this lasts more than 15 minutes, ask the platform team to look ({inspect}).',
    source: `${CNPG} Phase… constants`,
  },
  clusterSettingUp: {
    hop: 'cluster',
    severity: 'pending',
    reason: 'Progressing',
    when: '`Setting up primary`',
    hint: SETUP_HINT,
    source: `${CNPG} PhaseFirstPrimary`,
  },
  clusterFailingOver: {
    hop: 'cluster',
    severity: 'degraded',
    reason: 'FailingOver',
    when: '`Failing over`: the primary is gone, writes fail until a replica is promoted',
    hint: 'CloudNative-PG promotes the most advanced replica; applications reconnect to the -rw service. If no primary is back within minutes, ask the platform team to look ({inspect}).',
    source: `${CNPG} PhaseFailOver`,
  },
  clusterSwitchover: {
    hop: 'cluster',
    severity: 'degraded',
    reason: 'Switchover',
    when: '`Switchover in progress`: the primary is changing, writes pause',
    hint: 'A planned change of primary (or an update); it should end within minutes. If it does not, ask the platform team to look ({inspect}).',
    source: `${CNPG} PhaseSwitchover`,
  },
  clusterUpgradeDelayed: {
    hop: 'cluster',
    severity: 'pending',
    reason: 'UpgradeDelayed',
    when: '`Cluster upgrade delayed`: an update waits for the operator’s configuration (e.g. a maintenance window); the database serves',
    hint: 'The change is applied when the operator allows it (e.g. in a maintenance window); ask the platform team when that is ({inspect}).',
    source: `${CNPG} PhaseUpgradeDelayed`,
  },
  clusterWaitingForUser: {
    hop: 'cluster',
    severity: 'degraded',
    reason: 'WaitingForUserAction',
    when: '`Waiting for user action`',
    hint: 'CloudNative-PG waits for a person (e.g. a supervised update or a primary to promote): ask the platform team to act ({inspect}).',
    source: `${CNPG} PhaseWaitingForUser`,
  },
  clusterUnrecoverable: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'Unrecoverable',
    when: '`Cluster is unrecoverable and needs manual intervention` (before 1.24.2: `Cluster is in an unrecoverable state, needs manual intervention`)',
    hint: `CloudNative-PG cannot fix this by itself (e.g. no instance can be started): ask the platform team to intervene (${CNPG_INSPECT}).`,
    source: `${CNPG} PhaseUnrecoverable`,
  },
  clusterUnknownPlugin: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'UnknownPlugin',
    when: '`Cluster cannot proceed to reconciliation due to an unknown plugin being required`',
    hint: 'The Cluster names a CNPG-I plugin the operator has not loaded: ask the platform team to install it, or to remove it from spec.plugins.',
    source: `${CNPG} PhaseUnknownPlugin`,
  },
  clusterPluginError: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'PluginError',
    when: '`Cluster cannot proceed to reconciliation due to an error while interacting with plugins`',
    hint: `A CNPG-I plugin fails: ask the platform team to check its pods and logs (${CNPG_INSPECT}).`,
    source: `${CNPG} PhaseFailurePlugin`,
  },
  clusterImageCatalogError: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'ImageCatalogError',
    when: '`Cluster has incomplete or invalid image catalog`',
    hint: 'The image catalog the Cluster refers to lacks this major version or is invalid: ask the platform team to fix the (Cluster)ImageCatalog or the version offered.',
    source: `${CNPG} PhaseImageCatalogError`,
  },
  clusterArchitectureMissing: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'ArchitectureBinaryMissing',
    when: '`Cluster cannot execute instance online upgrade due to missing architecture binary`',
    hint: `The operator image lacks the instance manager for a node's architecture: ask the platform team to use one that has it (${CNPG_INSPECT}).`,
    source: `${CNPG} PhaseArchitectureBinaryMissing`,
  },
  clusterCannotCreateObjects: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'CannotCreateObjects',
    when: '`Unable to create required cluster objects`',
    hint: `The operator could not create the Cluster's services, secrets or PVCs: ask the platform team to check quota, RBAC and admission webhooks (${CNPG_INSPECT}).`,
    source: `${CNPG} PhaseCannotCreateClusterObjects`,
  },
  clusterInvalidDefinition: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'InvalidDefinition',
    when: '`Invalid cluster definition` (CNPG 1.30 and newer)',
    hint: 'The Cluster spec is rejected (status.phaseReason says why): ask the platform team to fix the claim or the Composition that renders it.',
    source: `${CNPG} PhaseDefinitionInvalid`,
  },
  clusterStuck: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'Stuck',
    when: 'a progressing phase, a failover or switchover, or no status, for longer than `stuckAfterSeconds`, with no ready instance (failover and switchover: even with ready instances)',
    hint: 'It will not finish by itself: ask the platform team to look ({inspect}).',
    source: `${CNPG} Phase… constants`,
  },
  clusterStuckSettingUp: {
    hop: 'cluster',
    severity: 'failed',
    reason: 'Stuck',
    when: '`Setting up primary` for longer than `stuckAfterSeconds`',
    hint: SETUP_HINT,
    source: `${CNPG} PhaseFirstPrimary`,
  },
  clusterStuckServing: {
    hop: 'cluster',
    severity: 'degraded',
    reason: 'Stuck',
    when: 'a progressing phase for longer than `stuckAfterSeconds` while some instances are ready',
    hint: 'The database answers, but the operator does not finish: ask the platform team to look ({inspect}).',
    source: `${CNPG} Phase… constants`,
  },
  clusterUnknownPhase: {
    hop: 'cluster',
    severity: 'unknown',
    reason: 'UnknownPhase',
    when: 'a phase (or `cnpg.io/hibernation` reason) this portal does not know (shown raw)',
    hint: 'Ask the platform team what this phase means for the database ({inspect}).',
    source: `${CNPG} (phase is free text in the CRD)`,
  },

  // ── connection secret ────────────────────────────────────────────────────────────────────
  connWaiting: {
    hop: 'connectionSecret',
    severity: 'pending',
    reason: 'WaitingForUpstream',
    when: 'the secret does not exist and a hop before it is not ok',
    source: 'platform Composition',
  },
  connMissing: {
    hop: 'connectionSecret',
    severity: 'failed',
    reason: 'NotFound',
    when: 'every hop before it is ok but the secret does not exist',
    hint: "Ask the platform team to check the claim's composed Object 'connection-secret' (kubectl get objects -l crossplane.io/claim-name={claim}) for a Synced=False message.",
    source: 'platform Composition',
  },
  connMissingKeys: {
    hop: 'connectionSecret',
    severity: 'failed',
    reason: 'MissingKeys',
    when: 'the secret lacks a key applications read',
    hint: 'The Composition writes these keys: ask the platform team to check the connection-secret Object and the Composition revision in use.',
    source: 'platform Composition',
  },
  connUsernameMismatch: {
    hop: 'connectionSecret',
    severity: 'failed',
    reason: 'UsernameMismatch',
    when: 'its username differs from the database owner',
    hint: "Crossplane copies the credentials into this secret: once the credentials secret's hint is done, it follows. If it does not, ask the platform team to check the connection-secret Object.",
    source: 'platform Composition',
  },
  connPresent: {
    hop: 'connectionSecret',
    severity: 'ok',
    reason: 'Present',
    when: 'every key applications read is there',
    source: 'platform Composition',
  },
} satisfies Record<string, StateRow>;

/** The id of a state. */
export type StateId = keyof typeof STATES;

/**
 * What CNPG's phase texts mean (CNPG api/v1/cluster_types.go, the `Phase…` constants of v1.30.0
 * and HEAD a95a534, plus the pre-1.24.2 wording of PhaseUnrecoverable). The texts to recognise
 * are also listed in ../shared/reference/status-vocabulary.json; their meaning is decided here.
 */
export const CNPG_PHASE_STATES: Readonly<Record<string, StateId>> = {
  'Cluster in healthy state': 'clusterHealthy',
  'Setting up primary': 'clusterSettingUp',
  'Creating a new replica': 'clusterProgressing',
  'Upgrading cluster': 'clusterProgressing',
  'Upgrading Postgres major version': 'clusterProgressing',
  'Primary instance is being restarted in-place': 'clusterProgressing',
  'Primary instance is being restarted without a switchover':
    'clusterProgressing',
  'Waiting for the instances to become active': 'clusterProgressing',
  'Online upgrade in progress': 'clusterProgressing',
  'Applying configuration': 'clusterProgressing',
  'Promoting to primary cluster': 'clusterProgressing',
  'Failing over': 'clusterFailingOver',
  'Switchover in progress': 'clusterSwitchover',
  'Cluster upgrade delayed': 'clusterUpgradeDelayed',
  'Waiting for user action': 'clusterWaitingForUser',
  'Cluster is unrecoverable and needs manual intervention':
    'clusterUnrecoverable',
  'Cluster is in an unrecoverable state, needs manual intervention':
    'clusterUnrecoverable',
  'Cluster cannot proceed to reconciliation due to an unknown plugin being required':
    'clusterUnknownPlugin',
  'Cluster cannot proceed to reconciliation due to an error while interacting with plugins':
    'clusterPluginError',
  'Cluster has incomplete or invalid image catalog': 'clusterImageCatalogError',
  'Cluster cannot execute instance online upgrade due to missing architecture binary':
    'clusterArchitectureMissing',
  'Unable to create required cluster objects': 'clusterCannotCreateObjects',
  'Invalid cluster definition': 'clusterInvalidDefinition',
};

/** The phase CNPG reports when all is well (cluster_types.go PhaseHealthy). */
export const CNPG_HEALTHY_PHASE = 'Cluster in healthy state';

/**
 * CNPG annotations and condition (pkg/utils/labels_annotations.go, pkg/reconciler/hibernation/
 * status.go). `k8s.enterprisedb.io/reconciliationLoop` is the spelling before CNPG 1.15 (v1.14.0
 * labels_annotations.go). The `cnpg.io/reconciliationDisabled` of the 1.29 release notes is not
 * read by any operator code, so it suspends nothing and is not recognised.
 */
export const CNPG_ANNOTATIONS = {
  reconciliationLoop: [
    'cnpg.io/reconciliationLoop',
    'k8s.enterprisedb.io/reconciliationLoop',
  ],
  reconciliationDisabled: 'disabled',
  hibernation: 'cnpg.io/hibernation',
  hibernationOn: 'on',
} as const;

/** CNPG's hibernation condition and its reasons (pkg/reconciler/hibernation/status.go). */
export const CNPG_HIBERNATION_CONDITION = 'cnpg.io/hibernation';
export const CNPG_HIBERNATION_REASONS: Readonly<
  Record<string, StateId | 'phase'>
> = {
  Hibernated: 'clusterHibernated',
  DeletingPods: 'clusterHibernating',
  WaitingPodsDeletion: 'clusterHibernating',
  // hibernation deferred until the cluster is healthy: the phase tells the state
  WaitingForHealthy: 'phase',
  // declared in status.go, set by no code path at HEAD; CNPG hibernates only on "on"
  WrongAnnotationValue: 'phase',
};

/**
 * ESO's ExternalSecret `Ready` reasons (externalsecret_types.go ConditionReason…); `Resource…`
 * are the generic-target twins of `Secret…`. `SecretMissing` is Ready=True with
 * creationPolicy Merge and no target: the credentials hop then reports the missing secret.
 */
export const ESO_READY_REASONS: Readonly<
  Record<string, 'esSynced' | 'esDeleted' | 'esSyncError'>
> = {
  SecretSynced: 'esSynced',
  ResourceSynced: 'esSynced',
  SecretMissing: 'esSynced',
  ResourceMissing: 'esSynced',
  SecretDeleted: 'esDeleted',
  ResourceDeleted: 'esDeleted',
  SecretSyncedError: 'esSyncError',
  ResourceSyncedError: 'esSyncError',
};

/** ESO refreshPolicy values (externalsecret_types.go RefreshPolicy…). */
export const ESO_REFRESH_POLICIES = ['CreatedOnce', 'Periodic', 'OnChange'];

/** Crossplane claim condition reasons (crossplane-runtime apis/common/v1/condition.go v1.16.0). */
export const CROSSPLANE_REASONS = {
  synced: {
    ReconcileSuccess: 'ok',
    ReconcileError: 'claimReconcileError',
    ReconcilePaused: 'claimPaused',
  },
  readyFalse: {
    Waiting: 'claimWaiting',
    Creating: 'claimWaiting',
    Unavailable: 'claimUnavailable',
    Deleting: 'claimDeleting',
  },
  readyTrue: { Available: 'claimAvailable' },
} as const satisfies Record<string, Record<string, StateId | 'ok'>>;

/** Values for a row's `{placeholders}`. */
export type HintValues = Record<string, string | undefined>;

/** Fills `{name}` placeholders; an unknown value reads `?`. */
export function fill(template: string, values: HintValues): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '?');
}

/**
 * A finding from a state row: its severity, reason and hint, with the case's message. `reason`
 * overrides the row's where the operator's own word is more precise (e.g. ResourceSyncedError).
 */
export function finding(
  id: StateId,
  message: string,
  values: HintValues = {},
  reason?: string,
): Finding {
  const row: StateRow = STATES[id];
  const out: Finding = {
    severity: row.severity,
    reason: reason || row.reason,
    message,
  };
  if (row.hint) out.hint = fill(row.hint, values);
  return out;
}

/** How a severity ranks, shows as a step status, and reads as a verdict. */
export const SEVERITY_RANK: Record<Severity, number> = {
  ok: 0,
  pending: 1,
  unknown: 2,
  degraded: 3,
  failed: 4,
};
export const STATUS_OF: Record<Severity, StepStatus> = {
  ok: 'ok',
  pending: 'pending',
  unknown: 'unknown',
  degraded: 'error',
  failed: 'error',
};
export const VERDICT_OF: Record<Severity, Verdict> = {
  ok: 'healthy',
  pending: 'progressing',
  unknown: 'unknown',
  degraded: 'degraded',
  failed: 'failed',
};

/** The table as Markdown, for the postgres-common README (a test keeps them equal). */
export function statesMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '| state | hop | step | verdict | reason | when | hint | source |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [id, row] of Object.entries(STATES) as Array<
    [StateId, StateRow]
  >) {
    lines.push(
      `| \`${id}\` | ${row.hop} | ${STATUS_OF[row.severity]} | ${
        VERDICT_OF[row.severity]
      } | \`${row.reason}\` | ${cell(row.when)} | ${cell(
        row.hint ?? '',
      )} | ${cell(row.source)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
