/**
 * Self-service PostgreSQL databases in the software catalog: every PostgresInstance claim of
 * every cluster as a Resource of type `database`.
 *
 * @packageDocumentation
 */
export { catalogModulePostgresDatabases as default } from './module';
