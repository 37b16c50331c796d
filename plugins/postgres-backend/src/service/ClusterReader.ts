import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'crypto';
import {
  DATABASE_SECRET_LABEL,
  KubeObject,
  LabelledSecretSummary,
  POSTGRES_INSTANCE_TYPE,
  SecretSummary,
  summarizeLabelledSecrets,
  summarizeSecret,
} from '@bizmatters/plugin-postgres-common';
import {
  ClusterApiClient,
  KubernetesReadError,
  ReadFailure,
} from './ClusterApiClient';
import { ReadScope } from './ReadScope';
import { TtlCache } from './TtlCache';
import { EVENTS_LIMIT, eventView } from './eventView';

const CLAIM = POSTGRES_INSTANCE_TYPE;
export const CLAIM_PATH = `/apis/${CLAIM.apiVersion}`;
export const CNPG_PATH = '/apis/postgresql.cnpg.io/v1';

type Cached<T> = { readAt: number } & (
  | { ok: T }
  | { error: { failure: ReadFailure; message: string } }
);

/**
 * The kinds listed per namespace (Secrets only by label: see {@link ClusterReader.databaseSecrets}
 * and {@link ClusterReader.secret}).
 */
export type NamespaceKind =
  | 'claims'
  | 'clusters'
  | 'externalSecrets'
  | RecoverabilityKind;

/** The kinds a database's recoverability is read from (CNPG's, and the Barman Cloud plugin's). */
export type RecoverabilityKind =
  | 'backups'
  | 'scheduledBackups'
  | 'objectStores';

/** Where each kind of {@link RecoverabilityKind} is served. */
const RECOVERABILITY_KINDS: Record<
  RecoverabilityKind,
  { apiVersion: string; kind: string; plural: string }
> = {
  backups: {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    plural: 'backups',
  },
  scheduledBackups: {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'ScheduledBackup',
    plural: 'scheduledbackups',
  },
  objectStores: {
    apiVersion: 'barmancloud.cnpg.io/v1',
    kind: 'ObjectStore',
    plural: 'objectstores',
  },
};

const ESO_VERSIONS = ['external-secrets.io/v1beta1', 'external-secrets.io/v1'];

/** How often a replica waiting for another's read looks for its result in the shared cache. */
const LEASE_POLL_MS = 25;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Cached, coalesced reads of the objects a database health view needs: one LIST per kind per
 * namespace for claims, CNPG Clusters and ExternalSecrets (and, for recoverability, CNPG
 * Backups and ScheduledBackups, and the Barman Cloud plugin's ObjectStores where a Cluster
 * names one), a LIST of the Secrets that carry the
 * databases' label, and a GET of each Secret a claim names (never a LIST of all Secrets), shared by every viewer for the cache TTL; concurrent
 * identical reads wait for the same upstream request. Secrets are reduced to summaries as
 * soon as they are read: no secret value is cached or kept.
 *
 * Replicas sharing the cache (Redis) share reads too: a replica that misses the cache takes a
 * lease on the key in it and reads; the others wait for the result to appear in the cache
 * (until the lease is released or runs out) instead of reading the same object themselves.
 */
export class ClusterReader {
  private readonly inflight = new TtlCache<Cached<unknown>>({
    maxEntries: 100_000,
  });
  /** This replica, as a lease holder. */
  private readonly id = randomUUID();
  /** ESO apiVersion that answered, per cluster. */
  private readonly esoVersion = new Map<string, string>();

  constructor(
    private readonly options: {
      client: ClusterApiClient;
      cache: CacheService;
      ttlMs: number;
      logger: LoggerService;
      esoApiVersion: string;
      /** How long another replica waits for this one's read (default 6 s). */
      leaseMs?: number;
    },
  ) {}

  /** How long a read is served from the cache. */
  get ttlMs() {
    return this.options.ttlMs;
  }

  private async cached<T>(
    key: string,
    load: () => Promise<T>,
    scope?: ReadScope,
  ): Promise<T> {
    const cluster = key.split('|')[0];
    // Concurrent identical reads share one: the entry is dropped as soon as it settles.
    const shared = () =>
      this.inflight.get(key, async () => {
        const hit = (await this.options.cache.get(key)) as
          | Cached<T>
          | undefined;
        if (hit) return { value: hit, expiresAt: 0 };
        const lease = `${key}|lease`;
        const theirs = await this.otherReplicasRead<T>(key, lease);
        if (theirs !== 'mine' && theirs) return { value: theirs, expiresAt: 0 };
        let value: Cached<T>;
        const readAt = Date.now();
        try {
          try {
            value = { ok: await load(), readAt };
          } catch (e) {
            if (!(e instanceof KubernetesReadError)) throw e;
            value = {
              error: { failure: e.failure, message: e.message },
              readAt,
            };
          }
          await this.options.cache.set(key, value as any, {
            ttl: this.options.ttlMs,
          });
        } finally {
          if (theirs === 'mine') await this.options.cache.delete(lease);
        }
        return { value, expiresAt: 0 };
      }) as Promise<Cached<T>>;
    const result = scope ? await scope.run(cluster, shared) : await shared();
    scope?.observe(result.readAt ?? 0);
    if ('error' in result) {
      throw new KubernetesReadError(
        cluster,
        result.error.failure,
        result.error.message,
      );
    }
    return result.ok;
  }

