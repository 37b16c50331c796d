export interface Config {
  postgres?: {
    cache?: {
      /**
       * How long upstream reads, and the answers built from them, are shared between viewers,
       * in seconds; default 10. It also bounds how long the catalog's answer to "may this
       * caller see this entity" is reused for the same caller, and how often the open pull
       * requests of a GitOps repository with tracked database requests are listed (once per
       * TTL for all viewers and replicas).
       */
      ttlSeconds?: number;
    };
    requests?: {
      /**
       * How many days a decommissioned database stays listed (on its component's tab and
       * card, and on the fleet page) after the portal saw it gone from every cluster; then it
       * leaves the lists (an owner may dismiss it earlier). Default 7.
       */
      keepDecommissionedDays?: number;
    };
    catalog?: {
      /** Time allowed for the catalog to answer an entity lookup, in milliseconds; default 10000. */
      timeoutMs?: number;
    };
    kubernetes?: {
      /** Time allowed for one upstream read (one cluster's answer), in milliseconds; default 5000. */
      timeoutMs?: number;
      /**
       * Time one answer (an entity's databases, or the fleet) waits for all its upstream reads,
       * in milliseconds; default 15000. Reads not done by then become `errors` entries naming
       * their cluster, and the request answers.
       */
      deadlineMs?: number;
      /** Most upstream reads in flight for one answer; default 8. */
      concurrency?: number;
      /**
       * Most bytes one upstream answer may have; a longer one is cut off and becomes an `errors`
       * entry; default 10485760 (10 MiB).
       */
      maxResponseBytes?: number;
    };
    claims?: {
      /**
       * Show claims that carry no `bizmatters.io/entity-ref` annotation (made before it existed)
       * on the entity pages that find them by label or annotation; default false. The fleet
       * view never shows them to callers without `postgres.fleet.read`.
       */
      showUnannotated?: boolean;
      /**
       * Most claims one entity's `bizmatters.io/postgres-instances` annotation may name; refs
       * past it are not read and an `errors` entry says so; default 20.
       */
      maxRefsPerEntity?: number;
      /**
       * The service principals (subjects, e.g. `plugin:catalog`) that may read every claim of
       * every cluster at `/v1/claims`; default `plugin:catalog` (the database Resource
       * provider) and `plugin:scaffolder` (the form's availability check). Others get 403.
       */
      readers?: string[];
    };
    recoverability?: {
      /**
       * Whether databases say if they can be recovered (reading CNPG's Backups and
       * ScheduledBackups, and the Barman Cloud plugin's ObjectStores); default true. False: no
       * such reads and no `recoverability` on the answers (a portal not granted those reads).
       */
      enabled?: boolean;
      /**
       * Environments (as a database's SSM path names them) where a database without working
       * backups — none configured, WAL archiving failing, the last backup failed or too old —
       * is a warning on the tab, the card and the fleet; elsewhere an information line.
       * Default `[prod]`.
       */
      requiredIn?: string[];
      /** The oldest a last good backup may be where backups are required, in hours; default 26. */
      maxBackupAgeHours?: number;
    };
    actions?: {
      /**
       * The service principals (subjects) whose calls to the agents' actions
       * (`postgres:list-databases` and the rest) are answered. Users are decided as on the
       * HTTP routes; a service is refused unless listed here, since a permission policy is
       * never asked about services and would let them read every database. Through
       * `@backstage/plugin-mcp-actions-backend`, a static token reaches the actions as
       * `plugin:mcp-actions`: listing it lets every such token read the whole fleet. Default:
       * none.
       */
      services?: string[];
    };
    fleet?: {
      /**
       * How long past its cache TTL the fleet view (`/v1/databases`) is still served while
       * the next one is built in the background (stale-while-revalidate), in seconds; default
       * 60. A request later than that waits for the next one; 0 makes every request after the
       * TTL wait. For a caller without `postgres.fleet.read`, their decisions (which of the
       * fleet's entities they may read) are likewise used this long past the TTL while they are
       * asked again, so a permission change shows within the TTL plus this.
       */
      staleSeconds?: number;
    };
    health?: {
      /** How long a CNPG progressing phase may last before it is reported stuck; default 900. */
      stuckAfterSeconds?: number;
    };
  };
}
