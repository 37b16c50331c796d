/**
 * A request for one PostgreSQL database: the fields of the "New Postgres DB" form, the inputs
 * of the scaffolder actions and the description of a `PostgresInstance` claim.
 *
 * @public
 */
export interface DatabaseRequest {
  /** The claim's name; also the CNPG Cluster's name (a DNS-1035 label of at most 50 characters). */
  name: string;
  /** Namespace of the claim, the ExternalSecret and both secrets. */
  namespace: string;
  /** The service that owns the database; used in the SSM path. */
  service: string;
  /** The environment; used in the SSM path. */
  environment: string;
  /** One of the policy's sizes (default small, medium, large). */
  size: string;
  /** One of the policy's PostgreSQL major versions. */
  version: string;
  /** Storage in GB, an integer within the policy's bounds. */
  storageGB: number;
  /** The application database CNPG creates. */
  databaseName: string;
  /** The role that owns the database; must equal the username written to SSM. */
  databaseOwner: string;
  /** Secret the application reads (default `<service>-postgres`). */
  connectionSecretName?: string;
  /** Basic-auth secret made by the ExternalSecret (default `<name>-credentials`). */
  credentialsSecretName?: string;
  /** Catalog entity ref of the owning component, e.g. `component:default/agent-executor`. */
  component?: string;
  /** Catalog entity ref of the group that owns the database, e.g. `group:default/team-agents`. */
  owner?: string;
}

/**
 * The name of a request field.
 *
 * @public
 */
export type DatabaseRequestField = keyof DatabaseRequest;

/**
 * The fields of a request, in form order.
 */
export const DATABASE_REQUEST_FIELDS: readonly DatabaseRequestField[] = [
  'name',
  'namespace',
  'service',
  'environment',
  'size',
  'version',
  'storageGB',
  'databaseName',
  'databaseOwner',
  'connectionSecretName',
  'credentialsSecretName',
  'component',
  'owner',
];

/**
 * One thing wrong with a request: the field and what to change, in a user's words.
 *
 * @public
 */
export interface Problem {
  /** The field to change. */
  field: DatabaseRequestField;
  /** What to change, in a user's words. */
  message: string;
}

/**
 * A request with the optional secret names filled in with their defaults.
 *
 * @public
 */
export type ResolvedDatabaseRequest = DatabaseRequest & {
  connectionSecretName: string;
  credentialsSecretName: string;
};

/**
 * Fills in the defaults of the optional names: `<service>-postgres` for the connection secret
 * and `<name>-credentials` for the credentials secret, as in the platform's seed.
 *
 * @public
 */
export function resolveDatabaseRequest(
  request: DatabaseRequest,
): ResolvedDatabaseRequest {
  return {
    ...request,
    connectionSecretName:
      request.connectionSecretName ||
      defaultConnectionSecretName(request.service),
    credentialsSecretName:
      request.credentialsSecretName ||
      defaultCredentialsSecretName(request.name),
  };
}

export function defaultConnectionSecretName(service: string): string {
  return `${service}-postgres`;
}

export function defaultCredentialsSecretName(name: string): string {
  return `${name}-credentials`;
}

/**
 * Suggested defaults for a service, as in the seed (`agent-executor` → `agent-executor-db`,
 * `agent_executor`, …), for applyRequestDefaults.
 */
export function suggestNamesForService(service: string): {
  name: string;
  databaseName: string;
  databaseOwner: string;
  connectionSecretName: string;
  credentialsSecretName: string;
} {
  const ident = service.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `${service}-db`;
  return {
    name,
    databaseName: ident,
    databaseOwner: ident,
    connectionSecretName: defaultConnectionSecretName(service),
    credentialsSecretName: defaultCredentialsSecretName(name),
  };
}

/**
 * Fills the fields a form may leave empty: `service` from the component's entity name, and
 * `name`, `databaseName`, `databaseOwner` from the service as in the seed (`agent-executor` →
 * `agent-executor-db`, `agent_executor`, `agent_executor`). Other fields are left as they are; validation comes after. Accepts unknown input.
 *
 * @public
 */
export function applyRequestDefaults(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return input;
  }
  const out: Record<string, unknown> = {
    ...(input as Record<string, unknown>),
  };
  const empty = (k: string) =>
    out[k] === undefined || out[k] === null || out[k] === '';
  if (empty('service') && typeof out.component === 'string') {
    const name = out.component.split('/').pop()!.split(':').pop()!;
    if (name) out.service = name;
  }
  if (typeof out.service === 'string' && out.service !== '') {
    const suggested = suggestNamesForService(out.service);
    for (const k of ['name', 'databaseName', 'databaseOwner'] as const) {
      if (empty(k)) out[k] = suggested[k];
    }
  }
  return out;
}

/**
 * The secrets a claim uses. The SSM variant names them in its spec (`credentialsSecretName`,
 * `connectionSecretName`, made by an ExternalSecret and by Crossplane); the platform's
 * zero-touch variant names none: CloudNative-PG makes `<claim>-app` and Crossplane
 * `<claim>-conn`, and no ExternalSecret is involved.
 *
 * @public
 */
export function claimSecretNames(
  claimName: string,
  spec: {
    credentialsSecretName?: unknown;
    connectionSecretName?: unknown;
  } = {},
): {
  usesExternalSecret: boolean;
  credentialsSecretName: string;
  connectionSecretName: string;
} {
  const credentials =
    typeof spec.credentialsSecretName === 'string'
      ? spec.credentialsSecretName
      : undefined;
  return {
    usesExternalSecret: credentials !== undefined,
    credentialsSecretName: credentials ?? `${claimName}-app`,
    connectionSecretName:
      typeof spec.connectionSecretName === 'string'
        ? spec.connectionSecretName
        : `${claimName}-conn`,
  };
}

/**
 * The seed's complete example (agent-executor in prod), as `fixtures/seed/request.json` has
 * it: the one example request used by the actions' documented examples and the sandbox.
 *
 * @public
 */
export const SEED_EXAMPLE_REQUEST: Readonly<DatabaseRequest> = Object.freeze({
  name: 'agent-executor-db',
  namespace: 'databases',
  service: 'agent-executor',
  environment: 'prod',
  size: 'medium',
  version: '16',
  storageGB: 20,
  databaseName: 'agent_executor_db_prod',
  databaseOwner: 'agent_executor',
  component: 'component:default/agent-executor',
});
