import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  CatalogService,
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { ClaimsResponse } from '@bizmatters/plugin-postgres-common';
import {
  clusterLocation,
  ComponentFields,
  componentFields,
  databaseEntity,
  markUnread,
} from './databaseEntity';

/** Components asked of the catalog per request. */
const BATCH_SIZE = 500;
/** How long the postgres backend may take to list every cluster's claims. */
const CLAIMS_TIMEOUT_MS = 60_000;

/** What one refresh did, for logs and tests. */
export interface RefreshSummary {
  /** `full`: every cluster's Resources are known and replace the catalog's; `delta`: some cluster was never read, its Resources are left as they are. */
  mutation: 'full' | 'delta';
  /** Resources emitted. */
  entities: number;
  /** Clusters whose claims could not be read, and why. */
  unread: Record<string, string>;
}

/**
 * Makes every PostgresInstance claim of every cluster a catalog Resource of type `database`
 * (see {@link databaseEntity}). The claims come from the postgres backend (`GET
 * /api/postgres/v1/claims`, as a service), which reads the clusters through Backstage's
 * Kubernetes backend with the same cached reads as the Databases tab and the fleet.
 *
 * Each refresh replaces the provider's Resources (a deleted claim's Resource goes away), except
 * that a cluster whose claims cannot be read keeps its last known Resources, marked with
 * `bizmatters.io/claims-unread-since` and `-reason`, and is logged. A cluster never read since
 * this backend started has no last known Resources here: the refresh then only adds and
 * updates (a delta) and removes nothing of that cluster's.
 */
