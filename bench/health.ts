/*
 * npm run bench — the cost of showing database health on an entity page, measured against
 * Kubernetes API stand-ins holding 1,000 claims (with their CNPG Clusters, ExternalSecrets and
 * Secrets) over 3 clusters. Ours (GET /api/postgres/v1/entities/…/databases) and, in the same
 * run against the same clusters, the baseline a team would otherwise use: Backstage's own
 * Kubernetes backend fetching the entity's objects with the same custom resources
 * (POST /api/kubernetes/services/:entity). Prints markdown tables.
 */
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { stringify } from 'yaml';
import {
  DatabaseRequest,
  renderManifests,
} from '@bizmatters/plugin-postgres-common';
import {
  ForgeStandIn,
  KubeObject,
  KubernetesStandIn,
  PLATFORM_KINDS,
  KindInfo,
  SsmStandIn,
} from '@bizmatters/sandbox';
import { waitFor } from '../scripts/waitFor';

const ROOT = path.resolve(__dirname, '..');
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 1000);
const CLUSTERS = 3;
const ENTITIES_VIEWED = 3;
const TTL_SECONDS = 5;
const PORT = 7107;
const BASE = `http://localhost:${PORT}`;

/** Core and apps kinds the Kubernetes backend's baseline fetch asks for, served empty. */
const BASELINE_KINDS: KindInfo[] = [
  ['', 'v1', 'Service', 'services'],
  ['', 'v1', 'ConfigMap', 'configmaps'],
  ['', 'v1', 'LimitRange', 'limitranges'],
  ['', 'v1', 'ResourceQuota', 'resourcequotas'],
  ['apps', 'v1', 'Deployment', 'deployments'],
  ['apps', 'v1', 'ReplicaSet', 'replicasets'],
  ['apps', 'v1', 'StatefulSet', 'statefulsets'],
  ['apps', 'v1', 'DaemonSet', 'daemonsets'],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'],
  ['batch', 'v1', 'Job', 'jobs'],
  ['batch', 'v1', 'CronJob', 'cronjobs'],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses'],
].map(([group, version, kind, plural]) => ({
  group,
  version,
  kind,
  plural,
  namespaced: true,
}));

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** One healthy database, as the platform would have it. */
function objectsFor(request: DatabaseRequest, entity: string): KubeObject[] {
  const { externalSecret, postgresInstance } = renderManifests(request);
  const ns = request.namespace;
  const claim = {
    ...postgresInstance,
    metadata: {
      ...postgresInstance.metadata,
      labels: { 'backstage.io/kubernetes-id': entity },
    },
    status: {
      conditions: [
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
        { type: 'Ready', status: 'True', reason: 'Available' },
      ],
    },
  };
  const es = {
    ...externalSecret,
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'SecretSynced',
          message: 'Secret was synced',
        },
      ],
    },
  };
  const password = b64(`bench-password-${request.name}-0123456789abcdef`);
  return [
    claim,
    es,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${request.name}-credentials`, namespace: ns },
      type: 'kubernetes.io/basic-auth',
      data: { username: b64(request.databaseOwner), password },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${request.service}-postgres`, namespace: ns },
      type: 'Opaque',
      data: {
        endpoint: b64(`${request.name}-rw.${ns}.svc.cluster.local`),
        port: b64('5432'),
        database: b64(request.databaseName),
        username: b64(request.databaseOwner),
        password,
      },
    },
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: request.name, namespace: ns },
      spec: {
        instances: 1,
        bootstrap: { initdb: { owner: request.databaseOwner } },
      },
      status: {
        phase: 'Cluster in healthy state',
        instances: 1,
        readyInstances: 1,
        currentPrimary: `${request.name}-1`,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'ClusterIsReady' },
        ],
      },
    },
  ] as KubeObject[];
}

