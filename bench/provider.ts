/*
 * The database provider's cost (plugins/catalog-backend-module-postgres): one refresh of the
 * catalog's database Resources at 1,000 and 10,000 claims over the clusters, triggered by hand
 * through the catalog's scheduler API (the bench's config schedules it once a day, so that it
 * never runs during the other measurements), and, in the same backend, the fleet answer as the
 * baseline (every claim read with its health). `BENCH_ONLY=provider npm run bench`;
 * BENCH_PROVIDER_CLAIMS: the claim counts, comma-separated (1000,10000).
 */
import {
  Backend,
  BASE,
  cpuMs,
  Headers,
  rssMiB,
  signInWhenCatalogHas,
  startBackend,
  stopBackend,
  waitForBackend,
} from './backend';
import {
  catalogEntities,
  CLUSTERS,
  entityName,
  StandIns,
  startStandIns,
  stopStandIns,
  TTL_SECONDS,
  upstreamRequests,
} from './fixtures';
import { measureFleetCold } from './measure';
import { fmt, table } from './report';

const TASK = 'postgres-databases:refresh';
const TASKS = `${BASE}/api/catalog/.backstage/scheduler/v1/tasks`;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** One refresh: its time, the upstream reads and backend CPU it cost, the Resources it made. */
export type Refresh = {
  /** From seeing the task run to seeing it done (±50 ms), in ms. */
  runMs: number;
  upstreamRequests: number;
  cpuMs: number;
  /** From the trigger until the catalog serves every claim's Resource, in ms. */
  catalogMs: number;
};

export type ProviderRun = {
  claims: number;
  fleet: Awaited<ReturnType<typeof measureFleetCold>>;
  first: Refresh;
  /** The next refresh, nothing changed. */
  steady: Refresh;
  rssMiB: number;
};

type TaskState = {
  status: string;
  lastRunEndedAt?: string;
  lastRunError?: string;
};

async function taskState(headers: Headers): Promise<TaskState | undefined> {
  const res = await fetch(TASKS, { headers });
  if (!res.ok) throw new Error(`${TASKS} answered ${res.status}`);
  const { tasks } = (await res.json()) as {
    tasks: { taskId: string; taskState: TaskState | null }[];
  };
  return tasks.find(t => t.taskId === TASK)?.taskState ?? undefined;
}

/** How many database Resources the catalog serves. */
async function resourceCount(headers: Headers): Promise<number> {
  const res = await fetch(
    `${BASE}/api/catalog/entities/by-query?filter=kind=resource,spec.type=database&limit=1`,
    { headers },
  );
  return ((await res.json()) as { totalItems: number }).totalItems;
}

async function refresh(
  backend: Backend,
  standIns: StandIns,
  headers: Headers,
  claims: number,
): Promise<Refresh> {
  await sleep(TTL_SECONDS * 1000 + 500); // the postgres backend's reads expire
  const before = await taskState(headers);
  const reads = upstreamRequests(standIns.clusters);
  const cpu = cpuMs(backend);
  const triggered = performance.now();
  const res = await fetch(`${TASKS}/${encodeURIComponent(TASK)}/trigger`, {
    method: 'POST',
    headers,
  });
  if (!res.ok) throw new Error(`triggering ${TASK}: ${res.status}`);
  let started: number | undefined;
  let ended: number | undefined;
  const deadline = Date.now() + 600_000;
  while (ended === undefined) {
    if (Date.now() > deadline) throw new Error(`${TASK} did not end`);
    const state = await taskState(headers);
    if (state?.status === 'running') started ??= performance.now();
    else if (state?.lastRunEndedAt !== before?.lastRunEndedAt) {
      ended = performance.now();
      if (state?.lastRunError)
        throw new Error(`${TASK} failed: ${state.lastRunError}`);
    }
    await sleep(25);
  }
  const upstream = upstreamRequests(standIns.clusters) - reads;
  const cpuUsed = cpuMs(backend) - cpu;
  while ((await resourceCount(headers)) < claims) {
    if (Date.now() > deadline)
      throw new Error(`the catalog did not serve ${claims} database Resources`);
    await sleep(500);
  }
  return {
    runMs: ended - (started ?? triggered),
    upstreamRequests: upstream,
    cpuMs: cpuUsed,
    catalogMs: performance.now() - triggered,
  };
}

/** The provider's refresh and the fleet answer, in one backend against `claims` claims. */
export async function measureProvider(claims: number): Promise<ProviderRun> {
  const standIns = await startStandIns({ claims });
  const entities = catalogEntities(standIns.entityCount);
  const backend = startBackend({
    standIns,
    entities,
    config: {
      catalog: {
        rules: [
          {
            allow: [
              'Component',
              'Group',
              'User',
              'Location',
              'Template',
              'Resource',
            ],
          },
        ],
      },
    },
  });
  try {
    await waitForBackend(backend);
    const headers = await signInWhenCatalogHas(
      entityName(standIns.entityCount - 1),
    );
    const fleet = await measureFleetCold({ headers, standIns });
    const first = await refresh(backend, standIns, headers, claims);
    const steady = await refresh(backend, standIns, headers, claims);
    return { claims, fleet, first, steady, rssMiB: rssMiB(backend) };
  } finally {
    await stopBackend(backend);
    await stopStandIns(standIns);
  }
}

/** A line per claim count: the provider's first and steady refresh, the fleet beside them. */
export function providerTable(runs: ProviderRun[]): string {
  return table(
    `Database provider — one refresh of the catalog's Resources over ${CLUSTERS} clusters (cache TTL ${TTL_SECONDS} s, caches expired before each); baseline: the fleet answer, cold, in the same backend`,
    [
      'claims',
      'refresh: upstream req',
      'run ms (first / steady)',
      'backend CPU ms (first / steady)',
      'catalog serves all after, s (first / steady)',
      'fleet cold: upstream req',
      'fleet cold ms',
      'refresh/fleet time',
      'RSS MiB',
    ],
    runs.map(r => [
      r.claims,
      `${r.first.upstreamRequests} / ${r.steady.upstreamRequests}`,
      `${fmt(r.first.runMs)} / ${fmt(r.steady.runMs)}`,
      `${fmt(r.first.cpuMs)} / ${fmt(r.steady.cpuMs)}`,
      `${fmt(r.first.catalogMs / 1000)} / ${fmt(r.steady.catalogMs / 1000)}`,
      r.fleet.upstreamRequests,
      fmt(r.fleet.coldMs),
      fmt(r.steady.runMs / r.fleet.coldMs),
      fmt(r.rssMiB),
    ]),
  );
}
