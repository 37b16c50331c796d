/*
 * Can the data be got back: whether a database's CNPG Cluster has backups at all, whether WAL
 * archiving works, its last backups and schedules, and its recovery window — from the Cluster,
 * its Backups and ScheduledBackups, and the Barman Cloud plugin's ObjectStore. Pure.
 *
 * Sources (CloudNativePG v1.28.0, a9696201; plugin-barman-cloud v0.14.0, 1e13020f; the CRDs in
 * ../shared/reference/cnpg):
 * - api/v1/cluster_funcs.go: `IsBarmanBackupConfigured` (spec.backup.barmanObjectStore),
 *   `GetEnabledWALArchivePluginName` (spec.plugins[]: enabled unless `enabled: false`, and
 *   `isWALArchiver: true`); spec.backup.volumeSnapshot for snapshot backups.
 * - api/v1/cluster_types.go: conditions `ContinuousArchiving` (reasons
 *   `ContinuousArchivingSuccess`, `ContinuousArchivingFailing`) and `LastBackupSucceeded`
 *   (`LastBackupSucceeded`, `LastBackupFailed`); status.firstRecoverabilityPoint,
 *   lastSuccessfulBackup, lastFailedBackup — "not set for backup plugins" (the CRD), so an
 *   empty field never means "no backups".
 * - api/v1/backup_types.go: Backup phases `pending`, `started`, `running`, `finalizing`,
 *   `completed`, `failed`, `walArchivingFailing`; spec.cluster.name, spec.method;
 *   status.startedAt, stoppedAt, error.
 * - api/v1/scheduledbackup_types.go: spec.schedule, suspend, cluster.name; status
 *   lastScheduleTime, nextScheduleTime.
 * - plugin-barman-cloud ObjectStore: status.serverRecoveryWindow[serverName] with
 *   firstRecoverabilityPoint, lastSuccessfulBackupTime, lastFailedBackupTime; the Cluster's
 *   plugin parameters `barmanObjectName` and `serverName` (default: the Cluster's name).
 */
import type { KubeObject } from '../manifests';
import { nonEmptyStr } from './context';

/** The Barman Cloud plugin's name in a Cluster's `spec.plugins`. @public */
export const BARMAN_CLOUD_PLUGIN = 'barman-cloud.cloudnative-pg.io';

/** Where a database stands on getting its data back. @public */
export type RecoverabilityState =
  /** Backups configured, archiving working, a recent good backup. */
  | 'protected'
  /** No backup method configured at all. */
  | 'none'
  /** Backups configured, but none has completed yet. */
  | 'noBackupYet'
  /** WAL archiving fails (`ContinuousArchiving` False). */
  | 'archivingFailing'
  /** The last backup failed. */
  | 'lastBackupFailed'
  /** The last good backup is older than allowed. */
  | 'stale'
  /** The backups could not be read. */
  | 'unknown';

/** Each state in a few words, for a status beside the health verdict and the fleet's filter. @public */
export const RECOVERABILITY_LABELS: Record<RecoverabilityState, string> = {
  protected: 'Recoverable',
  none: 'Not recoverable',
  noBackupYet: 'No backup yet',
  archivingFailing: 'WAL archiving failing',
  lastBackupFailed: 'Last backup failed',
  stale: 'Backup too old',
  unknown: 'Backups unknown',
};

/** One Backup of a database, newest first. @public */
export interface BackupSummary {
  /** The Backup's name. */
  name: string;
  /** CNPG's phase word, e.g. `completed`, `failed`. */
  phase?: string;
  /** `barmanObjectStore`, `volumeSnapshot` or `plugin`. */
  method?: string;
  /** When it started (RFC 3339). */
  startedAt?: string;
  /** When it finished (RFC 3339). */
  stoppedAt?: string;
  /** CNPG's error, for a failed backup. */
  error?: string;
}

