/* The bench's markdown tables (the root README quotes them). */
import { CLUSTERS, LATENCY_MS, TTL_SECONDS, VIEWER_COUNTS } from './fixtures';
import { Fleet, Load, LOAD_VIEWERS, Row, ScaffolderRun } from './measure';

const fmt = (n: number) =>
  Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–';

/** A markdown table under a `##` title. */
function table(
  title: string,
  columns: string[],
  rows: Array<Array<string | number>>,
): string {
  return [
    `## ${title}`,
    '',
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map(cells => `| ${cells.join(' | ')} |`),
  ].join('\n');
}

/** Writes the tables to stdout, a blank line between them. */
export function printTables(tables: string[]): void {
  process.stdout.write(`${tables.join('\n\n')}\n`);
}

/** Ours cold and warm, the baseline and the floor, a line per number of viewers. */
export function viewsTable(options: {
  rows: Row[];
  claims: number;
  entityCount: number;
}): string {
  const { rows, claims, entityCount } = options;
  const find = (viewers: number, mode: Row['mode'], cache?: Row['cache']) =>
    rows.find(
      r =>
        r.mode === mode &&
        r.viewers === viewers &&
        (cache === undefined || r.cache === cache),
    )!;
  return table(
    `Health read cost — ${claims} claims over ${CLUSTERS} clusters (${entityCount} entities), entities viewed own 1, 2 and 3 databases; cache TTL ${TTL_SECONDS} s`,
    [
      'viewers',
      'ours cold: upstream req/view',
      'p50 ms',
      'p95 ms',
      'ours warm: upstream req/view',
      'p50 ms',
      'p95 ms',
      'backend CPU ms/view',
      'baseline: upstream req/view',
      'p50 ms',
      'p95 ms',
      'backend CPU ms/view',
      'ratio req/view (ours cold / baseline)',
      'ratio p95 (ours warm / baseline)',
      'floor: p95 ms',
      'backend CPU ms/view',
      'errors',
    ],
    VIEWER_COUNTS.map(viewers => {
      const cold = find(viewers, 'ours', 'cold');
      const warm = find(viewers, 'ours', 'warm');
      const base = find(viewers, 'baseline');
      const floor = find(viewers, 'floor');
      return [
        viewers,
        fmt(cold.perView),
        fmt(cold.p50),
        fmt(cold.p95),
        fmt(warm.perView),
        fmt(warm.p50),
        fmt(warm.p95),
        fmt(warm.cpuPerView),
        fmt(base.perView),
        fmt(base.p50),
        fmt(base.p95),
        fmt(base.cpuPerView),
        fmt(cold.perView / base.perView),
        fmt(warm.p95 / base.p95),
        fmt(floor.p95),
        fmt(floor.cpuPerView),
        cold.errors + warm.errors + base.errors + floor.errors,
      ];
    }),
  );
}

export function fleetTable(fleet: Fleet & { rssMiB: number }): string {
  return table(
    'Fleet view — every database with its verdict, for an owner of every entity (not a fleet reader: filtered per caller through the catalog and the permission policy)',
    [
      'databases',
      'upstream requests (cold)',
      'time cold ms',
      'time warm ms',
      'backend RSS MiB',
    ],
    [
      [
        fleet.databases,
        fleet.upstreamRequests,
        fmt(fleet.coldMs),
        fmt(fleet.warmMs),
        fmt(fleet.rssMiB),
      ],
    ],
  );
}

export function scaffolderTable(run: ScaffolderRun): string {
  const injected = (run.ssmCalls + run.forgeCalls) * LATENCY_MS;
  return table(
    `Scaffolder run — the real template, ${LATENCY_MS} ms injected on every SSM and forge call`,
    [
      'task status',
      'wall time ms',
      'SSM calls',
      'forge calls',
      'injected latency, sum ms',
      'calls, summed duration ms',
      'critical path: time with a call in flight ms',
      'most calls at once',
      'wall / injected sum',
      'wall − critical path ms',
    ],
    [
      [
        run.status,
        fmt(run.wallMs),
        run.ssmCalls,
        run.forgeCalls,
        injected,
        fmt(run.callsSumMs),
        fmt(run.inFlightMs),
        run.maxConcurrent,
        fmt(run.wallMs / injected),
        fmt(run.wallMs - run.inFlightMs),
      ],
    ],
  );
}

export function loadTable(load: Load & { seconds: number }): string {
  return table(
    `Load — ${LOAD_VIEWERS} concurrent viewers for ${load.seconds} s`,
    [
      'requests',
      'errors',
      'requests/s',
      'backend RSS start MiB',
      'backend RSS end MiB',
    ],
    [
      [
        load.requests,
        load.errors,
        fmt(load.requests / load.seconds),
        fmt(load.rssStartMiB),
        fmt(load.rssEndMiB),
      ],
    ],
  );
}
