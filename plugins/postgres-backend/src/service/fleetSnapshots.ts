import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DatabaseRequestStatus,
  claimEntityRef,
} from '@bizmatters/plugin-postgres-common';
import { createHash } from 'crypto';
import {
  DatabaseItemsOptions,
  FleetEntry,
  readDatabaseItems,
} from './databaseItems';
import { ReadLimits } from '../config';
import { ReadScope } from './ReadScope';
import {
  dedupeErrors,
  describeReadError,
  publicError,
  ScopedError,
} from './readErrors';
import { serialize, SerializedAnswer } from './serializedAnswer';

/** The entities a fleet's claims name, and a key for that set. */
export interface FleetEntities {
  /** The distinct entity refs the claims name, sorted. */
  entityRefs: string[];
  /** A hash of `entityRefs`: per-caller decisions about them are reused while it is the same. */
  entityRefsKey: string;
}

/** The distinct, sorted `refs` and their key. */
export function entitiesOf(refs: Iterable<string>): FleetEntities {
  const entityRefs = [...new Set(refs)].sort();
  return {
    entityRefs,
    entityRefsKey: createHash('sha1')
      .update(entityRefs.join('\n'))
      .digest('base64url'),
  };
}

/**
 * The fleet as read once and shared by every caller: the full answer (for callers holding
 * `postgres.fleet.read`) and what is needed to cut it down for any other caller.
 */
export interface FleetSnapshot extends FleetEntities {
  full: SerializedAnswer;
  entries: FleetEntry[];
  errors: ScopedError[];
  /** Until when it is fresh: its oldest read's expiry. */
  expiresAt: number;
}

/** A snapshot to serve, and the entities it names (known before the snapshot itself). */
export interface FleetSnapshotAnswer {
  snapshot: Promise<FleetSnapshot>;
  entities: Promise<FleetEntities>;
}

/**
 * Every database of every cluster with its health, read once for every caller and served stale
 * while the next one is built.
 */
export class FleetSnapshots {
  /** The last fleet built, and the build under way. */
  private last?: FleetSnapshot;
  private building?: FleetSnapshotAnswer;

  constructor(
    private readonly options: DatabaseItemsOptions & {
      logger: LoggerService;
      limits: ReadLimits;
      /**
       * How long past its expiry a snapshot is still served while the next one is built
       * (stale-while-revalidate), in ms; 0 waits for every rebuild.
       */
      staleMs: number;
    },
  ) {}

  /**
   * The fleet, read once for every caller. Stale-while-revalidate: a fresh snapshot is served
   * as it is; one past its expiry but within `staleMs` of it is served too while the next
   * one is built (one build at a time, shared by every caller); an older one, or none, is
   * waited for. A failed build keeps the last snapshot (and the next request tries again).
   * `entities`: the entity refs of the snapshot served, known as soon as a build has read the
   * claims (before their other objects), so that per-caller decisions about them can be made
   * while the rest is read.
   */
  current(): FleetSnapshotAnswer {
    const now = Date.now();
    const current = this.last;
    if (current && current.expiresAt > now)
      return {
        snapshot: Promise.resolve(current),
        entities: Promise.resolve(current),
      };
    if (!this.building) {
      let claimsRead!: (entities: FleetEntities) => void;
      const entities = new Promise<FleetEntities>(r => (claimsRead = r));
      const snapshot = this.build(claimsRead).finally(() => {
        this.building = undefined;
      });
      // a build that fails before its claims are read names no entities
      snapshot.catch(() => claimsRead(entitiesOf([])));
      this.building = { snapshot, entities };
    }
    if (current && now < current.expiresAt + this.options.staleMs) {
      this.building.snapshot.catch(e =>
        this.options.logger.warn(`The fleet could not be rebuilt: ${e}`),
      );
      return {
        snapshot: Promise.resolve(current),
        entities: Promise.resolve(current),
      };
    }
    return this.building;
  }

  private async build(
    claimsRead: (entities: FleetEntities) => void,
  ): Promise<FleetSnapshot> {
    const scope = new ReadScope(this.options.limits);
    const { entries, errors, entities } = await this.entries(scope, claimsRead);
    const snapshot: FleetSnapshot = {
      full: serialize({
        items: entries.map(e => e.item),
        errors: dedupeErrors(errors.map(publicError)),
      }),
      entries,
      errors,
      ...entities,
      expiresAt: scope.answerExpiry(this.options.reader.ttlMs),
    };
    this.last = snapshot;
    return snapshot;
  }

  /**
   * The fleet as a caller sees it: with `visible` (a caller without `postgres.fleet.read`), the
   * databases whose claims name an entity in `visible`, the requests made for one, and only
   * the errors that concern no namespace or a namespace of a database shown (claims naming no
   * entity are never shown then); without it, everything. `requests` (of the fleet, each with
   * its `entityRef`) are added as `requests` when any is shown.
   */
  static view(
    snapshot: FleetSnapshot,
    visible?: ReadonlySet<string>,
    requests: DatabaseRequestStatus[] = [],
  ): SerializedAnswer {
    const shows = (ref: string | undefined) =>
      !visible || (ref !== undefined && visible.has(ref));
    const entries = snapshot.entries.filter(e => shows(e.entityRef));
    const shown = new Set(
      entries.map(e => `${e.item.cluster}/${e.item.namespace}`),
    );
    const errors = snapshot.errors.filter(
      e =>
        !visible ||
        e.namespace === undefined ||
        shown.has(`${e.cluster}/${e.namespace}`),
    );
    const shownRequests = requests.filter(r => shows(r.entityRef));
    // a caller who may see all of it, and no request, gets the very answer fleet readers get
    if (
      entries.length === snapshot.entries.length &&
      errors.length === snapshot.errors.length &&
      !shownRequests.length
    )
      return snapshot.full;
    return serialize({
      items: entries.map(e => e.item),
      errors: dedupeErrors(errors.map(publicError)),
      ...(shownRequests.length ? { requests: shownRequests } : {}),
    });
  }

  /** Every claim in every cluster, with its health and the entity it names. */
  private async entries(
    scope: ReadScope,
    claimsRead: (entities: FleetEntities) => void,
  ): Promise<{
    entries: FleetEntry[];
    errors: ScopedError[];
    entities: FleetEntities;
  }> {
    const { reader } = this.options;
    const errors: ScopedError[] = [];
    let clusters: string[];
    try {
      clusters = await reader.clusters(scope);
    } catch (e) {
      errors.push({ cluster: '', message: describeReadError(e, 'claims', '') });
      const none = entitiesOf([]);
      claimsRead(none);
      return { entries: [], errors, entities: none };
    }
    const claims = await Promise.all(
      clusters.map(cluster =>
        reader.claims(cluster, undefined, scope).catch(e => {
          errors.push({
            cluster,
            message: describeReadError(e, 'claims', cluster),
          });
          return undefined;
        }),
      ),
    );
    const entities = entitiesOf(
      claims.flatMap(list =>
        (list ?? []).flatMap(c => {
          const ref = claimEntityRef(c);
          return ref ? [ref] : [];
        }),
      ),
    );
    claimsRead(entities);
    const perCluster = await Promise.all(
      clusters.map(async (cluster, i) => {
        const list = claims[i];
        if (!list) return [];
        try {
          return await readDatabaseItems(
            this.options,
            cluster,
            list,
            errors,
            scope,
            true,
          );
        } catch (e) {
          errors.push({
            cluster,
            message: describeReadError(e, 'claims', cluster),
          });
          return [];
        }
      }),
    );
    return {
      entries: perCluster.flat(),
      errors: dedupeErrors(errors),
      entities,
    };
  }
}