/** One ScheduledBackup of a database. @public */
export interface ScheduleSummary {
  /** The ScheduledBackup's name. */
  name: string;
  /** The cron schedule (six fields, seconds first, as CNPG reads it). */
  schedule?: string;
  /** `spec.suspend`: no backup is taken while it is true. */
  suspended: boolean;
  /** When it last started a backup. */
  lastScheduleTime?: string;
  /** When it starts the next. */
  nextScheduleTime?: string;
}

/** Whether and from when a database's data can be got back. @public */
export interface Recoverability {
  /** Where it stands. */
  state: RecoverabilityState;
  /**
   * `warning` where backups are required (`postgres.recoverability.requiredIn`) and the state
   * is not `protected`; `info` elsewhere; `ok` when protected.
   */
  severity: 'ok' | 'info' | 'warning';
  /** Whether this database's environment requires backups. */
  required: boolean;
  /** Its environment, when known. */
  environment?: string;
  /** How backups are made: `barmanObjectStore`, `volumeSnapshot` or the plugin's name. */
  methods: string[];
  /** Restorable from this point (RFC 3339) to now, when CNPG or the ObjectStore says. */
  recoverableFrom?: string;
  /** When the last good backup finished. */
  lastSuccessfulBackup?: string;
  /** WAL archiving as CNPG reports it (absent when it reports nothing). */
  archiving?: { ok: boolean; reason?: string; message?: string };
  /** The last backups, newest first (at most {@link RECENT_BACKUPS}). */
  backups: BackupSummary[];
  /** Its ScheduledBackups. */
  schedules: ScheduleSummary[];
  /** What is the case, in words. */
  message: string;
  /** What to do, when something should be done. */
  hint?: string;
}

/** How many backups a database shows. @public */
export const RECENT_BACKUPS = 5;

/** The settings of {@link deriveRecoverability}. @public */
export interface RecoverabilityOptions {
  /** Environments where a database without working backups is a warning (default `['prod']`). */
  requiredIn?: string[];
  /** A last good backup older than this is a warning where required (default 26). */
  maxBackupAgeHours?: number;
  /** The current time. */
  now?: number;
}

const str = nonEmptyStr;
const time = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? undefined : t;
};
const latest = (...isos: Array<string | undefined>) =>
  isos
    .filter((s): s is string => time(s) !== undefined)
    .sort((a, b) => time(b)! - time(a)!)[0];
const earliest = (...isos: Array<string | undefined>) =>
  isos
    .filter((s): s is string => time(s) !== undefined)
    .sort((a, b) => time(a)! - time(b)!)[0];

/** The Barman Cloud plugin entry of a Cluster that archives WAL, when there is one. */
function archivingPlugin(
  cluster: any,
): { name: string; objectStore?: string; serverName: string } | undefined {
  const plugins: unknown[] = Array.isArray(cluster?.spec?.plugins)
    ? cluster.spec.plugins
    : [];
  for (const p of plugins as any[]) {
    if (typeof p?.name !== 'string' || p.enabled === false) continue;
    if (p.isWALArchiver !== true && p.name !== BARMAN_CLOUD_PLUGIN) continue;
    return {
      name: p.name,
      objectStore: str(p.parameters?.barmanObjectName),
      serverName:
        str(p.parameters?.serverName) ?? str(cluster?.metadata?.name) ?? '',
    };
  }
  return undefined;
}

/**
 * The ObjectStore the Cluster's Barman Cloud plugin writes to, by name, among `objectStores`
 * (of the Cluster's namespace). Undefined when the Cluster uses none.
 *
 * @public
 */
export function clusterObjectStoreName(
  cluster: KubeObject,
): string | undefined {
  return archivingPlugin(cluster)?.objectStore;
}

/** `ok` when protected; where required, a warning (unless not known); elsewhere information. */
function severityOf(
  state: RecoverabilityState,
  required: boolean,
): Recoverability['severity'] {
  if (state === 'protected') return 'ok';
  return required && state !== 'unknown' ? 'warning' : 'info';
}

const conditionOf = (cluster: any, type: string) =>
  (Array.isArray(cluster?.status?.conditions)
    ? cluster.status.conditions
    : []
  ).find((c: any) => c?.type === type);

