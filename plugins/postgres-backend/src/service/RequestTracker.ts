import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  DatabaseItem,
  DatabaseRequestStatus,
  DatabasesResponse,
  deriveRequestPhase,
  findGitopsRepository,
  GitopsRepository,
  isDismissable,
  isLabelValue,
  timeToHealthySeconds,
} from '@bizmatters/plugin-postgres-common';
import { createHash } from 'crypto';
import {
  entitiesOf,
  FleetEntities,
  FleetSnapshot,
  serialize,
  SerializedAnswer,
} from './DatabaseService';
import { PullRequestReader } from './PullRequestReader';
import { RequestRecord, RequestStore } from './RequestStore';
import { TtlCache } from './TtlCache';

/** What `postgres:request:register` sends: the claim and the pull request that carries it. */
export interface RegisterRequestBody {
  namespace: string;
  name: string;
  repoUrl: string;
  pullRequestNumber: number;
}

function statusOf(
  record: RequestRecord,
  item?: DatabaseItem,
): DatabaseRequestStatus {
  const timeline = {
    requestedAt: record.requestedAt,
    mergedAt: record.mergedAt,
    closedAt: record.closedAt,
    claimSeenAt: record.claimSeenAt,
    healthyAt: record.healthyAt,
  };
  return {
    id: record.id,
    namespace: record.namespace,
    name: record.name,
    entityRef: record.entityRef,
    pullRequest: record.pullRequest,
    requestedBy: record.requestedBy,
    phase: deriveRequestPhase({
      pullRequest: record.pullRequest.state,
      claimPresent: !!item,
      verdict: item?.health.verdict,
      healthyAt: record.healthyAt,
    }),
    timeline,
    timeToHealthySeconds: timeToHealthySeconds(timeline),
  };
}

/** The fleet's requests whose claim is not in it (yet), and the entities they were made for. */
export interface FleetRequests extends FleetEntities {
  /** Oldest first, each with its `entityRef`. */
  requests: DatabaseRequestStatus[];
  /** A hash of `requests`: views made with them are reused while it is the same. */
  requestsKey: string;
}

/**
 * Database requests from the moment they are made: registered by the scaffolder action, kept in
 * the plugin's database, their pull requests followed on the forge (a bounded number of calls
 * per TTL: {@link PullRequestReader}), and joined to an entity's answer: a request whose claim
 * is in a cluster goes on that item (`request`), the others in `requests`. The first sighting
 * of the claim and of the database healthy is stored.
 */
export class RequestTracker {
  /** Per entity: its requests, reused for the TTL (this process's writes start afresh). */
  private readonly records: TtlCache<RequestRecord[]>;
  /** Per entity and database answer: the answer with its requests. */
  private readonly answers: TtlCache<SerializedAnswer>;
  /** Per fleet snapshot: its requests (few kept: one snapshot is served at a time). */
  private readonly fleet = new TtlCache<FleetRequests>({ maxEntries: 4 });
  /** Bumped by every write of this process: cached records of before are not used again. */
  private generation = 0;

  constructor(
    private readonly options: {
      store: RequestStore;
      pulls: PullRequestReader;
      repositories: readonly GitopsRepository[];
      ttlMs: number;
      logger: LoggerService;
      maxEntities?: number;
    },
  ) {
    const maxEntries = options.maxEntities ?? 10_000;
    this.records = new TtlCache({ maxEntries });
    this.answers = new TtlCache({ maxEntries });
  }

  private recordsOf(entityRef: string): Promise<RequestRecord[]> {
    return this.records.get(`${entityRef}|${this.generation}`, async () => ({
      value: await this.options.store.forEntity(entityRef),
      expiresAt: Date.now() + this.options.ttlMs,
    }));
  }

  /** Validates and registers a request for `entityRef`, made by `requestedBy`. */
  async register(
    entityRef: string,
    requestedBy: string,
    body: Partial<RegisterRequestBody>,
  ): Promise<{ request: DatabaseRequestStatus; created: boolean }> {
    const { namespace, name, repoUrl, pullRequestNumber } = body ?? {};
    for (const [field, value] of Object.entries({ namespace, name })) {
      if (
        typeof value !== 'string' ||
        !isLabelValue(value) ||
        value.length > 63
      ) {
        throw new InputError(
          `${field} must be the claim's ${field} (a DNS label of at most 63 characters)`,
        );
      }
    }
    if (!Number.isSafeInteger(pullRequestNumber) || pullRequestNumber! < 1) {
      throw new InputError('pullRequestNumber must be a positive whole number');
    }
    const repository =
      typeof repoUrl === 'string'
        ? findGitopsRepository(repoUrl, this.options.repositories)
        : undefined;
    if (!repository) {
      throw new InputError(
        `repoUrl must name one of the GitOps repositories of postgres.gitops.repositories`,
      );
    }
    // Proof from the forge: the pull request exists in that repository and targets its branch.
    let pr;
    try {
      pr = await this.options.pulls.pull(repository, pullRequestNumber!);
    } catch (e) {
      if ((e as { response?: { status?: number } }).response?.status === 404) {
        throw new InputError(
          `There is no pull request #${pullRequestNumber} in ${repository.host}/${repository.owner}/${repository.repo}`,
        );
      }
      throw e;
    }
    if (pr.baseRef !== repository.baseBranch) {
      throw new InputError(
        `Pull request #${pr.number} targets ${pr.baseRef}, not ${repository.baseBranch} of ${repository.host}/${repository.owner}/${repository.repo}`,
      );
    }
    const { record, created } = await this.options.store.register({
      entityRef,
      namespace: namespace!,
      name: name!,
      repository,
      pullRequest: { number: pr.number, url: pr.url, state: pr.state },
      requestedBy,
      requestedAt: new Date().toISOString(),
      mergedAt: pr.mergedAt,
      closedAt: pr.state === 'closed' ? pr.closedAt : undefined,
    });
    this.generation++;
    return { request: statusOf(record), created };
  }

