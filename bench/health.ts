/*
 * npm run bench — the cost of showing database health on an entity page, measured against
 * Kubernetes API stand-ins holding 1,000 claims (with their CNPG Clusters, ExternalSecrets and
 * Secrets) over 3 clusters. Ours (GET /api/postgres/v1/entities/…/databases) and, in the same
 * run against the same clusters, the baseline a team would otherwise use: Backstage's own
 * Kubernetes backend fetching the entity's objects with the same custom resources
 * (POST /api/kubernetes/services/:entity). Prints markdown tables.
 *
 * BENCH_CLAIMS: claims (1000); BENCH_ONLY=views: only the first table; BENCH_LOAD_SECONDS: the
 * load's duration (60); BENCH_BACKEND_NODE_OPTIONS: the backend's NODE_OPTIONS, e.g.
 * `--require ./profile-hook.js` to profile it.
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
  catalogEntities,
  entityName,
  startStandIns,
  stopStandIns,
} from './fixtures';
import {
  measureFleet,
  measureLoad,
  measureViews,
  runScaffolder,
} from './measure';
import {
  fleetTable,
  loadTable,
  printTables,
  scaffolderTable,
  viewsTable,
} from './report';

async function main() {
  const claims = Number(process.env.BENCH_CLAIMS ?? CLAIMS);
  const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 60);

  const standIns = await startStandIns({ claims });
  const { entityCount } = standIns;
  const entities = catalogEntities(entityCount);
  const backend = startBackend({
    standIns,
    entities,
    nodeOptions: process.env.BENCH_BACKEND_NODE_OPTIONS,
  });
  try {
    await waitForBackend(backend);
    const headers = await signInWhenCatalogHas(entityName(entityCount - 1));
    const viewer = { headers, entities };

    const rows = await measureViews({ ...viewer, standIns, backend });
    const views = viewsTable({ rows, claims, entityCount });
    if (process.env.BENCH_ONLY === 'views') {
      printTables([views]);
      return;
    }

    const fleet = await measureFleet({ headers, standIns });
    const run = await runScaffolder({
      headers,
      ssm: standIns.ssm,
      forge: standIns.forge,
    });
    const load = await measureLoad({ viewer, backend, seconds: loadSeconds });
    printTables([
      views,
      // the fleet's RSS is read when the tables are printed, after the load
      fleetTable({ ...fleet, rssMiB: rssMiB(backend) }),
      scaffolderTable(run),
      loadTable({ ...load, seconds: loadSeconds }),
    ]);
  } finally {
    await stopBackend(backend);
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
