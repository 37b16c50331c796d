/**
 * Scaffolder actions for self-service PostgreSQL: `postgres:manifests:create` and
 * `postgres:credentials:write`, registered by the module (the package's default export).
 *
 * @packageDocumentation
 */
export { scaffolderModulePostgres as default } from './module';
