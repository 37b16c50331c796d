import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { retryRequests } from './githubRetry';

/**
 * A repository on a GitHub host (github.com or Enterprise) configured in `integrations.github`.
 *
 * @public
 */
export interface GithubRepositoryRef {
  /** The host, as in `integrations.github[].host`. */
  host: string;
  /** The repository's owner (user or organization). */
  owner: string;
  /** The repository's name. */
  repo: string;
}

/**
 * A pull request as GitHub's REST API answers it (the fields the plugins read).
 *
 * @public
 */
export interface GithubPullRequest {
  /** Its number in the repository. */
  number: number;
  /** Its page. */
  html_url: string;
  /** `open` or `closed`. */
  state: string;
  /** When it was merged, if it was. */
  merged_at?: string | null;
  /** Whether it was merged (single reads only). */
  merged?: boolean;
  /** When it was closed or merged. */
  closed_at?: string | null;
  /** When it was opened. */
  created_at: string;
  /** Who opened it. */
  user?: { login?: string } | null;
  /** The branch it merges into. */
  base?: { ref?: string };
  /** The branch it merges, and that branch's commit. */
  head?: { ref?: string; sha?: string };
  /** Its title. */
  title?: string;
}

/**
 * A file's text on a ref, and where a person can see it.
 *
 * @public
 */
export interface GithubFileText {
  /** Where a person sees the file. */
  url: string;
  /** Its content as UTF-8. */
  text: string;
}

/**
 * Options of {@link GithubReader}.
 *
 * @public
 */
export interface GithubReaderOptions {
  /** The forges (`integrations.github`). */
  integrations: ScmIntegrationRegistry;
  /** Default: `DefaultGithubCredentialsProvider.fromIntegrations(integrations)` (a token or a GitHub App). */
  credentials?: GithubCredentialsProvider;
  /** How long one request may take; default 10 s. */
  timeoutMs?: number;
  /** Retries of a 5xx, a 408, a 429 without a wait or a network error (after 1, then 4 s); default 2. */
  retries?: number;
  /** Retries after a rate limit (primary or secondary) whose wait is at most 60 s; default 1. */
  rateLimitRetries?: number;
}

/** GitHub's largest page. */
const PER_PAGE = 100;

const isNotFound = (e: unknown) => (e as { status?: number })?.status === 404;

/**
 * The one GitHub client of the PostgreSQL plugins for what they read from the forge: Octokit
 * with retries and GitHub's rate limits waited for (githubRetry.ts), one client per repository,
 * the integration's credentials
 * (`integrations.github`) asked for each request (the provider caches and renews App tokens).
 * Pages are followed with Octokit's paginate, up to a bound per call.
 *
 * @public
 */
export class GithubReader {
  private readonly credentials: GithubCredentialsProvider;
  private readonly clients = new Map<string, Octokit>();

  constructor(private readonly options: GithubReaderOptions) {
    this.credentials =
      options.credentials ??
      DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
  }

  /** The integration's API base URL for `host`, or a clear error when none is configured. */
  apiBaseUrl(repository: GithubRepositoryRef): string {
    const { host, owner, repo } = repository;
    const apiBaseUrl =
      this.options.integrations.github.byHost(host)?.config.apiBaseUrl;
    if (!apiBaseUrl) {
      throw new Error(
        `No GitHub integration with an API URL for ${host} (integrations.github); cannot read ${host}/${owner}/${repo}`,
      );
    }
    return apiBaseUrl;
  }

  /**
   * Where the forge's pages are, from the integration's own URLs: GitHub Enterprise (and a
   * stand-in) serve the API at `<web>/api/v3`; otherwise the pages are at `https://<host>`.
   */
  webBaseUrl(host: string): string {
    const apiBaseUrl =
      this.options.integrations.github.byHost(host)?.config.apiBaseUrl;
    const enterprise = apiBaseUrl && /^(.*)\/api\/v3\/?$/.exec(apiBaseUrl);
    return enterprise ? enterprise[1] : `https://${host}`;
  }

