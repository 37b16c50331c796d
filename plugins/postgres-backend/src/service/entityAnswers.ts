import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ClusterError,
  EntityLike,
  KubeObject,
  claimOwnershipInCluster,
  ENTITY_REF_ANNOTATION,
  kubernetesIdOfEntity,
  parsePostgresInstancesAnnotation,
  POSTGRES_INSTANCES_ANNOTATION,
  KUBERNETES_ID_LABEL,
  isLabelValue,
} from '@bizmatters/plugin-postgres-common';
import { ReadLimits } from '../config';
import { KubernetesReadError } from './ClusterApiClient';
import {
  DatabaseItemsOptions,
  FleetEntry,
  readDatabaseItems,
} from './databaseItems';
import { attachHopEvents } from './hopEvents';
import { ReadScope } from './ReadScope';
import {
  dedupeErrors,
  describeReadError,
  publicError,
  ScopedError,
} from './readErrors';
import { serialize, SerializedAnswer } from './serializedAnswer';
import { TtlCache } from './TtlCache';

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

/** Refs already made, per entity object (the catalog's answers are cached and reused). */
const entityRefs = new WeakMap<EntityLike, string>();

/** The normalized ref of an entity: `kind:namespace/name`, lower case. */
export function entityRefOf(entity: EntityLike): string {
  let ref = entityRefs.get(entity);
  if (ref === undefined) {
    ref = stringifyEntityRef({
      kind: entity.kind ?? 'component',
      namespace: entity.metadata.namespace ?? 'default',
      name: entity.metadata.name,
    }).toLocaleLowerCase('en-US');
    entityRefs.set(entity, ref);
  }
  return ref;
}

/** Answer keys already made, per entity object. */
const answerKeys = new WeakMap<EntityLike, string>();

/** What an entity's answer depends on: its ref, Kubernetes id and annotation. */
function answerKey(entity: EntityLike): string {
  let key = answerKeys.get(entity);
  if (key === undefined) {
    key = `entity|${entityRefOf(entity)}|${kubernetesIdOfEntity(entity)}|${
      entity.metadata.annotations?.[POSTGRES_INSTANCES_ANNOTATION] ?? ''
    }`;
    answerKeys.set(entity, key);
  }
  return key;
}

function isResource(entity: EntityLike): boolean {
  return entity.kind?.toLocaleLowerCase('en-US') === 'resource';
}

/**
 * Finds an entity's databases and derives their health, answered serialized and cached. A
 * claim is shown on an entity only when its `bizmatters.io/entity-ref` names that entity
 * (claims naming none only under `postgres.claims.showUnannotated`); nothing of a claim naming
 * another entity leaves this class.
 */
export class EntityAnswers {
  /**
   * Answers as sent, per entity, served until the oldest read behind them expires: a warm view
   * costs no upstream read, no health derivation, no serialization and no compression.
   */
  private readonly answers: TtlCache<EntityAnswer>;

  constructor(
    private readonly options: DatabaseItemsOptions & {
      /** How many entities' answers are kept. */
      maxAnswers: number;
      /** Show claims that name no entity (made before the annotation existed). */
      showUnannotated: boolean;
      limits: ReadLimits;
    },
  ) {
    this.answers = new TtlCache({ maxEntries: options.maxAnswers });
  }

  /** The databases of `entity`, serialized, from the answer cache when it is fresh. */
  get(entity: EntityLike): Promise<EntityAnswer> {
    return this.answers.get(answerKey(entity), async () => {
      const scope = new ReadScope(this.options.limits);
      const { entries, errors } = await this.entries(entity, scope);
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
      return {
        value,
        expiresAt: scope.answerExpiry(this.options.reader.ttlMs),
      };
    });
  }

  /**
   * The databases of one catalog entity, with the entity each shown claim names: candidate
   * claims labelled with its Kubernetes id or named in its annotation, of which those that
   * name this entity are shown.
   */
  private async entries(
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
    const max = this.options.limits.maxRefsPerEntity;
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
      errors.push({ cluster: '', message: describeReadError(e, 'claims', '') });
      return { entries: [], errors: dedupeErrors(errors.map(publicError)) };
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
          const items = await readDatabaseItems(
            this.options,
            cluster,
            shown,
            local,
            scope,
          );
          await attachHopEvents(reader, cluster, items, scope);
          return items;
        } catch (e) {
          unread.add(cluster);
          local.push({
            cluster,
            message: describeReadError(e, 'claims', cluster),
          });
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
      errors: dedupeErrors(errors.map(publicError)),
    };
  }
}
