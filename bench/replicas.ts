/*
 * Two backend replicas on one PostgreSQL and one Redis (the production shape,
 * app-config.production.yaml, with the bench's own database prefix and Redis database), against
 * the same stand-ins, behind a load balancer that follows their readiness (balancer.ts, the
 * Kubernetes Service, also their discovery target for internal calls): 1 replica vs 2 at
 * LOAD_VIEWERS viewers spread round-robin, then replica 2 stopped (SIGTERM to the backend,
 * SIGKILL after a grace period, as a rolling deploy does) in the middle of the load with
 * scaffolder tasks running.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse } from 'yaml';
import {
  dropDatabases,
  prepareProductionServices,
} from '../scripts/productionServices';
import { PROBE_MS, startBalancer, Upstream } from './balancer';
import {
  Backend,
  Headers,
  processTree,
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
  upstreamRequests,
  VIEWED,
} from './fixtures';
import {
  isRunning,
  LOAD_VIEWERS,
  quantile,
  startTask,
  taskStatus,
  templateReady,
  view,
  Viewer,
} from './measure';

const ROOT = path.resolve(__dirname, '..');
export const REPLICA_PORTS = [7107, 7108];
const DATABASE_PREFIX = 'bench_replicas_';
const REDIS_DB = 6;
/** scaffolder.taskRecovery.staleTimeout: a task without a heartbeat this long is recovered. */
export const STALE_SECONDS = 10;
/** From SIGTERM to SIGKILL (Kubernetes' terminationGracePeriodSeconds). */
export const GRACE_SECONDS = 10;
/**
 * backend.lifecycle.serverShutdownDelay: after SIGTERM a replica reports not ready but serves
 * everything this long, so that the balancer's probe takes it out before its plugins refuse.
 */
export const SHUTDOWN_DELAY_MS = 4 * PROBE_MS;
/**
 * Scaffolder tasks started just before the stop, alternately at each replica, one every
 * TASK_SPACING_MS: at the stop, replica 2's are at different steps of their runs.
 */
const TASKS = 6;
export const TASK_SPACING_MS = 750;
/** SSM and forge latency while those tasks run, so that they are mid-run at the stop. */
export const STOP_LATENCY_MS = 1000;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`[replicas] ${line}\n`);

/**
 * app-config.production.yaml (task recovery, the task-row workspace, graceful shutdown) with the
 * bench's database prefix and Redis database, a shorter stale timeout and shutdown delay; each
 * replica its own working directory (its own disk, as a pod has) and the balancer as the target
 * of its internal calls (discovery), as a production operator would configure them.
 */
function replicaConfig(balancer: string): object {
  const production = parse(
    fs.readFileSync(path.join(ROOT, 'app-config.production.yaml'), 'utf8'),
  );
  const cache = new URL(production.backend.cache.connection);
  cache.pathname = `/${REDIS_DB}`;
  return {
    backend: {
      database: { ...production.backend.database, prefix: DATABASE_PREFIX },
      cache: { ...production.backend.cache, connection: cache.toString() },
      workingDirectory: '{dir}',
      lifecycle: { serverShutdownDelay: { milliseconds: SHUTDOWN_DELAY_MS } },
    },
    discovery: {
      endpoints: [
        {
          target: { internal: `${balancer}/api/{{pluginId}}` },
          plugins: ['*'],
        },
      ],
    },
    scaffolder: {
      ...production.scaffolder,
      taskRecovery: {
        ...production.scaffolder.taskRecovery,
        staleTimeout: { seconds: STALE_SECONDS },
      },
    },
  };
}

type Replica = Upstream & { backend: Backend };

export type LoadRun = {
  replicas: number;
  seconds: number;
  views: number;
  /** Upstream requests counted at the Kubernetes stand-ins during the load. */
  upstreamRequests: number;
  p50: number;
  p95: number;
  /** Failed views per replica. */
  errors: number[];
  /** Views sent per replica. */
  sent: number[];
};

export type Stop = {
  /** Ms into the load when replica 2 got SIGTERM. */
  atMs: number;
  /** Ms from SIGTERM until the backend's process was gone; killed: SIGKILL after the grace period. */
  exitMs: number;
  killed: boolean;
  /** Ms from SIGTERM until the load balancer stopped sending to it (its readiness probe failed). */
  droppedAfterMs: number;
  /** Failed views at replica 2 sent before / after the SIGTERM. */
  failedHeld: number;
  failedAfter: number;
};

