/**
 * Naming rules of Kubernetes, CloudNative-PG, PostgreSQL and AWS SSM. Each returns a message
 * that says what to change, or undefined when the value is fine.
 */

export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const PG_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** A Kubernetes label value (the length limit of 63 is checked apart). */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENTITY_REF =
  /^(?:([a-zA-Z][a-zA-Z0-9]*):)?(?:([a-z0-9A-Z][-a-z0-9A-Z_.]*)\/)?([a-z0-9A-Z][-a-z0-9A-Z_.]*)$/;

/**
 * True when a value may stand in a Kubernetes label (at most 63 characters), e.g. an entity's
 * Kubernetes id used in a label selector.
 *
 * @public
 */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Longest CNPG Cluster name (the webhook's limit, so that pod and service names fit). */
const MAX_CLUSTER_NAME_LENGTH = 50;
/** PostgreSQL's NAMEDATALEN - 1. */
const MAX_PG_IDENTIFIER_BYTES = 63;

/** Roles CNPG reserves for itself (pkg/postgres/roles.go). */
export const RESERVED_ROLES = ['postgres', 'streaming_replica'] as const;
/** Role name prefixes CNPG and PostgreSQL reserve. */
export const RESERVED_ROLE_PREFIXES = ['cnpg_', 'pg_'] as const;
/** Databases that exist in every cluster and must not be the application's. */
const RESERVED_DATABASES = ['postgres', 'template0', 'template1'] as const;

function describe(value: string): string {
  return value.length > 40 ? `'${value.slice(0, 40)}…'` : `'${value}'`;
}

export function checkClusterName(value: string): string | undefined {
  if (value.length > MAX_CLUSTER_NAME_LENGTH) {
    return `Use at most ${MAX_CLUSTER_NAME_LENGTH} characters (this has ${value.length}); CloudNative-PG derives pod and service names from it.`;
  }
  if (!DNS1035_LABEL.test(value)) {
    return `${describe(
      value,
    )} is not allowed: use lowercase letters, digits and '-', start with a letter and end with a letter or digit, e.g. 'orders-db'.`;
  }
  return undefined;
}

export function checkNamespace(value: string): string | undefined {
  if (value.length > 63) {
    return `Use at most 63 characters (this has ${value.length}).`;
  }
  if (!DNS1123_LABEL.test(value)) {
    return `${describe(
      value,
    )} is not a Kubernetes namespace name: use lowercase letters, digits and '-', starting and ending with a letter or digit.`;
  }
  if (value.startsWith('kube-')) {
    return `Namespaces starting with 'kube-' belong to Kubernetes itself; choose your team's namespace.`;
  }
  return undefined;
}

export function checkLabel(value: string, what: string): string | undefined {
  if (value.length > 63) {
    return `Use at most 63 characters for the ${what} (this has ${value.length}).`;
  }
  if (!DNS1123_LABEL.test(value)) {
    return `${describe(
      value,
    )} is not a valid ${what}: use lowercase letters, digits and '-', starting and ending with a letter or digit.`;
  }
  return undefined;
}

export function checkSecretName(value: string): string | undefined {
  if (value.length > 253) {
    return `Use at most 253 characters (this has ${value.length}).`;
  }
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return `${describe(
      value,
    )} is not a valid Kubernetes Secret name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.`;
  }
  return undefined;
}

function utf8Length(value: string): number {
  return new TextEncoder().encode(value).length;
}

function checkPgIdentifier(value: string, what: string): string | undefined {
  if (utf8Length(value) > MAX_PG_IDENTIFIER_BYTES) {
    return `Use at most ${MAX_PG_IDENTIFIER_BYTES} characters for the ${what}; PostgreSQL would silently cut it.`;
  }
  if (!PG_IDENTIFIER.test(value)) {
    return `${describe(
      value,
    )} is not a plain PostgreSQL name: use lowercase letters, digits and '_', starting with a letter or '_', e.g. 'orders_db'.`;
  }
  return undefined;
}

/**
 * Rules for a PostgreSQL database name (a plain identifier, not a system database): a message
 * that says what to change, or undefined when the name is fine.
 *
 * @public
 */
export function checkDatabaseName(value: string): string | undefined {
  const basic = checkPgIdentifier(value, 'database name');
  if (basic) return basic;
  if ((RESERVED_DATABASES as readonly string[]).includes(value)) {
    return `'${value}' is a system database; choose a name for your application's own database, e.g. 'orders'.`;
  }
  return undefined;
}

/**
 * Rules for the role that owns the database (a plain identifier, not a role or prefix reserved
 * for PostgreSQL and CloudNative-PG): a message that says what to change, or undefined.
 *
 * @public
 */
export function checkRoleName(value: string): string | undefined {
  const basic = checkPgIdentifier(value, 'database owner');
  if (basic) return basic;
  if ((RESERVED_ROLES as readonly string[]).includes(value)) {
    return `'${value}' is reserved for CloudNative-PG; choose an application user, e.g. 'orders_app'.`;
  }
  const prefix = RESERVED_ROLE_PREFIXES.find(p => value.startsWith(p));
  if (prefix) {
    return `Names starting with '${prefix}' are reserved for PostgreSQL and CloudNative-PG; choose another owner, e.g. 'orders_app'.`;
  }
  return undefined;
}

