import { ScmIntegrationRegistry } from '@backstage/integration';
import { GithubReader } from '@bizmatters/plugin-postgres-node';
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

/**
 * A {@link GitopsFileReader} over GitHub's REST API (github.com or GitHub Enterprise) through
 * the plugins' one GitHub client (Octokit with throttling and retry), with the integration's
 * credentials (`integrations.github`: a token or a GitHub App), as the scaffolder's GitHub
 * actions get them.
 */
export class GithubFileReader implements GitopsChangeReader {
  private readonly github: GithubReader;

  constructor(integrations: ScmIntegrationRegistry) {
    this.github = new GithubReader({ integrations });
  }

  async findFile(
    repository: GitopsRepository,
    path: string,
  ): Promise<FoundFile | undefined> {
    const file = await this.readFile(repository, path);
    return file && { url: file.url };
  }

  readFile(
    repository: GitopsRepository,
    path: string,
    ref = repository.baseBranch,
  ): Promise<FileText | undefined> {
    return this.github.readFile(repository, path, ref);
  }

  async openPullRequests(
    repository: GitopsRepository,
    branchPrefix: string,
  ): Promise<OpenPullRequest[]> {
    const pulls = await this.openPulls(repository, {}, MAX_PULL_PAGES);
    return pulls.filter(p => p.branch.startsWith(branchPrefix));
  }

  async openPullRequestFrom(
    repository: GitopsRepository,
    branch: string,
  ): Promise<OpenPullRequest | undefined> {
    // `head` is `owner:branch`: the pull requests of the repository's own branches
    const pulls = await this.openPulls(
      repository,
      { head: `${repository.owner}:${branch}` },
      1,
    );
    return pulls.find(p => p.branch === branch);
  }

  /** The open pull requests into the base branch (with `query`), as read. */
  private async openPulls(
    repository: GitopsRepository,
    query: { head?: string },
    maxPages: number,
  ): Promise<OpenPullRequest[]> {
    const pulls = await this.github.pulls(
      repository,
      { state: 'open', base: repository.baseBranch, ...query },
      { maxPages },
    );
    return pulls.flatMap(p =>
      typeof p.head?.ref === 'string' && typeof p.number === 'number'
        ? [{ number: p.number, branch: p.head.ref, url: p.html_url ?? '' }]
        : [],
    );
  }
}