/**
 * LOAD_VIEWERS viewers for `seconds`, each view sent to the next replica the balancer has up
 * (round-robin, readiness probes). `during` runs alongside, with the time the load started.
 */
async function load(options: {
  replicas: Replica[];
  viewer: Viewer;
  standIns: StandIns;
  seconds: number;
  /** When a replica was stopped (set by `during`). */
  stopped?: { at: number };
  during?: (startedAt: number) => Promise<void>;
}): Promise<LoadRun & { failedAfterStop: number[] }> {
  const { replicas, viewer, standIns, seconds } = options;
  const latencies: number[] = [];
  const errors = replicas.map(() => 0);
  const sent = replicas.map(() => 0);
  const failedAfterStop = replicas.map(() => 0);
  let next = 0;
  const before = upstreamRequests(standIns.clusters);
  const startedAt = Date.now();
  const end = startedAt + seconds * 1000;
  const pick = async () => {
    for (;;) {
      for (let i = 0; i < replicas.length; i++) {
        const r = next++ % replicas.length;
        if (replicas[r].up) return r;
      }
      await sleep(PROBE_MS / 5); // none ready (a probe timed out): as the balancer, wait
    }
  };
  const viewers = Array.from({ length: LOAD_VIEWERS }, async (_, i) => {
    while (Date.now() < end) {
      const r = await pick();
      sent[r]++;
      const t = performance.now();
      const sentAt = Date.now();
      let ok = false;
      try {
        const res = await view(
          { ...viewer, base: replicas[r].backend.base },
          'ours',
          VIEWED[i % VIEWED.length],
        );
        await res.text();
        ok = res.ok;
      } catch {
        /* counted below */
      }
      if (ok) latencies.push(performance.now() - t);
      else {
        errors[r]++;
        const stoppedAt = options.stopped?.at;
        if (stoppedAt && sentAt >= stoppedAt) failedAfterStop[r]++;
      }
    }
  });
  await Promise.all([...viewers, options.during?.(startedAt)]);
  return {
    replicas: replicas.length,
    seconds,
    views: latencies.length + errors.reduce((a, b) => a + b, 0),
    upstreamRequests: upstreamRequests(standIns.clusters) - before,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    errors,
    sent,
    failedAfterStop,
  };
}

/**
 * SIGTERM to the backend's process (the last of its tree: npx → backstage-cli → node), as
 * Kubernetes signals a container's main process once; SIGKILL if it is still there after the
 * grace period. Then the rest of the tree (the CLI's wrappers) is ended.
 */
async function terminate(backend: Backend) {
  const pids = processTree(String(backend.process.pid));
  const main = Number(pids[pids.length - 1]);
  const t = Date.now();
  const signal = (pid: string | number, name: NodeJS.Signals) => {
    try {
      process.kill(Number(pid), name);
    } catch {
      /* gone */
    }
  };
  const alive = (pid: string | number) => fs.existsSync(`/proc/${pid}`);
  signal(main, 'SIGTERM');
  while (alive(main) && Date.now() - t < GRACE_SECONDS * 1000) await sleep(100);
  const killed = alive(main);
  if (killed) signal(main, 'SIGKILL');
  while (alive(main)) await sleep(100);
  const exitMs = Date.now() - t;
  for (const pid of pids) signal(pid, 'SIGKILL');
  while (pids.some(alive)) await sleep(100);
  return { exitMs, killed };
}

type TaskEvent = {
  type: string;
  body: {
    stepId?: string;
    status?: string;
    message?: string;
    error?: { message?: string };
  };
};

export type TaskOutcome = {
  id: string;
  /** The replica the task was posted to (1 or 2). */
  postedTo: number;
  component: string;
  status: string;
  recovered: number;
  /** How often each step started. */
  stepStarts: Record<string, number>;
  /** PutParameter calls per SSM parameter name of this task. */
  puts: Record<string, number>;
  /** Pull requests opened for its branch, the files each changes, whether they are the three. */
  pulls: number;
  pullFiles: number[];
  rightFiles: boolean[];
  /** Completion events (a task that ends once has one). */
  completions: number;
  /** The message of the task's completion event, or its error's. */
  completion: string;
};

/** The task's events, read through the backend at `base`. */
async function events(
  base: string,
  headers: Headers,
  id: string,
): Promise<TaskEvent[]> {
  const res = await fetch(`${base}/api/scaffolder/v2/tasks/${id}/events`, {
    headers,
  });
  return res.json();
}

