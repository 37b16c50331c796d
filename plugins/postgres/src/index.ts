/**
 * Entity card and tab, and the fleet page, for self-service PostgreSQL databases.
 *
 * @packageDocumentation
 */
export {
  postgresPlugin,
  EntityPostgresCard,
  EntityPostgresContent,
  PostgresFleetPage,
  PostgresGitopsRepositoryPickerFieldExtension,
  PostgresChoicePickerFieldExtension,
  PostgresNameFieldExtension,
  PostgresStorageFieldExtension,
  PostgresOpenChangeNoticeFieldExtension,
  PostgresReviewNamesFieldExtension,
  PostgresPasswordFieldExtension,
} from './plugin';
export { isPostgresAvailable } from './isPostgresAvailable';
export { postgresApiRef, PostgresClient } from './api/PostgresApi';
export type { PostgresApi } from './api/PostgresApi';
export type { ReviewNames } from './fields/ReviewNames';
export type { EntityPostgresProps } from './components/useEntityDatabases';
