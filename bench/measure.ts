/*
 * The measurements, against a running backend signed in as the guest: the waves of views of an
 * entity's databases (ours, the Kubernetes backend's baseline and the backend's floor), the fleet
 * view, a scaffolder run and a sustained load.
 */
import { ForgeStandIn, SsmStandIn } from '@bizmatters/sandbox';
import { Backend, BASE, cpuMs, Headers, rssMiB } from './backend';
import {
  CatalogEntity,
  FLEET_STALE_SECONDS,
  SecretLabels,
  StandIns,
  TTL_SECONDS,
  unlabelSecrets,
  upstreamRequests,
  VIEWED,
  VIEWER_COUNTS,
} from './fixtures';

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Waits until the backend's caches have expired. */
export const expireCaches = () => sleep(TTL_SECONDS * 1000 + 500);

/**
 * ours: GET /api/postgres/v1/entities/…/databases; baseline: Backstage's own Kubernetes backend
 * (POST /api/kubernetes/services/:entity); floor: the backend's cheapest route (no token, no work).
 */
export type Mode = 'ours' | 'baseline' | 'floor';

/**
 * What a view needs: the guest's headers, the catalog (the baseline posts the entity) and the
 * backend it asks (BASE unless given).
 */
export type Viewer = {
  headers: Headers;
  entities: CatalogEntity[];
  base?: string;
};