  /**
   * The result of another replica's read of `key`, if one holds the lease: polls the cache until
   * the result is there, the lease is released without one (that read failed) or the lease runs
   * out. 'mine' when this replica took the lease, undefined when the other's read gave nothing:
   * either way it reads itself. The cache service has no set-if-absent, so the lease is best
   * effort: replicas missing the same key within one cache round trip may both read.
   */
  private async otherReplicasRead<T>(
    key: string,
    lease: string,
  ): Promise<Cached<T> | 'mine' | undefined> {
    const { cache, leaseMs = 6000 } = this.options;
    if ((await cache.get(lease)) === undefined) {
      await cache.set(lease, this.id, { ttl: leaseMs });
      if ((await cache.get(lease)) === this.id) return 'mine';
    }
    const until = Date.now() + leaseMs;
    while (Date.now() < until) {
      await sleep(LEASE_POLL_MS);
      // the lease first: a holder stores its result before it releases the lease
      const held = (await cache.get(lease)) !== undefined;
      const hit = (await cache.get(key)) as Cached<T> | undefined;
      if (hit) return hit;
      if (!held) return undefined;
    }
    return undefined;
  }

  /** Names of the Kubernetes backend's clusters. */
  clusters(scope?: ReadScope): Promise<string[]> {
    return this.cached(
      '|clusters',
      () => this.options.client.listClusters(),
      scope,
    );
  }

  /** Claims in every namespace of a cluster, optionally filtered by a label selector. */
  claims(
    cluster: string,
    labelSelector?: string,
    scope?: ReadScope,
  ): Promise<KubeObject[]> {
    const query = labelSelector
      ? `?labelSelector=${encodeURIComponent(labelSelector)}`
      : '';
    const path = `${CLAIM_PATH}/${CLAIM.plural}${query}`;
    return this.cached(
      `${cluster}|${path}`,
      async () => this.items(cluster, path, CLAIM.apiVersion, CLAIM.kind),
      scope,
    );
  }

  /** One kind in one namespace. */
  inNamespace(
    cluster: string,
    namespace: string,
    kind: NamespaceKind,
    scope?: ReadScope,
  ): Promise<KubeObject[]> {
    const ns = encodeURIComponent(namespace);
    switch (kind) {
      case 'claims': {
        const path = `${CLAIM_PATH}/namespaces/${ns}/${CLAIM.plural}`;
        return this.cached(
          `${cluster}|${path}`,
          () => this.items(cluster, path, CLAIM.apiVersion, CLAIM.kind),
          scope,
        );
      }
      case 'clusters': {
        const path = `${CNPG_PATH}/namespaces/${ns}/clusters`;
        return this.cached(
          `${cluster}|${path}`,
          () => this.items(cluster, path, 'postgresql.cnpg.io/v1', 'Cluster'),
          scope,
        );
      }
      case 'backups':
      case 'scheduledBackups':
      case 'objectStores':
        return this.recoverabilityList(cluster, kind, ns, scope);
      case 'externalSecrets':
      default:
        return this.cached(
          `${cluster}|eso|${namespace}`,
          () => this.externalSecrets(cluster, ns),
          scope,
        );
    }
  }

  /**
   * Backups, ScheduledBackups or ObjectStores of one namespace (URL-encoded) or, without `ns`,
   * of all: one LIST, cached like every other; a kind the cluster does not serve (the Barman
   * Cloud plugin not installed) lists as empty.
   */
  private recoverabilityList(
    cluster: string,
    kind: RecoverabilityKind,
    ns: string | undefined,
    scope?: ReadScope,
  ): Promise<KubeObject[]> {
    const { apiVersion, kind: kindName, plural } = RECOVERABILITY_KINDS[kind];
    const path = `/apis/${apiVersion}${
      ns === undefined ? '' : `/namespaces/${ns}`
    }/${plural}`;
    return this.cached(
      `${cluster}|${path}`,
      async () => {
        try {
          return await this.items(cluster, path, apiVersion, kindName);
        } catch (e) {
          if (e instanceof KubernetesReadError && e.failure === 'notFound')
            return [];
          throw e;
        }
      },
      scope,
    );
  }

  /**
   * One Secret by name, reduced to its summary at once (no value is kept); null when it does not
   * exist. Needs only `get` on secrets.
   */
  secret(
    cluster: string,
    namespace: string,
    name: string,
    scope?: ReadScope,
  ): Promise<SecretSummary | null> {
    const path = `/api/v1/namespaces/${encodeURIComponent(
      namespace,
    )}/secrets/${encodeURIComponent(name)}`;
    return this.cached(
      `${cluster}|${path}`,
      async () => {
        try {
          const secret = await this.options.client.get(cluster, path);
          return secret ? summarizeSecret(secret) : null;
        } catch (e) {
          if (e instanceof KubernetesReadError && e.failure === 'notFound')
            return null;
          throw e;
        }
      },
      scope,
    );
  }

