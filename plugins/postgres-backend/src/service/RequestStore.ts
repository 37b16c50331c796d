import {
  DatabaseService as BackstageDatabase,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { PullRequestState } from '@bizmatters/plugin-postgres-common';
import { randomUUID } from 'crypto';
import type { Knex } from 'knex';

/** A repository of the forge: host (as in `integrations.github`), owner and name. */
export interface RepositoryRef {
  host: string;
  owner: string;
  repo: string;
}

/** One database request as stored: who asked, its pull request, when each transition was seen. */
export interface RequestRecord {
  id: string;
  entityRef: string;
  namespace: string;
  name: string;
  repository: RepositoryRef;
  pullRequest: { number: number; url: string; state: PullRequestState };
  requestedBy: string;
  requestedAt: string;
  mergedAt?: string;
  closedAt?: string;
  claimSeenAt?: string;
  healthyAt?: string;
}

interface Row {
  id: string;
  entity_ref: string;
  namespace: string;
  name: string;
  repo_host: string;
  repo_owner: string;
  repo_name: string;
  pr_number: number;
  pr_url: string;
  pr_state: string;
  requested_by: string;
  requested_at: string;
  merged_at: string | null;
  closed_at: string | null;
  claim_seen_at: string | null;
  healthy_at: string | null;
  dismissed_at: string | null;
}

const TABLE = 'database_requests';

function toRecord(row: Row): RequestRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    namespace: row.namespace,
    name: row.name,
    repository: {
      host: row.repo_host,
      owner: row.repo_owner,
      repo: row.repo_name,
    },
    pullRequest: {
      number: Number(row.pr_number),
      url: row.pr_url,
      state: row.pr_state as PullRequestState,
    },
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    mergedAt: row.merged_at ?? undefined,
    closedAt: row.closed_at ?? undefined,
    claimSeenAt: row.claim_seen_at ?? undefined,
    healthyAt: row.healthy_at ?? undefined,
  };
}

/**
 * Database requests in the plugin's own database (`coreServices.database`, migrations shipped
 * in the package's `migrations/`). Every write of a transition only fills an empty column, so
 * replicas that see the same transition agree on its first time.
 */
export class RequestStore {
  private constructor(private readonly db: Knex) {}

  static async create(database: BackstageDatabase): Promise<RequestStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({
        directory: resolvePackagePath(
          '@bizmatters/plugin-postgres-backend',
          'migrations',
        ),
      });
    }
    return new RequestStore(client);
  }

  /**
   * Stores a request; the same pull request registered again for the same entity and claim
   * returns the stored one (a retried task). A pull request registered for another entity or
   * claim is a ConflictError.
   */
  async register(
    request: Omit<RequestRecord, 'id' | 'claimSeenAt' | 'healthyAt'>,
  ): Promise<{ record: RequestRecord; created: boolean }> {
    const { repository, pullRequest } = request;
    const where = {
      repo_host: repository.host,
      repo_owner: repository.owner,
      repo_name: repository.repo,
      pr_number: pullRequest.number,
    };
    const existing = async () => {
      const row = await this.db<Row>(TABLE).where(where).first();
      if (!row) return undefined;
      if (
        row.entity_ref !== request.entityRef ||
        row.namespace !== request.namespace ||
        row.name !== request.name
      ) {
        throw new ConflictError(
          `Pull request #${pullRequest.number} of ${repository.host}/${repository.owner}/${repository.repo} is already registered for another database`,
        );
      }
      return toRecord(row);
    };
    const found = await existing();
    if (found) return { record: found, created: false };
    const row: Row = {
      id: randomUUID(),
      entity_ref: request.entityRef,
      namespace: request.namespace,
      name: request.name,
      ...where,
      pr_url: pullRequest.url,
      pr_state: pullRequest.state,
      requested_by: request.requestedBy,
      requested_at: request.requestedAt,
      merged_at: request.mergedAt ?? null,
      closed_at: request.closedAt ?? null,
      claim_seen_at: null,
      healthy_at: null,
      dismissed_at: null,
    };
    try {
      await this.db<Row>(TABLE).insert(row);
    } catch (e) {
      // another replica registered the same pull request at the same time
      const raced = await existing();
      if (raced) return { record: raced, created: false };
      throw e;
    }
    return { record: toRecord(row), created: true };
  }

  /** The requests of an entity that were not dismissed, oldest first. */
  async forEntity(entityRef: string): Promise<RequestRecord[]> {
    const rows = await this.db<Row>(TABLE)
      .where({ entity_ref: entityRef })
      .whereNull('dismissed_at')
      .orderBy('requested_at', 'asc');
    return rows.map(toRecord);
  }

  /**
   * Every request not dismissed whose claim was never seen in a cluster (pull request open,
   * merged and waiting for Argo CD, or closed without merge), oldest first: the fleet's.
   */
  async pending(): Promise<RequestRecord[]> {
    const rows = await this.db<Row>(TABLE)
      .whereNull('dismissed_at')
      .whereNull('claim_seen_at')
      .orderBy('requested_at', 'asc');
    return rows.map(toRecord);
  }

  /** One request of an entity (dismissed or not); undefined when it has none of that id. */
  async get(entityRef: string, id: string): Promise<RequestRecord | undefined> {
    const row = await this.db<Row>(TABLE)
      .where({ entity_ref: entityRef, id })
      .whereNull('dismissed_at')
      .first();
    return row ? toRecord(row) : undefined;
  }

  /** Records what the forge said of the pull request. */
  async setPullRequestState(
    id: string,
    state: PullRequestState,
    times: { mergedAt?: string; closedAt?: string },
  ) {
    await this.db<Row>(TABLE)
      .where({ id })
      .update({
        pr_state: state,
        merged_at: times.mergedAt ?? null,
        closed_at: times.closedAt ?? null,
      });
  }

  /** Fills `claim_seen_at` or `healthy_at` when it is still empty. */
  async markSeen(
    id: string,
    column: 'claim_seen_at' | 'healthy_at',
    at: string,
  ) {
    await this.db<Row>(TABLE)
      .where({ id })
      .whereNull(column)
      .update({ [column]: at });
  }

  async dismiss(id: string, at: string) {
    await this.db<Row>(TABLE)
      .where({ id })
      .whereNull('dismissed_at')
      .update({ dismissed_at: at });
  }
}
