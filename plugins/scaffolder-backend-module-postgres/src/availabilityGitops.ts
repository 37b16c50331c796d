/*
 * What the GitOps repository says of a new database's names, for the availability check
 * (availability.ts): the claim on the base branch, an open pull request adding it, and the
 * claims other open pull requests of the namespace add.
 */
import type { AvailabilityAsker, AvailabilitySources } from './availability';
import {
  AvailabilityCheck,
  ClaimManifest,
  claimManifestPath,
  creationBranchName,
  externalSecretManifestPath,
  readExternalSecretParameters,
  DatabaseRequest,
  GitopsRepository,
  readClaimManifest,
} from '@bizmatters/plugin-postgres-common';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';

/** The branch the template's pull request step pushes a new database to. */
export function creationBranch(request: {
  namespace: string;
  name: string;
}): string {
  return creationBranchName(request.namespace, request.name);
}

export const messageOf = (e: unknown) => String((e as Error)?.message ?? e);

/** An entity ref as the asker's is kept (full, lower case), or undefined. */
export function entityKey(ref: string | undefined): string | undefined {
  try {
    return ref
      ? stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US')
      : undefined;
  } catch {
    return undefined;
  }
}

/** The entity a claim file names, or undefined when it names none or is not a claim. */
function entityOfClaimText(text: string): string | undefined {
  return entityKey(claimOfText(text)?.entityRef);
}

/** The claim read from a file's text, or undefined when it is not one. */
export function claimOfText(text: string): ClaimManifest | undefined {
  try {
    return readClaimManifest(text);
  } catch {
    return undefined;
  }
}

/** What the GitOps repository says: the checks, and an existing database's SSM parameters. */
export interface GitopsAnswer {
  checks: AvailabilityCheck[];
  /** The database exists on the base branch: the parameters its ExternalSecret reads. */
  existingParameters?: { user: string; password: string };
  /** Claims of the namespace that open pull requests add (not this request's own). */
  pendingClaims: ClaimManifest[];
}

/**
 * The claims that open pull requests of the creation branches in the namespace
 * (`postgres/<namespace>/…`) add, other than this request's own branch: their secrets' names
 * are taken once merged, though no cluster has them yet. A claim that cannot be read is left
 * out (the task checks the names again).
 */
export async function pendingClaims(
  sources: AvailabilitySources,
  request: DatabaseRequest,
  repository: GitopsRepository,
): Promise<ClaimManifest[]> {
  const own = creationBranch(request);
  const prefix = `postgres/${request.namespace}/`;
  const pulls = await sources.gitops.openPullRequests(repository, prefix);
  const claims = await Promise.all(
    pulls
      .filter(p => p.branch !== own)
      .map(async p => {
        const name = p.branch.slice(prefix.length);
        const path = claimManifestPath({ ...request, name }, sources.policy);
        const file = await sources.gitops
          .readFile(repository, path, p.branch)
          .catch(() => undefined);
        const claim = file && claimOfText(file.text);
        return claim && claim.namespace === request.namespace ? [claim] : [];
      }),
  );
  return claims.flat();
}

/** The claim's file on the base branch, and an open pull request adding it. */
export async function gitopsChecks(
  sources: AvailabilitySources,
  request: DatabaseRequest,
  repository: GitopsRepository,
  asker: AvailabilityAsker,
): Promise<GitopsAnswer> {
  let existingParameters: GitopsAnswer['existingParameters'];
  const path = claimManifestPath(request, sources.policy);
  const where = `${repository.host}/${repository.owner}/${repository.repo}`;
  const claim = `${request.namespace}/${request.name}`;
  const checks: AvailabilityCheck[] = [];
  try {
    const file = await sources.gitops.readFile(repository, path);
    if (!file) {
      checks.push({ subject: 'gitops', name: path, state: 'free' });
    } else if (entityOfClaimText(file.text) === asker.entityRef) {
      // what the portal says of an existing database is read from it, never re-derived
      const es = await sources.gitops
        .readFile(
          repository,
          externalSecretManifestPath(request, sources.policy),
        )
        .catch(() => undefined);
      existingParameters = es && readExternalSecretParameters(es.text);
      checks.push({
        subject: 'gitops',
        name: path,
        state: 'exists',
        message: `The database ${claim} already exists: its claim ${path} is on ${repository.baseBranch} of ${where}. Change it there, or choose another name for a new database.`,
        field: 'name',
        url: file.url,
      });
    } else {
      checks.push({
        subject: 'gitops',
        name: path,
        state: 'taken',
        message: `Another database named ${claim} is already in ${where}: choose another name.`,
        field: 'name',
      });
    }
  } catch (e) {
    checks.push({
      subject: 'gitops',
      name: path,
      state: 'unknown',
      message: `Could not read ${where}: ${messageOf(e)}`,
    });
  }

  const branch = creationBranch(request);
  try {
    const pull = await sources.gitops.openPullRequestFrom(repository, branch);
    if (pull) {
      const file = await sources.gitops.readFile(repository, path, branch);
      if (file && entityOfClaimText(file.text) === asker.entityRef) {
        checks.push({
          subject: 'pullRequest',
          name: `#${pull.number}`,
          state: 'ours',
          message: `A pull request for this database is open (#${pull.number}): running again updates it.`,
          url: pull.url,
        });
      } else {
        checks.push({
          subject: 'pullRequest',
          name: `#${pull.number}`,
          state: 'taken',
          message: `A pull request adding another database named ${claim} is open in ${where}: choose another name.`,
          field: 'name',
        });
      }
    }
  } catch (e) {
    checks.push({
      subject: 'pullRequest',
      name: branch,
      state: 'unknown',
      message: `Could not read the open pull requests of ${where}: ${messageOf(
        e,
      )}`,
    });
  }
  let pending: ClaimManifest[] = [];
  try {
    pending = await pendingClaims(sources, request, repository);
  } catch (e) {
    checks.push({
      subject: 'pullRequest',
      name: `postgres/${request.namespace}/`,
      state: 'unknown',
      message: `Could not read the open pull requests of ${where}: ${messageOf(
        e,
      )}`,
    });
  }
  return { checks, existingParameters, pendingClaims: pending };
}