/** One view of `entity`'s databases. */
export function view(
  viewer: Viewer,
  mode: Mode,
  entity: string,
): Promise<Response> {
  const { headers, entities, base = BASE } = viewer;
  switch (mode) {
    case 'ours':
      return fetch(
        `${base}/api/postgres/v1/entities/component/default/${entity}/databases`,
        { headers },
      );
    case 'baseline':
      return fetch(`${base}/api/kubernetes/services/${entity}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          entity: entities.find(x => x.metadata.name === entity),
        }),
      });
    case 'floor':
      return fetch(`${base}/api/postgres/health`);
  }
}

export type Row = {
  mode: Mode;
  viewers: number;
  cache: 'cold' | 'warm' | 'none';
  perView: number;
  p50: number;
  p95: number;
  cpuPerView: number;
  errors: number;
};

/** What the waves need: a viewer, the clusters to count upstream requests and the backend's CPU. */
export type WaveContext = Viewer & { standIns: StandIns; backend: Backend };

/**
 * `viewers` concurrent views of each viewed entity in turn, repeated for `rounds` rounds.
 * A cold wave is one round (only the first view after the TTL is cold); the others repeat
 * until about 300 views, for stable percentiles and CPU figures.
 */
export async function wave(
  context: WaveContext,
  spec: Pick<Row, 'mode' | 'viewers' | 'cache'>,
): Promise<Row> {
  const { mode, viewers, cache } = spec;
  const { clusters } = context.standIns;
  const rounds =
    cache === 'cold'
      ? 1
      : Math.max(1, Math.ceil(300 / (viewers * VIEWED.length)));
  const latencies: number[] = [];
  let errors = 0;
  const before = upstreamRequests(clusters);
  const cpuBefore = cpuMs(context.backend);
  for (let round = 0; round < rounds; round++) {
    for (const entity of VIEWED) {
      await Promise.all(
        Array.from({ length: viewers }, async () => {
          const t = performance.now();
          const res = await view(context, mode, entity);
          const body = await res.text();
          latencies.push(performance.now() - t);
          if (
            !res.ok ||
            (mode === 'ours' && JSON.parse(body).items.length === 0)
          )
            errors++;
        }),
      );
    }
  }
  const views = latencies.length;
  return {
    mode,
    viewers,
    cache,
    perView: (upstreamRequests(clusters) - before) / views,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    cpuPerView: (cpuMs(context.backend) - cpuBefore) / views,
    errors,
  };
}

/**
 * Warms up both code paths (module loading), lets the caches expire, then for each number of
 * viewers (caches expired first): ours cold, ours warm, the baseline and the floor.
 */
export async function measureViews(context: WaveContext): Promise<Row[]> {
  await (await view(context, 'ours', VIEWED[0])).text();
  await (await view(context, 'baseline', VIEWED[0])).text();
  await expireCaches();

  const rows: Row[] = [];
  for (const viewers of VIEWER_COUNTS) {
    await expireCaches();
    rows.push(await wave(context, { mode: 'ours', viewers, cache: 'cold' }));
    rows.push(await wave(context, { mode: 'ours', viewers, cache: 'warm' }));
    rows.push(
      await wave(context, { mode: 'baseline', viewers, cache: 'none' }),
    );
    rows.push(await wave(context, { mode: 'floor', viewers, cache: 'none' }));
  }
  return rows;
}

export type FleetRow = {
  /** Which of the databases' Secrets carry the label. */
  labels: SecretLabels;
  databases: number;
  /** Upstream requests of the cold view (no built fleet to serve). */
  coldReads: number;
  coldMs: number;
  /** The next view, of the fleet just built. */
  warmMs: number;
  /** A view past the TTL: the built fleet, served while the next is built. */
  staleMs: number;
  /** Upstream requests of the build that view started. */
  rebuildReads: number;
  /** From that view until the build's last upstream request. */
  rebuildMs: number;
  /** The views' error entries. */
  errors: number;
  /** The answer's size: as sent (gzip) and as JSON. */
  wireBytes: number;
  bytes: number;
  /** The backend's RSS after this row. */
  rssMiB: number;
};

/** Fetches the fleet view; throws unless it answers with items. */
export async function fleetView(headers: Headers) {
  const t = performance.now();
  const res = await fetch(`${BASE}/api/postgres/v1/databases`, {
    headers: { ...headers, 'accept-encoding': 'gzip' },
  });
  // until the last byte is in (decompressed); the client's JSON.parse is not the backend's
  const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
  const ms = performance.now() - t;
  const body = JSON.parse(text);
  if (!res.ok || !Array.isArray(body.items)) {
    throw new Error(
      `the fleet view answered ${res.status}: ${text.slice(0, 1000)}`,
    );
  }
  return {
    ms,
    items: body.items.length as number,
    errors: body.errors.length as number,
    requests: (body.requests?.length ?? 0) as number,
    wireBytes: Number(res.headers.get('content-length') ?? NaN),
    bytes: Buffer.byteLength(text),
  };
}

/**
 * The labellings the fleet table measures, in this order (labels are only taken off):
 * BENCH_FLEET_LABELS, e.g. `both` for the first line alone; default all three.
 */
const FLEET_LABELS = (process.env.BENCH_FLEET_LABELS ?? 'both,credentials,none')
  .split(',')
  .map(l => {
    if (l !== 'both' && l !== 'credentials' && l !== 'none')
      throw new Error(
        `BENCH_FLEET_LABELS: ${l} is not both, credentials or none`,
      );
    return l as SecretLabels;
  });

/**
 * A first fleet view, not measured: asked again while it fails (right after start, the
 * catalog may still be busy processing thousands of entities past the catalog timeout).
 */
async function warmUp(headers: Headers) {
  for (let tries = 1; ; tries++) {
    try {
      return await fleetView(headers);
    } catch (e) {
      if (tries >= 10) throw e;
      process.stderr.write(
        `warm-up fleet view failed, again: ${String(e).slice(0, 300)}\n`,
      );
      await sleep(5000);
    }
  }
}

/** Resolves once the clusters have had no request for 500 ms; when their last one came. */
export async function upstreamSettled(clusters: StandIns['clusters']) {
  let seen = upstreamRequests(clusters);
  let last = performance.now();
  for (;;) {
    await sleep(100);
    const now = upstreamRequests(clusters);
    if (now !== seen) {
      seen = now;
      last = performance.now();
    } else if (performance.now() - last >= 500) {
      return last;
    }
  }
}

/**
 * Three fleet views as `headers`: cold (once the clusters are quiet, past the TTL and the stale
 * window: the build is waited for), warm (the next view), and stale (past the TTL: served while
 * the next is built), with the cold view's upstream requests and those of the build the stale
 * one started, until the clusters are quiet again.
 */
export async function coldWarmStale(
  headers: Headers,
  clusters: StandIns['clusters'],
) {
  await upstreamSettled(clusters);
  await sleep((TTL_SECONDS + FLEET_STALE_SECONDS) * 1000 + 500);
  const before = upstreamRequests(clusters);
  const cold = await fleetView(headers);
  const coldReads = upstreamRequests(clusters) - before;
  const warm = await fleetView(headers);
  await expireCaches();
  const beforeStale = upstreamRequests(clusters);
  const started = performance.now();
  const stale = await fleetView(headers);
  const last = await upstreamSettled(clusters);
  return {
    cold,
    coldReads,
    warm,
    stale,
    rebuildReads: upstreamRequests(clusters) - beforeStale,
    rebuildMs: last - started,
  };
}

/**
 * The fleet view (GET /api/postgres/v1/databases) for each labelling of the databases' Secrets
 * (labels only ever removed, so in this order): cold (past the TTL and the stale window: the
 * build is waited for), warm (the next view), and stale (past the TTL: served while the next
 * is built), with that build's upstream requests.
 */
export async function measureFleet(options: {
  headers: Headers;
  standIns: StandIns;
  backend: Backend;
}): Promise<FleetRow[]> {
  const { headers, backend } = options;
  const { clusters } = options.standIns;
  const rows: FleetRow[] = [];
  // once before: the Kubernetes backend loads its client on its first proxy request
  await warmUp(headers);
  await upstreamSettled(clusters);
  for (const labels of FLEET_LABELS) {
    unlabelSecrets(clusters, labels);
    const { cold, coldReads, warm, stale, rebuildReads, rebuildMs } =
      await coldWarmStale(headers, clusters);
    rows.push({
      labels,
      databases: cold.items,
      coldReads,
      coldMs: cold.ms,
      warmMs: warm.ms,
      staleMs: stale.ms,
      rebuildReads,
      rebuildMs,
      errors: cold.errors + warm.errors + stale.errors,
      wireBytes: warm.wireBytes,
      bytes: warm.bytes,
      rssMiB: rssMiB(backend),
    });
  }
  return rows;
}

/** One cold fleet view (past the TTL and the stale window), with its upstream requests. */
export async function measureFleetCold(options: {
  headers: Headers;
  standIns: StandIns;
}): Promise<{ databases: number; upstreamRequests: number; coldMs: number }> {
  const { headers } = options;
  const { clusters } = options.standIns;
  // once before: the Kubernetes backend loads its client on its first proxy request
  await fleetView(headers);
  await upstreamSettled(clusters);
  await sleep((TTL_SECONDS + FLEET_STALE_SECONDS) * 1000 + 500);
  const before = upstreamRequests(clusters);
  const cold = await fleetView(headers);
  return {
    databases: cold.items,
    upstreamRequests: upstreamRequests(clusters) - before,
    coldMs: cold.ms,
  };
}

export type Span = { start: number; end: number };

/**
 * How calls overlapped: their summed duration, the time at least one was in flight (the
 * critical path through them as they ran) and the most at once.
 */
export function analyseSpans(calls: Span[]) {
  const spans = [...calls].sort((x, y) => x.start - y.start);
  const callsSumMs = spans.reduce((n, x) => n + (x.end - x.start), 0);
  let inFlightMs = 0;
  let maxConcurrent = 0;
  let coveredUntil = -Infinity;
  for (const span of spans) {
    inFlightMs += Math.max(0, span.end - Math.max(span.start, coveredUntil));
    coveredUntil = Math.max(coveredUntil, span.end);
    maxConcurrent = Math.max(
      maxConcurrent,
      spans.filter(o => o.start <= span.start && o.end > span.start).length,
    );
  }
  return { callsSumMs, inFlightMs, maxConcurrent };
}

export type ScaffolderRun = ReturnType<typeof analyseSpans> & {
  status: string;
  wallMs: number;
  ssmCalls: number;
  forgeCalls: number;
};

const forgeCallCount = (forge: ForgeStandIn) =>
  Object.values(forge.calls).reduce((a, b) => a + b, 0);

/** Resolves once the catalog of the backend at `base` has the template. */
export async function templateReady(headers: Headers, base = BASE) {
  for (;;) {
    const res = await fetch(
      `${base}/api/catalog/entities/by-name/template/default/new-postgres-db`,
      { headers },
    );
    // read the body: one left unread errors later, unhandled, when its socket closes
    await res.arrayBuffer();
    if (res.ok) return;
    await sleep(500);
  }
}

/**
 * Starts a task of the real template at the backend at `base` for a database of `component`
 * (the first viewed entity unless given; its SSM names and claim follow from it); resolves
 * with the task's id.
 */
export async function startTask(options: {
  headers: Headers;
  forge: ForgeStandIn;
  base?: string;
  component?: string;
}): Promise<string> {
  const { headers, forge, base = BASE, component = VIEWED[0] } = options;
  const created = await (
    await fetch(`${base}/api/scaffolder/v2/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        templateRef: 'template:default/new-postgres-db',
        values: {
          component: `component:default/${component}`,
          owner: 'group:default/bench',
          size: 'small',
          version: '16',
          storageGB: 10,
          environment: 'dev',
          namespace: 'bench',
          repoUrl: `${forge.host}?owner=platform&repo=gitops`,
          baseBranch: 'main',
        },
      }),
    })
  ).json();
  if (!created.id) {
    throw new Error(
      `the scaffolder refused the task: ${JSON.stringify(created).slice(
        0,
        1000,
      )}`,
    );
  }
  return created.id;
}

