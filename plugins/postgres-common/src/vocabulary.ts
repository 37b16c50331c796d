/**
 * Status words of the operators, transcribed from ../shared/reference/status-vocabulary.json
 * (CNPG api/v1/cluster_types.go, ESO externalsecret_types.go, crossplane-runtime condition.go).
 * A test compares these lists with the reference file.
 */

export const CNPG_HEALTHY_PHASE = 'Cluster in healthy state';

export const CNPG_PROGRESSING_PHASES: readonly string[] = [
  'Setting up primary',
  'Creating a new replica',
  'Switchover in progress',
  'Failing over',
  'Upgrading cluster',
  'Upgrading Postgres major version',
  'Primary instance is being restarted in-place',
  'Primary instance is being restarted without a switchover',
  'Waiting for the instances to become active',
  'Online upgrade in progress',
  'Applying configuration',
  'Promoting to primary cluster',
];

/** Phases where CNPG waits for a person. */
export const CNPG_ATTENTION_PHASES: readonly string[] = [
  'Waiting for user action',
  'Cluster upgrade delayed',
];

export const CNPG_FAILED_PHASES: readonly string[] = [
  'Cluster is unrecoverable and needs manual intervention',
  'Cluster is in an unrecoverable state, needs manual intervention',
  'Cluster cannot proceed to reconciliation due to an unknown plugin being required',
  'Cluster cannot proceed to reconciliation due to an error while interacting with plugins',
  'Cluster has incomplete or invalid image catalog',
  'Cluster cannot execute instance online upgrade due to missing architecture binary',
  'Unable to create required cluster objects',
  'Invalid cluster definition',
];

/** ExternalSecret Ready=True reasons that mean the target secret is in place. */
export const ESO_SYNCED_REASONS: readonly string[] = [
  'SecretSynced',
  'SecretMissing',
  'ResourceSynced',
  'ResourceMissing',
];
/** ExternalSecret reasons for a failed sync. */
export const ESO_ERROR_REASONS: readonly string[] = [
  'SecretSyncedError',
  'ResourceSyncedError',
];
/** ExternalSecret reasons for a target deleted by its DeletionPolicy. */
export const ESO_DELETED_REASONS: readonly string[] = [
  'SecretDeleted',
  'ResourceDeleted',
];

/** The keys of the connection secret the platform's Composition writes. */
export const CONNECTION_SECRET_KEYS: readonly string[] = [
  'endpoint',
  'port',
  'database',
  'username',
  'password',
];

/** The keys of the zero-touch variant's `<claim>-conn` secret. */
export const ZERO_TOUCH_CONNECTION_SECRET_KEYS: readonly string[] = [
  'POSTGRES_HOST',
  'POSTGRES_PORT',
  'POSTGRES_DB',
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
];

/** The keys CNPG's `initdb.secret` must have. */
export const CREDENTIALS_SECRET_KEYS: readonly string[] = [
  'username',
  'password',
];

export const BASIC_AUTH_SECRET_TYPE = 'kubernetes.io/basic-auth';
