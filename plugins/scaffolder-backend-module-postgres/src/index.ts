/**
 * Scaffolder actions for self-service PostgreSQL.
 *
 * @packageDocumentation
 */
export { scaffolderModulePostgres as default } from './module';
export {
  createPostgresCredentialsWriteAction,
  CREDENTIALS_WRITE_ACTION_ID,
} from './actions/credentialsWrite';
export {
  createPostgresManifestsCreateAction,
  MANIFESTS_CREATE_ACTION_ID,
} from './actions/manifestsCreate';
export { readModuleSettings, createSsmClient } from './config';
export type { ModuleSettings } from './config';
