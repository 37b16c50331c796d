import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClaimRef,
  ClusterError,
  DatabaseItem,
  DatabaseRequestStatus,
  DatabaseObjects,
  DatabasesResponse,
  EntityLike,
  KubeObject,
  StepId,
  claimEntityRef,
  claimOwnershipInCluster,
  claimSecretNames,
  claimSecretsFromList,
  deriveDatabaseHealth,
  LabelledSecretSummary,
  ENTITY_REF_ANNOTATION,
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
import { ClusterReader } from './ClusterReader';
import { KubernetesReadError } from './KubernetesProxyClient';
import { ReadScope } from './ReadScope';
import { TtlCache } from './TtlCache';

/**
 * An answer as sent: JSON, the same bytes gzipped for clients that accept gzip, and a weak
 * ETag shared by both (clients revalidating an unchanged answer get a 304).
 */
export interface SerializedAnswer {
  /** UTF-8 JSON (a Buffer: half the memory of a string with any non-Latin-1 character). */
  json: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * An entity's answer as sent and, on a Resource, what a caller must be allowed to read for it
 * to be sent: a Resource may be registered by anyone, so its claims are shown only to callers
 * who may read the components they name.
 */
export interface EntityAnswer extends SerializedAnswer {
  /** On a Resource: the components (normalized refs) its shown claims name. */
  components?: string[];
  /** On a Resource: true when a shown claim names no component (nobody may see it there). */
  unnamed?: boolean;
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
interface ScopedError extends ClusterError {
  namespace?: string;
}

/** One database of the fleet, with the entity its claim names (if any). */
export interface FleetEntry {
  item: DatabaseItem;
  /** The claim's `bizmatters.io/entity-ref`, normalized; undefined when it names none. */
  entityRef?: string;
}

/** The entities a fleet's claims name, and a key for that set. */
export interface FleetEntities {
  /** The distinct entity refs the claims name, sorted. */
  entityRefs: string[];
  /** A hash of `entityRefs`: per-caller decisions about them are reused while it is the same. */
  entityRefsKey: string;
}

/** The distinct, sorted `refs` and their key. */
export function entitiesOf(refs: Iterable<string>): FleetEntities {
  const entityRefs = [...new Set(refs)].sort();
  return {
    entityRefs,
    entityRefsKey: createHash('sha1')
      .update(entityRefs.join('\n'))
      .digest('base64url'),
  };
}

/**
 * The fleet as read once and shared by every caller: the full answer (for callers holding
 * `postgres.fleet.read`) and what is needed to cut it down for any other caller.
 */
export interface FleetSnapshot extends FleetEntities {
  full: SerializedAnswer;
  entries: FleetEntry[];
  errors: ScopedError[];
  /** Until when it is fresh: its oldest read's expiry. */
  expiresAt: number;
}

/** How much work one answer may cause; see config.d.ts. */
export interface ReadLimits {
  /** Most refs read from one entity's `bizmatters.io/postgres-instances`; default 20. */
  maxRefsPerEntity: number;
  /** Most upstream reads in flight for one answer; default 8. */
  concurrency: number;
  /** How long one answer waits for upstream reads, in ms; default 15000. */
  deadlineMs: number;
}

/** The normalized ref of an entity: `kind:namespace/name`, lower case. */
export function entityRefOf(entity: EntityLike): string {
  return `${entity.kind ?? 'component'}:${
    entity.metadata.namespace ?? 'default'
  }/${entity.metadata.name}`.toLocaleLowerCase('en-US');
}

/**
 * Finds an entity's databases (and the fleet) and derives their health. A claim is shown on an
 * entity only when its `bizmatters.io/entity-ref` names that entity (claims naming none only
 * under `postgres.claims.showUnannotated`); nothing of a claim naming another entity leaves
 * this class in an entity answer.
 */
export class DatabaseService {
  /**
   * Answers as sent, per entity, served until the oldest read behind them expires: a warm view
   * costs no upstream read, no health derivation, no serialization and no compression.
   */
  private readonly answers: TtlCache<EntityAnswer>;
  /** The last fleet built, and the build under way. */
  private lastFleet?: FleetSnapshot;
  private building?: {
    snapshot: Promise<FleetSnapshot>;
    entities: Promise<FleetEntities>;
  };
  /** How long past its expiry a fleet snapshot is served while the next one is built. */
  private readonly fleetStaleMs: number;
  private readonly limits: ReadLimits;

