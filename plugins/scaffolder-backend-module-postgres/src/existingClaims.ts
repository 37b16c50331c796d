import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { ResponseError } from '@backstage/errors';
import { GitopsRepository } from '@bizmatters/plugin-postgres-common';

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

/** A file's text on a branch, and where a person can see it. */
export interface FileText extends FoundFile {
  text: string;
}

/** An open pull request. */
export interface OpenPullRequest {
  number: number;
  url: string;
  branch: string;
}

/**
 * What the day-2 action reads from a GitOps repository: a file's text on the base branch, and
 * the open pull requests from branches under a prefix.
 */
export interface GitopsChangeReader extends GitopsFileReader {
  /** The text of the file at `path` on `ref` (default: the repository's base branch), or undefined. */
  readFile(
    repository: GitopsRepository,
    path: string,
    ref?: string,
  ): Promise<FileText | undefined>;
  /** The open pull requests into the base branch whose branch starts with `branchPrefix`. */
  openPullRequests(
    repository: GitopsRepository,
    branchPrefix: string,
  ): Promise<OpenPullRequest[]>;
  /** The open pull request into the base branch from exactly `branch`, if any (one read). */
  openPullRequestFrom(
    repository: GitopsRepository,
    branch: string,
  ): Promise<OpenPullRequest | undefined>;
}

/** How many pages of open pull requests are read (100 each) before giving up. */
const MAX_PULL_PAGES = 10;

/** How long GitHub may take to answer one read. */
const TIMEOUT_MS = 10_000;

/**
 * A {@link GitopsFileReader} over GitHub's contents API (github.com or GitHub Enterprise), with
 * the integration's credentials (`integrations.github`: a token or a GitHub App), as the
 * scaffolder's GitHub actions get them.
 */
export class GithubFileReader implements GitopsChangeReader {
  private readonly credentials: GithubCredentialsProvider;

  constructor(private readonly integrations: ScmIntegrationRegistry) {
    this.credentials =
      DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  }

  async findFile(
    repository: GitopsRepository,
    path: string,
  ): Promise<FoundFile | undefined> {
    const file = await this.contents(repository, path);
    return file && { url: file.url };
  }

  async readFile(
    repository: GitopsRepository,
    path: string,
    ref?: string,
  ): Promise<FileText | undefined> {
    const file = await this.contents(repository, path, ref);
    if (!file) return undefined;
    if (file.encoding !== 'base64' || typeof file.content !== 'string') {
      throw new Error(
        `${path} in ${repository.host}/${repository.owner}/${repository.repo} is not a file with content`,
      );
    }
    return {
      url: file.url,
      text: Buffer.from(file.content, 'base64').toString('utf8'),
    };
  }

  async openPullRequests(
    repository: GitopsRepository,
    branchPrefix: string,
  ): Promise<OpenPullRequest[]> {
    const found: OpenPullRequest[] = [];
    for (let page = 1; page <= MAX_PULL_PAGES; page++) {
      const pulls = await this.openPulls(
        repository,
        `per_page=100&page=${page}`,
      );
      found.push(...pulls.filter(p => p.branch.startsWith(branchPrefix)));
      if (pulls.length < 100) break;
    }
    return found;
  }

  async openPullRequestFrom(
    repository: GitopsRepository,
    branch: string,
  ): Promise<OpenPullRequest | undefined> {
    // `head` is `owner:branch`: the pull requests of the repository's own branches
    const pulls = await this.openPulls(
      repository,
      `head=${encodeURIComponent(`${repository.owner}:${branch}`)}&per_page=10`,
    );
    return pulls.find(p => p.branch === branch);
  }

  /** One page of the open pull requests into the base branch (with `query`), as read. */
  private async openPulls(
    repository: GitopsRepository,
    query: string,
  ): Promise<OpenPullRequest[]> {
    const { owner, repo, baseBranch } = repository;
    const pulls = (await this.api(
      repository,
      `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(
        repo,
      )}/pulls?state=open&base=${encodeURIComponent(baseBranch)}&${query}`,
    )) as Array<{ number?: unknown; html_url?: unknown; head?: any }>;
    if (!Array.isArray(pulls)) return [];
    return pulls.flatMap(p =>
      typeof p.head?.ref === 'string' && typeof p.number === 'number'
        ? [
            {
              number: p.number,
              branch: p.head.ref as string,
              url: typeof p.html_url === 'string' ? p.html_url : '',
            },
          ]
        : [],
    );
  }

  /** The contents API's answer for a file on `ref` (default the base branch), or undefined (404). */
  private async contents(
    repository: GitopsRepository,
    path: string,
    ref = repository.baseBranch,
  ) {
    const { host, owner, repo } = repository;
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const body = (await this.api(
      repository,
      `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(
        repo,
      )}/contents/${encoded}?ref=${encodeURIComponent(ref)}`,
      true,
    )) as
      | { html_url?: unknown; content?: unknown; encoding?: unknown }
      | undefined;
    if (!body) return undefined;
    return {
      ...body,
      url:
        typeof body.html_url === 'string'
          ? body.html_url
          : `${this.webBaseUrl(host)}/${owner}/${repo}/blob/${ref}/${encoded}`,
    };
  }

  /**
   * Where the forge's pages are, from the integration's own URLs: GitHub Enterprise (and a
   * stand-in) serve the API at `<web>/api/v3`; otherwise the pages are at `https://<host>`.
   */
  private webBaseUrl(host: string): string {
    const apiBaseUrl = this.integrations.github.byHost(host)?.config.apiBaseUrl;
    const enterprise = apiBaseUrl && /^(.*)\/api\/v3\/?$/.exec(apiBaseUrl);
    return enterprise ? enterprise[1] : `https://${host}`;
  }

  /** A GET of GitHub's REST API with the integration's credentials; undefined on 404 if asked. */
  private async api(
    repository: GitopsRepository,
    pathAndQuery: string,
    notFoundIsUndefined = false,
  ): Promise<unknown> {
    const { host, owner, repo } = repository;
    const integration = this.integrations.github.byHost(host);
    if (!integration?.config.apiBaseUrl) {
      throw new Error(
        `No GitHub integration with an API URL for ${host} (integrations.github); cannot read the GitOps repository ${host}/${owner}/${repo}`,
      );
    }
    const { headers } = await this.credentials.getCredentials({
      url: `https://${host}/${owner}/${repo}`,
    });
    const res = await fetch(`${integration.config.apiBaseUrl}${pathAndQuery}`, {
      headers: { accept: 'application/vnd.github+json', ...headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status === 404 && notFoundIsUndefined) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }
}
