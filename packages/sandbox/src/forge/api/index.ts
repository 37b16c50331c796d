import { Route } from '../routes';
import { ForgeState, PullRequest } from '../state';
import { PullsApi } from './pulls';
import { RepositoryApi } from './repos';

/** An answer of the REST API: status (200 unless said), JSON body and headers. */
export interface ApiResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Where the forge is served, for the URLs GitHub puts in its answers. */
export interface ForgeSite {
  readonly url: string;
  readonly apiBaseUrl: string;
  htmlUrl(pr: PullRequest): string;
}

/**
 * The GitHub REST (and GraphQL) subset the scaffolder's GitHub actions and our plugins use, in
 * GitHub's shapes, over the forge's state.
 */
export function gitHubApiRoutes(
  state: ForgeState,
  site: ForgeSite,
): Array<Route<ApiResult>> {
  return [
    ...new RepositoryApi(state, site).routes,
    ...new PullsApi(state, site).routes,
  ];
}
