import {
  AvailabilityCheck,
  claimManifestPath,
  creationBranchName,
  DatabaseRequest,
  DatabaseRequestField,
  GitopsRepository,
  PostgresPolicy,
  readClaimManifest,
  resolveDatabaseRequest,
  ssmParameterNames,
} from '@bizmatters/plugin-postgres-common';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { ClusterClaims } from './clusterClaims';
import { GitopsChangeReader } from './existingClaims';
import {
  ParameterConflict,
  ParameterState,
  SsmCredentials,
} from './ssmCredentials';

/** The branch the template's pull request step pushes a new database to. */
export function creationBranch(request: {
  namespace: string;
  name: string;
}): string {
  return creationBranchName(request.namespace, request.name);
}

/** What the names of a new database are checked against. */
export interface AvailabilitySources {
  policy: PostgresPolicy;
  gitops: GitopsChangeReader;
  clusters: Pick<ClusterClaims, 'claimsIn'>;
  /** Absent: the SSM parameters are not checked (the credentials action checks them itself). */
  ssm?: SsmCredentials;
}

/** Who asks, for whom: the validated request of a component the caller may create for. */
export interface AvailabilityAsker {
  /** Full ref of the component (from the catalog). */
  entityRef: string;
  /** The user asking. */
  initiator: string;
  /** The scaffolder task asking, when a task asks. */
  taskId?: string;
}

const messageOf = (e: unknown) => String((e as Error)?.message ?? e);

/** The entity a claim file names, or undefined when it names none or is not a claim. */
function entityOfClaimText(text: string): string | undefined {
  try {
    const ref = readClaimManifest(text).entityRef;
    return ref
      ? stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US')
      : undefined;
  } catch {
    return undefined;
  }
}