/** A task's status, asked of the backend at `base`. */
export async function taskStatus(
  headers: Headers,
  id: string,
  base = BASE,
): Promise<string> {
  const res = await fetch(`${base}/api/scaffolder/v2/tasks/${id}`, {
    headers,
  });
  return (await res.json()).status;
}

/** Until a task has left open and processing. */
export const isRunning = (status: string) =>
  status === 'processing' || status === 'open';

/**
 * The real template through the real scaffolder (once the catalog has it), with the stand-ins'
 * latency on every SSM and forge call: the task's wall time, its calls and how they overlapped.
 */
export async function runScaffolder(options: {
  headers: Headers;
  ssm: SsmStandIn;
  forge: ForgeStandIn;
}): Promise<ScaffolderRun> {
  const { headers, ssm, forge } = options;
  await templateReady(headers);
  ssm.spans.length = 0;
  forge.spans.length = 0;
  const ssmBefore = ssm.log.length;
  const forgeBefore = forgeCallCount(forge);
  const tTask = performance.now();
  const id = await startTask({ headers, forge });
  let status = 'processing';
  while (isRunning(status)) {
    await sleep(20);
    status = await taskStatus(headers, id);
  }
  const wallMs = performance.now() - tTask;
  if (process.env.BENCH_TASK_TIMELINE) {
    // the calls in order, with the time since the task started and the gap before each
    const calls = [...ssm.spans, ...forge.spans].sort(
      (a, b) => a.start - b.start,
    );
    let last = tTask;
    for (const c of calls) {
      process.stderr.write(
        `+${(c.start - tTask).toFixed(0).padStart(5)} gap ${(c.start - last)
          .toFixed(0)
          .padStart(4)} took ${(c.end - c.start).toFixed(0).padStart(4)}  ${
          (c as { call?: string }).call ?? ''
        }\n`,
      );
      last = c.end;
    }
    process.stderr.write(
      `+${wallMs.toFixed(0).padStart(5)} end (gap ${(
        tTask +
        wallMs -
        last
      ).toFixed(0)})\n`,
    );
    const events = await (
      await fetch(`${BASE}/api/scaffolder/v2/tasks/${id}/events`, { headers })
    ).json();
    for (const e of events as any[]) {
      const msg = String(e.body?.message ?? '').slice(0, 90);
      if (
        /Beginning step|Finished step|step \w+ has been/.test(msg) ||
        e.type !== 'log'
      )
        process.stderr.write(`${e.createdAt} ${e.type} ${msg}\n`);
    }
  }
  return {
    status,
    wallMs,
    ssmCalls: ssm.log.length - ssmBefore,
    forgeCalls: forgeCallCount(forge) - forgeBefore,
    ...analyseSpans([...ssm.spans, ...forge.spans]),
  };
}

