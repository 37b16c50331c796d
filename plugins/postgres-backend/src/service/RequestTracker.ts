import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  bindPullRequest,
  changeBranchPrefix,
  DatabaseRequestStatus,
  DatabasesResponse,
  findGitopsRepository,
  GitopsRepository,
  isDismissable,
  isRecordListed,
  RequestOperation,
} from '@bizmatters/plugin-postgres-common';
import { createHash } from 'crypto';
import { entitiesOf, FleetEntities, FleetSnapshot } from './fleetSnapshots';
import {
  checkClaimLocation,
  groupRecords,
  LifeRecord,
  statusOf,
} from './requestStatus';
import { serialize, SerializedAnswer } from './serializedAnswer';
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
      /** How many entities' requests (and answers with them) are kept. */
      maxEntities: number;
      /** Days a decommissioned database stays listed. */
      keepDecommissionedDays: number;
    },
  ) {
    const maxEntries = options.maxEntities;
    this.records = new TtlCache({ maxEntries });
    this.answers = new TtlCache({ maxEntries });
  }

  private recordsOf(entityRef: string): Promise<RequestRecord[]> {
    return this.records.get(`${entityRef}|${this.generation}`, async () => ({
      value: await this.options.store.forEntity(entityRef),
      expiresAt: Date.now() + this.options.ttlMs,
    }));
  }

  /**
   * Validates and registers a request for `entityRef`, made by `requestedBy`: only a pull
   * request of an allowed GitOps repository, to its branch, whose head is the database's
   * branch and whose files add (creation), edit (change) or delete (decommission) that
   * database's claim naming `entityRef` ({@link bindPullRequest}). Anything else is refused
   * (InputError, NotAllowedError) and nothing is stored.
   */
  async register(
    entityRef: string,
    requestedBy: string,
    body: Partial<RegisterRequestBody>,
  ): Promise<{
    request: DatabaseRequestStatus;
    created: boolean;
    operation: RequestOperation;
    rebound?: string;
  }> {
    const { namespace, name, repoUrl, pullRequestNumber } = body ?? {};
    checkClaimLocation({ namespace, name });
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
    const repoName = `${repository.host}/${repository.owner}/${repository.repo}`;
    const binding = bindPullRequest({
      entityRef,
      namespace: namespace!,
      name: name!,
      headRef: pr.headRef,
      files: await this.options.pulls.files(repository, pr),
    });
    if (binding.refused !== undefined) {
      throw new NotAllowedError(
        `Pull request #${pr.number} of ${repoName} is not a request of ${entityRef} for ${namespace}/${name}: ${binding.refused}. Nothing was registered.`,
      );
    }
    const { record, created, rebound } = await this.options.store.register({
      entityRef,
      namespace: namespace!,
      name: name!,
      repository,
      operation: binding.operation,
      title: pr.title || undefined,
      pullRequest: { number: pr.number, url: pr.url, state: pr.state },
      requestedBy,
      requestedAt: new Date().toISOString(),
      mergedAt: pr.mergedAt,
      closedAt: pr.state === 'closed' ? pr.closedAt : undefined,
    });
    this.generation++;
    return {
      request: statusOf({ root: record, changes: [] }),
      created,
      operation: binding.operation,
      ...(rebound ? { rebound } : {}),
    };
  }

  /**
   * Dismisses a record of `entityRef` from the lists: abandoned (its creation closed without
   * merge) or decommissioned. Returns the database it was.
   */
  async dismiss(
    entityRef: string,
    id: string,
  ): Promise<{ namespace: string; name: string; phase: string }> {
    const record = await this.options.store.get(entityRef, id);
    if (!record) throw new NotFoundError(`No request ${id} on ${entityRef}`);
    const rows = (await this.options.store.forEntity(entityRef)).filter(
      r => r.recordId === record.recordId,
    );
    const [life] = groupRecords(rows.length ? rows : [record]);
    const { phase } = statusOf(life);
    if (!isDismissable(phase)) {
      throw new ConflictError(
        `The record of ${record.namespace}/${record.name} is ${phase}; only an abandoned request (its pull request closed without merge) or a decommissioned database may be dismissed`,
      );
    }
    await this.options.store.dismiss(record.recordId, new Date().toISOString());
    this.generation++;
    return { namespace: record.namespace, name: record.name, phase };
  }

  /**
   * The open change requests of the database `namespace/name`: the open pull requests of the
   * GitOps repositories whose head is one of its change branches (the change action's own
   * rule for refusing a second one). One list per repository and TTL, shared by every caller.
   */
  async openChanges(
    namespace: string,
    name: string,
  ): Promise<Array<{ number: number; url: string; title: string }>> {
    const prefix = changeBranchPrefix(namespace, name);
    const lists = await Promise.all(
      this.options.repositories.map(r => this.options.pulls.openPulls(r)),
    );
    return lists.flatMap(list =>
      (list.pulls ?? [])
        .filter(p => p.head.startsWith(prefix))
        .map(({ number, url, title }) => ({ number, url, title })),
    );
  }

  private listed(life: LifeRecord): boolean {
    return isRecordListed(
      { decommissionedAt: life.root.goneAt },
      this.options.keepDecommissionedDays,
    );
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
        const lives = groupRecords(records);
        // the newest record of a name not gone has its database (a database recreated under
        // the same name is a new record; the old one stays decommissioned)
        const current = new Map<string, LifeRecord>();
        for (const life of lives) {
          if (life.root.goneAt) continue;
          current.set(`${life.root.namespace}/${life.root.name}`, life);
        }
        for (const life of lives) {
          const { root } = life;
          const key = `${root.namespace}/${root.name}`;
          const item =
            current.get(key) === life
              ? body.items.find(
                  i => i.namespace === root.namespace && i.name === root.name,
                )
              : undefined;
          if (item && !root.claimSeenAt) {
            root.claimSeenAt = now;
            await this.options.store.markSeen(root.id, 'claim_seen_at', now);
          }
          if (item?.health.verdict === 'healthy' && !root.healthyAt) {
            root.healthyAt = now;
            await this.options.store.markSeen(root.id, 'healthy_at', now);
          }
          // seen before, now in no cluster, and every cluster answered: gone
          if (
            !item &&
            root.claimSeenAt &&
            !root.goneAt &&
            !(body.errors ?? []).length
          ) {
            root.goneAt = now;
            await this.options.store.markSeen(root.id, 'gone_at', now);
          }
          if (!this.listed(life)) continue;
          const status = statusOf(life, item);
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
        for (const life of groupRecords(records)) {
          const { root } = life;
          const here =
            !root.goneAt && present.has(`${root.namespace}/${root.name}`);
          if (here) {
            if (!root.claimSeenAt) {
              root.claimSeenAt = now;
              await this.options.store.markSeen(root.id, 'claim_seen_at', now);
            }
            continue; // the fleet lists its database
          }
          if (root.claimSeenAt && !root.goneAt && !snapshot.errors.length) {
            root.goneAt = now;
            await this.options.store.markSeen(root.id, 'gone_at', now);
          }
          if (this.listed(life)) requests.push(statusOf(life));
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
