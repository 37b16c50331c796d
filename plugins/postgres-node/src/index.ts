/**
 * Node library of the self-service PostgreSQL backend plugins (the postgres backend and the
 * scaffolder module): the one GitHub client for what they read from the forge, and the HTTP
 * answers both give.
 *
 * @packageDocumentation
 */
export { GithubReader } from './github';
export type {
  GithubFileText,
  GithubPullRequest,
  GithubReaderOptions,
  GithubRepositoryRef,
} from './github';
export { sendTooManyRequests, TooManyRequestsError } from './tooManyRequests';
