import { CacheService } from '@backstage/backend-plugin-api';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  isClaimManifestFile,
  pullRequestState,
  PullRequestFile,
  PullRequestState,
  readClaimManifest,
} from '@bizmatters/plugin-postgres-common';
import { GithubReader } from '@bizmatters/plugin-postgres-node';
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

/** Files of a pull request read at the most (GitHub lists 3,000). */
const MAX_FILES = 300;
/** Claim files whose content is read at the most per pull request. */
const MAX_CLAIM_FILES = 5;

/** Pages of open pull requests read at the most per repository (10,000 open pull requests). */
const MAX_PAGES = 100;

/**
 * Reads GitOps pull requests from GitHub (github.com or Enterprise) with the integration's
 * credentials (`integrations.github`), through the plugins' one GitHub client (Octokit with
 * throttling and retry). The open pull requests of a repository are listed at most once per
 * TTL for every viewer and every replica sharing the cache; a single pull request is read when
 * it has left that list (once in its life, as its end is stored) or to prove it exists when a
 * request is registered.
 */
export class PullRequestReader {
  private readonly github: GithubReader;
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
    this.github = new GithubReader({ integrations: options.integrations });
  }

  /** One pull request, as the forge says now. */
  async pull(
    repository: RepositoryRef,
    number: number,
  ): Promise<PullRequestInfo> {
    this.calls.get++;
    const pr = await this.github.pull(repository, number);
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
    const files: PullRequestFile[] = (
      await this.github.pullFiles(repository, pr.number, {
        max: MAX_FILES,
        onPage: () => this.calls.files++,
      })
    ).map(f => ({ filename: f.filename, status: f.status }));
    const claims = files
      .filter(f => isClaimManifestFile(f.filename))
      .slice(0, MAX_CLAIM_FILES);
    for (const file of claims) {
      const ref = file.status === 'removed' ? pr.baseRef : pr.headSha;
      try {
        this.calls.contents++;
        const found = await this.github.readFile(
          repository,
          file.filename,
          ref,
        );
        if (!found) continue;
        const claim = readClaimManifest(found.text);
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
      const pulls: OpenPull[] = (
        await this.github.pulls(
          repository,
          { state: 'open' },
          { maxPages: MAX_PAGES, onPage: () => this.calls.list++ },
        )
      ).map(p => ({
        number: p.number,
        url: p.html_url,
        title: p.title ?? '',
        head: p.head?.ref ?? '',
      }));
      const value = { readAt, numbers: pulls.map(p => p.number), pulls };
      await this.options.cache.set(key, value, { ttl: this.options.ttlMs });
      return { value, expiresAt: readAt + this.options.ttlMs };
    });
  }
}
