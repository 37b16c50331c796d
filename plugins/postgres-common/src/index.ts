/**
 * Shared rules of the self-service PostgreSQL plugins: request validation, manifest rendering,
 * SSM parameter names, database health and permissions. No I/O.
 *
 * @packageDocumentation
 */
export * from './request';
export * from './policy';
export {
  validateDatabaseRequest,
  assertValidDatabaseRequest,
  DatabaseRequestError,
  formatProblems,
} from './validate';
export * from './ssm';
export * from './manifests';
export * from './secrets';
export * from './connection';
export * from './health';
export * from './select';
export * from './entities';
export * from './vocabulary';
export * from './permissions';
export * from './permissionPolicy';
export * from './ownership';
export * from './gitops';
export {
  RESERVED_ROLES,
  RESERVED_ROLE_PREFIXES,
  RESERVED_DATABASES,
  MAX_CLUSTER_NAME_LENGTH,
  MAX_PG_IDENTIFIER_BYTES,
  FORM_FIELD_RULES,
  isLabelValue,
  MIN_PASSWORD_LENGTH,
  MAX_PASSWORD_LENGTH,
  checkSuppliedPassword,
  checkDatabaseName,
  checkRoleName,
} from './names';