export class DatabaseEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  /** The clusters of the last successful listing. */
  private listed?: string[];
  /** Per cluster: the Resources of its last successful read. */
  private readonly lastGood = new Map<string, Entity[]>();
  /** Per cluster whose claims cannot be read: since when and why (the first failed refresh). */
  private readonly unread = new Map<
    string,
    { since: string; reason: string }
  >();

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      catalog: CatalogService;
      logger: LoggerService;
      scheduler: SchedulerService;
      schedule: SchedulerServiceTaskScheduleDefinition;
    },
  ) {}

  getProviderName(): string {
    return 'postgres-databases';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.scheduler.scheduleTask({
      id: `${this.getProviderName()}:refresh`,
      ...this.options.schedule,
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /** Reads every cluster's claims and applies them to the catalog. */
  async refresh(): Promise<RefreshSummary> {
    const { logger } = this.options;
    if (!this.connection) {
      throw new Error('The postgres database provider is not connected');
    }
    const response = await this.readClaims();
    const now = new Date().toISOString();
    const listed = response.error
      ? this.listed ?? []
      : response.clusters.map(c => c.cluster);
    const failed = new Map<string, string>();
    if (response.error) for (const c of listed) failed.set(c, response.error);
    const read = response.clusters.filter(c => c.claims);
    for (const c of response.clusters) {
      if (!c.claims) failed.set(c.cluster, c.error ?? 'not read');
    }
    const components = await this.readComponents(
      read.flatMap(c =>
        c.claims!.flatMap(k => (k.entityRef ? [k.entityRef] : [])),
      ),
    );

    const current = new Map<string, Entity[]>();
    let ownerless = 0;
    for (const { cluster, claims } of read) {
      const entities: Entity[] = [];
      for (const claim of claims!) {
        const entity = databaseEntity(
          cluster,
          claim,
          claim.entityRef ? components.get(claim.entityRef) : undefined,
        );
        if (entity) entities.push(entity);
        else ownerless++;
      }
      current.set(cluster, entities);
    }
    if (ownerless) {
      logger.warn(
        `${ownerless} PostgresInstance claims name no owner (bizmatters.io/owner) and no component with an owner (bizmatters.io/entity-ref): they are not in the catalog`,
      );
    }

    // Complete when every listed cluster is read now or has a last known state.
    const complete =
      (!response.error || this.listed !== undefined) &&
      [...failed.keys()].every(c => this.lastGood.has(c));
    const emitted: DeferredEntity[] = [];
    for (const cluster of listed) {
      const locationKey = clusterLocation(cluster);
      const fresh = current.get(cluster);
      if (fresh) {
        this.unread.delete(cluster);
        emitted.push(...fresh.map(entity => ({ entity, locationKey })));
        continue;
      }
      const reason = failed.get(cluster) ?? 'not read';
      const state = this.unread.get(cluster) ?? { since: now, reason };
      this.unread.set(cluster, state);
      const kept = this.lastGood.get(cluster);
      if (kept) {
        logger.warn(
          `Cluster ${cluster}: its PostgresInstance claims could not be read (${reason}); its ${kept.length} database Resources are kept as last read before ${state.since}`,
        );
        emitted.push(
          ...kept.map(entity => ({
            entity: markUnread(entity, state.since, state.reason),
            locationKey,
          })),
        );
      } else {
        logger.warn(
          `Cluster ${cluster}: its PostgresInstance claims could not be read (${reason}) and were not read since this backend started; its database Resources in the catalog, if any, are left as they are`,
        );
      }
    }
    if (response.error && this.listed === undefined) {
      logger.warn(
        `The PostgresInstance claims could not be read (${response.error}); the database Resources in the catalog are left as they are`,
      );
    }

    if (complete) {
      await this.connection.applyMutation({ type: 'full', entities: emitted });
    } else {
      // Only what is known: the Resources read (and kept), and the removal of those whose
      // claims are gone from clusters read both before and now.
      const removed: { entityRef: string; locationKey: string }[] = [];
      for (const [cluster, entities] of current) {
        const currentRefs = new Set(entities.map(e => stringifyEntityRef(e)));
        for (const before of this.lastGood.get(cluster) ?? []) {
          const ref = stringifyEntityRef(before);
          if (!currentRefs.has(ref))
            removed.push({
              entityRef: ref,
              locationKey: clusterLocation(cluster),
            });
        }
      }
      await this.connection.applyMutation({
        type: 'delta',
        added: emitted,
        removed,
      });
    }

    for (const [cluster, entities] of current)
      this.lastGood.set(cluster, entities);
    if (!response.error) {
      this.listed = listed;
      for (const cluster of [...this.lastGood.keys()]) {
        if (!listed.includes(cluster)) this.lastGood.delete(cluster);
      }
      for (const cluster of [...this.unread.keys()]) {
        if (!listed.includes(cluster)) this.unread.delete(cluster);
      }
    }
    const summary: RefreshSummary = {
      mutation: complete ? 'full' : 'delta',
      entities: emitted.length,
      unread: Object.fromEntries(failed),
    };
    logger.debug(
      `Database Resources refreshed (${summary.mutation}): ${summary.entities} from ${listed.length} clusters, ${failed.size} not read`,
    );
    return summary;
  }

  /** Every cluster's claims from the postgres backend; a failure to ask becomes `error`. */
  private async readClaims(): Promise<ClaimsResponse> {
    const { auth, discovery } = this.options;
    try {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'postgres',
      });
      const res = await fetch(
        `${await discovery.getBaseUrl('postgres')}/v1/claims`,
        {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(CLAIMS_TIMEOUT_MS),
        },
      );
      if (!res.ok) throw await ResponseError.fromResponse(res);
      return (await res.json()) as ClaimsResponse;
    } catch (e) {
      return {
        clusters: [],
        error: `the postgres backend did not list the claims: ${
          (e as Error)?.message ?? e
        }`,
      };
    }
  }

  /** The system and owner of each named component the catalog has, by normalized ref. */
  private async readComponents(
    refs: string[],
  ): Promise<Map<string, ComponentFields>> {
    const { auth, catalog } = this.options;
    const unique = [...new Set(refs)];
    const out = new Map<string, ComponentFields>();
    const credentials = await auth.getOwnServiceCredentials();
    for (let i = 0; i < unique.length; i += BATCH_SIZE) {
      const batch = unique.slice(i, i + BATCH_SIZE);
      const { items } = await catalog.getEntitiesByRefs(
        {
          entityRefs: batch,
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'spec.system',
            'spec.owner',
          ],
        },
        { credentials },
      );
      items.forEach((entity, j) => {
        if (entity) out.set(batch[j], componentFields(entity));
      });
    }
    return out;
  }
}
