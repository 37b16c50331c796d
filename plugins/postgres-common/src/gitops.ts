/**
 * A GitOps repository the platform allows pull requests to (app-config
 * `postgres.gitops.repositories`).
 *
 * @public
 */
export interface GitopsRepository {
  /** Host as in Backstage's integrations and repo URLs, e.g. `github.com`. */
  host: string;
  /** The repository's owner (organisation or user). */
  owner: string;
  /** The repository's name. */
  repo: string;
  /** The branch pull requests target; default `main`. */
  baseBranch: string;
}

/**
 * Parses a scaffolder repo URL (`host?owner=o&repo=r`, as `RepoUrlPicker` writes it); undefined
 * when it is not one.
 */
export function parseRepoUrl(
  repoUrl: string,
): { host: string; owner: string; repo: string } | undefined {
  const m = /^([A-Za-z0-9.-]+(?::\d{1,5})?)\?(.*)$/.exec(repoUrl.trim());
  if (!m) return undefined;
  const params = new URLSearchParams(m[2]);
  const owner = params.get('owner');
  const repo = params.get('repo');
  if (!owner || !repo) return undefined;
  return { host: m[1].toLowerCase(), owner, repo };
}

/**
 * The scaffolder repo URL of a repository (`host?owner=o&repo=r`), as `RepoUrlPicker` writes it.
 *
 * @public
 */
export function gitopsRepoUrl(
  repository: Pick<GitopsRepository, 'host' | 'owner' | 'repo'>,
): string {
  return `${repository.host}?owner=${encodeURIComponent(
    repository.owner,
  )}&repo=${encodeURIComponent(repository.repo)}`;
}

/**
 * The allowed repository a repo URL names; undefined when it names none of them.
 *
 * @public
 */
export function findGitopsRepository(
  repoUrl: string,
  repositories: readonly GitopsRepository[],
): GitopsRepository | undefined {
  const parsed = parseRepoUrl(repoUrl);
  if (!parsed) return undefined;
  return repositories.find(
    r =>
      r.host.toLowerCase() === parsed.host &&
      r.owner === parsed.owner &&
      r.repo === parsed.repo,
  );
}

/**
 * Checks a pull request target against the allowed GitOps repositories. Returns what is wrong,
 * in a user's words, or undefined when the target is allowed. No repository configured means
 * none is allowed.
 *
 * @public
 */
export function checkGitopsTarget(
  target: { repoUrl?: unknown; baseBranch?: unknown },
  repositories: readonly GitopsRepository[],
): string | undefined {
  if (repositories.length === 0) {
    return 'No GitOps repository is allowed: the platform team must list them in postgres.gitops.repositories.';
  }
  const allowed = repositories
    .map(r => `${r.host}/${r.owner}/${r.repo} (branch ${r.baseBranch})`)
    .join(', ');
  if (typeof target.repoUrl !== 'string' || target.repoUrl === '') {
    return `Choose the GitOps repository; allowed: ${allowed}.`;
  }
  const parsed = parseRepoUrl(target.repoUrl);
  if (!parsed) {
    return `'${target.repoUrl}' is not a repository (host?owner=…&repo=…); allowed: ${allowed}.`;
  }
  const match = findGitopsRepository(target.repoUrl, repositories);
  if (!match) {
    return `Pull requests may not go to ${parsed.host}/${parsed.owner}/${parsed.repo}; allowed: ${allowed}.`;
  }
  const branch =
    typeof target.baseBranch === 'string' && target.baseBranch !== ''
      ? target.baseBranch
      : match.baseBranch;
  if (branch !== match.baseBranch) {
    return `Pull requests to ${match.host}/${match.owner}/${match.repo} must target the branch '${match.baseBranch}', not '${branch}'.`;
  }
  return undefined;
}
