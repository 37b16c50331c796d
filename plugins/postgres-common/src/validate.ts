import { InputError } from '@backstage/errors';
import {
  checkClusterName,
  checkDatabaseName,
  checkLabel,
  checkNamespace,
  checkRoleName,
  checkSecretName,
  isLabelValue,
  parseEntityRefLoose,
} from './names';
import {
  DATABASE_REQUEST_FIELDS,
  DatabaseRequest,
  DatabaseRequestField,
  Problem,
  defaultConnectionSecretName,
  defaultCredentialsSecretName,
} from './request';
import { PostgresPolicyInput, resolvePolicy } from './policy';
import { ssmParameterNames, validateSsmParameterName } from './ssm';

/** Every field but the optional ones (the secret names default from the claim; component is informational). */
const OPTIONAL: readonly DatabaseRequestField[] = [
  'connectionSecretName',
  'credentialsSecretName',
  'component',
  'owner',
];
const REQUIRED = DATABASE_REQUEST_FIELDS.filter(f => !OPTIONAL.includes(f));

const LABELS: Record<DatabaseRequestField, string> = {
  name: 'database name (claim)',
  namespace: 'namespace',
  service: 'service',
  environment: 'environment',
  size: 'size',
  version: 'PostgreSQL version',
  storageGB: 'storage (GB)',
  databaseName: 'database name',
  databaseOwner: 'database owner',
  connectionSecretName: 'connection secret name',
  credentialsSecretName: 'credentials secret name',
  component: 'owning component',
  owner: 'owner group',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(values: string[]): string {
  return values.map(v => `'${v}'`).join(', ');
}

/**
 * Checks a database request against the product's rules and the platform's policy.
 * Returns every problem found (empty when the request is valid); never throws, whatever the input.
 *
 * @public
 */
export function validateDatabaseRequest(
  request: unknown,
  policyInput?: PostgresPolicyInput,
): Problem[] {
  const policy = resolvePolicy(policyInput);
  const problems: Problem[] = [];
  const add = (field: DatabaseRequestField, message: string) =>
    problems.push({ field, message });

  if (!isRecord(request)) {
    for (const field of REQUIRED) add(field, `Enter the ${LABELS[field]}.`);
    return problems;
  }

  const bad = new Set<DatabaseRequestField>();
  const text = (
    field: DatabaseRequestField,
    optional = false,
  ): string | undefined => {
    const value = request[field];
    if (value === undefined || value === null || value === '') {
      if (!optional) {
        add(field, `Enter the ${LABELS[field]}.`);
        bad.add(field);
      }
      return undefined;
    }
    if (typeof value !== 'string') {
      add(field, `The ${LABELS[field]} must be text, not ${typeof value}.`);
      bad.add(field);
      return undefined;
    }
    return value;
  };
  const check = (field: DatabaseRequestField, message: string | undefined) => {
    if (message) {
      add(field, message);
      bad.add(field);
    }
  };

  const name = text('name');
  if (name !== undefined) check('name', checkClusterName(name));

  const namespace = text('namespace');
  if (namespace !== undefined) check('namespace', checkNamespace(namespace));

  const service = text('service');
  if (service !== undefined)
    check('service', checkLabel(service, 'service name'));

  const environment = text('environment');
  if (environment !== undefined) {
    const m = checkLabel(environment, 'environment');
    check(
      'environment',
      m ??
        (policy.environments.includes(environment)
          ? undefined
          : `'${environment}' is not an environment of this platform; choose one of ${list(
              policy.environments,
            )}.`),
    );
  }

  const size = text('size');
  if (
    size !== undefined &&
    !Object.prototype.hasOwnProperty.call(policy.sizes, size)
  ) {
    check(
      'size',
      `'${size}' is not an offered size; choose one of ${list(
        Object.keys(policy.sizes),
      )}.`,
    );
  }

  const rawVersion = request.version;
  const version =
    typeof rawVersion === 'number' && Number.isInteger(rawVersion)
      ? String(rawVersion)
      : text('version');
  if (version !== undefined && !policy.versions.includes(version)) {
    check(
      'version',
      `PostgreSQL '${version}' is not offered; choose one of ${list(
        policy.versions,
      )}.`,
    );
  }

  const storage = request.storageGB;
  const { min, max } = policy.storageGB;
  if (storage === undefined || storage === null || storage === '') {
    check('storageGB', `Enter the storage in GB (${min}–${max}).`);
  } else if (typeof storage !== 'number' || !Number.isFinite(storage)) {
    check(
      'storageGB',
      `The storage must be a whole number of GB between ${min} and ${max}.`,
    );
  } else if (!Number.isInteger(storage)) {
    check(
      'storageGB',
      `Use a whole number of GB between ${min} and ${max} (not ${storage}).`,
    );
  } else if (storage < min || storage > max) {
    check(
      'storageGB',
      `${storage} GB is out of range; choose between ${min} and ${max} GB.`,
    );
  }

  const databaseName = text('databaseName');
  if (databaseName !== undefined)
    check('databaseName', checkDatabaseName(databaseName));

  const databaseOwner = text('databaseOwner');
  if (databaseOwner !== undefined)
    check('databaseOwner', checkRoleName(databaseOwner));

  const connection = text('connectionSecretName', true);
  if (connection !== undefined)
    check('connectionSecretName', checkSecretName(connection));
  const credentials = text('credentialsSecretName', true);
  if (credentials !== undefined)
    check('credentialsSecretName', checkSecretName(credentials));

  const component = text('component', true);
  if (component !== undefined) {
    const ref = parseEntityRefLoose(component);
    if (!ref || !isLabelValue(ref.name)) {
      check(
        'component',
        `'${component}' is not a catalog entity reference; use the form 'component:default/my-service'.`,
      );
    }
  }

  const owner = text('owner', true);
  if (owner !== undefined) {
    const ref = parseEntityRefLoose(owner);
    if (!ref || !isLabelValue(ref.name) || (ref.kind ?? 'group') !== 'group') {
      check(
        'owner',
        `'${owner}' is not a group reference; use the form 'group:default/my-team'.`,
      );
    }
  }

  // Rules across fields, only where their parts are valid on their own.
  const effectiveConnection =
    connection ??
    (service !== undefined && !bad.has('service')
      ? defaultConnectionSecretName(service)
      : undefined);
  const effectiveCredentials =
    credentials ??
    (name !== undefined && !bad.has('name')
      ? defaultCredentialsSecretName(name)
      : undefined);
  if (
    effectiveConnection !== undefined &&
    effectiveConnection === effectiveCredentials &&
    !bad.has('connectionSecretName') &&
    !bad.has('credentialsSecretName')
  ) {
    add(
      connection !== undefined
        ? 'connectionSecretName'
        : 'credentialsSecretName',
      `The connection secret and the credentials secret are both '${effectiveConnection}'; give them different names (Crossplane writes one, External Secrets the other).`,
    );
  }

  if (
    name !== undefined &&
    namespace !== undefined &&
    service !== undefined &&
    environment !== undefined &&
    !['name', 'namespace', 'service', 'environment'].some(f =>
      bad.has(f as DatabaseRequestField),
    )
  ) {
    const names = ssmParameterNames(
      { name, namespace, service, environment },
      policy,
    );
    for (const n of [names.user, names.password]) {
      const m = validateSsmParameterName(n);
      if (m) {
        add('service', `With this service ${m}`);
        break;
      }
    }
    if (names.user === names.password) {
      add(
        'service',
        `The SSM path pattern gives the same name for user and password ('${names.user}'); the platform team must add '{key}' to postgres.ssm.pathPattern.`,
      );
    }
  }

  return problems;
}

/**
 * The rules of one field on its own, for a form that checks as the user types: the message
 * {@link validateDatabaseRequest} gives for `field` (the same rules the actions run), or
 * undefined when the value is fine. An empty value is not checked (the form's `required` and
 * the actions' defaults decide about it).
 *
 * @public
 */
export function checkRequestField(
  field: DatabaseRequestField,
  value: unknown,
  policy?: PostgresPolicyInput,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return validateDatabaseRequest({ [field]: value }, policy).find(
    p => p.field === field,
  )?.message;
}

/**
 * Thrown for an invalid request: an `InputError`, so Backstage's error handling answers 400
 * and the scaffolder shows the message; `problems` carries the details.
 *
 * @public
 */
export class DatabaseRequestError extends InputError {
  /** Every problem of the request. */
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(formatProblems(problems));
    this.name = 'InputError';
    this.problems = problems;
  }
}

