/**
 * Shared rules of the self-service PostgreSQL plugins: request validation, manifest rendering,
 * SSM parameter names, database health and permissions. No I/O.
 *
 * The entry point names every export: this is the package's public surface (see report.api.md).
 * Helpers used only inside the package stay exported from their modules for the tests.
 *
 * @packageDocumentation
 */
export {
  resolveDatabaseRequest,
  applyRequestDefaults,
  claimSecretNames,
  SEED_EXAMPLE_REQUEST,
} from './request';
export type {
  DatabaseRequest,
  DatabaseRequestField,
  Problem,
  ResolvedDatabaseRequest,
} from './request';
export { DEFAULT_POLICY, readPostgresPolicy, policyChoices } from './policy';
export {
  DATABASE_OPERATIONS,
  CHANGE_TEMPLATE_OPERATIONS,
  readClaimManifest,
  validateDatabaseChange,
  editClaimManifest,
  describeDatabaseChange,
} from './change';
export { fileDiff } from './fileDiff';
export type {
  DatabaseOperation,
  DatabaseChange,
  DatabaseChangeField,
  ChangeProblem,
  ClaimManifest,
} from './change';
export type {
  PostgresChoices,
  PostgresPolicy,
  PostgresPolicyInput,
  PolicyConfigReader,
  SizeOption,
  SizeResources,
} from './policy';
export {
  validateDatabaseRequest,
  checkRequestField,
  assertValidDatabaseRequest,
  DatabaseRequestError,
} from './validate';
export { environmentOfParameter, ssmParameterNames } from './ssm';
export {
  checkComponentIdentity,
  componentNamespace,
  ENTITY_NAMESPACE_PLACEHOLDER,
  serviceOfComponent,
} from './identity';
export type { SsmParameterNames } from './ssm';
export {
  KUBERNETES_ID_LABEL,
  renderManifests,
  renderManifestFiles,
  gitopsPath,
  claimManifestPath,
  externalSecretManifestPath,
  readExternalSecretParameters,
  externalSecretParameters,
  manifestFileNames,
  isClaimManifestFile,
} from './manifests';
export type {
  KubeObject,
  DatabaseManifests,
  ExternalSecretParameters,
} from './manifests';
export {
  summarizeSecret,
  summarizeLabelledSecrets,
  claimSecretsFromList,
  DATABASE_SECRET_LABEL,
} from './secrets';
export type { SecretSummary, LabelledSecretSummary } from './secrets';
export {
  applicationEnv,
  applicationEnvYaml,
  CONNECTION_PORT,
  connectionHost,
} from './connection';
export {
  applyFleetFilters,
  applyRequestFilters,
  FACETS,
  facetValues,
  VERDICTS,
} from './fleetFilters';
export type { Facet, FleetFilters } from './fleetFilters';
export { deriveDatabaseHealth } from './health/derive';
export { explainDatabase, failingSummary } from './health/explain';
export {
  BARMAN_CLOUD_PLUGIN,
  clusterObjectStoreName,
  deriveRecoverability,
  RECENT_BACKUPS,
  RECOVERABILITY_LABELS,
} from './health/recoverability';
export type {
  BackupSummary,
  Recoverability,
  RecoverabilityOptions,
  RecoverabilityState,
  ScheduleSummary,
} from './health/recoverability';
export type { DatabaseExplanation } from './health/explain';
export { clusterFacts } from './health/facts';
export type { ClusterFacts } from './health/facts';
export { STEP_TITLES } from './health/types';
export {
  hopObject,
  recentEvents,
  RECENT_EVENTS_MAX,
  RECENT_EVENTS_WINDOW_MS,
} from './health/events';
export type { DatabaseEvent, EventObject, StepEvents } from './health/events';
export type {
  StepId,
  StepStatus,
  Verdict,
  Step,
  DatabaseHealth,
  DatabaseObjects,
  HealthOptions,
} from './health/types';
export { selectDatabaseObjects, isPostgresInstance } from './select';
export { POSTGRES_INSTANCE_TYPE } from './claimType';
export {
  POSTGRES_INSTANCES_ANNOTATION,
  KUBERNETES_ID_ANNOTATION,
  parsePostgresInstancesAnnotation,
  kubernetesIdOfEntity,
  toDatabaseItem,
} from './entities';
export type {
  ClaimRef,
  EntityLike,
  ClaimSpecSummary,
  ClusterStatusSummary,
  DatabaseItem,
  ClusterError,
  DatabasesResponse,
} from './entities';
export {
  pullRequestState,
  deriveRequestPhase,
  timeToHealthySeconds,
  formatDuration,
  REQUEST_PHASE_TITLES,
  isDismissable,
  creationBranchName,
  changeBranchPrefix,
  bindPullRequest,
  isRecordListed,
  recordNote,
  openChangeProblem,
} from './requests';
export type {
  OpenChangesResponse,
  DatabaseChangeRequest,
  RequestOperation,
  PullRequestFile,
  PullRequestState,
  RequestPhase,
  RequestTimeline,
  DatabaseRequestStatus,
} from './requests';
export {
  postgresDatabaseReadPermission,
  postgresDatabaseCreatePermission,
  postgresDatabaseChangePermission,
  postgresFleetReadPermission,
  postgresPermissions,
} from './permissions';
export { decidePostgresPermission } from './permissionPolicy';
export type { PostgresPolicyUser } from './permissionPolicy';
export {
  ENTITY_REF_ANNOTATION,
  OWNER_ANNOTATION,
  claimEntityRef,
  claimOwnership,
  normalizeEntityRef,
} from './ownership';
export type { ClaimOwnership } from './ownership';
export {
  DATABASE_RESOURCE_NAMESPACE,
  DATABASE_RESOURCE_TYPE,
  databaseResourceName,
  databaseResourceRef,
  claimSummary,
  claimOwnershipInCluster,
} from './resources';
export type {
  ClaimLocation,
  ClaimSummary,
  ClusterClaims,
  ClaimsResponse,
} from './resources';
export {
  gitopsRepoUrl,
  findGitopsRepository,
  checkGitopsTarget,
} from './gitops';
export type { GitopsRepository } from './gitops';
export {
  FORM_FIELD_RULES,
  isLabelValue,
  MIN_PASSWORD_LENGTH,
  checkSuppliedPassword,
  checkDatabaseName,
  checkRoleName,
} from './names';
export {
  AVAILABILITY_QUERY_FIELDS,
  summarizeAvailability,
  availabilityBlocks,
  ssmPatternHoldsSeveralDatabases,
} from './availability';
export type {
  AvailabilityState,
  AvailabilitySubject,
  AvailabilityCheck,
  AvailabilityVerdict,
  DatabaseAvailability,
  AvailabilityQuery,
} from './availability';
export { UserCallBudget } from './limits';
export type { CallBudgetDecision, CallCountStore } from './limits';
