import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { ANNOTATION_LOCATION, Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  CatalogService,
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  ClaimsResponse,
  DATABASE_RESOURCE_TYPE,
} from '@bizmatters/plugin-postgres-common';
import {
  CLAIMS_UNREAD_REASON_ANNOTATION,
  CLAIMS_UNREAD_SINCE_ANNOTATION,
  clusterLocation,
  clusterOfLocation,
  ComponentFields,
  componentFields,
  databaseEntity,
  markUnread,
  OWNERSHIP_MISMATCH_ANNOTATION,
} from './databaseEntity';

/** Components asked of the catalog per request. */
const BATCH_SIZE = 500;
/** How long the postgres backend may take to list every cluster's claims. */
const CLAIMS_TIMEOUT_MS = 60_000;

/** What one refresh did, for logs and tests. */
export interface RefreshSummary {
  /** Resources emitted (read now, and kept). */
  entities: number;
  /** Clusters whose claims could not be read, and why. */
  unread: Record<string, string>;
  /** Per unread cluster: how many of its last known Resources were kept. */
  kept: Record<string, number>;
}

/**
 * Makes every PostgresInstance claim of every cluster a catalog Resource of type `database`
 * (see {@link databaseEntity}). The claims come from the postgres backend (`GET
 * /api/postgres/v1/claims`, as a service), which reads the clusters through Backstage's
 * Kubernetes backend with the same cached reads as the Databases tab and the fleet.
 *
 * Each refresh replaces the provider's Resources (a full mutation: a deleted claim's Resource
 * goes away), except that a cluster whose claims cannot be read keeps its last known Resources,
 * marked with `bizmatters.io/claims-unread-since` and `-reason`, and is logged. The last known
 * Resources are read back from the catalog, which every replica shares and which outlives a
 * restart (this replica's own last read stands in for a cluster the catalog has not processed
 * yet); when the catalog cannot be read either, nothing is applied.
 */
export class DatabaseEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  /** Per cluster: the Resources of this replica's last successful read. */
  private readonly lastRead = new Map<string, Entity[]>();

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
    const failed = new Map<string, string>();
    for (const c of response.clusters) {
      if (!c.claims) failed.set(c.cluster, c.error ?? 'not read');
    }
    const read = response.clusters.filter(c => c.claims);
    const components = await this.readComponents(
      read.flatMap(c =>
        c.claims!.flatMap(k => (k.entityRef ? [k.entityRef] : [])),
      ),
    );

    const current = new Map<string, Entity[]>();
    let ownerless = 0;
    let mismatched = 0;
    for (const { cluster, claims } of read) {
      const entities: Entity[] = [];
      for (const claim of claims!) {
        const entity = databaseEntity(
          cluster,
          claim,
          claim.entityRef ? components.get(claim.entityRef) : undefined,
        );
        if (!entity) ownerless++;
        else {
          entities.push(entity);
          if (entity.metadata.annotations?.[OWNERSHIP_MISMATCH_ANNOTATION])
            mismatched++;
        }
      }
      current.set(cluster, entities);
    }
    if (ownerless) {
      logger.warn(
        `${ownerless} PostgresInstance claims name no component the catalog has with an owner (bizmatters.io/entity-ref): they are not in the catalog`,
      );
    }
    if (mismatched) {
      logger.warn(
        `${mismatched} PostgresInstance claims name an owner (bizmatters.io/owner) other than their component’s in the catalog: their Resources are owned as the catalog says, marked ${OWNERSHIP_MISMATCH_ANNOTATION}, and related to no component`,
      );
    }

    // The clusters not read keep what the catalog has of them (all of ours when the postgres
    // backend did not answer), marked as unread since the first refresh that missed them.
    const kept = new Map<string, Entity[]>();
    if (response.error || failed.size) {
      const inCatalog = await this.readOwnEntities();
      const clusters = response.error
        ? new Set([...inCatalog.keys(), ...this.lastRead.keys()])
        : new Set(failed.keys());
      const now = new Date().toISOString();
      for (const cluster of clusters) {
        const reason = response.error ?? failed.get(cluster) ?? 'not read';
        if (response.error) failed.set(cluster, reason);
        const last = inCatalog.get(cluster) ?? this.lastRead.get(cluster) ?? [];
        const marked = last.find(
          e => e.metadata.annotations?.[CLAIMS_UNREAD_SINCE_ANNOTATION],
        )?.metadata.annotations;
        const since = marked?.[CLAIMS_UNREAD_SINCE_ANNOTATION] ?? now;
        const why = marked?.[CLAIMS_UNREAD_REASON_ANNOTATION] ?? reason;
        kept.set(
          cluster,
          last.map(e => markUnread(e, since, why)),
        );
        logger.warn(
          `Cluster ${cluster}: its PostgresInstance claims could not be read (${reason}); its ${last.length} database Resources are kept as last read, marked unread since ${since}`,
        );
      }
    }

    const emitted: DeferredEntity[] = [];
    for (const [cluster, entities] of [...current, ...kept]) {
      const locationKey = clusterLocation(cluster);
      emitted.push(...entities.map(entity => ({ entity, locationKey })));
    }
    await this.connection.applyMutation({ type: 'full', entities: emitted });

    for (const [cluster, entities] of current)
      this.lastRead.set(cluster, entities);
    if (!response.error) {
      for (const cluster of [...this.lastRead.keys()]) {
        if (!current.has(cluster) && !failed.has(cluster))
          this.lastRead.delete(cluster);
      }
    }
    const summary: RefreshSummary = {
      entities: emitted.length,
      unread: Object.fromEntries(failed),
      kept: Object.fromEntries([...kept].map(([c, e]) => [c, e.length])),
    };
    logger.debug(
      `Database Resources refreshed: ${summary.entities} from ${
        current.size + kept.size
      } clusters, ${failed.size} not read`,
    );
    return summary;
  }

  /**
   * The Resources of this provider the catalog has, per cluster, as emitted (the fields the
   * provider writes). Throws when the catalog does not answer: the refresh then applies nothing.
   */
  private async readOwnEntities(): Promise<Map<string, Entity[]>> {
    const { auth, catalog } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: { kind: 'Resource', 'spec.type': DATABASE_RESOURCE_TYPE },
        fields: [
          'apiVersion',
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'metadata.description',
          'metadata.annotations',
          'metadata.tags',
          'spec',
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const out = new Map<string, Entity[]>();
    for (const entity of items) {
      const cluster = clusterOfLocation(
        entity.metadata.annotations?.[ANNOTATION_LOCATION],
      );
      if (cluster === undefined) continue; // not ours (a Resource registered otherwise)
      if (!out.has(cluster)) out.set(cluster, []);
      out.get(cluster)!.push(entity);
    }
    return out;
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