  constructor(
    private readonly options: {
      reader: ClusterReader;
      logger: LoggerService;
      stuckAfterSeconds?: number;
      /** How many entities' answers are kept; default 10,000. */
      maxAnswers?: number;
      /** Show claims that name no entity (made before the annotation existed); default false. */
      showUnannotated?: boolean;
      limits?: Partial<ReadLimits>;
      /**
       * How long past its expiry a fleet snapshot is still served while the next one is built
       * (stale-while-revalidate), in ms; 0 waits for every rebuild. Default 60,000.
       */
      fleetStaleMs?: number;
    },
  ) {
    this.answers = new TtlCache({ maxEntries: options.maxAnswers ?? 10_000 });
    this.fleetStaleMs = options.fleetStaleMs ?? 60_000;
    this.limits = {
      maxRefsPerEntity: options.limits?.maxRefsPerEntity ?? 20,
      concurrency: options.limits?.concurrency ?? 8,
      deadlineMs: options.limits?.deadlineMs ?? 15_000,
    };
  }

  private scope() {
    return new ReadScope({
      concurrency: this.limits.concurrency,
      deadlineMs: this.limits.deadlineMs,
    });
  }

  /**
   * Until when an answer built from `scope`'s reads may be served: its oldest read's expiry;
   * now when a read was given up at the deadline (the next view tries again, joining the reads
   * still under way).
   */
  private expiry(scope: ReadScope) {
    if (scope.late) return Date.now();
    const oldest = Number.isFinite(scope.oldest) ? scope.oldest : Date.now();
    return oldest + this.options.reader.ttlMs;
  }

  /** {@link DatabaseService.forEntity}, serialized, from the answer cache when it is fresh. */
  forEntityAnswer(entity: EntityLike): Promise<EntityAnswer> {
    const key = `entity|${entityRefOf(entity)}|${kubernetesIdOfEntity(
      entity,
    )}|${entity.metadata.annotations?.[POSTGRES_INSTANCES_ANNOTATION] ?? ''}`;
    return this.answers.get(key, async () => {
      const scope = this.scope();
      const { entries, errors } = await this.entityEntries(entity, scope);
      const value: EntityAnswer = serialize({
        items: entries.map(e => e.item),
        errors,
      });
      if (isResource(entity)) {
        value.components = [
          ...new Set(entries.flatMap(e => (e.entityRef ? [e.entityRef] : []))),
        ];
        value.unnamed = entries.some(e => !e.entityRef);
      }
      return { value, expiresAt: this.expiry(scope) };
    });
  }

  /**
   * The fleet, read once for every caller. Stale-while-revalidate: a fresh snapshot is served
   * as it is; one past its expiry but within `fleetStaleMs` of it is served too while the next
   * one is built (one build at a time, shared by every caller); an older one, or none, is
   * waited for. A failed build keeps the last snapshot (and the next request tries again).
   * `entities`: the entity refs of the snapshot served, known as soon as a build has read the
   * claims (before their other objects), so that per-caller decisions about them can be made
   * while the rest is read.
   */
  fleetSnapshot(): {
    snapshot: Promise<FleetSnapshot>;
    entities: Promise<FleetEntities>;
  } {
    const now = Date.now();
    const current = this.lastFleet;
    if (current && current.expiresAt > now)
      return {
        snapshot: Promise.resolve(current),
        entities: Promise.resolve(current),
      };
    if (!this.building) {
      let claimsRead!: (entities: FleetEntities) => void;
      const entities = new Promise<FleetEntities>(r => (claimsRead = r));
      const snapshot = this.buildFleet(claimsRead).finally(() => {
        this.building = undefined;
      });
      // a build that fails before its claims are read names no entities
      snapshot.catch(() => claimsRead(entitiesOf([])));
      this.building = { snapshot, entities };
    }
    if (current && now < current.expiresAt + this.fleetStaleMs) {
      this.building.snapshot.catch(e =>
        this.options.logger.warn(`The fleet could not be rebuilt: ${e}`),
      );
      return {
        snapshot: Promise.resolve(current),
        entities: Promise.resolve(current),
      };
    }
    return this.building;
  }