  /**
   * The Secrets that carry {@link DATABASE_SECRET_LABEL} (the databases' own), of one namespace
   * or, without `namespace`, of all, in one LIST selected by that label on the API server,
   * reduced to summaries at once (no value is kept; an item without the label is dropped
   * unread). No other Secret is transferred. Needs `list` on secrets (cluster-wide without
   * `namespace`).
   */
  databaseSecrets(
    cluster: string,
    namespace?: string,
    scope?: ReadScope,
  ): Promise<LabelledSecretSummary[]> {
    const path = `/api/v1${
      namespace === undefined
        ? ''
        : `/namespaces/${encodeURIComponent(namespace)}`
    }/secrets?labelSelector=${encodeURIComponent(DATABASE_SECRET_LABEL)}`;
    return this.cached(
      `${cluster}|${path}`,
      async () => {
        const list = await this.options.client.get<{ items?: KubeObject[] }>(
          cluster,
          path,
        );
        return summarizeLabelledSecrets((list?.items ?? []) as any[]);
      },
      scope,
    );
  }

  /**
   * CNPG Clusters or ExternalSecrets of every namespace of a cluster, in one LIST (for views
   * spanning many namespaces, such as the fleet). Needs cluster-wide `list`; a 403 is thrown
   * like any other read failure, so callers can fall back to {@link ClusterReader.inNamespace}.
   */
  allNamespaces(
    cluster: string,
    kind: 'clusters' | 'externalSecrets' | 'backups' | 'scheduledBackups',
    scope?: ReadScope,
  ): Promise<KubeObject[]> {
    if (kind === 'backups' || kind === 'scheduledBackups') {
      return this.recoverabilityList(cluster, kind, undefined, scope);
    }
    if (kind === 'clusters') {
      const path = `${CNPG_PATH}/clusters`;
      return this.cached(
        `${cluster}|${path}`,
        () => this.items(cluster, path, 'postgresql.cnpg.io/v1', 'Cluster'),
        scope,
      );
    }
    return this.cached(
      `${cluster}|eso|*`,
      () => this.externalSecrets(cluster),
      scope,
    );
  }

  /**
   * The core/v1 Events of one kind of object in one namespace: one LIST selected on the API
   * server by `involvedObject.kind` (at most {@link EVENTS_LIMIT}), shared by every database of
   * that namespace whose failing hop is of that kind, and cached like every other read. Each
   * event is cut down at once to the fields {@link recentEvents} reads. Needs `list` on events.
   */
  events(
    cluster: string,
    namespace: string,
    kind: string,
    scope?: ReadScope,
  ): Promise<KubeObject[]> {
    const path = `/api/v1/namespaces/${encodeURIComponent(
      namespace,
    )}/events?fieldSelector=${encodeURIComponent(
      `involvedObject.kind=${kind}`,
    )}&limit=${EVENTS_LIMIT}`;
    return this.cached(
      `${cluster}|${path}`,
      async () => {
        const list = await this.options.client.get<{ items?: any[] }>(
          cluster,
          path,
        );
        return (list?.items ?? []).map(eventView);
      },
      scope,
    );
  }

  /** A LIST's items, stamped with apiVersion and kind (the API server leaves them out of items). */
  private async items(
    cluster: string,
    path: string,
    apiVersion: string,
    kind: string,
  ): Promise<KubeObject[]> {
    const list = await this.options.client.get<{ items?: KubeObject[] }>(
      cluster,
      path,
    );
    return (list?.items ?? []).map(i => ({ ...i, apiVersion, kind }));
  }

  /**
   * ExternalSecrets in the configured apiVersion, falling back to the one the cluster serves;
   * of one namespace (URL-encoded) or, without `ns`, of all.
   */
  private async externalSecrets(
    cluster: string,
    ns?: string,
  ): Promise<KubeObject[]> {
    const preferred =
      this.esoVersion.get(cluster) ?? this.options.esoApiVersion;
    const order = [preferred, ...ESO_VERSIONS.filter(v => v !== preferred)];
    let lastError: KubernetesReadError | undefined;
    for (const apiVersion of order) {
      try {
        const items = await this.items(
          cluster,
          `/apis/${apiVersion}${
            ns === undefined ? '' : `/namespaces/${ns}`
          }/externalsecrets`,
          apiVersion,
          'ExternalSecret',
        );
        this.esoVersion.set(cluster, apiVersion);
        return items;
      } catch (e) {
        if (!(e instanceof KubernetesReadError) || e.failure !== 'notFound')
          throw e;
        lastError = e;
      }
    }
    throw new KubernetesReadError(
      cluster,
      'notFound',
      `External Secrets is not installed in cluster ${cluster}: neither ${order.join(
        ' nor ',
      )} ExternalSecrets are served (${lastError?.message ?? 'not found'})`,
    );
  }
}