/** 1,000 claims over 3 clusters; entities own 1–3 databases; 10 entities per namespace. */
function populate(clusters: KubernetesStandIn[]) {
  let claims = 0;
  let e = 0;
  while (claims < CLAIMS) {
    const entity = `svc-${e}`;
    const cluster = clusters[e % CLUSTERS];
    const count = Math.min(1 + (e % 3), CLAIMS - claims);
    for (let i = 0; i < count; i++) {
      const request: DatabaseRequest = {
        name: `${entity}-db${i}`,
        namespace: `team-${Math.floor(e / 10)}`,
        service: `${entity}-${i}`,
        environment: 'prod',
        size: 'small',
        version: '16',
        storageGB: 10,
        databaseName: `db_${e}_${i}`,
        databaseOwner: `owner_${e}_${i}`,
        component: `component:default/${entity}`,
        owner: 'group:default/bench',
      };
      cluster.apply(...objectsFor(request, entity));
      claims++;
    }
    e++;
  }
  return e;
}

function quantile(values: number[], q: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main() {
  const clusters = await Promise.all(
    Array.from({ length: CLUSTERS }, (_, i) =>
      KubernetesStandIn.start({
        name: `bench-${i}`,
        kinds: [...PLATFORM_KINDS, ...BASELINE_KINDS],
      }),
    ),
  );
  const entityCount = populate(clusters);
  const LATENCY_MS = 50;
  const ssm = await SsmStandIn.start({ latencyMs: LATENCY_MS });
  const forge = await ForgeStandIn.start({ latencyMs: LATENCY_MS });
  await forge.createRepo('platform', 'gitops');
  const upstream = () => clusters.reduce((n, c) => n + c.requestCount, 0);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const viewed = Array.from({ length: ENTITIES_VIEWED }, (_, i) => `svc-${i}`); // 1, 2 and 3 databases
  // Every entity of the fleet is in the catalog, owned by a group the viewer (the guest, as
  // user:default/guest) is a member of: with the shipped permission policy, owners read their
  // databases, and the fleet view shows an owner (not a fleet reader) the databases of entities
  // they may read, so the fleet table measures the per-caller filtering too.
  const allEntities = Array.from({ length: entityCount }, (_, i) => `svc-${i}`);
  const entities = [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'bench', namespace: 'default' },
      spec: { type: 'team', children: [] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'guest', namespace: 'default' },
      spec: { memberOf: ['bench'] },
    },
    ...allEntities.map(name => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name, namespace: 'default' },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: 'group:default/bench',
      },
    })),
  ];
  fs.writeFileSync(
    path.join(dir, 'entities.yaml'),
    entities.map(x => stringify(x)).join('---\n'),
  );
  const config = {
    backend: {
      baseUrl: BASE,
      listen: { port: PORT },
      database: { client: 'better-sqlite3', connection: ':memory:' },
    },
    auth: {
      environment: 'development',
      providers: {
        guest: {
          dangerouslyAllowOutsideDevelopment: true,
          userEntityRef: 'user:default/guest',
        },
      },
    },
    catalog: {
      rules: [
        { allow: ['Component', 'Group', 'User', 'Location', 'Template'] },
      ],
      locations: [
        { type: 'file', target: path.join(dir, 'entities.yaml') },
        {
          type: 'file',
          target: path.join(ROOT, 'templates/new-postgres-db/template.yaml'),
        },
      ],
    },
    integrations: {
      github: [
        { host: forge.host, apiBaseUrl: forge.apiBaseUrl, token: 'bench' },
      ],
    },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: clusters.map((c, i) => ({
            name: `bench-${i}`,
            url: c.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: 'x',
            skipTLSVerify: true,
            skipMetricsLookup: true,
          })),
        },
      ],
      customResources: [
        {
          group: 'database.bizmatters.io',
          apiVersion: 'v1alpha1',
          plural: 'postgresinstances',
        },
        { group: 'postgresql.cnpg.io', apiVersion: 'v1', plural: 'clusters' },
        {
          group: 'external-secrets.io',
          apiVersion: 'v1beta1',
          plural: 'externalsecrets',
        },
      ],
    },
    postgres: {
      gitops: {
        repositories: [
          {
            host: forge.host,
            owner: 'platform',
            repo: 'gitops',
            baseBranch: 'main',
          },
        ],
      },
      cache: { ttlSeconds: TTL_SECONDS },
      ssm: { region: 'eu-west-1', endpoint: ssm.url },
    },
  };
  fs.writeFileSync(path.join(dir, 'app-config.bench.yaml'), stringify(config));
  // The backend's output goes to a file; its tail is printed if the bench fails.
  const backendLogFile = path.join(dir, 'backend.log');
  const backendLog = fs.openSync(backendLogFile, 'w');
  const backend = spawn(
    'npx',
    [
      'backstage-cli',
      'package',
      'start',
      '--config',
      '../../app-config.yaml',
      '--config',
      path.join(dir, 'app-config.bench.yaml'),
    ],
    {
      cwd: path.join(ROOT, 'packages/backend'),
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        // e.g. `--require ./profile-hook.js` to profile the backend
        ...(process.env.BENCH_BACKEND_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.BENCH_BACKEND_NODE_OPTIONS }
          : {}),
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
      },
      stdio: ['ignore', backendLog, backendLog],
      detached: true,
    },
  );
  /** The backend's process tree: npx → backstage-cli → node. */
  const tree = (pid: string): string[] => {
    let children: string[] = [];
    try {
      children = fs
        .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    } catch {
      /* gone */
    }
    return [pid, ...children.flatMap(tree)];
  };
  /** CPU time (user + system) the backend's process tree has used, in ms. */
  const cpuMs = () => {
    let ticks = 0;
    for (const pid of tree(String(backend.pid))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
      } catch {
        /* gone */
      }
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  };
  /** Resident memory of the backend's process tree, in MiB. */
  const rss = () => {
    let kb = 0;
    for (const pid of tree(String(backend.pid))) {
      try {
        kb += Number(
          /VmRSS:\s+(\d+)/.exec(
            fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
          )?.[1] ?? 0,
        );
      } catch {
        /* gone */
      }
    }
    return kb / 1024;
  };
  try {
    await Promise.race([
      waitFor(`${BASE}/api/postgres/health`, 'the backend', 180_000),
      new Promise((_, reject) =>
        backend.once('exit', code =>
          reject(new Error(`the backend exited with code ${code}`)),
        ),
      ),
    ]).catch(e => {
      const tail = fs.readFileSync(backendLogFile, 'utf8').slice(-4000);
      throw new Error(`${e.message}; the backend's output ends with:\n${tail}`);
    });
    // Sign in once the catalog has the viewer and the viewed entities: the guest's token then
    // carries the group that owns them (its ownership refs come from the catalog's User).
    const signIn = async () => {
      const body = await (
        await fetch(`${BASE}/api/auth/guest/refresh?env=development`, {
          headers: { 'x-requested-with': 'XMLHttpRequest' },
        })
      ).json();
      return body.backstageIdentity as {
        token: string;
        identity: { ownershipEntityRefs: string[] };
      };
    };
    let headers: Record<string, string> = {};
    for (;;) {
      const identity = await signIn();
      headers = {
        authorization: `Bearer ${identity.token}`,
        'content-type': 'application/json',
      };
      const res = await fetch(
        `${BASE}/api/catalog/entities/by-name/component/default/${
          allEntities[allEntities.length - 1]
        }`,
        { headers },
      );
      if (
        res.ok &&
        identity.identity.ownershipEntityRefs.includes('group:default/bench')
      )
        break;
      await new Promise(r => setTimeout(r, 500));
    }

    const ours = (entity: string) =>
      fetch(
        `${BASE}/api/postgres/v1/entities/component/default/${entity}/databases`,
        { headers },
      );
    const baseline = (entity: string) =>
      fetch(`${BASE}/api/kubernetes/services/${entity}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          entity: entities.find(x => x.metadata.name === entity),
        }),
      });
    // warm up both code paths (module loading), then let caches expire
    await (await ours('svc-0')).text();
    await (await baseline('svc-0')).text();
    await new Promise(r => setTimeout(r, TTL_SECONDS * 1000 + 500));

    type Row = {
      mode: string;
      viewers: number;
      cache: string;
      perView: number;
      p50: number;
      p95: number;
      cpuPerView: number;
      errors: number;
    };
    const rows: Row[] = [];
    /**
     * `viewers` concurrent views of each viewed entity in turn, repeated for `rounds` rounds.
     * A cold wave is one round (only the first view after the TTL is cold); the others repeat
     * until about 300 views, for stable percentiles and CPU figures.
     */
    async function wave(
      mode: string,
      call: (e: string) => Promise<Response>,
      viewers: number,
      cache: string,
    ) {
      const rounds =
        cache === 'cold'
          ? 1
          : Math.max(1, Math.ceil(300 / (viewers * viewed.length)));
      const latencies: number[] = [];
      let errors = 0;
      const before = upstream();
      const cpuBefore = cpuMs();
      for (let round = 0; round < rounds; round++) {
        for (const entity of viewed) {
          await Promise.all(
            Array.from({ length: viewers }, async () => {
              const t = performance.now();
              const res = await call(entity);
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
      rows.push({
        mode,
        viewers,
        cache,
        perView: (upstream() - before) / views,
        p50: quantile(latencies, 0.5),
        p95: quantile(latencies, 0.95),
        cpuPerView: (cpuMs() - cpuBefore) / views,
        errors,
      });
    }
    for (const viewers of [1, 10, 200]) {
      await new Promise(r => setTimeout(r, TTL_SECONDS * 1000 + 500));
      await wave('ours', ours, viewers, 'cold');
      await wave('ours', ours, viewers, 'warm');
      await wave('baseline', baseline, viewers, 'none');
      // the backend's floor: its cheapest route (no token, no work) at the same concurrency
      await wave(
        'floor',
        () => fetch(`${BASE}/api/postgres/health`),
        viewers,
        'none',
      );
    }

    const fmt = (n: number) =>
      Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–';
    const out: string[] = [];
    out.push(
      `## Health read cost — ${CLAIMS} claims over ${CLUSTERS} clusters (${entityCount} entities), entities viewed own 1, 2 and 3 databases; cache TTL ${TTL_SECONDS} s`,
    );
    out.push('');
    out.push(
      '| viewers | ours cold: upstream req/view | p50 ms | p95 ms | ours warm: upstream req/view | p50 ms | p95 ms | backend CPU ms/view | baseline: upstream req/view | p50 ms | p95 ms | backend CPU ms/view | ratio req/view (ours cold / baseline) | ratio p95 (ours warm / baseline) | floor: p95 ms | backend CPU ms/view | errors |',
    );
    out.push(
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const viewers of [1, 10, 200]) {
      const cold = rows.find(
        r => r.mode === 'ours' && r.viewers === viewers && r.cache === 'cold',
      )!;
      const warm = rows.find(
        r => r.mode === 'ours' && r.viewers === viewers && r.cache === 'warm',
      )!;
      const base = rows.find(
        r => r.mode === 'baseline' && r.viewers === viewers,
      )!;
      const floor = rows.find(
        r => r.mode === 'floor' && r.viewers === viewers,
      )!;
      out.push(
        `| ${[
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
        ].join(' | ')} |`,
      );
    }
    if (process.env.BENCH_ONLY === 'views') {
      process.stdout.write(`${out.join('\n')}\n`);
      return;
    }

    // fleet view
    await new Promise(r => setTimeout(r, TTL_SECONDS * 1000 + 500));
    const beforeFleet = upstream();
    const t = performance.now();
    const fleetRes = await fetch(`${BASE}/api/postgres/v1/databases`, {
      headers,
    });
    const fleet = await fleetRes.json();
    const fleetMs = performance.now() - t;
    if (!fleetRes.ok || !Array.isArray(fleet.items)) {
      throw new Error(
        `the fleet view answered ${fleetRes.status}: ${JSON.stringify(
          fleet,
        ).slice(0, 1000)}`,
      );
    }
    const fleetRequests = upstream() - beforeFleet;
    const t2 = performance.now();
    await (
      await fetch(`${BASE}/api/postgres/v1/databases`, { headers })
    ).json();
    const fleetWarmMs = performance.now() - t2;

    // Scaffolder run: the real template through the real scaffolder, 50 ms on every SSM and forge call
    for (;;) {
      const res = await fetch(
        `${BASE}/api/catalog/entities/by-name/template/default/new-postgres-db`,
        { headers },
      );
      if (res.ok) break;
      await new Promise(r => setTimeout(r, 500));
    }
    ssm.spans.length = 0;
    forge.spans.length = 0;
    const ssmBefore = ssm.log.length;
    const forgeBefore = Object.values(forge.calls).reduce((a, b) => a + b, 0);
    const tTask = performance.now();
    const created = await (
      await fetch(`${BASE}/api/scaffolder/v2/tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          templateRef: 'template:default/new-postgres-db',
          values: {
            component: 'component:default/svc-0',
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
    let taskStatus = 'processing';
    while (taskStatus === 'processing' || taskStatus === 'open') {
      await new Promise(r => setTimeout(r, 20));
      taskStatus = (
        await (
          await fetch(`${BASE}/api/scaffolder/v2/tasks/${created.id}`, {
            headers,
          })
        ).json()
      ).status;
    }
    const taskMs = performance.now() - tTask;
    const ssmCalls = ssm.log.length - ssmBefore;
    const forgeCalls =
      Object.values(forge.calls).reduce((a, b) => a + b, 0) - forgeBefore;
    // How the task's calls overlapped: their summed duration, the time at least one was in
    // flight (the critical path through them as they ran) and the most at once.
    const spans = [...ssm.spans, ...forge.spans].sort(
      (x, y) => x.start - y.start,
    );
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

    // Load: 200 concurrent viewers for LOAD_SECONDS
    const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
    const rssStart = rss();
    let loadRequests = 0;
    let loadErrors = 0;
    const loadEnd = Date.now() + LOAD_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        while (Date.now() < loadEnd) {
          try {
            const res = await ours(viewed[i % viewed.length]);
            await res.text();
            if (!res.ok) loadErrors++;
          } catch {
            loadErrors++;
          }
          loadRequests++;
        }
      }),
    );
    const rssEnd = rss();

    out.push('');
    out.push(
      `## Fleet view — every database with its verdict, for an owner of every entity (not a fleet reader: filtered per caller through the catalog and the permission policy)`,
    );
    out.push('');
    out.push(
      '| databases | upstream requests (cold) | time cold ms | time warm ms | backend RSS MiB |',
    );
    out.push('| --- | --- | --- | --- | --- |');
    out.push(
      `| ${fleet.items.length} | ${fleetRequests} | ${fmt(fleetMs)} | ${fmt(
        fleetWarmMs,
      )} | ${fmt(rss())} |`,
    );
    out.push('');
    out.push(
      `## Scaffolder run — the real template, ${LATENCY_MS} ms injected on every SSM and forge call`,
    );
    out.push('');
    out.push(
      '| task status | wall time ms | SSM calls | forge calls | injected latency, sum ms | calls, summed duration ms | critical path: time with a call in flight ms | most calls at once | wall / injected sum | wall − critical path ms |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const injected = (ssmCalls + forgeCalls) * LATENCY_MS;
    out.push(
      `| ${[
        taskStatus,
        fmt(taskMs),
        ssmCalls,
        forgeCalls,
        injected,
        fmt(callsSumMs),
        fmt(inFlightMs),
        maxConcurrent,
        fmt(taskMs / injected),
        fmt(taskMs - inFlightMs),
      ].join(' | ')} |`,
    );
    out.push('');
    out.push(`## Load — 200 concurrent viewers for ${LOAD_SECONDS} s`);
    out.push('');
    out.push(
      '| requests | errors | requests/s | backend RSS start MiB | backend RSS end MiB |',
    );
    out.push('| --- | --- | --- | --- | --- |');
    out.push(
      `| ${loadRequests} | ${loadErrors} | ${fmt(
        loadRequests / LOAD_SECONDS,
      )} | ${fmt(rssStart)} | ${fmt(rssEnd)} |`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    try {
      process.kill(-backend.pid!, 'SIGINT');
      // give the backend time to shut down (and a profiler hook to write its profile)
      await new Promise(r => backend.once('exit', r));
    } catch {
      /* gone */
    }
    await Promise.all([
      ...clusters.map(c => c.stop()),
      ssm.stop(),
      forge.stop(),
    ]);
  }
}

main().then(
  () => process.exit(0),
  e => {
    process.stderr.write(`bench failed: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
