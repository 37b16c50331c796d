import { RootConfigService } from '@backstage/backend-plugin-api';
import {
  PostgresPolicy,
  readPostgresPolicy,
} from '@bizmatters/plugin-postgres-common';

/** How much work one answer may cause; see config.d.ts. */
export interface ReadLimits {
  /** `postgres.claims.maxRefsPerEntity`: most refs read from one entity's annotation. */
  maxRefsPerEntity: number;
  /** `postgres.kubernetes.concurrency`: most upstream reads in flight for one answer. */
  concurrency: number;
  /** `postgres.kubernetes.deadlineMs`: how long one answer waits for upstream reads. */
  deadlineMs: number;
}

/** What the postgres backend reads from app-config (`postgres.*`), every default applied. */
export interface BackendSettings {
  policy: PostgresPolicy;
  /** `postgres.cache.ttlSeconds`, in ms: upstream reads and the answers built from them. */
  ttlMs: number;
  /** Entities (and per-caller decisions) whose answers are kept in memory. */
  maxEntities: number;
  kubernetes: {
    /** `postgres.kubernetes.timeoutMs`: one upstream read. */
    timeoutMs: number;
    /** `postgres.kubernetes.maxResponseBytes`: the most bytes of one upstream answer. */
    maxResponseBytes: number;
  };
  limits: ReadLimits;
  /** `postgres.catalog.timeoutMs`: how long the catalog may take to answer. */
  catalogTimeoutMs: number;
  claims: {
    /** `postgres.claims.showUnannotated`: show claims that name no entity. */
    showUnannotated: boolean;
    /** `postgres.claims.readers`: the service subjects that may read `/v1/claims`. */
    readers: string[];
  };
  recoverability: {
    /** `postgres.recoverability.enabled`: read Backups, ScheduledBackups and ObjectStores. */
    enabled: boolean;
    /** `postgres.recoverability.requiredIn`: environments where backups are required. */
    requiredIn: string[];
    /** `postgres.recoverability.maxBackupAgeHours`: the oldest a last good backup may be there. */
    maxBackupAgeHours: number;
  };
  actions: {
    /**
     * `postgres.actions.services`: the service subjects (e.g. `plugin:mcp-actions`) whose calls
     * to the agents' actions are answered; none by default.
     */
    services: string[];
  };
  /** `postgres.fleet.staleSeconds`, in ms: the fleet served past its TTL while rebuilt. */
  fleetStaleMs: number;
  /**
   * `postgres.health.stuckAfterSeconds`; unset: the health derivation's own default (900,
   * `@bizmatters/plugin-postgres-common`).
   */
  stuckAfterSeconds?: number;
  requests: {
    /** `postgres.requests.keepDecommissionedDays`: days a decommissioned database stays listed. */
    keepDecommissionedDays: number;
    /** The service that registers requests for the user who ran the template. */
    registrar: string;
    /** `postgres.limits.callsPerMinute`: each user's registrations a minute. */
    callsPerMinute: number;
  };
}

/** Reads `postgres.*` once, with every default of the backend (see config.d.ts). */
export function readBackendSettings(
  config: RootConfigService,
): BackendSettings {
  const ttlSeconds =
    config.getOptionalNumber('postgres.cache.ttlSeconds') ?? 10;
  return {
    policy: readPostgresPolicy(config),
    ttlMs: ttlSeconds * 1000,
    maxEntities: 10_000,
    kubernetes: {
      timeoutMs:
        config.getOptionalNumber('postgres.kubernetes.timeoutMs') ?? 5000,
      maxResponseBytes:
        config.getOptionalNumber('postgres.kubernetes.maxResponseBytes') ??
        10 * 1024 * 1024,
    },
    limits: {
      maxRefsPerEntity:
        config.getOptionalNumber('postgres.claims.maxRefsPerEntity') ?? 20,
      concurrency:
        config.getOptionalNumber('postgres.kubernetes.concurrency') ?? 8,
      deadlineMs:
        config.getOptionalNumber('postgres.kubernetes.deadlineMs') ?? 15_000,
    },
    catalogTimeoutMs:
      config.getOptionalNumber('postgres.catalog.timeoutMs') ?? 10_000,
    claims: {
      showUnannotated:
        config.getOptionalBoolean('postgres.claims.showUnannotated') ?? false,
      readers: config.getOptionalStringArray('postgres.claims.readers') ?? [
        'plugin:catalog',
        'plugin:scaffolder',
      ],
    },
    recoverability: {
      enabled:
        config.getOptionalBoolean('postgres.recoverability.enabled') ?? true,
      requiredIn: config.getOptionalStringArray(
        'postgres.recoverability.requiredIn',
      ) ?? ['prod'],
      maxBackupAgeHours:
        config.getOptionalNumber('postgres.recoverability.maxBackupAgeHours') ??
        26,
    },
    actions: {
      services:
        config.getOptionalStringArray('postgres.actions.services') ?? [],
    },
    fleetStaleMs:
      (config.getOptionalNumber('postgres.fleet.staleSeconds') ?? 60) * 1000,
    stuckAfterSeconds:
      config.getOptionalNumber('postgres.health.stuckAfterSeconds') ||
      undefined,
    requests: {
      keepDecommissionedDays:
        config.getOptionalNumber('postgres.requests.keepDecommissionedDays') ??
        7,
      registrar: 'plugin:scaffolder',
      callsPerMinute:
        config.getOptionalNumber('postgres.limits.callsPerMinute') ?? 60,
    },
  };
}
