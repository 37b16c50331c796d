import { CacheService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  isClaimManifestFile,
  pullRequestState,
  PullRequestFile,
  PullRequestState,
  readClaimManifest,
} from '@bizmatters/plugin-postgres-common';
import type { RepositoryRef } from './RequestStore';
import { TtlCache } from './TtlCache';

/** A pull request as the tracking needs it (GitHub's fields, renamed). */
export interface PullRequestInfo {
  number: number;
  url: string;
  state: PullRequestState;
  baseRef: string;
  /** The branch it merges (its head) and that branch's commit when it was read. */
  headRef: string;
  headSha: string;
  title: string;
  author?: string;
  createdAt: string;
  mergedAt?: string;
  closedAt?: string;
}

/** An open pull request as the list of open ones gives it. */
export type OpenPull = {
  number: number;
  url: string;
  title: string;
  /** Its head branch. */
  head: string;
};

/** The open pull requests of a repository, and when the forge was asked. */
export type OpenPulls = {
  readAt: number;
  numbers: number[];
  /** Each with its head branch (absent from lists cached by older versions: listed again). */
  pulls?: OpenPull[];
};

interface GithubPull {
  number: number;
  html_url: string;
  state: string;
  merged_at?: string | null;
  merged?: boolean;
  closed_at?: string | null;
  created_at: string;
  user?: { login?: string } | null;
  base?: { ref?: string };
  head?: { ref?: string; sha?: string };
  title?: string;
}

/** Files of a pull request read at the most (GitHub lists 3,000). */
const MAX_FILES = 300;
/** Claim files whose content is read at the most per pull request. */
const MAX_CLAIM_FILES = 5;

const TIMEOUT_MS = 10_000;
/** GitHub's largest page; open pull requests beyond it take one more call per 100. */
const PER_PAGE = 100;
/** Pages of open pull requests read at the most per repository (10,000 open pull requests). */
const MAX_PAGES = 100;

/**
 * Reads GitOps pull requests from GitHub (github.com or Enterprise) with the integration's
 * credentials (`integrations.github`), as the scaffolder's GitHub actions do. The open pull
 * requests of a repository are listed at most once per TTL for every viewer and every replica
 * sharing the cache; a single pull request is read when it has left that list (once in its
 * life, as its end is stored) or to prove it exists when a request is registered.
 */
export class PullRequestReader {
  private readonly credentials: GithubCredentialsProvider;
  private readonly inflight = new TtlCache<OpenPulls>({ maxEntries: 1000 });
  /** Calls made to the forge, by kind (for tests and the bench). */
  readonly calls = { list: 0, get: 0, files: 0, contents: 0 };

  constructor(
    private readonly options: {
      integrations: ScmIntegrationRegistry;
      cache: CacheService;
      ttlMs: number;
    },
  ) {
    this.credentials = DefaultGithubCredentialsProvider.fromIntegrations(
      options.integrations,
    );
  }

