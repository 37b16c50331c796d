/** CloudNative-PG's vocabulary: what its phases, annotations and conditions mean here. */
import type { StateId } from './states';

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

/** The keys CNPG's `initdb.secret` must have. */
export const CREDENTIALS_SECRET_KEYS: readonly string[] = [
  'username',
  'password',
];