  /** The Octokit of the repository's host, authenticated for that repository on each request. */
  octokit(repository: GithubRepositoryRef): Octokit {
    const baseUrl = this.apiBaseUrl(repository);
    const key = `${repository.host}/${repository.owner}/${repository.repo}`;
    let client = this.clients.get(key);
    if (client) return client;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    client = new Octokit({
      baseUrl,
      request: {
        fetch: (url: string, init: RequestInit) =>
          fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
      },
    });
    // not Octokit's throttling and retry plugins: measured, their three Bottleneck limiters
    // cost ~14 ms on every request, and throttling's one process-wide limit of 10 requests in
    // flight is shared with every plugin of the backend (see githubRetry.ts)
    retryRequests(client, {
      retries: this.options.retries ?? 2,
      rateLimitRetries: this.options.rateLimitRetries ?? 1,
    });
    client.hook.before('request', async options => {
      // credentials go to this host's API only: never to a page a Link header points elsewhere
      if (/^https?:/i.test(options.url) && !options.url.startsWith(baseUrl)) {
        throw new Error(
          `Refusing to send ${repository.host}'s credentials outside its API (${baseUrl})`,
        );
      }
      const { headers } = await this.credentials.getCredentials({
        url: `https://${repository.host}/${repository.owner}/${repository.repo}`,
      });
      Object.assign(options.headers, headers);
    });
    this.clients.set(key, client);
    return client;
  }

  /** One pull request, as the forge says now. */
  async pull(
    repository: GithubRepositoryRef,
    number: number,
  ): Promise<GithubPullRequest> {
    const { owner, repo } = repository;
    const { data } = await this.octokit(repository).pulls.get({
      owner,
      repo,
      pull_number: number,
    });
    return data as GithubPullRequest;
  }

  /**
   * Pull requests (`GET /repos/{o}/{r}/pulls`, open unless `state` says otherwise), page by page
   * up to `maxPages` pages of 100; `onPage` counts each page read.
   */
  async pulls(
    repository: GithubRepositoryRef,
    query: { state?: 'open' | 'closed' | 'all'; base?: string; head?: string },
    limits: { maxPages: number; onPage?: () => void },
  ): Promise<GithubPullRequest[]> {
    const { owner, repo } = repository;
    let pages = 0;
    return (await this.octokit(repository).paginate(
      'GET /repos/{owner}/{repo}/pulls',
      { owner, repo, state: 'open', ...query, per_page: PER_PAGE },
      (response, done) => {
        limits.onPage?.();
        if (++pages >= limits.maxPages) done();
        return response.data;
      },
    )) as GithubPullRequest[];
  }

  /** The files a pull request changes (name and status), up to `max` (pages of 100). */
  async pullFiles(
    repository: GithubRepositoryRef,
    number: number,
    limits: { max: number; onPage?: () => void },
  ): Promise<Array<{ filename: string; status: string }>> {
    const { owner, repo } = repository;
    const files: Array<{ filename: string; status: string }> = [];
    await this.octokit(repository).paginate(
      'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
      { owner, repo, pull_number: number, per_page: PER_PAGE },
      (response, done) => {
        limits.onPage?.();
        for (const f of response.data) {
          files.push({ filename: f.filename, status: f.status });
        }
        if (files.length >= limits.max) done();
        return [];
      },
    );
    return files;
  }

  /**
   * The text of the file at `path` on `ref` with where a person sees it; undefined when there
   * is no such file (404). A directory or a file without content is an error.
   */
  async readFile(
    repository: GithubRepositoryRef,
    path: string,
    ref: string,
  ): Promise<GithubFileText | undefined> {
    const { host, owner, repo } = repository;
    let data: unknown;
    try {
      ({ data } = await this.octokit(repository).repos.getContent({
        owner,
        repo,
        path,
        ref,
      }));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    const file = data as {
      html_url?: unknown;
      content?: unknown;
      encoding?: unknown;
    };
    if (file.encoding !== 'base64' || typeof file.content !== 'string') {
      throw new Error(
        `${path} in ${host}/${owner}/${repo} is not a file with content`,
      );
    }
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return {
      url:
        typeof file.html_url === 'string'
          ? file.html_url
          : `${this.webBaseUrl(host)}/${owner}/${repo}/blob/${ref}/${encoded}`,
      text: Buffer.from(file.content, 'base64').toString('utf8'),
    };
  }
}
