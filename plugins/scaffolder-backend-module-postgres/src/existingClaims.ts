import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { ConflictError, ResponseError } from '@backstage/errors';
import {
  claimManifestPath,
  DatabaseRequest,
  GitopsRepository,
  PostgresPolicy,
} from '@bizmatters/plugin-postgres-common';

/** A file found on a branch of a GitOps repository. */
export interface FoundFile {
  /** Where a person can see it. */
  url: string;
}

/** Reads whether a file exists on the target branch of an allowed GitOps repository. */
export interface GitopsFileReader {
  /** The file at `path` on the repository's base branch, or undefined when there is none. */
  findFile(
    repository: GitopsRepository,
    path: string,
  ): Promise<FoundFile | undefined>;
}

/** How long GitHub may take to answer whether the claim exists. */
const TIMEOUT_MS = 10_000;

/**
 * A {@link GitopsFileReader} over GitHub's contents API (github.com or GitHub Enterprise), with
 * the integration's credentials (`integrations.github`: a token or a GitHub App), as the
 * scaffolder's GitHub actions get them.
 */
export class GithubFileReader implements GitopsFileReader {
  private readonly credentials: GithubCredentialsProvider;

  constructor(private readonly integrations: ScmIntegrationRegistry) {
    this.credentials =
      DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  }

  async findFile(
    repository: GitopsRepository,
    path: string,
  ): Promise<FoundFile | undefined> {
    const { host, owner, repo, baseBranch } = repository;
    const integration = this.integrations.github.byHost(host);
    if (!integration?.config.apiBaseUrl) {
      throw new Error(
        `No GitHub integration with an API URL for ${host} (integrations.github); cannot check the GitOps repository ${host}/${owner}/${repo}`,
      );
    }
    const { headers } = await this.credentials.getCredentials({
      url: `https://${host}/${owner}/${repo}`,
    });
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const res = await fetch(
      `${integration.config.apiBaseUrl}/repos/${encodeURIComponent(
        owner,
      )}/${encodeURIComponent(
        repo,
      )}/contents/${encoded}?ref=${encodeURIComponent(baseBranch)}`,
      {
        headers: { accept: 'application/vnd.github+json', ...headers },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      },
    );
    if (res.status === 404) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    const body = (await res.json()) as { html_url?: unknown };
    return {
      url:
        typeof body.html_url === 'string'
          ? body.html_url
          : `https://${host}/${owner}/${repo}/blob/${baseBranch}/${path}`,
    };
  }
}

/**
 * Refuses a request whose claim is already on the target branch of the GitOps repository (the
 * database exists, or its pull request was merged): a ConflictError that names it and links to
 * it, before anything is written. A request whose earlier run stopped before the merge (the
 * claim only on an unmerged branch) passes, so that it can be retried.
 */
export async function assertClaimNotInGitops(
  reader: GitopsFileReader,
  request: DatabaseRequest,
  repository: GitopsRepository,
  policy: PostgresPolicy,
): Promise<void> {
  const path = claimManifestPath(request, policy);
  let found: FoundFile | undefined;
  try {
    found = await reader.findFile(repository, path);
  } catch (e) {
    throw new Error(
      `Could not check whether the database ${request.namespace}/${
        request.name
      } already exists in ${repository.host}/${repository.owner}/${
        repository.repo
      }; nothing was written: ${(e as Error).message}`,
    );
  }
  if (found) {
    throw new ConflictError(
      `The database ${request.namespace}/${request.name} already exists: its claim ${path} is on ${repository.baseBranch} of ${repository.host}/${repository.owner}/${repository.repo} (${found.url}). Nothing was written. Choose another name for a new database, or change the existing one there.`,
    );
  }
}