  /** Dismisses an abandoned request of `entityRef`. */
  async dismiss(entityRef: string, id: string): Promise<void> {
    const record = await this.options.store.get(entityRef, id);
    if (!record) throw new NotFoundError(`No request ${id} on ${entityRef}`);
    const { phase } = statusOf(record);
    if (!isDismissable(phase)) {
      throw new ConflictError(
        `The request for ${record.namespace}/${record.name} is ${phase}; only a request whose pull request was closed without merge may be dismissed`,
      );
    }
    await this.options.store.dismiss(id, new Date().toISOString());
    this.generation++;
  }

  /**
   * Brings the pull request state of open requests up to date: one list of open pull requests
   * per repository and TTL; a request whose pull request left the list is read once.
   */
  private async refreshPulls(records: RequestRecord[]) {
    const open = records.filter(r => r.pullRequest.state === 'open');
    await Promise.all(
      open.map(async record => {
        try {
          const list = await this.options.pulls.openPulls(record.repository);
          if (
            list.numbers.includes(record.pullRequest.number) ||
            Date.parse(record.requestedAt) >= list.readAt
          ) {
            return;
          }
          const pr = await this.options.pulls.pull(
            record.repository,
            record.pullRequest.number,
          );
          if (pr.state === 'open') return;
          const times = {
            mergedAt: pr.mergedAt,
            closedAt: pr.state === 'closed' ? pr.closedAt : undefined,
          };
          await this.options.store.setPullRequestState(
            record.id,
            pr.state,
            times,
          );
          record.pullRequest = { ...record.pullRequest, state: pr.state };
          Object.assign(record, times);
        } catch (e) {
          // the last known state stays; the next view tries again
          this.options.logger.warn(
            `Could not read pull request #${record.pullRequest.number} of ${record.repository.host}/${record.repository.owner}/${record.repository.repo}: ${e}`,
          );
        }
      }),
    );
  }

  /**
   * `answer` (an entity's databases) with the entity's requests: unchanged when it has none.
   * Forge reads are bounded per TTL whatever the number of viewers.
   */
  async withRequests(
    entityRef: string,
    answer: SerializedAnswer,
  ): Promise<SerializedAnswer> {
    const records = await this.recordsOf(entityRef);
    if (!records.length) return answer;
    return this.answers.get(
      `${entityRef}|${this.generation}|${answer.etag}`,
      async () => {
        await this.refreshPulls(records);
        const body = JSON.parse(
          answer.json.toString('utf8'),
        ) as DatabasesResponse;
        const now = new Date().toISOString();
        const requests: DatabaseRequestStatus[] = [];
        for (const record of records) {
          const item = body.items.find(
            i => i.namespace === record.namespace && i.name === record.name,
          );
          if (item && !record.claimSeenAt) {
            record.claimSeenAt = now;
            await this.options.store.markSeen(record.id, 'claim_seen_at', now);
          }
          if (item?.health.verdict === 'healthy' && !record.healthyAt) {
            record.healthyAt = now;
            await this.options.store.markSeen(record.id, 'healthy_at', now);
          }
          const status = statusOf(record, item);
          if (item) item.request = status;
          else requests.push(status);
        }
        return {
          value: serialize({ ...body, requests }),
          expiresAt: Date.now() + this.options.ttlMs,
        };
      },
    );
  }

  /**
   * The requests of every entity whose claim is not in `snapshot` (the fleet), reused for the
   * TTL per snapshot: one read of the plugin's database, and forge reads bounded per TTL
   * whatever the number of viewers (the lists of open pull requests). A claim the snapshot
   * holds is marked seen, and its request leaves the list.
   */
  async forFleet(snapshot: FleetSnapshot): Promise<FleetRequests> {
    return this.fleet.get(
      `${this.generation}|${snapshot.full.etag}`,
      async () => {
        const records = await this.options.store.pending();
        await this.refreshPulls(records);
        const present = new Set(
          snapshot.entries.map(e => `${e.item.namespace}/${e.item.name}`),
        );
        const now = new Date().toISOString();
        const requests: DatabaseRequestStatus[] = [];
        for (const record of records) {
          if (present.has(`${record.namespace}/${record.name}`)) {
            await this.options.store.markSeen(record.id, 'claim_seen_at', now);
          } else {
            requests.push(statusOf(record));
          }
        }
        return {
          value: {
            requests,
            requestsKey: createHash('sha1')
              .update(JSON.stringify(requests))
              .digest('base64url'),
            ...entitiesOf(requests.map(r => r.entityRef!)),
          },
          expiresAt: Date.now() + this.options.ttlMs,
        };
      },
    );
  }
}