  private async buildFleet(
    claimsRead: (entities: FleetEntities) => void,
  ): Promise<FleetSnapshot> {
    const scope = this.scope();
    const { entries, errors, entities } = await this.fleetEntries(
      scope,
      claimsRead,
    );
    const expiresAt = this.expiry(scope);
    const snapshot: FleetSnapshot = {
      full: serialize({
        items: entries.map(e => e.item),
        errors: dedupe(errors.map(publicError)),
      }),
      entries,
      errors,
      ...entities,
      expiresAt,
    };
    this.lastFleet = snapshot;
    return snapshot;
  }

  /**
   * The fleet as a caller sees it: with `visible` (a caller without `postgres.fleet.read`), the
   * databases whose claims name an entity in `visible`, the requests made for one, and only
   * the errors that concern no namespace or a namespace of a database shown (claims naming no
   * entity are never shown then); without it, everything. `requests` (of the fleet, each with
   * its `entityRef`) are added as `requests` when any is shown.
   */
  static fleetView(
    snapshot: FleetSnapshot,
    visible?: ReadonlySet<string>,
    requests: DatabaseRequestStatus[] = [],
  ): SerializedAnswer {
    const shows = (ref: string | undefined) =>
      !visible || (ref !== undefined && visible.has(ref));
    const entries = snapshot.entries.filter(e => shows(e.entityRef));
    const shown = new Set(
      entries.map(e => `${e.item.cluster}/${e.item.namespace}`),
    );
    const errors = snapshot.errors.filter(
      e =>
        !visible ||
        e.namespace === undefined ||
        shown.has(`${e.cluster}/${e.namespace}`),
    );
    const shownRequests = requests.filter(r => shows(r.entityRef));
    // a caller who may see all of it, and no request, gets the very answer fleet readers get
    if (
      entries.length === snapshot.entries.length &&
      errors.length === snapshot.errors.length &&
      !shownRequests.length
    )
      return snapshot.full;
    return serialize({
      items: entries.map(e => e.item),
      errors: dedupe(errors.map(publicError)),
      ...(shownRequests.length ? { requests: shownRequests } : {}),
    });
  }

  /** {@link DatabaseService.fleetSnapshot} as a response body (every database). */
  async fleet(scope?: ReadScope): Promise<DatabasesResponse> {
    const { entries, errors } = await this.fleetEntries(
      scope ?? this.scope(),
      () => {},
    );
    return {
      items: entries.map(e => e.item),
      errors: dedupe(errors.map(publicError)),
    };
  }

  /**
   * The databases of one catalog entity: candidate claims labelled with its Kubernetes id or
   * named in its annotation, of which those that name this entity are shown.
   */
  async forEntity(
    entity: EntityLike,
    scope: ReadScope = this.scope(),
  ): Promise<DatabasesResponse> {
    const { entries, errors } = await this.entityEntries(entity, scope);
    return { items: entries.map(e => e.item), errors };
  }