export const LOAD_VIEWERS = 200;

export type Load = {
  requests: number;
  errors: number;
  rssStartMiB: number;
  rssEndMiB: number;
  /** Views of the entity with the scaffolder run's request (its pull request open). */
  requestViews: number;
  /** Pull request reads the request tracking made during the load: lists and single reads. */
  pullListCalls: number;
  pullGetCalls: number;
};

/** Forge calls that read pull requests (the request tracking's; the scaffolder reads none). */
const pullReads = (forge: ForgeStandIn) => ({
  list: forge.calls['GET /repos/:owner/:repo/pulls'] ?? 0,
  get: forge.calls['GET /repos/:owner/:repo/pulls/:number'] ?? 0,
});

/**
 * LOAD_VIEWERS concurrent viewers of the viewed entities (ours) for `seconds`; the first viewed
 * entity has the scaffolder run's request, whose pull request the backend follows on `forge`.
 */
export async function measureLoad(options: {
  viewer: Viewer;
  backend: Backend;
  seconds: number;
  forge: ForgeStandIn;
}): Promise<Load> {
  const { viewer, backend, seconds, forge } = options;
  const rssStartMiB = rssMiB(backend);
  let requests = 0;
  let errors = 0;
  let requestViews = 0;
  const pullsBefore = pullReads(forge);
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: LOAD_VIEWERS }, async (_, i) => {
      const entity = VIEWED[i % VIEWED.length];
      while (Date.now() < end) {
        try {
          const res = await view(viewer, 'ours', entity);
          const body = await res.text();
          if (!res.ok) errors++;
          else if (entity === VIEWED[0] && JSON.parse(body).requests?.length)
            requestViews++;
        } catch {
          errors++;
        }
        requests++;
      }
    }),
  );
  const pullsAfter = pullReads(forge);
  return {
    requests,
    errors,
    rssStartMiB,
    rssEndMiB: rssMiB(backend),
    requestViews,
    pullListCalls: pullsAfter.list - pullsBefore.list,
    pullGetCalls: pullsAfter.get - pullsBefore.get,
  };
}
