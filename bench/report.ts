/* The bench's markdown tables (the root README quotes them). */
import {
  CLUSTERS,
  FLEET_STALE_SECONDS,
  LATENCY_MS,
  TTL_SECONDS,
  VIEWER_COUNTS,
} from './fixtures';
import { FleetRow, Load, LOAD_VIEWERS, Row, ScaffolderRun } from './measure';
import { OPEN_REQUESTS, RequestsRow, SUSTAINED_TTLS } from './requests';
import { FAILURE_THRESHOLD, PROBE_MS } from './balancer';
import {
  GRACE_SECONDS,
  LoadRun,
  Replicas,
  SHUTDOWN_DELAY_MS,
  STALE_SECONDS,
  STOP_LATENCY_MS,
  TASK_SPACING_MS,
  TaskOutcome,
} from './replicas';

export const fmt = (n: number) =>
  Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–';

/** A markdown table under a `##` title. */
export function table(
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

/** What each labelling of the Secrets is, for people. */
const LABELS: Record<FleetRow['labels'], string> = {
  both: 'credentials and connection secrets labelled',
  credentials:
    'credentials secrets labelled, connection secrets not (the reference Composition)',
  none: 'none labelled (claims made before the label)',
};

/** The fleet view, a line per labelling of the Secrets; RSS over the idle backend's. */
export function fleetTable(options: {
  rows: FleetRow[];
  claims: number;
  entityCount: number;
  idleMiB: number;
  rssMiB: number;
}): string {
  const { rows, claims, entityCount } = options;
  const growth = options.rssMiB - options.idleMiB;
  return [
    table(
      `Fleet view — ${claims} claims over ${CLUSTERS} clusters (${entityCount} entities), for an owner of every entity (not a fleet reader: filtered per caller through the catalog and the permission policy); cache TTL ${TTL_SECONDS} s, served stale up to ${FLEET_STALE_SECONDS} s more`,
      [
        'Secrets with the label',
        'databases',
        'cold: upstream reads',
        'time ms',
        'warm: time ms',
        'stale (past the TTL): time ms',
        'its rebuild: upstream reads',
        'rebuild ms',
        'answer KiB gzip / JSON',
        'backend RSS after MiB',
        'errors',
      ],
      rows.map(r => [
        LABELS[r.labels],
        r.databases,
        r.coldReads,
        fmt(r.coldMs),
        fmt(r.warmMs),
        fmt(r.staleMs),
        r.rebuildReads,
        fmt(r.rebuildMs),
        `${fmt(r.wireBytes / 1024)} / ${fmt(r.bytes / 1024)}`,
        fmt(r.rssMiB),
        r.errors,
      ]),
    ),
    '',
    `Backend RSS: ${fmt(
      options.idleMiB,
    )} MiB before the fleet views (signed in, catalog loaded), ${fmt(
      options.rssMiB,
    )} MiB after them (${growth >= 0 ? '+' : '−'}${fmt(
      Math.abs(growth),
    )} MiB).`,
  ].join('\n');
}

const CALLERS: Record<RequestsRow['caller'], string> = {
  reader: 'fleet reader (postgres.fleet.read)',
  owner: 'owner of every entity (not a fleet reader: filtered per caller)',
};

/**
 * The fleet with open requests, per caller against the same caller's fleet without them (the
 * baseline, measured in the same backend just before).
 */
export function fleetRequestsTable(options: {
  rows: RequestsRow[];
  claims: number;
  entityCount: number;
}): string {
  const { rows, claims, entityCount } = options;
  const baseline = (r: RequestsRow) =>
    rows.find(b => b.caller === r.caller && b.changedMs === undefined)!;
  const ttls = SUSTAINED_TTLS;
  return table(
    `Fleet view with open requests — ${claims} claims over ${CLUSTERS} clusters (${entityCount} entities), ${OPEN_REQUESTS} open requests (each its own open pull request on the forge, ${LATENCY_MS} ms a call; namespaces with no database); cache TTL ${TTL_SECONDS} s, served stale up to ${FLEET_STALE_SECONDS} s more; baseline: the same caller's fleet without requests, just before`,
    [
      'caller',
      'open requests in the answer',
      'databases',
      'cold: upstream reads',
      'time ms',
      'warm: time ms',
      'stale (past the TTL): time ms',
      'first view after one more request ms',
      `views in ${ttls} TTLs (back to back)`,
      'forge calls per TTL (pull request lists and reads)',
      'naive: one read per open request per view, per TTL',
      'answer KiB gzip / JSON',
      'ratio cold ms (vs baseline)',
      'ratio warm ms (vs baseline)',
      'ratio stale ms (vs baseline)',
      'errors',
    ],
    rows.map(r => {
      const b = baseline(r);
      return [
        CALLERS[r.caller],
        r.requests,
        r.databases,
        r.coldReads,
        fmt(r.coldMs),
        fmt(r.warmMs),
        fmt(r.staleMs),
        r.changedMs === undefined ? '–' : fmt(r.changedMs),
        r.views,
        fmt(r.forgeCalls / ttls),
        fmt((r.views * r.requests) / ttls),
        `${fmt(r.wireBytes / 1024)} / ${fmt(r.bytes / 1024)}`,
        fmt(r.coldMs / b.coldMs),
        fmt(r.warmMs / b.warmMs),
        fmt(r.staleMs / b.staleMs),
        r.errors,
      ];
    }),
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

/**
 * The request tracking under the load: forge calls per TTL while the viewers look at an entity
 * whose request's pull request is open, against one forge read per view (what a tab asking the
 * forge itself would cost).
 */
export function requestTrackingTable(load: Load & { seconds: number }): string {
  const ttls = load.seconds / TTL_SECONDS;
  const calls = load.pullListCalls + load.pullGetCalls;
  return table(
    `Request tracking — ${LOAD_VIEWERS} concurrent viewers for ${load.seconds} s, one entity with an open request; cache TTL ${TTL_SECONDS} s`,
    [
      'views showing the request',
      'forge calls: pull request lists',
      'forge calls: single pull requests',
      'forge calls per TTL',
      'baseline: one forge read per view, per TTL',
      'ours / baseline',
    ],
    [
      [
        load.requestViews,
        load.pullListCalls,
        load.pullGetCalls,
        fmt(calls / ttls),
        fmt(load.requestViews / ttls),
        load.requestViews ? fmt(calls / load.requestViews) : '–',
      ],
    ],
  );
}

/** 1 replica vs 2, and 2 with replica 2 stopped mid-load; its tasks. */
export function replicasTables(r: Replicas): string[] {
  const perTtl = (run: LoadRun) =>
    run.upstreamRequests / (run.seconds / TTL_SECONDS);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const row = (label: string, run: LoadRun) => [
    label,
    run.views,
    fmt(run.views / run.seconds),
    run.upstreamRequests,
    fmt(perTtl(run)),
    fmt(run.p50),
    fmt(run.p95),
    run.errors.join(' / '),
    fmt(perTtl(run) / perTtl(r.one)),
    fmt(run.p95 / r.one.p95),
    fmt(run.views / run.seconds / (r.one.views / r.one.seconds)),
  ];
  const step = (t: TaskOutcome, id: string) => t.stepStarts[id] ?? 0;
  const { stop } = r;
  return [
    table(
      `Replicas — ${LOAD_VIEWERS} viewers for ${r.one.seconds} s each, round-robin over the replicas the balancer has ready; backend on PostgreSQL, cache on Redis (shared); cache TTL ${TTL_SECONDS} s`,
      [
        'replicas',
        'views',
        'views/s',
        'upstream reads',
        `upstream reads per TTL window`,
        'p50 ms',
        'p95 ms',
        'failed views (replica 1 / 2)',
        'ratio reads per TTL (vs 1 replica)',
        'ratio p95 (vs 1 replica)',
        'ratio views/s (vs 1 replica)',
      ],
      [
        row('1', r.one),
        row('2', r.two),
        row(`2, replica 2 stopped at ${fmt(stop.atMs / 1000)} s`, r.stopped),
      ],
    ),
    table(
      `Replica 2 stopped mid-load — SIGTERM to its backend, SIGKILL after ${GRACE_SECONDS} s; shutdown delay ${SHUTDOWN_DELAY_MS} ms, readiness probed every ${PROBE_MS} ms (out after ${FAILURE_THRESHOLD} failures); internal calls through the balancer; scaffolder graceful shutdown, task recovery (stale after ${STALE_SECONDS} s) with the task-row workspace`,
      [
        'views sent to replica 2',
        'failed views at replica 2: sent before SIGTERM',
        'sent after SIGTERM',
        'failed views at replica 1',
        'SIGTERM → balancer dropped it ms',
        'SIGTERM → backend gone ms',
        'killed after grace period',
        'SIGTERM → every task final ms',
      ],
      [
        [
          r.stopped.sent[1],
          stop.failedHeld,
          stop.failedAfter,
          r.stopped.errors[0],
          stop.droppedAfterMs,
          stop.exitMs,
          stop.killed ? 'yes' : 'no',
          r.settledMs,
        ],
      ],
    ),
    table(
      `Scaffolder tasks started just before the stop, one every ${TASK_SPACING_MS} ms (${STOP_LATENCY_MS} ms on every SSM and forge call), as read through replica 1; a failed task would be retried once (recovered events count retries too)`,
      [
        'task',
        'posted to replica (either may run it)',
        'final status',
        'why',
        'retried (through replica 1)',
        'status after',
        'completion events',
        'recovered events',
        'starts of credentials / manifests / pr',
        'PutParameter per SSM name',
        'pull requests opened',
        'files in each',
        'the three manifests of its database',
      ],
      r.tasks.map(t => [
        t.component,
        t.postedTo,
        t.firstStatus,
        t.firstCompletion.replace(/\|/g, '\\|').slice(0, 160),
        t.retried ? 'yes' : 'no',
        t.status,
        t.completions,
        t.recovered,
        `${step(t, 'credentials')} / ${step(t, 'manifests')} / ${step(
          t,
          'pr',
        )}`,
        Object.values(t.puts).join(', ') || '0',
        t.pulls,
        t.pullFiles.join(', ') || '–',
        t.rightFiles.map(ok => (ok ? 'yes' : 'no')).join(', ') || '–',
      ]),
    ).concat(
      `\n\nTasks: ${r.tasks.length}; PutParameter calls in all: ${sum(
        r.tasks.map(t => sum(Object.values(t.puts))),
      )}.`,
    ),
  ];
}
