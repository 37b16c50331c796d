import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  PullRequestState,
  RequestOperation,
} from '@bizmatters/plugin-postgres-common';
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
  /** The record (one database's life) it belongs to: the id of the request that started it. */
  recordId: string;
  /** What its pull request does. */
  operation: RequestOperation;
  /** Its pull request's title (what it changes). */
  title?: string;
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
  /** When the database was first seen gone from every cluster (kept on the record's first row). */
  goneAt?: string;
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
  operation: string;
  title: string | null;
  record_id: string | null;
  gone_at: string | null;
}

const TABLE = 'database_requests';

function toRecord(row: Row): RequestRecord {
  return {
    id: row.id,
    recordId: row.record_id ?? row.id,
    operation: (row.operation ?? 'create') as RequestOperation,
    title: row.title ?? undefined,
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
    goneAt: row.gone_at ?? undefined,
  };
}

/**
 * Database requests in the plugin's own database (`coreServices.database`, migrations shipped
 * in the package's `migrations/`). Every write of a transition only fills an empty column, so
 * replicas that see the same transition agree on its first time.
 */
export class RequestStore {
  private constructor(private readonly db: Knex) {}

  static async create(database: DatabaseService): Promise<RequestStore> {
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
   * Stores a request whose pull request the forge proved to be `request.entityRef`'s; the same
   * pull request registered again for the same entity and claim returns the stored one (a
   * retried task). A row of that pull request stored earlier for another entity or claim (made
   * before requests were bound to their pull requests) is given to the proven one: nobody
   * else's earlier registration makes the owner's fail (`rebound` names what it was).
   * A creation starts a new record; a change joins the database's latest record that is not
   * gone (or starts one, for a database made before requests were tracked).
   */
  async register(
    request: Omit<
      RequestRecord,
      'id' | 'recordId' | 'claimSeenAt' | 'healthyAt' | 'goneAt'
    >,
  ): Promise<{ record: RequestRecord; created: boolean; rebound?: string }> {
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
        return { row, foreign: true };
      }
      return { row, foreign: false };
    };
    const found = await existing();
    if (found && !found.foreign) {
      return { record: toRecord(found.row), created: false };
    }
    const id = found?.row.id ?? randomUUID();
    let recordId = id;
    if (request.operation !== 'create') {
      const latest = await this.db<Row>(TABLE)
        .where({
          entity_ref: request.entityRef,
          namespace: request.namespace,
          name: request.name,
          operation: 'create',
        })
        .whereNull('dismissed_at')
        .whereNull('gone_at')
        .orderBy('requested_at', 'desc')
        .first();
      if (latest) recordId = latest.record_id ?? latest.id;
    }
    if (found) {
      // proven by the forge: the pull request is this entity's, whoever stored it first
      const rebound = `${found.row.entity_ref} ${found.row.namespace}/${found.row.name}`;
      const update = {
        entity_ref: request.entityRef,
        namespace: request.namespace,
        name: request.name,
        requested_by: request.requestedBy,
        operation: request.operation,
        title: request.title ?? null,
        record_id: recordId,
        claim_seen_at: null,
        healthy_at: null,
        gone_at: null,
        dismissed_at: null,
      };
      await this.db<Row>(TABLE).where({ id }).update(update);
      return {
        record: toRecord({ ...found.row, ...update }),
        created: true,
        rebound,
      };
    }
    const row: Row = {
      id,
      record_id: recordId,
      operation: request.operation,
      title: request.title ?? null,
      gone_at: null,
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
      if (raced && !raced.foreign) {
        return { record: toRecord(raced.row), created: false };
      }
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
   * The rows of every record not dismissed that the fleet may list besides its databases:
   * records whose claim was never seen in a cluster (pull request open, merged and waiting for
   * Argo CD, or closed without merge), and records being or having been decommissioned, with
   * all their rows; oldest first.
   */
  async pending(): Promise<RequestRecord[]> {
    const records = this.db<Row>(TABLE)
      .whereNull('dismissed_at')
      .where(q =>
        q
          .where(w =>
            w.where({ operation: 'create' }).whereNull('claim_seen_at'),
          )
          .orWhereNotNull('gone_at')
          .orWhere({ operation: 'decommission' }),
      )
      .select('record_id');
    const rows = await this.db<Row>(TABLE)
      .whereNull('dismissed_at')
      .whereIn('record_id', records)
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

  /** Fills `claim_seen_at`, `healthy_at` or `gone_at` when it is still empty. */
  async markSeen(
    id: string,
    column: 'claim_seen_at' | 'healthy_at' | 'gone_at',
    at: string,
  ) {
    await this.db<Row>(TABLE)
      .where({ id })
      .whereNull(column)
      .update({ [column]: at });
  }

  /** Dismisses a record: every row of it. */
  async dismiss(recordId: string, at: string) {
    await this.db<Row>(TABLE)
      .where({ record_id: recordId })
      .whereNull('dismissed_at')
      .update({ dismissed_at: at });
  }
}