/**
 * Narrows unknown input to a valid request; throws with every problem listed otherwise.
 * Numbers in `version` are normalised to strings.
 *
 * @public
 */
export function assertValidDatabaseRequest(
  request: unknown,
  policy?: PostgresPolicyInput,
): DatabaseRequest {
  const problems = validateDatabaseRequest(request, policy);
  if (problems.length > 0) {
    throw new DatabaseRequestError(problems);
  }
  const r = request as Record<string, unknown>;
  const out: DatabaseRequest = {
    name: r.name as string,
    namespace: r.namespace as string,
    service: r.service as string,
    environment: r.environment as string,
    size: r.size as string,
    version: String(r.version),
    storageGB: r.storageGB as number,
    databaseName: r.databaseName as string,
    databaseOwner: r.databaseOwner as string,
  };
  for (const k of [
    'connectionSecretName',
    'credentialsSecretName',
    'component',
    'owner',
  ] as const) {
    if (typeof r[k] === 'string' && r[k] !== '') out[k] = r[k] as string;
  }
  return out;
}

/**
 * One line per problem: `field: message`.
 */
function formatProblems(problems: Problem[]): string {
  return `The database request is not valid:\n${problems
    .map(p => `- ${p.field}: ${p.message}`)
    .join('\n')}`;
}
