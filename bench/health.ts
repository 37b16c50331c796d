/*
 * npm run bench — the cost of showing database health on an entity page, measured against
 * Kubernetes API stand-ins holding 1,000 claims (with their CNPG Clusters, ExternalSecrets and
 * Secrets) over 3 clusters. Ours (GET /api/postgres/v1/entities/…/databases) and, in the same
 * run against the same clusters, the baseline a team would otherwise use: Backstage's own
 * Kubernetes backend fetching the entity's objects with the same custom resources
 * (POST /api/kubernetes/services/:entity). Prints markdown tables.
 *
 * Then two replicas on PostgreSQL and Redis (replicas.ts).
 *
 * BENCH_CLAIMS: claims (1000); BENCH_ONLY=views: only the first table; BENCH_ONLY=fleet: only
 * the fleet's tables (without, then with BENCH_OPEN_REQUESTS open requests, default 200;
 * BENCH_FLEET_LABELS=both: the first table's first line only); BENCH_ONLY=provider: only the database provider's table (provider.ts);
 * BENCH_ONLY=recoverability: the entity view with recoverability off, then on (recoverability.ts);
 * BENCH_ONLY=agents: the agents' actions over MCP beside the fleet route (agents.ts);
 * BENCH_ONLY=availability: the scaffolder run and the form's availability check (availability.ts);
 * BENCH_ONLY=limits: a flood of availability checks from one user against the same number spread
 * over users within the limit (limits.ts; BENCH_LIMIT_CALLS, BENCH_LIMIT_USERS);
 * BENCH_ONLY=replicas (or
 * `npm run bench -- --replicas`): only the replicas' tables; BENCH_LOAD_SECONDS: the load's
 * duration (60); BENCH_REPLICA_SECONDS: each replica load's duration (30);
 * BENCH_BACKEND_NODE_OPTIONS: the backend's NODE_OPTIONS, e.g. `--require ./profile-hook.js` to
 * profile it.
 */
import {
  rssMiB,
  signInWhenCatalogHas,
  startBackend,
  stopBackend,
  waitForBackend,
} from './backend';
import {
  CLAIMS,
  CatalogEntity,
  catalogEntities,
  entityName,
  StandIns,
  VIEWED,
  startStandIns,
  stopStandIns,
} from './fixtures';
import {
  fleetView,
  measureFleet,
  measureLoad,
  measureViews,
  runScaffolder,
} from './measure';
import {
  fleetRequestsTable,
  fleetTable,
  loadTable,
  printTables,
  replicasTables,
  requestTrackingTable,
  scaffolderTable,
  viewsTable,
} from './report';
import { measureReplicas } from './replicas';
import { measureFleetRequests } from './requests';
import { measureProvider, providerTable } from './provider';
import { availabilityTable, measureAvailability } from './availability';
import { limitsTable, measureLimits } from './limits';
import { agentsTable, measureAgents } from './agents';
import { measureRecoverability, recoverabilityTable } from './recoverability';

/** The bench on one backend (SQLite, memory cache): views, fleet, a scaffolder run, load. */
async function singleBackend(
  standIns: StandIns,
  entities: CatalogEntity[],
  claims: number,
): Promise<string[]> {
  const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
  const { entityCount } = standIns;
  const backend = startBackend({
    standIns,
    entities,
    nodeOptions: process.env.BENCH_BACKEND_NODE_OPTIONS,
  });
  try {
    await waitForBackend(backend);
    const headers = await signInWhenCatalogHas(entityName(entityCount - 1));
    const viewer = { headers, entities };
    const fleetOf = async () => {
      const idleMiB = rssMiB(backend);
      const rows = await measureFleet({ headers, standIns, backend });
      return { rows, claims, entityCount, idleMiB, rssMiB: rssMiB(backend) };
    };
    // after the fleet table (it relabels the Secrets): the requests stay registered
    const fleetRequests = async () =>
      fleetRequestsTable({
        rows: await measureFleetRequests({ guest: headers, standIns }),
        claims,
        entityCount,
      });
    if (process.env.BENCH_ONLY === 'fleet')
      return [fleetTable(await fleetOf()), await fleetRequests()];
    const agents = async () =>
      agentsTable(await measureAgents({ headers, standIns }), claims);
    if (process.env.BENCH_ONLY === 'agents') return [await agents()];

    // the scaffolder run (its pull request left open), then the form's availability check
    const runThenAvailability = async () => {
      // alone, warm as the whole bench is by then: the Kubernetes backend loads its client on
      // its first proxy request, which the run's cluster check would otherwise pay
      if (process.env.BENCH_ONLY === 'availability') await fleetView(headers);
      const run = await runScaffolder({
        headers,
        ssm: standIns.ssm,
        forge: standIns.forge,
      });
      const checks = await measureAvailability({
        headers,
        ssm: standIns.ssm,
        forge: standIns.forge,
        clusters: standIns.clusters,
        ownName: `${VIEWED[0]}-db`,
      });
      return [scaffolderTable(run), availabilityTable(checks)];
    };
    // awaited here: returned unawaited, the finally below would stop the backend under it
    if (process.env.BENCH_ONLY === 'availability')
      return await runThenAvailability();

    const rows = await measureViews({ ...viewer, standIns, backend });
    const views = viewsTable({ rows, claims, entityCount });
    if (process.env.BENCH_ONLY === 'views') return [views];

    const fleet = await fleetOf();
    const withRequests = await fleetRequests();
    const agentTable = await agents();
    const runTables = await runThenAvailability();
    const load = await measureLoad({
      viewer,
      backend,
      seconds: loadSeconds,
      forge: standIns.forge,
    });
    return [
      views,
      fleetTable(fleet),
      withRequests,
      agentTable,
      ...runTables,
      loadTable({ ...load, seconds: loadSeconds }),
      requestTrackingTable({ ...load, seconds: loadSeconds }),
    ];
  } finally {
    await stopBackend(backend);
  }
}

async function main() {
  const claims = Number(process.env.BENCH_CLAIMS ?? CLAIMS);
  const only =
    process.env.BENCH_ONLY ??
    (process.argv.includes('--replicas') ? 'replicas' : undefined);
  if (only === 'recoverability') {
    const claims = Number(process.env.BENCH_CLAIMS ?? CLAIMS);
    const standIns = await startStandIns({ claims });
    try {
      const rows = await measureRecoverability({
        standIns,
        entities: catalogEntities(standIns.entityCount),
      });
      printTables([recoverabilityTable(rows, claims)]);
    } finally {
      await stopStandIns(standIns);
    }
    return;
  }
  if (only === 'limits') {
    printTables([limitsTable(await measureLimits())]);
    return;
  }
  if (only === 'provider') {
    const runs = [];
    for (const n of (process.env.BENCH_PROVIDER_CLAIMS ?? '1000,10000').split(
      ',',
    ))
      runs.push(await measureProvider(Number(n)));
    printTables([providerTable(runs)]);
    return;
  }
  const standIns = await startStandIns({ claims });
  const entities = catalogEntities(standIns.entityCount);
  try {
    const tables =
      only === 'replicas'
        ? []
        : await singleBackend(standIns, entities, claims);
    if (!['views', 'fleet', 'availability', 'agents'].includes(only ?? '')) {
      const replicas = await measureReplicas({
        standIns,
        entities,
        seconds: Number(process.env.BENCH_REPLICA_SECONDS ?? 30),
      });
      tables.push(...replicasTables(replicas));
    }
    printTables(tables);
  } finally {
    await stopStandIns(standIns);
  }
}

main().then(
  () => process.exit(0),
  e => {
    process.stderr.write(`bench failed: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