async function outcome(
  task: { id: string; postedTo: number; component: string },
  base: string,
  headers: Headers,
  standIns: StandIns,
): Promise<TaskOutcome> {
  const list = await events(base, headers, task.id);
  const completion = list.filter(e => e.type === 'completion').pop();
  const pulls = standIns.forge.pulls.filter(p =>
    new RegExp(`/${task.component}(-|$)`).test(p.head),
  );
  const files = await Promise.all(
    pulls.map(async p =>
      (await standIns.forge.pullFiles(p)).map(f => f.filename),
    ),
  );
  const stepStarts: Record<string, number> = {};
  for (const e of list) {
    if (e.type === 'log' && e.body.stepId && e.body.status === 'processing')
      stepStarts[e.body.stepId] = (stepStarts[e.body.stepId] ?? 0) + 1;
  }
  const puts: Record<string, number> = {};
  for (const call of standIns.ssm.log) {
    if (call.operation !== 'PutParameter') continue;
    for (const name of call.names)
      if (name.includes(`/${task.component}/`))
        puts[name] = (puts[name] ?? 0) + 1;
  }
  return {
    ...task,
    status: await taskStatus(headers, task.id, base),
    recovered: list.filter(e => e.type === 'recovered').length,
    stepStarts,
    puts,
    pulls: pulls.length,
    pullFiles: files.map(f => f.length),
    rightFiles: files.map(
      f =>
        JSON.stringify(f.sort()) ===
        JSON.stringify(
          ['externalsecret', 'kustomization', 'postgresinstance'].map(
            kind => `databases/bench/${task.component}-db/${kind}.yaml`,
          ),
        ),
    ),
    completions: list.filter(e => e.type === 'completion').length,
    completion:
      completion?.body.error?.message ?? completion?.body.message ?? '',
  };
}

/** Waits until no task is open or processing (or a deadline); resolves with their statuses. */
async function settle(
  tasks: Array<{ id: string }>,
  headers: Headers,
  base: string,
): Promise<string[]> {
  const deadline = Date.now() + (STALE_SECONDS + 60) * 1000 + TASKS * 20_000;
  for (;;) {
    const statuses = await Promise.all(
      tasks.map(x => taskStatus(headers, x.id, base)),
    );
    if (!statuses.some(isRunning) || Date.now() > deadline) return statuses;
    await sleep(500);
  }
}

export type Replicas = {
  one: LoadRun;
  two: LoadRun;
  stopped: LoadRun;
  stop: Stop;
  /** After failed tasks were retried once; first*: before that. */
  tasks: Array<
    TaskOutcome & {
      firstStatus: string;
      firstCompletion: string;
      retried: boolean;
    }
  >;
  /** Ms from the stop until every task had reached a final state. */
  settledMs: number;
};

/**
 * 1 replica, then 2, then 2 with replica 2 stopped mid-load while scaffolder tasks run; each
 * load lasts `seconds`. The bench's databases and Redis database are emptied first and its
 * databases dropped at the end.
 */
