import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  applyRequestDefaults,
  assertValidDatabaseRequest,
  checkComponentIdentity,
  checkGitopsTarget,
  DatabaseRequest,
  DatabaseRequestError,
  findGitopsRepository,
  GitopsRepository,
  gitopsRepoUrl,
  serviceOfComponent,
  validateDatabaseRequest,
} from '@bizmatters/plugin-postgres-common';
import { ConflictError, InputError } from '@backstage/errors';
import { z as zod } from 'zod/v3';
import { ModuleSettings } from '../config';
import {
  AuthorizedCreation,
  authorizeForComponent,
  CreationAuthorizer,
} from '../authorize';
import { GitopsChangeReader } from '../existingClaims';
import { ClusterClaims } from '../clusterClaims';
import { checkNames } from '../availability';

/**
 * What the actions check a creation with: the catalog, the permissions, the GitOps repository
 * and the clusters' claims.
 */
export type CreationChecks = CreationAuthorizer & {
  gitops: GitopsChangeReader;
  clusters: Pick<ClusterClaims, 'claimsIn'>;
};

type Z = typeof zod;

/** The GitOps target both actions take and check against `postgres.gitops.repositories`. */
export const gitopsTargetInputSchema = {
  repoUrl: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'GitOps repository the pull request goes to (host?owner=…&repo=…); must be one of postgres.gitops.repositories',
      ),
  baseBranch: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        "Branch the pull request targets; default and only allowed value: the repository's configured baseBranch",
      ),
};

/** A request that passed every check, ready to act on. */
export interface CheckedCreation {
  /** The validated request; `component` is the catalog's full ref, `owner` the catalog's owner group. */
  request: DatabaseRequest;
  creation: AuthorizedCreation;
  /** The allowed GitOps target, the branch filled in from config when not given. */
  target: { repoUrl: string; baseBranch: string };
}

/**
 * Everything both actions check before any side effect, in order: the request's fields (the
 * shared rules of postgres-common, plus a required `component`), the GitOps target against the
 * allow-list — all problems together as one InputError — then the component in the catalog and
 * the initiator's `postgres.database.create` permission on it. The owner group comes from the
 * catalog, never from the input.
 */
export async function checkCreation(
  input: Record<string, unknown>,
  settings: ModuleSettings,
  checks: CreationChecks,
  credentials: () => Promise<BackstageCredentials>,
): Promise<CheckedCreation> {
  const { repoUrl, baseBranch, owner: _owner, ...fields } = input;
  const withDefaults = applyRequestDefaults(fields);
  const problems = validateDatabaseRequest(withDefaults, settings.policy);
  if (typeof fields.component !== 'string' || fields.component.trim() === '') {
    problems.push({
      field: 'component',
      message:
        'choose the component the database belongs to (e.g. component:default/orders); its owners are the only ones who may create it.',
    });
  }
  const repositories = settings.policy.gitops.repositories;
  const repoProblem = checkGitopsTarget({ repoUrl }, repositories);
  const branchProblem = repoProblem
    ? undefined
    : checkGitopsTarget({ repoUrl, baseBranch }, repositories);
  const targetProblem = repoProblem
    ? `- repoUrl: ${repoProblem}`
    : branchProblem && `- baseBranch: ${branchProblem}`;
  if (problems.length > 0) {
    const error = new DatabaseRequestError(problems);
    if (targetProblem) error.message += `\n${targetProblem}`;
    throw error;
  }
  if (targetProblem) {
    throw new InputError(
      `The GitOps target is not allowed; nothing was written:\n${targetProblem}`,
    );
  }

  const validated = assertValidDatabaseRequest(withDefaults, settings.policy);
  const creation = await authorizeForComponent(
    checks,
    validated.component!,
    await credentials(),
  );
  // identity from the catalog: the service is the component the permission was checked for
  const identity = checkComponentIdentity(
    fields,
    creation.entityRef,
    settings.policy,
  );
  if (identity.length > 0) throw new DatabaseRequestError(identity);
  const { owner: _none, ...rest } = validated;
  const request = assertValidDatabaseRequest(
    {
      ...rest,
      service: serviceOfComponent(creation.entityRef),
      component: creation.entityRef,
      // the claim's owner annotation names a group; a component owned by a user has none
      ...(creation.owner?.startsWith('group:')
        ? { owner: creation.owner }
        : {}),
    },
    settings.policy,
  );

  const match = findGitopsRepository(repoUrl as string, repositories)!;
  await assertNamesAvailable(checks, settings, request, match, creation);
  return {
    request,
    creation,
    target: {
      // canonical, from the allow-list: nothing of the input's text beyond the match
      repoUrl: gitopsRepoUrl(match),
      // checked above: the given branch, if any, is the configured one
      baseBranch: match.baseBranch,
    },
  };
}

/**
 * The form's availability check, again, before anything is written (the form is a convenience,
 * not the guard): refuses a database that exists (its claim on the GitOps branch or in a
 * cluster), a name or secret taken by another database, or an open pull request adding another
 * team's database of the same name (the pull request step would otherwise push over its
 * branch). A GitOps repository that cannot be read stops the task; a cluster that cannot be
 * read does not (the GitOps branch is where claims come from). The SSM parameters are checked by
 * the credentials action as it writes them.
 */
async function assertNamesAvailable(
  checks: CreationChecks,
  settings: ModuleSettings,
  request: DatabaseRequest,
  repository: GitopsRepository,
  creation: AuthorizedCreation,
): Promise<void> {
  const found = await checkNames(
    {
      policy: settings.policy,
      gitops: checks.gitops,
      clusters: checks.clusters,
    },
    request,
    repository,
    { entityRef: creation.entityRef, initiator: creation.initiator },
  );
  const unread = found.find(
    c =>
      c.state === 'unknown' &&
      (c.subject === 'gitops' || c.subject === 'pullRequest'),
  );
  if (unread) {
    throw new Error(
      `Could not check whether the database ${request.namespace}/${request.name} already exists; nothing was written: ${unread.message}`,
    );
  }
  const blocking =
    found.find(c => c.state === 'exists') ??
    found.find(c => c.state === 'taken');
  if (blocking) {
    throw new ConflictError(
      `${blocking.message}${
        blocking.url ? ` (${blocking.url})` : ''
      } Nothing was written.`,
    );
  }
}
