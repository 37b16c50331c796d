import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  checkComponentIdentity,
  checkGitopsTarget,
  claimManifestPath,
  externalSecretManifestPath,
  findGitopsRepository,
  gitopsPath,
  GitopsRepository,
  postgresDatabaseChangePermission,
  ClaimManifest,
  readClaimManifest,
  serviceOfComponent,
} from '@bizmatters/plugin-postgres-common';
import { z as zod } from 'zod/v3';
import { ModuleSettings } from '../config';
import {
  AuthorizedCreation,
  authorizeForComponent,
  CreationAuthorizer,
} from '../authorize';
import { gitopsTargetInputSchema } from './creation';
import { FileText, GitopsChangeReader } from '../existingClaims';

type Z = typeof zod;

/** The input naming an existing database, taken by the day-2 actions. */
export const existingDatabaseInputSchema = {
  component: (z: Z) =>
    z
      .string()
      .describe('The component the database belongs to (its claim names it)'),
  namespace: (z: Z) => z.string().describe("The claim's namespace"),
  name: (z: Z) => z.string().describe("The claim's name"),
  environment: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'Needed only when postgres.gitops.pathPattern uses {environment}',
      ),
  service: (z: Z) =>
    z
      .string()
      .optional()
      .describe('Needed only when postgres.gitops.pathPattern uses {service}'),
  ...gitopsTargetInputSchema,
};

/** An existing database the day-2 actions may act on, and where its files are. */
export interface CheckedDatabase {
  repository: GitopsRepository;
  authorized: AuthorizedCreation;
  /** The database's folder in the GitOps repository. */
  folder: string;
  /** Its claim's file. */
  claimPath: string;
  /** Its ExternalSecret's file (which SSM parameters it reads). */
  externalSecretPath: string;
}

/**
 * What both day-2 actions check first, in order, before anything is read from the repository:
 * the GitOps target against the allow-list, then the component in the catalog and the
 * initiator's `postgres.database.change` on it; and the database's folder from the path
 * pattern. `nothing` ends the errors' messages ("Nothing was written.").
 */
export async function checkExistingDatabase(
  input: {
    component: string;
    namespace: string;
    name: string;
    environment?: string;
    service?: string;
    repoUrl?: string;
    baseBranch?: string;
  },
  settings: ModuleSettings,
  checks: CreationAuthorizer,
  credentials: BackstageCredentials,
  doing: string,
  nothing: string,
): Promise<CheckedDatabase> {
  const repositories = settings.policy.gitops.repositories;
  const targetProblem =
    checkGitopsTarget({ repoUrl: input.repoUrl }, repositories) ??
    checkGitopsTarget(
      { repoUrl: input.repoUrl, baseBranch: input.baseBranch },
      repositories,
    );
  if (targetProblem) {
    throw new InputError(
      `The GitOps target is not allowed; ${nothing.toLocaleLowerCase(
        'en-US',
      )} ${targetProblem}`,
    );
  }
  const repository = findGitopsRepository(input.repoUrl!, repositories)!;
  const authorized = await authorizeForComponent(
    checks,
    input.component,
    credentials,
    { permission: postgresDatabaseChangePermission, doing },
  );
  // the service is the component's name; another is refused (an existing database keeps its
  // paths: they are read from its manifests, not derived again)
  const serviceProblem = checkComponentIdentity(
    input,
    authorized.entityRef,
  ).find(p => p.field === 'service');
  if (serviceProblem) {
    throw new InputError(`service: ${serviceProblem.message} ${nothing}`);
  }
  const where = {
    namespace: input.namespace,
    name: input.name,
    environment: input.environment ?? '',
    service: serviceOfComponent(authorized.entityRef),
  };
  try {
    return {
      repository,
      authorized,
      folder: gitopsPath(where, settings.policy),
      claimPath: claimManifestPath(where, settings.policy),
      externalSecretPath: externalSecretManifestPath(where, settings.policy),
    };
  } catch (e) {
    throw new InputError(`${(e as Error).message}. ${nothing}`);
  }
}

/**
 * The claim of a checked database, read from the GitOps branch: it must exist and name the
 * component (else "not found or not yours": a database of another entity gets the answer of
 * one that does not exist, naming neither the entity its claim names nor the file). `doing`
 * says what is refused ("change", "repair"); `nothing` ends the messages.
 */
export async function readOwnClaim(
  gitops: GitopsChangeReader,
  checked: CheckedDatabase,
  input: { namespace: string; name: string },
  doing: string,
  nothing: string,
): Promise<{ file: FileText; claim: ClaimManifest }> {
  const { repository, authorized, claimPath } = checked;
  const repoName = `${repository.host}/${repository.owner}/${repository.repo}`;
  const notFound = () =>
    new NotFoundError(
      `There is no database ${input.namespace}/${input.name} of ${authorized.entityRef} in ${repoName} (or it is not yours to ${doing}). Choose one of the component's databases (a database whose pull request is not merged yet cannot be changed). ${nothing}`,
    );
  const file = await gitops.readFile(repository, claimPath);
  if (!file) throw notFound();
  let claim: ClaimManifest;
  try {
    claim = readClaimManifest(file.text);
  } catch (e) {
    throw new InputError(
      `${claimPath} (${file.url}) cannot be changed here: ${
        (e as Error).message
      }. ${nothing}`,
    );
  }
  if (
    claim.entityRef?.toLocaleLowerCase('en-US') !== authorized.entityRef ||
    claim.name !== input.name ||
    claim.namespace !== input.namespace
  ) {
    throw notFound();
  }
  return { file, claim };
}
