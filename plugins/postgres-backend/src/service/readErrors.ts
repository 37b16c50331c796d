import {
  ClusterError,
  POSTGRES_INSTANCE_TYPE,
} from '@bizmatters/plugin-postgres-common';
import { KubernetesReadError } from './ClusterApiClient';

/**
 * The words of a failed cluster read, as an answer's `errors` entry shows them: what is not
 * installed, what RBAC refuses and what to grant.
 */

/** The claim's resource, as RBAC and the XRD name it. */
const CLAIM_RESOURCE = `${POSTGRES_INSTANCE_TYPE.plural}.${POSTGRES_INSTANCE_TYPE.group}`;

/** What each kind is, for error messages. */
const WHAT = {
  claims: {
    notInstalled: (c: string) =>
      `The ${POSTGRES_INSTANCE_TYPE.kind} XRD (x${CLAIM_RESOURCE}) is not installed in cluster ${c}`,
    resource: CLAIM_RESOURCE,
  },
  clusters: {
    notInstalled: (c: string) =>
      `CloudNative-PG is not installed in cluster ${c} (no postgresql.cnpg.io/v1 Cluster resource)`,
    resource: 'clusters.postgresql.cnpg.io',
  },
  externalSecrets: {
    notInstalled: (_c: string) => '',
    resource: 'externalsecrets.external-secrets.io',
  },
  events: {
    notInstalled: (c: string) => `cluster ${c} serves no Events`,
    resource: 'events',
  },
  secrets: {
    notInstalled: (c: string) => `cluster ${c} serves no Secrets`,
    resource: 'secrets',
  },
  // not installed lists as empty (ClusterReader): only refusals and failures are described
  backups: {
    notInstalled: (_c: string) => '',
    resource: 'backups.postgresql.cnpg.io',
  },
  scheduledBackups: {
    notInstalled: (_c: string) => '',
    resource: 'scheduledbackups.postgresql.cnpg.io',
  },
  objectStores: {
    notInstalled: (_c: string) => '',
    resource: 'objectstores.barmancloud.cnpg.io',
  },
} as const;

/** The kinds whose reads are described. */
export type ReadKind = keyof typeof WHAT;

/** Why reading `kind` of `cluster` (in `namespace`) failed, in words for the answer. */
export function describeReadError(
  e: unknown,
  kind: ReadKind,
  cluster: string,
  namespace?: string,
  verb: 'list' | 'get' = 'list',
): string {
  if (!(e instanceof KubernetesReadError))
    return `cluster ${cluster}: ${String((e as Error)?.message ?? e)}`;
  switch (e.failure) {
    case 'notFound':
      return kind === 'externalSecrets'
        ? e.message
        : WHAT[kind].notInstalled(cluster);
    case 'forbidden':
      return `The portal may not ${verb} ${WHAT[kind].resource}${
        namespace ? ` in namespace ${namespace}` : ''
      } of cluster ${cluster}; grant its service account the ${verb} verb on them (RBAC). Kubernetes said: ${
        e.message
      }`;
    default:
      return e.message;
  }
}

/** An `errors` entry as collected: the namespace it concerns, if any, is kept for filtering. */
export interface ScopedError extends ClusterError {
  namespace?: string;
}

/** The entry as answered (without the namespace it was kept with). */
export function publicError(e: ScopedError): ClusterError {
  return { cluster: e.cluster, message: e.message };
}

/** `errors` without repeats (same cluster, namespace and message), in order. */
export function dedupeErrors<E extends ScopedError>(errors: E[]): E[] {
  const seen = new Set<string>();
  return errors.filter(e => {
    const key = `${e.cluster}\n${e.namespace ?? ''}\n${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
