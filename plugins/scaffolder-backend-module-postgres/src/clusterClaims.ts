import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  ClaimsResponse,
  DatabasesResponse,
} from '@bizmatters/plugin-postgres-common';

/** How long the postgres backend may take to say which claims exist. */
const TIMEOUT_MS = 30_000;

/** What the clusters hold for an entity, as the postgres backend reads them. */
export interface ClusterClaims {
  /**
   * The databases (claims) that name the entity in every cluster, and the clusters that could
   * not be read, as the user sees them.
   */
  databasesOf(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<DatabasesResponse>;
  /**
   * Every claim of one namespace in every cluster, whoever's (where it is, whom it names, its
   * secrets' names; nothing else), asked with the module's own service credentials: for
   * telling whether a name is taken without showing the user what takes it.
   */
  claimsIn(namespace: string): Promise<ClaimsResponse>;
}

/**
 * {@link ClusterClaims} through the postgres backend's entity route, on behalf of the task's
 * initiator (so the route's own checks apply), with the same reads and caches as the
 * Databases tab.
 */
export class PostgresBackendClusterClaims implements ClusterClaims {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  async databasesOf(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<DatabasesResponse> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const base = await this.discovery.getBaseUrl('postgres');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'postgres',
    });
    const path = [kind, namespace, name].map(encodeURIComponent).join('/');
    return this.get(`${base}/v1/entities/${path}/databases`, token);
  }

  async claimsIn(namespace: string): Promise<ClaimsResponse> {
    const base = await this.discovery.getBaseUrl('postgres');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'postgres',
    });
    return this.get(
      `${base}/v1/claims?namespace=${encodeURIComponent(namespace)}`,
      token,
    );
  }

  private async get<T>(url: string, token: string): Promise<T> {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }
}