  private async get(
    repository: RepositoryRef,
    path: string,
  ): Promise<{ body: unknown; next?: string }> {
    const { host, owner, repo } = repository;
    const integration = this.options.integrations.github.byHost(host);
    if (!integration?.config.apiBaseUrl) {
      throw new Error(
        `No GitHub integration with an API URL for ${host} (integrations.github); cannot read pull requests of ${host}/${owner}/${repo}`,
      );
    }
    const { headers } = await this.credentials.getCredentials({
      url: `https://${host}/${owner}/${repo}`,
    });
    const url = path.startsWith('http')
      ? path
      : `${integration.config.apiBaseUrl}/repos/${encodeURIComponent(
          owner,
        )}/${encodeURIComponent(repo)}${path}`;
    const res = await fetch(url, {
      headers: { accept: 'application/vnd.github+json', ...headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    const next = /<([^>]+)>;\s*rel="next"/.exec(
      res.headers.get('link') ?? '',
    )?.[1];
    // only follow a next page on the same API
    const sameApi =
      next && next.startsWith(integration.config.apiBaseUrl) ? next : undefined;
    return { body: await res.json(), next: sameApi };
  }

  /** One pull request, as the forge says now. */
  async pull(
    repository: RepositoryRef,
    number: number,
  ): Promise<PullRequestInfo> {
    this.calls.get++;
    const { body } = await this.get(repository, `/pulls/${number}`);
    const pr = body as GithubPull;
    return {
      number: pr.number,
      url: pr.html_url,
      state: pullRequestState(pr),
      baseRef: pr.base?.ref ?? '',
      headRef: pr.head?.ref ?? '',
      headSha: pr.head?.sha ?? '',
      title: pr.title ?? '',
      author: pr.user?.login ?? undefined,
      createdAt: pr.created_at,
      mergedAt: pr.merged_at ?? undefined,
      closedAt: pr.closed_at ?? undefined,
    };
  }

  /**
   * The files `pr` adds, edits or deletes, each claim file (`postgresinstance.yaml`) with the
   * claim it holds: at the pull request's head, or for a deleted one on its base branch. A
   * file that is not a claim, or cannot be read as one, has no `claim`.
   */
  async files(
    repository: RepositoryRef,
    pr: PullRequestInfo,
  ): Promise<PullRequestFile[]> {
    const files: PullRequestFile[] = [];
    let path: string | undefined = `/pulls/${pr.number}/files?per_page=100`;
    while (path && files.length < MAX_FILES) {
      this.calls.files++;
      const { body, next } = await this.get(repository, path);
      for (const f of body as Array<{ filename: string; status: string }>) {
        files.push({ filename: f.filename, status: f.status });
      }
      path = next;
    }
    const claims = files
      .filter(f => isClaimManifestFile(f.filename))
      .slice(0, MAX_CLAIM_FILES);
    for (const file of claims) {
      const ref = file.status === 'removed' ? pr.baseRef : pr.headSha;
      try {
        this.calls.contents++;
        const { body } = await this.get(
          repository,
          `/contents/${file.filename
            .split('/')
            .map(encodeURIComponent)
            .join('/')}?ref=${encodeURIComponent(ref)}`,
        );
        const { content, encoding } = body as {
          content?: string;
          encoding?: string;
        };
        if (typeof content !== 'string' || encoding !== 'base64') continue;
        const claim = readClaimManifest(
          Buffer.from(content, 'base64').toString('utf8'),
        );
        file.claim = {
          namespace: claim.namespace,
          name: claim.name,
          ...(claim.entityRef ? { entityRef: claim.entityRef } : {}),
        };
      } catch {
        // not a claim (or gone): it binds nothing
      }
    }
    return files;
  }

  /**
   * The numbers of the repository's open pull requests: from the shared cache while fresh, else
   * listed (`GET /repos/{o}/{r}/pulls?state=open`, page by page) by one caller per process.
   */
  openPulls(repository: RepositoryRef): Promise<OpenPulls> {
    const key = `requests:open-pulls:${repository.host}/${repository.owner}/${repository.repo}`;
    return this.inflight.get(key, async () => {
      const cached = (await this.options.cache.get(key)) as
        | OpenPulls
        | undefined;
      if (cached?.pulls && cached.readAt + this.options.ttlMs > Date.now()) {
        return { value: cached, expiresAt: cached.readAt + this.options.ttlMs };
      }
      const readAt = Date.now();
      const pulls: OpenPull[] = [];
      let path: string | undefined = `/pulls?state=open&per_page=${PER_PAGE}`;
      for (let page = 0; path && page < MAX_PAGES; page++) {
        this.calls.list++;
        const { body, next } = await this.get(repository, path);
        for (const p of body as GithubPull[]) {
          pulls.push({
            number: p.number,
            url: p.html_url,
            title: p.title ?? '',
            head: p.head?.ref ?? '',
          });
        }
        path = next;
      }
      const value = { readAt, numbers: pulls.map(p => p.number), pulls };
      await this.options.cache.set(key, value, { ttl: this.options.ttlMs });
      return { value, expiresAt: readAt + this.options.ttlMs };
    });
  }
}