  /** {@link DatabaseService.forEntity} with the entity each shown claim names. */
  private async entityEntries(
    entity: EntityLike,
    scope: ReadScope,
  ): Promise<{ entries: FleetEntry[]; errors: ClusterError[] }> {
    const { reader, showUnannotated } = this.options;
    const entityRef = entityRefOf(entity);
    const errors: ScopedError[] = [];
    const kubernetesId = kubernetesIdOfEntity(entity);
    const parsed = parsePostgresInstancesAnnotation(
      entity.metadata.annotations?.[POSTGRES_INSTANCES_ANNOTATION],
    );
    for (const entry of parsed.invalid) {
      errors.push({
        cluster: '',
        message: `The annotation ${POSTGRES_INSTANCES_ANNOTATION} has '${entry}', which is not [cluster/]namespace/name`,
      });
    }
    const max = this.limits.maxRefsPerEntity;
    const refs = parsed.refs.slice(0, max);
    if (parsed.refs.length > max) {
      errors.push({
        cluster: '',
        message: `The annotation ${POSTGRES_INSTANCES_ANNOTATION} names ${parsed.refs.length} claims; only the first ${max} are read (postgres.claims.maxRefsPerEntity). Split the entity, or ask the platform team to raise the limit.`,
      });
    }
    let clusters: string[];
    try {
      clusters = await reader.clusters(scope);
    } catch (e) {
      errors.push({ cluster: '', message: describe(e, 'claims', '') });
      return { entries: [], errors: dedupe(errors.map(publicError)) };
    }
    for (const ref of refs) {
      if (ref.cluster && !clusters.includes(ref.cluster)) {
        errors.push({
          cluster: ref.cluster,
          message: `The annotation names cluster ${ref.cluster}, which the Kubernetes backend does not know`,
        });
      }
    }
    // claims carry components' Kubernetes ids, never a Resource's
    const useLabel = !isResource(entity) && isLabelValue(kubernetesId);
    const found = new Set<string>();
    const unread = new Set<string>();
    const perClusterErrors = new Map<string, ScopedError[]>();
    const perCluster = await Promise.all(
      // each cluster's errors apart, joined in cluster order (not in the order reads finish)
      clusters.map(async cluster => {
        const local: ScopedError[] = [];
        perClusterErrors.set(cluster, local);
        const explicit = refs.filter(r => !r.cluster || r.cluster === cluster);
        try {
          let labelled: KubeObject[] = [];
          if (useLabel) {
            try {
              labelled = await reader.claims(
                cluster,
                `${KUBERNETES_ID_LABEL}=${kubernetesId}`,
                scope,
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
          const candidates = new Map<
            string,
            { claim: KubeObject; named: boolean }
          >();
          for (const c of labelled)
            candidates.set(`${c.metadata?.namespace}/${c.metadata?.name}`, {
              claim: c,
              named: false,
            });
          const namespaces = [...new Set(explicit.map(r => r.namespace))];
          const lists = await Promise.all(
            namespaces.map(ns =>
              reader.inNamespace(cluster, ns, 'claims', scope).catch(e => {
                if (
                  e instanceof KubernetesReadError &&
                  e.failure === 'notFound' &&
                  !explicit.some(r => r.namespace === ns && r.cluster)
                )
                  return [] as KubeObject[];
                throw e;
              }),
            ),
          );
          const inNamespace = new Map(
            namespaces.map((ns, i) => [ns, lists[i]]),
          );
          for (const ref of explicit) {
            const claim = inNamespace
              .get(ref.namespace)
              ?.find(c => c.metadata?.name === ref.name);
            if (claim)
              candidates.set(`${ref.namespace}/${ref.name}`, {
                claim,
                named: true,
              });
          }
          const shown: KubeObject[] = [];
          for (const [key, { claim }] of candidates) {
            const ownership = claimOwnershipInCluster(
              cluster,
              claim,
              entityRef,
            );
            // a claim of another entity is not "found": the annotation naming it gets the
            // note of a claim no cluster has (not found, or not yours), with nothing of it
            if (ownership !== 'unannotated' && ownership !== 'ours') continue;
            found.add(`${cluster}/${key}`);
            found.add(key);
            if (ownership === 'ours' || showUnannotated) {
              shown.push(claim);
            } else {
              local.push({
                cluster,
                message: `The PostgresInstance ${key} in cluster ${cluster} is not shown: it does not say which entity it belongs to. Add the annotation '${ENTITY_REF_ANNOTATION}: ${entityRef}' to it and to its ExternalSecret in Git, or ask the platform team to set postgres.claims.showUnannotated.`,
              });
            }
          }
          return await this.itemsFor(cluster, shown, local, scope);
        } catch (e) {
          unread.add(cluster);
          local.push({ cluster, message: describe(e, 'claims', cluster) });
          return [];
        }
      }),
    );
    for (const cluster of clusters)
      errors.push(...perClusterErrors.get(cluster)!);
    for (const ref of refs) {
      const key = ref.cluster
        ? `${ref.cluster}/${ref.namespace}/${ref.name}`
        : `${ref.namespace}/${ref.name}`;
      if (
        !found.has(key) &&
        (!ref.cluster || clusters.includes(ref.cluster)) &&
        !(ref.cluster ? unread.has(ref.cluster) : unread.size > 0)
      ) {
        errors.push({
          cluster: ref.cluster ?? '',
          message: `The annotation ${POSTGRES_INSTANCES_ANNOTATION} names the PostgresInstance ${
            ref.namespace
          }/${ref.name}, which ${
            ref.cluster
              ? `cluster ${ref.cluster} does not have`
              : 'no cluster has'
          } for this entity (not found, or not yours). If its pull request was just merged, wait for Argo CD to sync.`,
        });
      }
    }
    return {
      entries: perCluster.flat(),
      errors: dedupe(errors.map(publicError)),
    };
  }

  /** Every claim in every cluster, with its health and the entity it names. */
  private async fleetEntries(
    scope: ReadScope,
    claimsRead: (entities: FleetEntities) => void,
  ): Promise<{
    entries: FleetEntry[];
    errors: ScopedError[];
    entities: FleetEntities;
  }> {
    const { reader } = this.options;
    const errors: ScopedError[] = [];
    let clusters: string[];
    try {
      clusters = await reader.clusters(scope);
    } catch (e) {
      errors.push({ cluster: '', message: describe(e, 'claims', '') });
      const none = entitiesOf([]);
      claimsRead(none);
      return { entries: [], errors, entities: none };
    }
    const claims = await Promise.all(
      clusters.map(cluster =>
        reader.claims(cluster, undefined, scope).catch(e => {
          errors.push({ cluster, message: describe(e, 'claims', cluster) });
          return undefined;
        }),
      ),
    );
    const entities = entitiesOf(
      claims.flatMap(list =>
        (list ?? []).flatMap(c => {
          const ref = claimEntityRef(c);
          return ref ? [ref] : [];
        }),
      ),
    );
    claimsRead(entities);
    const perCluster = await Promise.all(
      clusters.map(async (cluster, i) => {
        const list = claims[i];
        if (!list) return [];
        try {
          return await this.itemsFor(cluster, list, errors, scope, true);
        } catch (e) {
          errors.push({ cluster, message: describe(e, 'claims', cluster) });
          return [];
        }
      }),
    );
    return { entries: perCluster.flat(), errors: dedupe(errors), entities };
  }

  /**
   * Reads each namespace of the claims once per kind, and the Secrets the claims name, and
   * builds their items. Entity views read each Secret by name (GET). `wide` (the fleet): CNPG
   * Clusters and ExternalSecrets come from one cluster-wide LIST each, or per namespace where
   * the portal may only list them per namespace; Secrets from one cluster-wide LIST selected by
   * the databases' label (`bizmatters.io/postgres-instance`, which no other Secret carries), or
   * one per namespace where that is refused or too large, and by name only those not in it
   * (made before the label, or absent). Both end in the same
   * summaries, `selectDatabaseObjects` and `deriveDatabaseHealth`.
   */
  private async itemsFor(
    cluster: string,
    claims: KubeObject[],
    errors: ScopedError[],
    scope: ReadScope,
    wide = false,
  ): Promise<FleetEntry[]> {
    const { reader } = this.options;
    /** `wide`: a kind's cluster-wide LIST, read once for all namespaces and grouped by them. */
    const grouped = new Map<string, Promise<Map<string, KubeObject[]>>>();
    const allNamespaces = (kind: 'clusters' | 'externalSecrets') => {
      let byNs = grouped.get(kind);
      if (!byNs) {
        byNs = reader.allNamespaces(cluster, kind, scope).then(list => {
          const out = new Map<string, KubeObject[]>();
          for (const o of list) {
            const ns = o.metadata?.namespace ?? '';
            if (!out.has(ns)) out.set(ns, []);
            out.get(ns)!.push(o);
          }
          return out;
        });
        byNs.catch(() => {}); // each namespace's read reports it
        grouped.set(kind, byNs);
      }
      return byNs;
    };
    /** `wide`: the databases' labelled Secrets of every namespace, in one LIST, grouped. */
    let allSecrets:
      | Promise<Map<string, LabelledSecretSummary[]> | undefined>
      | undefined;
    const labelledSecrets = async (namespace: string) => {
      allSecrets ??= reader.databaseSecrets(cluster, undefined, scope).then(
        list => {
          const out = new Map<string, LabelledSecretSummary[]>();
          for (const s of list) {
            if (!out.has(s.namespace)) out.set(s.namespace, []);
            out.get(s.namespace)!.push(s);
          }
          return out;
        },
        e => {
          // refused cluster-wide (RBAC per namespace) or too large: per namespace instead
          if (
            e instanceof KubernetesReadError &&
            (e.failure === 'forbidden' || e.failure === 'tooLarge')
          )
            return undefined;
          throw e;
        },
      );
      const all = await allSecrets;
      if (all) return all.get(namespace) ?? [];
      return reader.databaseSecrets(cluster, namespace, scope);
    };
    const readKind =
      (namespace: string, kind: 'clusters' | 'externalSecrets') =>
      async (): Promise<KubeObject[]> => {
        if (wide) {
          try {
            return (await allNamespaces(kind)).get(namespace) ?? [];
          } catch (e) {
            if (
              !(e instanceof KubernetesReadError && e.failure === 'forbidden')
            )
              throw e;
          }
        }
        return reader.inNamespace(cluster, namespace, kind, scope);
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
        const attempt = async (
          kind: 'clusters' | 'externalSecrets',
          steps: StepId[],
          read: () => Promise<KubeObject[]>,
        ) => {
          try {
            return await read();
          } catch (e) {
            const message = describe(e, kind, cluster, namespace);
            for (const s of steps) unreadable[s] = message;
            errors.push({ cluster, namespace, message });
            return [] as KubeObject[];
          }
        };
        /** A named Secret's summary, null when absent, or the message why it was not read. */
        const secret = async (
          name: string,
        ): Promise<SecretSummary | null | { unread: string }> => {
          try {
            return await reader.secret(cluster, namespace, name, scope);
          } catch (e) {
            const message = describe(e, 'secrets', cluster, namespace, 'get');
            errors.push({ cluster, namespace, message });
            return { unread: message };
          }
        };
        /**
         * The fleet: the namespace's Secrets that carry the databases' label, from the
         * cluster-wide labelled LIST or, where it is refused or too large, the namespace's (an
         * empty list when that fails too: every secret is then read by name, and a failure is
         * reported by those reads).
         */
        const labelled = wide
          ? labelledSecrets(namespace).catch(
              () => [] as LabelledSecretSummary[],
            )
          : Promise.resolve([] as LabelledSecretSummary[]);
        /** A claim's two secrets: from the labelled list, or each by name when not in it. */
        const claimSecrets = async (claim: KubeObject) => {
          const name = claim.metadata?.name ?? '';
          const names = claimSecretNames(name, claim.spec ?? {});
          const listed = claimSecretsFromList(name, names, await labelled);
          return Promise.all([
            listed.credentialsSecret ?? secret(names.credentialsSecretName),
            listed.connectionSecret ?? secret(names.connectionSecretName),
          ]);
        };
        const [cnpg, eso, secrets] = await Promise.all([
          attempt('clusters', ['cluster'], readKind(namespace, 'clusters')),
          attempt(
            'externalSecrets',
            ['externalSecret'],
            readKind(namespace, 'externalSecrets'),
          ),
          Promise.all(nsClaims.map(claimSecrets)),
        ]);
        return nsClaims.map((claim, i) => {
          const summaries: SecretSummary[] = [];
          const claimUnreadable = { ...unreadable };
          secrets[i].forEach((s, j) => {
            if (s && 'unread' in s) {
              claimUnreadable[
                j === 0 ? 'credentialsSecret' : 'connectionSecret'
              ] = s.unread;
            } else if (s) {
              summaries.push(s);
            }
          });
          const objects: DatabaseObjects = selectDatabaseObjects(
            claim,
            [...cnpg, ...eso],
            summaries,
          );
          if (Object.keys(claimUnreadable).length)
            objects.unreadable = claimUnreadable;
          const health = deriveDatabaseHealth(objects, {
            now,
            ...(this.options.stuckAfterSeconds
              ? { stuckAfterSeconds: this.options.stuckAfterSeconds }
              : {}),
          });
          const entityRef = claimEntityRef(claim);
          return {
            item: toDatabaseItem(cluster, claim, objects, health),
            ...(entityRef ? { entityRef } : {}),
          };
        });
      }),
    );
    return out
      .flat()
      .sort((a, b) =>
        `${a.item.namespace}/${a.item.name}`.localeCompare(
          `${b.item.namespace}/${b.item.name}`,
        ),
      );
  }
}

function isResource(entity: EntityLike): boolean {
  return entity.kind?.toLocaleLowerCase('en-US') === 'resource';
}

export function serialize(body: DatabasesResponse): SerializedAnswer {
  const json = Buffer.from(JSON.stringify(body));
  return {
    json,
    gzip: gzipSync(json),
    etag: `W/"${createHash('sha1').update(json).digest('base64url')}"`,
  };
}

function publicError(e: ScopedError): ClusterError {
  return { cluster: e.cluster, message: e.message };
}

function dedupe<E extends ScopedError>(errors: E[]): E[] {
  const seen = new Set<string>();
  return errors.filter(e => {
    const key = `${e.cluster}\n${e.namespace ?? ''}\n${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type { ClaimRef };
