import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClaimRef,
  ClusterError,
  DatabaseItem,
  DatabaseObjects,
  DatabasesResponse,
  EntityLike,
  KubeObject,
  StepId,
  deriveDatabaseHealth,
  kubernetesIdOfEntity,
  parsePostgresInstancesAnnotation,
  POSTGRES_INSTANCES_ANNOTATION,
  selectDatabaseObjects,
  SecretSummary,
  toDatabaseItem,
  KUBERNETES_ID_LABEL,
  isLabelValue,
} from '@bizmatters/plugin-postgres-common';
import { createHash } from 'crypto';
import { gzipSync } from 'zlib';
import { ClusterReader, ReadClock } from './ClusterReader';
import { KubernetesReadError } from './KubernetesProxyClient';
import { TtlCache } from './TtlCache';

/**
 * An answer as sent: JSON, the same bytes gzipped for clients that accept gzip, and a weak
 * ETag shared by both (clients revalidating an unchanged answer get a 304).
 */
export interface SerializedAnswer {
  json: string;
  gzip: Buffer;
  etag: string;
}

/** What each kind is, for error messages. */
const WHAT = {
  claims: {
    notInstalled: (c: string) =>
      `The PostgresInstance XRD (xpostgresinstances.database.bizmatters.io) is not installed in cluster ${c}`,
    resource: 'postgresinstances.database.bizmatters.io',
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
  secrets: {
    notInstalled: (c: string) => `cluster ${c} serves no Secrets`,
    resource: 'secrets',
  },
} as const;

function describe(
  e: unknown,
  kind: keyof typeof WHAT,
  cluster: string,
  namespace?: string,
): string {
  if (!(e instanceof KubernetesReadError))
    return `cluster ${cluster}: ${String((e as Error)?.message ?? e)}`;
  switch (e.failure) {
    case 'notFound':
      return kind === 'externalSecrets'
        ? e.message
        : WHAT[kind].notInstalled(cluster);
    case 'forbidden':
      return `The portal may not list ${WHAT[kind].resource}${
        namespace ? ` in namespace ${namespace}` : ''
      } of cluster ${cluster}; grant its service account the list verb on them (RBAC). Kubernetes said: ${
        e.message
      }`;
    default:
      return e.message;
  }
}

/** Finds an entity's databases (and the fleet) and derives their health. */
export class DatabaseService {
  /**
   * Answers as sent, per entity and for the fleet, served until the oldest read behind them
   * expires: a warm view costs no upstream read, no health derivation, no serialization and
   * no compression.
   */
  private readonly answers: TtlCache<SerializedAnswer>;

  constructor(
    private readonly options: {
      reader: ClusterReader;
      logger: LoggerService;
      stuckAfterSeconds?: number;
      /** How many entities' answers are kept; default 10,000. */
      maxAnswers?: number;
    },
  ) {
    this.answers = new TtlCache({ maxEntries: options.maxAnswers ?? 10_000 });
  }

  /** {@link DatabaseService.forEntity}, serialized, from the answer cache when it is fresh. */
  forEntityAnswer(entity: EntityLike): Promise<SerializedAnswer> {
    const key = `entity|${kubernetesIdOfEntity(entity)}|${
      entity.metadata.annotations?.[POSTGRES_INSTANCES_ANNOTATION] ?? ''
    }`;
    return this.answers.get(key, () =>
      this.answer(clock => this.forEntity(entity, clock)),
    );
  }

  /** {@link DatabaseService.fleet}, serialized, from the answer cache when it is fresh. */
  fleetAnswer(): Promise<SerializedAnswer> {
    return this.answers.get('fleet', () =>
      this.answer(clock => this.fleet(clock)),
    );
  }

  private async answer(
    build: (clock: ReadClock) => Promise<DatabasesResponse>,
  ) {
    const clock = new ReadClock();
    const json = JSON.stringify(await build(clock));
    const oldest = Number.isFinite(clock.oldest) ? clock.oldest : Date.now();
    return {
      value: {
        json,
        gzip: gzipSync(json),
        etag: `W/"${createHash('sha1').update(json).digest('base64url')}"`,
      },
      expiresAt: oldest + this.options.reader.ttlMs,
    };
  }

  /** The databases of one catalog entity: claims labelled with its Kubernetes id, plus annotation refs. */
  async forEntity(
    entity: EntityLike,
    clock?: ReadClock,
  ): Promise<DatabasesResponse> {
    const { reader } = this.options;
    const errors: ClusterError[] = [];
    const kubernetesId = kubernetesIdOfEntity(entity);
    const { refs, invalid } = parsePostgresInstancesAnnotation(
      entity.metadata.annotations?.[POSTGRES_INSTANCES_ANNOTATION],
    );
    for (const entry of invalid) {
      errors.push({
        cluster: '',
        message: `The annotation ${POSTGRES_INSTANCES_ANNOTATION} has '${entry}', which is not [cluster/]namespace/name`,
      });
    }
    const clusters = await reader.clusters(clock);
    for (const ref of refs) {
      if (ref.cluster && !clusters.includes(ref.cluster)) {
        errors.push({
          cluster: ref.cluster,
          message: `The annotation names cluster ${ref.cluster}, which the Kubernetes backend does not know`,
        });
      }
    }
    const useLabel = isLabelValue(kubernetesId);
    const found = new Set<string>();
    const perCluster = await Promise.all(
      clusters.map(async cluster => {
        const explicit = refs.filter(r => !r.cluster || r.cluster === cluster);
        try {
          let labelled: KubeObject[] = [];
          if (useLabel) {
            try {
              labelled = await reader.claims(
                cluster,
                `${KUBERNETES_ID_LABEL}=${kubernetesId}`,
                clock,
              );
            } catch (e) {
              // A cluster without the platform's XRD has no claims; only say so when the
              // annotation points at that cluster.
              const named = explicit.some(r => r.cluster === cluster);
              if (
                !(
                  e instanceof KubernetesReadError && e.failure === 'notFound'
                ) ||
                named
              )
                throw e;
              return [];
            }
          }
          const claims = new Map<string, KubeObject>();
          for (const c of labelled)
            claims.set(`${c.metadata?.namespace}/${c.metadata?.name}`, c);
          for (const ref of explicit) {
            const inNs = await reader
              .inNamespace(cluster, ref.namespace, 'claims', clock)
              .catch(e => {
                if (
                  e instanceof KubernetesReadError &&
                  e.failure === 'notFound' &&
                  !ref.cluster
                )
                  return [];
                throw e;
              });
            const claim = inNs.find(c => c.metadata?.name === ref.name);
            if (claim) claims.set(`${ref.namespace}/${ref.name}`, claim);
          }
          for (const key of claims.keys()) {
            found.add(`${cluster}/${key}`);
            found.add(key);
          }
          return await this.itemsFor(
            cluster,
            [...claims.values()],
            errors,
            clock,
          );
        } catch (e) {
          errors.push({ cluster, message: describe(e, 'claims', cluster) });
          return [];
        }
      }),
    );
    for (const ref of refs) {
      const key = ref.cluster
        ? `${ref.cluster}/${ref.namespace}/${ref.name}`
        : `${ref.namespace}/${ref.name}`;
      if (
        !found.has(key) &&
        (!ref.cluster || clusters.includes(ref.cluster)) &&
        !errors.some(e => !ref.cluster || e.cluster === ref.cluster)
      ) {
        errors.push({
          cluster: ref.cluster ?? '',
          message: `The annotation names the PostgresInstance ${
            ref.namespace
          }/${ref.name}, which ${
            ref.cluster
              ? `cluster ${ref.cluster} does not have`
              : 'no cluster has'
          }. If its pull request was just merged, wait for Argo CD to sync.`,
        });
      }
    }
    return { items: perCluster.flat(), errors: dedupe(errors) };
  }

  /** Every claim in every cluster, with its health. */
  async fleet(clock?: ReadClock): Promise<DatabasesResponse> {
    const { reader } = this.options;
    const errors: ClusterError[] = [];
    const clusters = await reader.clusters(clock);
    const perCluster = await Promise.all(
      clusters.map(async cluster => {
        try {
          const claims = await reader.claims(cluster, undefined, clock);
          return await this.itemsFor(cluster, claims, errors, clock, true);
        } catch (e) {
          errors.push({ cluster, message: describe(e, 'claims', cluster) });
          return [];
        }
      }),
    );
    return { items: perCluster.flat(), errors: dedupe(errors) };
  }

  /**
   * Reads each namespace of the claims once per kind and builds their items. `wide` (the
   * fleet): CNPG Clusters and ExternalSecrets come from one cluster-wide LIST each, or per
   * namespace where the portal may only list them per namespace. Secrets are always read per
   * namespace: a cluster-wide LIST would carry every secret of the cluster to the portal.
   */
  private async itemsFor(
    cluster: string,
    claims: KubeObject[],
    errors: ClusterError[],
    clock?: ReadClock,
    wide = false,
  ): Promise<DatabaseItem[]> {
    const { reader } = this.options;
    const readKind =
      (namespace: string, kind: 'clusters' | 'externalSecrets') =>
      async (): Promise<KubeObject[]> => {
        if (wide) {
          try {
            return (await reader.allNamespaces(cluster, kind, clock)).filter(
              o => o.metadata?.namespace === namespace,
            );
          } catch (e) {
            if (
              !(e instanceof KubernetesReadError && e.failure === 'forbidden')
            )
              throw e;
          }
        }
        return reader.inNamespace(cluster, namespace, kind, clock);
      };
    const byNamespace = new Map<string, KubeObject[]>();
    for (const c of claims) {
      const ns = c.metadata?.namespace ?? '';
      if (!byNamespace.has(ns)) byNamespace.set(ns, []);
      byNamespace.get(ns)!.push(c);
    }
    const now = Date.now();
    const out = await Promise.all(
      [...byNamespace].map(async ([namespace, nsClaims]) => {
        const unreadable: Partial<Record<StepId, string>> = {};
        const attempt = async <T>(
          kind: 'clusters' | 'externalSecrets' | 'secrets',
          steps: StepId[],
          read: () => Promise<T[]>,
        ) => {
          try {
            return await read();
          } catch (e) {
            const message = describe(e, kind, cluster, namespace);
            for (const s of steps) unreadable[s] = message;
            errors.push({ cluster, message });
            return [] as T[];
          }
        };
        const [cnpg, eso, secrets] = await Promise.all([
          attempt<KubeObject>(
            'clusters',
            ['cluster'],
            readKind(namespace, 'clusters'),
          ),
          attempt<KubeObject>(
            'externalSecrets',
            ['externalSecret'],
            readKind(namespace, 'externalSecrets'),
          ),
          attempt<SecretSummary>(
            'secrets',
            ['credentialsSecret', 'connectionSecret'],
            () => reader.inNamespace(cluster, namespace, 'secrets', clock),
          ),
        ]);
        return nsClaims.map(claim => {
          const objects: DatabaseObjects = selectDatabaseObjects(
            claim,
            [...cnpg, ...eso],
            secrets,
          );
          if (Object.keys(unreadable).length) objects.unreadable = unreadable;
          const health = deriveDatabaseHealth(objects, {
            now,
            ...(this.options.stuckAfterSeconds
              ? { stuckAfterSeconds: this.options.stuckAfterSeconds }
              : {}),
          });
          return toDatabaseItem(cluster, claim, objects, health);
        });
      }),
    );
    return out
      .flat()
      .sort((a, b) =>
        `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
      );
  }
}

function dedupe(errors: ClusterError[]): ClusterError[] {
  const seen = new Set<string>();
  return errors.filter(e => {
    const key = `${e.cluster}\n${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type { ClaimRef };
