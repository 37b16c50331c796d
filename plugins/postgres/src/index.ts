/**
 * Entity card and tab for self-service PostgreSQL databases.
 *
 * @packageDocumentation
 */
export {
  postgresPlugin,
  EntityPostgresCard,
  EntityPostgresContent,
  PostgresGitopsRepositoryPickerFieldExtension,
  PostgresChoicePickerFieldExtension,
  PostgresNameFieldExtension,
} from './plugin';
export { isPostgresAvailable } from './isPostgresAvailable';
export { postgresApiRef, PostgresClient } from './api/PostgresApi';
export type { PostgresApi } from './api/PostgresApi';
export type { EntityPostgresProps } from './components/useEntityDatabases';