export async function measureReplicas(options: {
  standIns: StandIns;
  entities: CatalogEntity[];
  seconds: number;
}): Promise<Replicas> {
  const { standIns, entities, seconds } = options;
  const replicas: Replica[] = [];
  await prepareProductionServices(log, {
    prefix: DATABASE_PREFIX,
    redisDb: REDIS_DB,
  });
  const balancer = await startBalancer(replicas);
  const config = replicaConfig(balancer.url);
  const catalogDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-catalog-'));
  const start = async (port: number) => {
    const backend = startBackend({
      standIns,
      entities,
      port,
      config,
      catalogDir,
    });
    const replica: Replica = { backend, base: backend.base, up: false };
    replicas.push(replica);
    log(`replica on ${port}: starting`);
    await waitForBackend(backend);
    while (!replica.up) await sleep(PROBE_MS);
    return backend;
  };
  try {
    const first = await start(REPLICA_PORTS[0]);
    const headers = await signInWhenCatalogHas(
      entityName(entities.length - 3),
      first.base,
    );
    await templateReady(headers, first.base);
    const viewer = { headers, entities };
    // module loading, then fresh caches
    await (
      await view({ ...viewer, base: first.base }, 'ours', VIEWED[0])
    ).text();
    await sleep(TTL_SECONDS * 1000 + 500);
    log('1 replica: load');
    const one = await load({ replicas, viewer, standIns, seconds });

    const second = await start(REPLICA_PORTS[1]);
    // the first replica's token, as a user's browser would send it to whichever replica
    for (let tries = 0; ; tries++) {
      const check = await view(
        { ...viewer, base: second.base },
        'ours',
        VIEWED[0],
      );
      const body = await check.text();
      if (check.ok) break;
      if (tries === 60)
        throw new Error(
          `replica 2 refused replica 1's token: ${check.status} ${body.slice(
            0,
            500,
          )}`,
        );
      await sleep(1000);
    }
    await templateReady(headers, second.base);
    await sleep(TTL_SECONDS * 1000 + 500);
    log('2 replicas: load');
    const two = await load({ replicas, viewer, standIns, seconds });

    await sleep(TTL_SECONDS * 1000 + 500);
    log('2 replicas, replica 2 stopped mid-load');
    const stopped = { at: 0 };
    let atMs = 0;
    const tasks: Array<{ id: string; postedTo: number; component: string }> =
      [];
    let exit = { exitMs: 0, killed: false };
    const latency = {
      ssm: standIns.ssm.latencyMs,
      forge: standIns.forge.latencyMs,
    };
    const run = await load({
      replicas,
      viewer,
      standIns,
      seconds,
      stopped,
      during: async startedAt => {
        const stopAt = startedAt + (seconds * 1000) / 3;
        await sleep(stopAt - TASKS * TASK_SPACING_MS - Date.now());
        standIns.ssm.latencyMs = STOP_LATENCY_MS;
        standIns.forge.latencyMs = STOP_LATENCY_MS;
        const posts = [];
        for (let i = 0; i < TASKS; i++) {
          const postedTo = i % 2;
          // components no other part of the bench creates a database for
          const component = entityName(VIEWED.length + 20 + i);
          posts.push(
            startTask({
              headers,
              forge: standIns.forge,
              base: replicas[postedTo].backend.base,
              component,
            }).then(id => ({ id, postedTo: postedTo + 1, component })),
          );
          await sleep(TASK_SPACING_MS);
        }
        tasks.push(...(await Promise.all(posts)));
        await sleep(Math.max(0, stopAt - Date.now()));
        stopped.at = Date.now();
        atMs = stopped.at - startedAt;
        log(`SIGTERM to replica 2 at ${atMs} ms`);
        exit = await terminate(second);
        log(`replica 2 gone after ${exit.exitMs} ms (killed: ${exit.killed})`);
        for (const f of balancer.failures)
          log(
            `balancer: ${f.request} to ${f.to} failed ${
              f.at - stopped.at
            } ms after the SIGTERM: ${f.error}`,
          );
      },
    });
    standIns.ssm.latencyMs = latency.ssm;
    standIns.forge.latencyMs = latency.forge;
    const statuses = await settle(tasks, headers, first.base);
    const settledMs = Date.now() - stopped.at;
    const before = await Promise.all(
      tasks.map(x => outcome(x, first.base, headers, standIns)),
    );
    // what the user would do with a failed task: retry it (through the surviving replica)
    const failed = tasks.filter((_, i) => statuses[i] === 'failed');
    for (const x of failed) {
      const res = await fetch(
        `${first.base}/api/scaffolder/v2/tasks/${x.id}/retry`,
        { method: 'POST', headers, body: JSON.stringify({ secrets: {} }) },
      );
      if (!res.ok)
        throw new Error(`retrying ${x.id}: ${res.status} ${await res.text()}`);
    }
    await settle(tasks, headers, first.base);
    const outcomes = await Promise.all(
      tasks.map(async (x, i) => ({
        ...(await outcome(x, first.base, headers, standIns)),
        firstStatus: before[i].status,
        firstCompletion: before[i].completion,
        retried: failed.includes(x),
      })),
    );
    const stop: Stop = {
      atMs,
      ...exit,
      droppedAfterMs:
        (replicas[1].downAt ?? stopped.at + exit.exitMs) - stopped.at,
      failedHeld: run.errors[1] - run.failedAfterStop[1],
      failedAfter: run.failedAfterStop[1],
    };
    return { one, two, stopped: run, stop, tasks: outcomes, settledMs };
  } finally {
    for (const r of replicas) await stopBackend(r.backend);
    await balancer.stop();
    await dropDatabases(DATABASE_PREFIX);
  }
}
