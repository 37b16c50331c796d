import {
  AvailabilityCheck,
  ClaimManifest,
  claimSecretNames,
  DatabaseRequest,
  DatabaseRequestField,
  GitopsRepository,
  PostgresPolicy,
  resolveDatabaseRequest,
  ssmParameterNames,
} from '@bizmatters/plugin-postgres-common';
import { parseEntityRef } from '@backstage/catalog-model';
import { ClusterClaims } from './clusterClaims';
import { GitopsChangeReader } from './existingClaims';
import {
  ParameterConflict,
  ParameterState,
  SsmCredentials,
} from './ssmCredentials';
import {
  entityKey,
  GitopsAnswer,
  gitopsChecks,
  messageOf,
} from './availabilityGitops';

export { creationBranch } from './availabilityGitops';

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

/** The claim and its secrets' names among the claims of its namespace in every cluster. */
async function clusterChecks(
  sources: AvailabilitySources,
  request: DatabaseRequest,
  asker: AvailabilityAsker,
  pending: Promise<ClaimManifest[]>,
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
  /** Marks this request's secrets among `used` as taken (the first holder found says why). */
  const takeSecrets = (
    used: Array<string | undefined>,
    how: string,
    ours?: { namespace: string; name: string },
  ) => {
    for (const [subject, name, field, what] of secrets) {
      if (!used.includes(name) || secretChecks.has(subject)) continue;
      secretChecks.set(subject, {
        subject,
        name,
        state: 'taken',
        message: ours
          ? `The secret ${name} in ${request.namespace} ${how} ${ours.namespace}/${ours.name}, another database of this service: change ${what}.`
          : `The secret ${name} in ${request.namespace} ${how} another database: change ${what}.`,
        field,
      });
    }
  };
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
      takeSecrets(
        [other.secrets?.credentials, other.secrets?.connection],
        'is already used by',
        mine ? other : undefined,
      );
    }
  }
  // the secrets an open pull request's claim writes are taken too, though no cluster has them
  for (const other of await pending) {
    if (other.name === request.name) continue;
    const names = claimSecretNames(other.name, other);
    takeSecrets(
      [names.credentialsSecretName, names.connectionSecretName],
      'is written by an open pull request for',
      entityKey(other.entityRef) === asker.entityRef ? other : undefined,
    );
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
  const gitopsAnswer: Promise<GitopsAnswer> = repository
    ? gitopsChecks(sources, request, repository, asker)
    : Promise.resolve({ checks: [], pendingClaims: [] });
  const [gitops, clusters, ssm] = await Promise.all([
    gitopsAnswer,
    clusterChecks(
      sources,
      request,
      asker,
      gitopsAnswer.then(a => a.pendingClaims),
    ),
    sources.ssm ? ssmChecks(sources.ssm, sources.policy, request, asker) : [],
  ]);
  const exists = [...gitops.checks, ...clusters].some(
    c => c.state === 'exists',
  );
  if (!exists) return [...gitops.checks, ...clusters, ...ssm];
  // The database exists: its parameters are the ones its ExternalSecret reads, which today's
  // pattern may no longer give. Unread (no repository, no manifest), none are named.
  const existing = gitops.existingParameters;
  const own: AvailabilityCheck[] = existing
    ? [existing.user, existing.password].map(name => ({
        subject: 'ssm' as const,
        name,
        state: 'exists' as const,
      }))
    : [];
  return [...gitops.checks, ...clusters, ...own];
}
