import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  AvailabilityQuery,
  DatabaseAvailability,
  DatabasesResponse,
  OpenChangesResponse,
  PostgresChoices,
} from '@bizmatters/plugin-postgres-common';

/**
 * Reads database health from the postgres backend.
 *
 * @public
 */
export interface PostgresApi {
  /** The databases of one catalog entity, with their health and per-cluster errors. */
  getEntityDatabases(entity: CompoundEntityRef): Promise<DatabasesResponse>;
  /** Every database in every cluster (the platform team's fleet view). */
  getFleet(): Promise<DatabasesResponse>;
  /** The choices the template's form offers: sizes, versions, environments, storage bounds. */
  getPolicy(): Promise<PostgresChoices>;
  /** Dismisses an abandoned database request of an entity (pull request closed without merge). */
  dismissRequest(entity: CompoundEntityRef, id: string): Promise<void>;
  /**
   * Whether the names a new database needs are free (the scaffolder module's
   * `/postgres/v1/availability`, with the user's credentials): empty `name`, `databaseOwner` and
   * `connectionSecretName` take the actions' defaults.
   */
  checkAvailability(query: AvailabilityQuery): Promise<DatabaseAvailability>;
  /**
   * The open change requests of one of an entity's databases (the change action refuses a
   * second one); optional for apps that provide their own client.
   */
  getOpenChanges?(
    entity: CompoundEntityRef,
    database: { namespace: string; name: string },
  ): Promise<OpenChangesResponse>;
}

/** The backend's path of an entity: `/v1/entities/kind/namespace/name`. */
function entityPath(entity: CompoundEntityRef): string {
  const parts = [
    entity.kind.toLocaleLowerCase('en-US'),
    entity.namespace,
    entity.name,
  ].map(encodeURIComponent);
  return `/v1/entities/${parts.join('/')}`;
}

/**
 * The {@link PostgresApi} of the app: the plugin provides {@link PostgresClient}; an app may
 * override it with its own factory.
 *
 * @public
 */
export const postgresApiRef = createApiRef<PostgresApi>({
  id: 'plugin.postgres.service',
});

/**
 * The default {@link PostgresApi}: discovery for the backend's URL, fetchApi for identity.
 *
 * @public
 */
export class PostgresClient implements PostgresApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  private async get<T>(path: string, pluginId = 'postgres'): Promise<T> {
    const base = await this.options.discoveryApi.getBaseUrl(pluginId);
    const res = await this.options.fetchApi.fetch(`${base}${path}`);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }

  /** {@inheritDoc PostgresApi.getEntityDatabases} */
  getEntityDatabases(entity: CompoundEntityRef): Promise<DatabasesResponse> {
    return this.get(`${entityPath(entity)}/databases`);
  }

  /** {@inheritDoc PostgresApi.dismissRequest} */
  async dismissRequest(entity: CompoundEntityRef, id: string): Promise<void> {
    const base = await this.options.discoveryApi.getBaseUrl('postgres');
    const res = await this.options.fetchApi.fetch(
      `${base}${entityPath(entity)}/requests/${encodeURIComponent(id)}`,
      { method: 'DELETE' },
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
  }

  /** {@inheritDoc PostgresApi.getOpenChanges} */
  getOpenChanges(
    entity: CompoundEntityRef,
    database: { namespace: string; name: string },
  ): Promise<OpenChangesResponse> {
    const params = new URLSearchParams(database);
    return this.get(`${entityPath(entity)}/open-changes?${params}`);
  }

  /** {@inheritDoc PostgresApi.getFleet} */
  getFleet(): Promise<DatabasesResponse> {
    return this.get('/v1/databases');
  }

  /** {@inheritDoc PostgresApi.getPolicy} */
  getPolicy(): Promise<PostgresChoices> {
    return this.get('/v1/policy');
  }

  /** {@inheritDoc PostgresApi.checkAvailability} */
  checkAvailability(query: AvailabilityQuery): Promise<DatabaseAvailability> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      // empty: the actions' default (or, for repoUrl, not checked)
      if (typeof value === 'string' && value !== '') params.set(key, value);
    }
    // the route belongs to the scaffolder backend module, beside the actions it predicts
    return this.get(`/postgres/v1/availability?${params}`, 'scaffolder');
  }
}
