/*
 * What recoverability adds to an entity view (issue #30), before and after in one run: the
 * same stand-ins, one backend with `postgres.recoverability.enabled: false` (the view as it was)
 * and one with it on (CNPG's Backups and ScheduledBackups read per namespace, ObjectStores only
 * where a Cluster names one), each measured cold (past the TTL) and warm.
 */
import {
  signInWhenCatalogHas,
  startBackend,
  stopBackend,
  waitForBackend,
} from './backend';
import {
  CatalogEntity,
  entityName,
  StandIns,
  TTL_SECONDS,
  VIEWED,
} from './fixtures';
import { expireCaches, view, wave } from './measure';
import { fmt, table } from './report';

export interface RecoverabilityRow {
  recoverability: 'off (the previous view)' | 'on';
  viewers: number;
  coldPerView: number;
  /** Reads of the new kinds in the cold wave, per viewed entity. */
  newKindsPerEntity: number;
  warmP50: number;
  warmP95: number;
  cpuPerView: number;
  errors: number;
}

const newKindReads = (standIns: StandIns) =>
  standIns.clusters.reduce(
    (n, c) =>
      n +
      c.requests.filter(r =>
        /\/(backups|scheduledbackups|objectstores)(\?|$)/.test(r),
      ).length,
    0,
  );

export async function measureRecoverability(options: {
  standIns: StandIns;
  entities: CatalogEntity[];
}): Promise<RecoverabilityRow[]> {
  const { standIns, entities } = options;
  const rows: RecoverabilityRow[] = [];
  for (const enabled of [false, true]) {
    const backend = startBackend({
      standIns,
      entities,
      config: { postgres: { recoverability: { enabled } } },
    });
    try {
      await waitForBackend(backend);
      const headers = await signInWhenCatalogHas(
        entityName(standIns.entityCount - 1),
      );
      const context = { headers, entities, standIns, backend };
      await (await view(context, 'ours', VIEWED[0])).text();
      for (const viewers of [1, 10]) {
        await expireCaches();
        for (const c of standIns.clusters) c.requests.length = 0;
        const cold = await wave(context, {
          mode: 'ours',
          viewers,
          cache: 'cold',
        });
        const newKinds = newKindReads(standIns);
        const warm = await wave(context, {
          mode: 'ours',
          viewers,
          cache: 'warm',
        });
        rows.push({
          recoverability: enabled ? 'on' : 'off (the previous view)',
          viewers,
          coldPerView: cold.perView,
          newKindsPerEntity: newKinds / VIEWED.length,
          warmP50: warm.p50,
          warmP95: warm.p95,
          cpuPerView: warm.cpuPerView,
          errors: cold.errors + warm.errors,
        });
      }
    } finally {
      await stopBackend(backend);
    }
  }
  return rows;
}

export function recoverabilityTable(
  rows: RecoverabilityRow[],
  claims: number,
): string {
  const before = (viewers: number) =>
    rows.find(r => r.viewers === viewers && r.recoverability !== 'on');
  return table(
    `Recoverability on the entity view — ${claims} claims, viewed entities own 1, 2 and 3 databases (one namespace each); before (recoverability off) and after, same stand-ins, one run; cache TTL ${TTL_SECONDS} s`,
    [
      'recoverability',
      'viewers',
      'cold: upstream req/view',
      'of which Backup/ScheduledBackup/ObjectStore, per entity',
      'warm p50 ms',
      'warm p95 ms',
      'warm CPU ms/view',
      'ratio warm p95 (after / before)',
      'errors',
    ],
    rows.map(r => {
      const base = before(r.viewers);
      return [
        r.recoverability,
        r.viewers,
        fmt(r.coldPerView),
        fmt(r.newKindsPerEntity),
        fmt(r.warmP50),
        fmt(r.warmP95),
        fmt(r.cpuPerView),
        base ? fmt(r.warmP95 / base.warmP95) : '–',
        r.errors,
      ];
    }),
  );
}