/** Parses `[kind:][namespace/]name`; undefined when the text is not an entity ref. */
export function parseEntityRefLoose(
  value: string,
): { kind?: string; namespace?: string; name: string } | undefined {
  const m = ENTITY_REF.exec(value);
  if (!m || m[3].length > 63) return undefined;
  return { kind: m[1], namespace: m[2], name: m[3] };
}

/** The SSM parameter name rules (PutParameter). */
export function checkSsmParameterName(value: string): string | undefined {
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(value)) {
    return `the SSM parameter name '${value}' may only contain letters, digits and '_', '.', '-', '/'.`;
  }
  if (value.length > 1011) {
    return `the SSM parameter name is ${value.length} characters long; SSM allows at most 1011.`;
  }
  const hierarchical = value.startsWith('/');
  const segments = (hierarchical ? value.slice(1) : value).split('/');
  if (segments.some(s => s === '')) {
    return `the SSM parameter name '${value}' has an empty path segment ('//' or a trailing '/').`;
  }
  if (segments.some(s => s === '.' || s === '..')) {
    return `the SSM parameter name '${value}' may not contain '.' or '..' segments.`;
  }
  if (segments.length > 15) {
    return `the SSM parameter name '${value}' has ${segments.length} levels; SSM allows at most 15.`;
  }
  if (/^(aws|ssm)/i.test(segments[0])) {
    return `the SSM parameter name '${value}' starts with '${segments[0]}'; names beginning with 'aws' or 'ssm' are reserved by AWS.`;
  }
  if (hierarchical === false && segments.length > 1) {
    return `the SSM parameter name '${value}' has levels but does not start with '/'.`;
  }
  return undefined;
}

/** Shortest password accepted or generated. @public */
export const MIN_PASSWORD_LENGTH = 32;

/** Longest password accepted: an SSM standard parameter holds at most 4 KB. */
const MAX_PASSWORD_LENGTH = 4096;

/**
 * The per-field rules as JSON-schema `pattern` / `minLength` / `maxLength`, for forms (the
 * template) that check as the user types, and `message`: the same rule in words, for the
 * form's `errorMessage` (the form shows it after the field's title instead of schema text). The full rules (reserved names, policy) are in
 * validateDatabaseRequest and checkSuppliedPassword.
 *
 * @public
 */
export const FORM_FIELD_RULES = {
  name: {
    pattern: DNS1035_LABEL.source,
    maxLength: MAX_CLUSTER_NAME_LENGTH,
    message: `must be at most ${MAX_CLUSTER_NAME_LENGTH} lowercase letters, digits and '-', starting with a letter and ending with a letter or digit.`,
  },
  namespace: {
    pattern: DNS1123_LABEL.source,
    maxLength: 63,
    message:
      "must be at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
  },
  service: {
    pattern: DNS1123_LABEL.source,
    maxLength: 63,
    message:
      "must be at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
  },
  databaseName: {
    pattern: PG_IDENTIFIER.source,
    maxLength: MAX_PG_IDENTIFIER_BYTES,
    message: `must be at most ${MAX_PG_IDENTIFIER_BYTES} lowercase letters, digits and '_', starting with a letter or '_'.`,
  },
  databaseOwner: {
    pattern: PG_IDENTIFIER.source,
    maxLength: MAX_PG_IDENTIFIER_BYTES,
    message: `must be at most ${MAX_PG_IDENTIFIER_BYTES} lowercase letters, digits and '_', starting with a letter or '_'.`,
  },
  connectionSecretName: {
    pattern: DNS1123_SUBDOMAIN.source,
    maxLength: 253,
    message:
      "must be at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit.",
  },
  credentialsSecretName: {
    pattern: DNS1123_SUBDOMAIN.source,
    maxLength: 253,
    message:
      "must be at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit.",
  },
  /** The optional password field (a Secret field: the form sees only its length). */
  postgresPassword: {
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: MAX_PASSWORD_LENGTH,
    message: `must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters; leave it empty to have one generated.`,
  },
} as const;

/**
 * Rules for a password a user supplies instead of a generated one. The message never repeats
 * the value.
 *
 * @public
 */
export function checkSuppliedPassword(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'The password must be text.';
  if (value.length < MIN_PASSWORD_LENGTH) {
    return `The password must have at least ${MIN_PASSWORD_LENGTH} characters (it has ${value.length}); leave it empty to have one generated.`;
  }
  if (value.length > MAX_PASSWORD_LENGTH) {
    return 'The password is longer than SSM allows for a standard parameter (4 KB).';
  }
  if (/[\s\p{C}]/u.test(value)) {
    return 'The password must not contain spaces, line breaks or control characters.';
  }
  return undefined;
}
