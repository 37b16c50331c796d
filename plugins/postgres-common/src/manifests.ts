import { parse, stringify } from 'yaml';
import { assertValidDatabaseRequest } from './validate';
import { DatabaseRequest, resolveDatabaseRequest } from './request';
import { PostgresPolicyInput, resolvePolicy } from './policy';
import { ssmParameterNames } from './ssm';
import { parseEntityRefLoose } from './names';
import { DATABASE_SECRET_LABEL } from './secrets';
import { expandPattern } from './patterns';
import {
  ENTITY_REF_ANNOTATION,
  OWNER_ANNOTATION,
  normalizeEntityRef,
} from './ownership';
import { POSTGRES_INSTANCE_TYPE } from './claimType';

/** Kind of the platform's claim. */
export const POSTGRES_INSTANCE_KIND = POSTGRES_INSTANCE_TYPE.kind;
/** The label that ties Kubernetes objects to a catalog entity (Backstage's convention). @public */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';
/** Argo CD's sync-wave annotation. */
const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * A minimal Kubernetes object: what this package reads and writes.
 *
 * @public
 */
export interface KubeObject {
  /** The object's API group and version. */
  apiVersion?: string;
  /** The object's kind. */
  kind?: string;
  /** Name, namespace, labels, annotations and timestamps. */
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    [key: string]: unknown;
  };
  /** The desired state, as the object's kind defines it. */
  spec?: any;
  /** The observed state, as the object's kind defines it. */
  status?: any;
  /** Any other top-level field (e.g. a Secret's `data`). */
  [key: string]: unknown;
}

/**
 * The two manifests of one database, as objects.
 *
 * @public
 */
export interface DatabaseManifests {
  /** The ExternalSecret that writes the credentials secret from the SSM parameters. */
  externalSecret: KubeObject;
  /** The `PostgresInstance` claim. */
  postgresInstance: KubeObject;
}

/**
 * The value of the `backstage.io/kubernetes-id` label: the owning component's name,
 * or the service name when no component is given.
 */
export function kubernetesIdFor(
  request: Pick<DatabaseRequest, 'component' | 'service'>,
): string {
  const ref = request.component
    ? parseEntityRefLoose(request.component)
    : undefined;
  return ref?.name ?? request.service;
}

/**
 * Renders the ExternalSecret (sync-wave 0) and the PostgresInstance claim (sync-wave 1) of a
 * request, in the seed platform's shape. Throws an InputError listing the problems of an
 * invalid request.
 *
 * @public
 */
export function renderManifests(
  input: DatabaseRequest,
  policyInput?: PostgresPolicyInput,
): DatabaseManifests {
  const policy = resolvePolicy(policyInput);
  const request = resolveDatabaseRequest(
    assertValidDatabaseRequest(input, policy),
  );
  const ssm = ssmParameterNames(request, policy);
  const labels = { [KUBERNETES_ID_LABEL]: kubernetesIdFor(request) };
  const ownership = ownershipAnnotations(request);
  const es = policy.externalSecret;

  const externalSecret: KubeObject = {
    apiVersion: es.apiVersion,
    kind: 'ExternalSecret',
    metadata: {
      name: request.credentialsSecretName,
      namespace: request.namespace,
      labels,
      annotations: { [SYNC_WAVE_ANNOTATION]: '0', ...ownership },
    },
    spec: {
      refreshInterval: es.refreshInterval,
      secretStoreRef: {
        name: es.secretStoreRef.name,
        kind: es.secretStoreRef.kind,
      },
      target: {
        name: request.credentialsSecretName,
        creationPolicy: 'Owner',
        template: {
          type: 'kubernetes.io/basic-auth',
          // the fleet view lists a namespace's Secrets by this label (never all of them)
          metadata: { labels: { [DATABASE_SECRET_LABEL]: request.name } },
        },
      },
      data: [
        { secretKey: 'username', remoteRef: { key: ssm.user } },
        { secretKey: 'password', remoteRef: { key: ssm.password } },
      ],
    },
  };

  const postgresInstance: KubeObject = {
    apiVersion: POSTGRES_INSTANCE_TYPE.apiVersion,
    kind: POSTGRES_INSTANCE_KIND,
    metadata: {
      name: request.name,
      namespace: request.namespace,
      labels,
      annotations: { [SYNC_WAVE_ANNOTATION]: '1', ...ownership },
    },
    spec: {
      size: request.size,
      version: request.version,
      storageGB: request.storageGB,
      databaseName: request.databaseName,
      databaseOwner: request.databaseOwner,
      connectionSecretName: request.connectionSecretName,
      credentialsSecretName: request.credentialsSecretName,
    },
  };

  return { externalSecret, postgresInstance };
}

/**
 * The annotations that tie a database's objects to its catalog entity and owner group (full
 * entity refs), from the request's `component` and `owner`.
 */
function ownershipAnnotations(
  request: Pick<DatabaseRequest, 'component' | 'owner'>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const entity = request.component
    ? normalizeEntityRef(request.component, 'component')
    : undefined;
  if (entity) out[ENTITY_REF_ANNOTATION] = entity;
  const owner = request.owner
    ? normalizeEntityRef(request.owner, 'group')
    : undefined;
  if (owner) out[OWNER_ANNOTATION] = owner;
  return out;
}

/**
 * YAML text of one or more objects (multi-document when several), by the `yaml` library.
 */