/** The claim's file on the base branch, and an open pull request adding it. */
async function gitopsChecks(
  sources: AvailabilitySources,
  request: DatabaseRequest,
  repository: GitopsRepository,
  asker: AvailabilityAsker,
): Promise<AvailabilityCheck[]> {
  const path = claimManifestPath(request, sources.policy);
  const where = `${repository.host}/${repository.owner}/${repository.repo}`;
  const claim = `${request.namespace}/${request.name}`;
  const checks: AvailabilityCheck[] = [];
  try {
    const file = await sources.gitops.readFile(repository, path);
    if (!file) {
      checks.push({ subject: 'gitops', name: path, state: 'free' });
    } else if (entityOfClaimText(file.text) === asker.entityRef) {
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
  return checks;
}

/** The claim and its secrets' names among the claims of its namespace in every cluster. */
async function clusterChecks(
  sources: AvailabilitySources,
  request: DatabaseRequest,
  asker: AvailabilityAsker,
): Promise<AvailabilityCheck[]> {
  const resolved = resolveDatabaseRequest(request);
  const claim = `${request.namespace}/${request.name}`;
  const checks: AvailabilityCheck[] = [];
  const component = parseEntityRef(asker.entityRef);
  const componentPath = `/catalog/${component.namespace}/component/${component.name}`;
  let answer;
  try {
    answer = await sources.clusters.claimsIn(request.namespace);
  } catch (e) {
    return [
      {
        subject: 'claim',
        name: claim,
        state: 'unknown',
        message: `The clusters could not be asked whether ${claim} exists: ${messageOf(
          e,
        )}`,
      },
    ];
  }
  if (answer.error) {
    checks.push({
      subject: 'claim',
      name: claim,
      state: 'unknown',
      message: `The clusters could not be listed: ${answer.error}`,
    });
  }
  // the claim's two secrets: their subject, name, the field that changes it, in a user's words
  const secrets = [
    [
      'credentialsSecret',
      resolved.credentialsSecretName,
      'name',
      'the database name',
    ],
    [
      'connectionSecret',
      resolved.connectionSecretName,
      'connectionSecretName',
      'the connection secret',
    ],
  ] as const;
  let claimState: AvailabilityCheck | undefined;
  const secretChecks = new Map<string, AvailabilityCheck>();
  for (const cluster of answer.clusters) {
    if (!cluster.claims) {
      checks.push({
        subject: 'claim',
        name: claim,
        state: 'unknown',
        message: `The cluster ${cluster.cluster} could not be read${
          cluster.error ? `: ${cluster.error}` : ''
        }; the task checks again.`,
      });
      continue;
    }
    for (const other of cluster.claims) {
      const mine = other.entityRef === asker.entityRef;
      if (other.name === request.name) {
        claimState ??= mine
          ? {
              subject: 'claim',
              name: claim,
              state: 'exists',
              message: `The database ${claim} already exists in the cluster ${cluster.cluster}. Change it from its Databases tab, or choose another name for a new database.`,
              field: 'name',
              url: componentPath,
            }
          : {
              subject: 'claim',
              name: claim,
              state: 'taken',
              message: `Another database named ${claim} already exists: choose another name.`,
              field: 'name',
            };
        continue;
      }
      for (const [subject, name, field, what] of secrets) {
        const used =
          other.secrets?.credentials === name ||
          other.secrets?.connection === name;
        if (!used || secretChecks.has(subject)) continue;
        secretChecks.set(subject, {
          subject,
          name,
          state: 'taken',
          message: mine
            ? `The secret ${name} in ${request.namespace} is already used by ${other.namespace}/${other.name}, another database of this service: change ${what}.`
            : `The secret ${name} in ${request.namespace} is already used by another database: change ${what}.`,
          field,
        });
      }
    }
  }
  checks.push(claimState ?? { subject: 'claim', name: claim, state: 'free' });
  for (const [subject, name] of secrets) {
    checks.push(secretChecks.get(subject) ?? { subject, name, state: 'free' });
  }
  return checks;
}

/** The form field whose change frees a parameter, by why it is not free. */
const CONFLICT_FIELD: Record<ParameterConflict['kind'], DatabaseRequestField> =
  {
    username: 'databaseOwner',
    sameEntity: 'environment',
    otherClaim: 'environment',
    otherAuthor: 'name',
    noUsername: 'name',
    password: 'name',
  };

/** The two SSM parameters, from their metadata and tags. */
async function ssmChecks(
  ssm: SsmCredentials,
  policy: PostgresPolicy,
  request: DatabaseRequest,
  asker: AvailabilityAsker,
): Promise<AvailabilityCheck[]> {
  const names = ssmParameterNames(request, policy);
  const claim = `${request.namespace}/${request.name}`;
  let assessed;
  try {
    assessed = await ssm.assess({
      names,
      username: request.databaseOwner,
      claim,
      entity: asker.entityRef,
      createdBy: asker.initiator,
      taskId: asker.taskId,
      pathPattern: policy.ssm.pathPattern,
    });
  } catch (e) {
    return [names.user, names.password].map(name => ({
      subject: 'ssm' as const,
      name,
      state: 'unknown' as const,
      message: messageOf(e),
    }));
  }
  const check = (name: string, found: ParameterState): AvailabilityCheck => {
    if (found.state === 'free') return { subject: 'ssm', name, state: 'free' };
    if (found.state === 'ours') {
      return {
        subject: 'ssm',
        name,
        state: 'ours',
        message: `You wrote the SSM parameter ${name} for this database in an earlier run: running again reuses it.`,
      };
    }
    const { kind, publicMessage } = found.conflict;
    return {
      subject: 'ssm',
      name,
      state: 'taken',
      message: publicMessage,
      field: CONFLICT_FIELD[kind],
    };
  };
  return [
    check(names.user, assessed.user),
    check(names.password, assessed.password),
  ];
}

/**
 * Whether the names a new database needs are free, in the order a person fixes them: the
 * claim's file and an open pull request in the GitOps repository (when a repository is
 * given), the claim and its secrets' names in every cluster, then the SSM parameters (when
 * `sources.ssm` is given). Nothing is written; no secret value is read; a name held by another
 * team's database is reported as taken, never whose.
 */
export async function checkNames(
  sources: AvailabilitySources,
  request: DatabaseRequest,
  repository: GitopsRepository | undefined,
  asker: AvailabilityAsker,
): Promise<AvailabilityCheck[]> {
  const [gitops, clusters, ssm] = await Promise.all([
    repository ? gitopsChecks(sources, request, repository, asker) : [],
    clusterChecks(sources, request, asker),
    sources.ssm ? ssmChecks(sources.ssm, sources.policy, request, asker) : [],
  ]);
  return [...gitops, ...clusters, ...ssm];
}
