import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { postgresFleetReadPermission } from '@bizmatters/plugin-postgres-common';
import { EntityAccess } from './entityAccess';
import { FleetEntities, FleetSnapshot, FleetSnapshots } from './fleetSnapshots';
import { principalKey, withTimeout } from './httpHelpers';
import { RequestTracker } from './RequestTracker';
import { SerializedAnswer } from './serializedAnswer';
import { TtlCache } from './TtlCache';

/**
 * The fleet as each caller may see it: all of it for a holder of `postgres.fleet.read`; for
 * anyone else, the databases (and requests) of the entities they may read, decided per caller
 * and set of entities the fleet names.
 */
export class FleetAccess {
  /**
   * Per caller without `postgres.fleet.read` and set of entity refs the fleet names: which of
   * them the caller may read (the catalog's and the permission policy's answers), reused for
   * ttlMs, as the entity view reuses its decisions; then, for staleMs more, used while this
   * caller's next decisions are asked (never another caller's: the key is the caller's). A
   * permission change shows within ttlMs + staleMs.
   */
  private readonly decisions: TtlCache<{
    visible: ReadonlySet<string>;
    until: number;
  }>;
  /**
   * Per caller and fleet snapshot: the fleet as they see it, serialized, for as long as the
   * decisions behind it. Few are kept: each may hold thousands of databases.
   */
  private readonly views = new TtlCache<SerializedAnswer>({ maxEntries: 10 });

  constructor(
    private readonly options: {
      permissions: PermissionsService;
      entities: EntityAccess;
      fleet: FleetSnapshots;
      requests?: RequestTracker;
      /** How long a caller's decisions are reused. */
      ttlMs: number;
      /**
       * How long past ttlMs a caller's decisions are still used while they are asked again
       * (stale-while-revalidate, as the fleet itself: `postgres.fleet.staleSeconds`).
       */
      staleMs: number;
      /** How long the catalog and the permission backend may take to answer. */
      timeoutMs: number;
      /** How many callers' decisions are kept. */
      maxEntities: number;
    },
  ) {
    this.decisions = new TtlCache({
      maxEntries: options.maxEntities,
      staleMs: options.staleMs,
    });
  }

  /** The requests whose claim is not in the fleet (yet), of every entity. */
  private requestsOf(snapshot: FleetSnapshot) {
    const tracker = this.options.requests;
    return tracker ? tracker.forFleet(snapshot) : undefined;
  }

  /** The fleet as `credentials`' caller may see it, serialized. */
  async answerFor(
    credentials: BackstageCredentials,
  ): Promise<SerializedAnswer> {
    const {
      permissions,
      fleet: snapshots,
      ttlMs,
      staleMs,
      timeoutMs,
    } = this.options;
    const [fleet] = await permissions.authorize(
      [{ permission: postgresFleetReadPermission }],
      { credentials },
    );
    const fleetAnswer = snapshots.current();
    // the requests of every entity: one list per snapshot and TTL, shared by every caller
    if (fleet.result === AuthorizeResult.ALLOW) {
      const snapshot = await fleetAnswer.snapshot;
      const requests = await this.requestsOf(snapshot);
      return requests?.requests.length
        ? await this.views.get(
            `*|${snapshot.full.etag}|${requests.requestsKey}`,
            async () => ({
              value: FleetSnapshots.view(
                snapshot,
                undefined,
                requests.requests,
              ),
              // keyed by what it is made of: kept until newer views push it out
              expiresAt: Infinity,
            }),
          )
        : snapshot.full;
    }
    // Anyone else: the databases (and requests) of entities they may read, decided for this
    // caller and the entities the fleet names (as soon as its claims are read, while the rest
    // is), reused for ttlMs, and for staleMs more while they are asked again.
    const caller = principalKey(credentials);
    const decide = async (named: FleetEntities) =>
      this.decisions.get(`${caller}|${named.entityRefsKey}`, async () => {
        const askedAt = Date.now();
        const visible = await withTimeout(
          this.options.entities.readable(named.entityRefs, credentials),
          timeoutMs,
          'The catalog did not answer which entities the fleet view may show',
        );
        const until = askedAt + ttlMs;
        return { value: { visible, until }, expiresAt: until };
      });
    const early = fleetAnswer.entities.then(decide);
    early.catch(() => {}); // awaited below, unless the snapshot fails first
    const snapshot = await fleetAnswer.snapshot;
    // the decisions were made for the entities the snapshot names (the same claims)
    const decided =
      (await fleetAnswer.entities).entityRefsKey === snapshot.entityRefsKey
        ? await early
        : await decide(snapshot);
    const requests = await this.requestsOf(snapshot);
    // the same decision for the entities the requests were made for
    const decidedRequests = requests?.requests.length
      ? await decide(requests)
      : undefined;
    const visible = decidedRequests
      ? new Set([...decided.visible, ...decidedRequests.visible])
      : decided.visible;
    const until = Math.min(decided.until, decidedRequests?.until ?? Infinity);
    const view = await this.views.get(
      `${caller}|${snapshot.full.etag}|${snapshot.entityRefsKey}|${
        requests?.requestsKey ?? ''
      }|${until}`,
      async () => ({
        value: FleetSnapshots.view(snapshot, visible, requests?.requests),
        // no longer than the decisions it was made from may be used
        expiresAt: until + staleMs,
      }),
    );
    return view;
  }
}
