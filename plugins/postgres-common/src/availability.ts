import { DatabaseRequestField } from './request';

/**
 * Whether one name a new database needs is free: `free` (nothing there), `ours` (written by an
 * earlier run of this same request: running again reuses it), `exists` (this component's
 * database already has it: the database exists), `taken` (something else has it) or `unknown`
 * (it could not be checked).
 *
 * @public
 */
export type AvailabilityState =
  | 'free'
  | 'ours'
  | 'exists'
  | 'taken'
  | 'unknown';

/**
 * What a name belongs to: the claim's file on the GitOps branch, an open pull request adding
 * it, the claim in a cluster, one of its two secrets, or one of its SSM parameters.
 *
 * @public
 */
export type AvailabilitySubject =
  | 'gitops'
  | 'pullRequest'
  | 'claim'
  | 'credentialsSecret'
  | 'connectionSecret'
  | 'ssm';

/**
 * One name checked. Messages never say who else holds a name, or anything of another team's
 * database beyond that the name is used.
 *
 * @public
 */
export interface AvailabilityCheck {
  /** What the name belongs to. */
  subject: AvailabilitySubject;
  /** The name checked: a file path, `namespace/name`, a secret's or a parameter's name. */
  name: string;
  /** Whether it is free. */
  state: AvailabilityState;
  /** In a user's words, when the state is not `free`. */
  message?: string;
  /** The form field whose change frees the name, when changing one does. */
  field?: DatabaseRequestField;
  /** Where a person can see what holds the name, when they may. */
  url?: string;
}

/**
 * The answer for a whole request: `free` (every name free), `retry` (names written by an
 * earlier run of this same request, none taken: running again finishes it), `exists` (the
 * database exists; `url` links to it), `taken` (a name is used by something else) or `unknown`
 * (some name could not be checked; the task checks again).
 *
 * @public
 */
export type AvailabilityVerdict =
  | 'free'
  | 'retry'
  | 'exists'
  | 'taken'
  | 'unknown';

/**
 * The body of the availability route (`GET /api/scaffolder/postgres/v1/availability`).
 *
 * @public
 */
export interface DatabaseAvailability {
  /** The worst state of the checks, as a verdict for the whole request. */
  verdict: AvailabilityVerdict;
  /** One line for the form, from the check that decided the verdict. */
  message: string;
  /** The field to change, when the deciding check names one. */
  field?: DatabaseRequestField;
  /** The existing database or the open pull request, when the caller may see it. */
  url?: string;
  /** Every name checked, in order. */
  checks: AvailabilityCheck[];
}

/**
 * What the availability route is asked (its query parameters): the form's values so far.
 * `component`, `namespace` and `environment` are needed; `name`, `databaseOwner` and
 * `connectionSecretName` take the action's defaults when empty; without `repoUrl` the GitOps
 * repository is not checked.
 *
 * @public
 */
export interface AvailabilityQuery {
  /** The component the database is for (entity ref). */
  component: string;
  /** The claim's namespace. */
  namespace: string;
  /** The environment (in the SSM path). */
  environment: string;
  /** The claim's name (default `<service>-db`). */
  name?: string;
  /** The owner role, the username stored in SSM (default from the service). */
  databaseOwner?: string;
  /** The connection secret's name (default `<service>-postgres`). */
  connectionSecretName?: string;
  /** The GitOps repository (`host?owner=…&repo=…`); without it, not checked. */
  repoUrl?: string;
}

/**
 * The availability route's query parameters, in the order it lists them.
 *
 * @public
 */
export const AVAILABILITY_QUERY_FIELDS: readonly (keyof AvailabilityQuery)[] = [
  'component',
  'namespace',
  'environment',
  'name',
  'databaseOwner',
  'connectionSecretName',
  'repoUrl',
];

const RANK: Record<AvailabilityState, number> = {
  taken: 4,
  exists: 3,
  unknown: 2,
  ours: 1,
  free: 0,
};

const VERDICT: Record<AvailabilityState, AvailabilityVerdict> = {
  taken: 'taken',
  exists: 'exists',
  unknown: 'unknown',
  ours: 'retry',
  free: 'free',
};

/**
 * The verdict of a set of checks: the worst state decides (taken, then exists, then unknown,
 * then ours), the first check in that state gives the message, field and link.
 *
 * @public
 */
export function summarizeAvailability(
  checks: AvailabilityCheck[],
): DatabaseAvailability {
  let decisive: AvailabilityCheck | undefined;
  for (const check of checks) {
    if (!decisive || RANK[check.state] > RANK[decisive.state]) {
      decisive = check;
    }
  }
  if (!decisive || decisive.state === 'free') {
    return {
      verdict: 'free',
      message: 'The names are free.',
      checks,
    };
  }
  const ours = decisive.state === 'ours';
  return {
    verdict: VERDICT[decisive.state],
    message:
      decisive.message ??
      (ours
        ? 'An earlier run of this request wrote some of its names: running again finishes it.'
        : `${decisive.name} is ${decisive.state}.`),
    ...(decisive.field ? { field: decisive.field } : {}),
    ...(decisive.url ? { url: decisive.url } : {}),
    checks,
  };
}

/**
 * Whether a verdict stops the request before anything is written: the database exists, or a
 * name is taken by something else.
 *
 * @public
 */
export function availabilityBlocks(verdict: AvailabilityVerdict): boolean {
  return verdict === 'taken' || verdict === 'exists';
}

/**
 * Whether an SSM path pattern gives each database of a service (in one environment) its own
 * parameters: it holds `{name}`, the claim's name. The seed's pattern
 * (`/zerotouch/{environment}/{service}/postgres/{key}`) does not: one database per service
 * and environment.
 *
 * @public
 */
export function ssmPatternHoldsSeveralDatabases(pattern: string): boolean {
  return pattern.includes('{name}');
}