export function toYaml(...objects: unknown[]): string {
  return objects
    .map(o => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join('---\n');
}

/**
 * The folder in the GitOps repository for a request (policy `gitops.pathPattern`, default
 * `databases/{namespace}/{name}`), without leading or trailing slash.
 *
 * @public
 */
export function gitopsPath(
  request: Pick<
    DatabaseRequest,
    'namespace' | 'name' | 'environment' | 'service'
  >,
  policyInput?: PostgresPolicyInput,
): string {
  const pattern = resolvePolicy(policyInput).gitops.pathPattern;
  const path = expandPattern(pattern, {
    namespace: request.namespace,
    name: request.name,
    environment: request.environment,
    service: request.service,
  }).replace(/^\/+|\/+$/g, '');
  const segments = path.split('/');
  if (
    path === '' ||
    segments.some(
      s => s === '' || s === '.' || s === '..' || /[{}\\\0]/.test(s),
    )
  ) {
    throw new Error(
      `postgres.gitops.pathPattern '${pattern}' gives the path '${path}', which is not a plain relative folder`,
    );
  }
  return path;
}

/** File names written for one database. */
const MANIFEST_FILES = {
  externalSecret: 'externalsecret.yaml',
  postgresInstance: 'postgresinstance.yaml',
  kustomization: 'kustomization.yaml',
} as const;

/**
 * The names of the files the template writes in one database's folder ({@link gitopsPath}):
 * what a decommission deletes.
 *
 * @public
 */
export function manifestFileNames(): string[] {
  return Object.values(MANIFEST_FILES);
}

/**
 * Whether a repository path is a database's claim file (the name the template writes it
 * under, in any folder): the file a pull request adds, edits or deletes for a database.
 *
 * @public
 */
export function isClaimManifestFile(path: string): boolean {
  return path.split('/').pop() === MANIFEST_FILES.postgresInstance;
}

/**
 * Where one database's claim (`PostgresInstance`) is written in the GitOps repository: its
 * file in the folder {@link gitopsPath} gives. A database exists there when this file does.
 *
 * @public
 */
export function claimManifestPath(
  request: Pick<
    DatabaseRequest,
    'namespace' | 'name' | 'environment' | 'service'
  >,
  policyInput?: PostgresPolicyInput,
): string {
  return `${gitopsPath(request, policyInput)}/${
    MANIFEST_FILES.postgresInstance
  }`;
}

/**
 * Where one database's ExternalSecret is written in the GitOps repository: beside its claim
 * ({@link claimManifestPath}).
 *
 * @public
 */
export function externalSecretManifestPath(
  request: Pick<
    DatabaseRequest,
    'namespace' | 'name' | 'environment' | 'service'
  >,
  policyInput?: PostgresPolicyInput,
): string {
  return `${gitopsPath(request, policyInput)}/${MANIFEST_FILES.externalSecret}`;
}

/**
 * The SSM parameters an existing database's ExternalSecret reads (`spec.data[].remoteRef.key`
 * of its `username` and `password`) and how often (`spec.refreshInterval`, when set), from its
 * manifest (YAML text): what the portal shows
 * about that database, whatever today's `postgres.ssm.pathPattern` would give. Undefined when
 * the text is not an ExternalSecret mapping both keys.
 *
 * @public
 */
export function readExternalSecretParameters(
  text: string,
): ExternalSecretParameters | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  return externalSecretParameters(doc);
}

/** The SSM parameters an ExternalSecret reads, and how often. @public */
export interface ExternalSecretParameters {
  /** The parameter of the `username` key. */
  user: string;
  /** The parameter of the `password` key. */
  password: string;
  /** `spec.refreshInterval`: how often External Secrets reads them again. */
  refreshInterval?: string;
}

/**
 * {@link readExternalSecretParameters} of an ExternalSecret already parsed (a manifest or the
 * object read from a cluster; untrusted: every field's type is checked).
 *
 * @public
 */
export function externalSecretParameters(
  doc: unknown,
): ExternalSecretParameters | undefined {
  const es = doc as { kind?: unknown; spec?: any } | null | undefined;
  if (es?.kind !== 'ExternalSecret' || !Array.isArray(es.spec?.data)) {
    return undefined;
  }
  const data: unknown[] = es.spec.data;
  const keyOf = (secretKey: string) => {
    const entry = data.find((d: any) => d?.secretKey === secretKey) as any;
    const key = entry?.remoteRef?.key;
    return typeof key === 'string' && key !== '' ? key : undefined;
  };
  const user = keyOf('username');
  const password = keyOf('password');
  if (!user || !password) return undefined;
  const refresh = es.spec.refreshInterval;
  return typeof refresh === 'string' && refresh !== ''
    ? { user, password, refreshInterval: refresh }
    : { user, password };
}

/**
 * The files of one database's folder in the GitOps repository: the two manifests and a
 * kustomization listing them. Keys are file names relative to {@link gitopsPath}.
 *
 * @public
 */
export function renderManifestFiles(
  request: DatabaseRequest,
  policyInput?: PostgresPolicyInput,
): Record<string, string> {
  const { externalSecret, postgresInstance } = renderManifests(
    request,
    policyInput,
  );
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [MANIFEST_FILES.externalSecret, MANIFEST_FILES.postgresInstance],
  };
  return {
    [MANIFEST_FILES.externalSecret]: toYaml(externalSecret),
    [MANIFEST_FILES.postgresInstance]: toYaml(postgresInstance),
    [MANIFEST_FILES.kustomization]: toYaml(kustomization),
  };
}