/**
 * A database's {@link Recoverability}, from its CNPG Cluster and the Backups, ScheduledBackups
 * and ObjectStores of the Cluster's namespace (each picked by the Cluster they name).
 * Undefined without a Cluster (the health says why).
 *
 * @public
 */
export function deriveRecoverability(
  input: {
    cluster?: KubeObject;
    backups?: KubeObject[];
    scheduledBackups?: KubeObject[];
    objectStores?: KubeObject[];
    /** The database's environment, when known. */
    environment?: string;
    /** Why the Backups, ScheduledBackups or ObjectStores could not be read, if they could not. */
    unreadable?: string;
  },
  options: RecoverabilityOptions = {},
): Recoverability | undefined {
  const cluster = input.cluster as any;
  if (!cluster) return undefined;
  const name = str(cluster.metadata?.name);
  const now = options.now ?? Date.now();
  const requiredIn = options.requiredIn ?? ['prod'];
  const maxAgeHours = options.maxBackupAgeHours ?? 26;
  const required =
    input.environment !== undefined && requiredIn.includes(input.environment);

  const methods: string[] = [];
  if (cluster.spec?.backup?.barmanObjectStore)
    methods.push('barmanObjectStore');
  if (cluster.spec?.backup?.volumeSnapshot) methods.push('volumeSnapshot');
  const plugin = archivingPlugin(cluster);
  if (plugin) methods.push(plugin.name);

  const ofCluster = (o: any) => str(o?.spec?.cluster?.name) === name;
  const backups: BackupSummary[] = (input.backups ?? [])
    .filter(ofCluster)
    .map((b: any) => ({
      name: str(b.metadata?.name) ?? '',
      phase: str(b.status?.phase),
      method: str(b.status?.method) ?? str(b.spec?.method),
      startedAt: str(b.status?.startedAt),
      stoppedAt: str(b.status?.stoppedAt),
      error: str(b.status?.error),
      created: str(b.metadata?.creationTimestamp),
    }))
    .sort(
      (a, b) =>
        (time(b.startedAt ?? b.created) ?? 0) -
        (time(a.startedAt ?? a.created) ?? 0),
    )
    .map(
      ({ created, ...b }) =>
        Object.fromEntries(
          Object.entries(b).filter(([, v]) => v !== undefined),
        ) as unknown as BackupSummary,
    );
  const schedules: ScheduleSummary[] = (input.scheduledBackups ?? [])
    .filter(ofCluster)
    .map((s: any) => ({
      name: str(s.metadata?.name) ?? '',
      ...(str(s.spec?.schedule) ? { schedule: s.spec.schedule } : {}),
      suspended: s.spec?.suspend === true,
      ...(str(s.status?.lastScheduleTime)
        ? { lastScheduleTime: s.status.lastScheduleTime }
        : {}),
      ...(str(s.status?.nextScheduleTime)
        ? { nextScheduleTime: s.status.nextScheduleTime }
        : {}),
    }));

  // the plugin's window, for the Cluster's server in its ObjectStore
  const store = plugin?.objectStore
    ? (input.objectStores ?? []).find(
        (o: any) => str(o?.metadata?.name) === plugin.objectStore,
      )
    : undefined;
  const window = plugin
    ? (store as any)?.status?.serverRecoveryWindow?.[plugin.serverName]
    : undefined;

  const lastGood = latest(
    str(cluster.status?.lastSuccessfulBackup),
    str(window?.lastSuccessfulBackupTime),
    ...backups.filter(b => b.phase === 'completed').map(b => b.stoppedAt),
  );
  const recoverableFrom = earliest(
    str(cluster.status?.firstRecoverabilityPoint),
    str(window?.firstRecoverabilityPoint),
  );
  const archivingCondition = conditionOf(cluster, 'ContinuousArchiving');
  const archiving = archivingCondition
    ? {
        ok: archivingCondition.status === 'True',
        ...(str(archivingCondition.reason)
          ? { reason: archivingCondition.reason }
          : {}),
        ...(str(archivingCondition.message)
          ? { message: archivingCondition.message }
          : {}),
      }
    : undefined;
  const lastBackup = backups[0];
  const lastFailed =
    lastBackup &&
    (lastBackup.phase === 'failed' ||
      lastBackup.phase === 'walArchivingFailing')
      ? lastBackup
      : undefined;
  const backupCondition = conditionOf(cluster, 'LastBackupSucceeded');
  const conditionFailed =
    backupCondition?.status === 'False' ? backupCondition : undefined;

  const base = {
    required,
    ...(input.environment !== undefined
      ? { environment: input.environment }
      : {}),
    methods,
    ...(recoverableFrom ? { recoverableFrom } : {}),
    ...(lastGood ? { lastSuccessfulBackup: lastGood } : {}),
    ...(archiving ? { archiving } : {}),
    backups: backups.slice(0, RECENT_BACKUPS),
    schedules,
  };
  const where = input.environment
    ? `in ${input.environment}`
    : 'in an environment the portal cannot tell';
  const result = (
    state: RecoverabilityState,
    message: string,
    hint?: string,
  ): Recoverability => ({
    state,
    severity: severityOf(state, required),
    ...base,
    message,
    ...(hint && state !== 'protected' ? { hint } : {}),
  });

  if (input.unreadable) {
    return result(
      'unknown',
      `Whether this database can be restored is not known: ${input.unreadable}`,
    );
  }
  if (!methods.length && !schedules.length) {
    return result(
      'none',
      `No backups are configured for this database ${where}: no base backups and no WAL archive, so its data cannot be restored if the cluster's volumes are lost.`,
      required
        ? 'Ask the platform team to compose backups for it (a Barman Cloud ObjectStore and the plugin on the Cluster, with a ScheduledBackup); until then it is not recoverable.'
        : `Backups are required only in ${requiredIn.join(
            ', ',
          )}; add them if this data matters.`,
    );
  }
  if (archiving && !archiving.ok) {
    return result(
      'archivingFailing',
      `WAL archiving is failing${
        archiving.message ? `: ${archiving.message}` : ''
      } (${
        archiving.reason ?? 'ContinuousArchiving False'
      }). No point in time after the last archived WAL can be restored.`,
      'Ask the platform team to check the object store and its credentials (kubectl cnpg status shows the archiver’s last error); archiving resumes by itself once they work.',
    );
  }
  if (lastFailed || conditionFailed) {
    const error = lastFailed?.error ?? str(conditionFailed?.message);
    return result(
      'lastBackupFailed',
      `The last backup${lastFailed ? ` (${lastFailed.name})` : ''} failed${
        error ? `: ${error}` : ''
      }.${
        lastGood
          ? ` The last good one finished at ${lastGood}.`
          : ' No backup has completed.'
      }`,
      'Ask the platform team to look at the failed Backup (kubectl describe backup) and the object store; the next scheduled backup tries again.',
    );
  }
  if (!lastGood) {
    return result(
      'noBackupYet',
      `Backups are configured (${
        methods.join(', ') || 'scheduled'
      }), but none has completed yet.`,
      schedules.length
        ? 'The first scheduled backup makes it recoverable; if none runs within a day, ask the platform team to look at the ScheduledBackup.'
        : 'No ScheduledBackup names this cluster: ask the platform team to schedule backups, or take one (kubectl cnpg backup).',
    );
  }
  const ageHours = (now - time(lastGood)!) / 3_600_000;
  if (ageHours > maxAgeHours) {
    return result(
      'stale',
      `The last good backup finished ${Math.floor(
        ageHours,
      )} hours ago (${lastGood}), more than the ${maxAgeHours} hours allowed.`,
      schedules.some(s => s.suspended)
        ? 'Its ScheduledBackup is suspended: ask the platform team to resume it.'
        : 'Ask the platform team why no backup ran since (the ScheduledBackup and the operator logs).',
    );
  }
  return result(
    'protected',
    `The last good backup finished at ${lastGood}${
      archiving?.ok ? '; WAL archiving works' : ''
    }.`,
  );
}
