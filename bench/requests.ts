/*
 * The fleet answer with open requests: OPEN_REQUESTS database requests registered through the
 * backend's route (as `postgres:request:register` does), each with its own open pull request on
 * the forge stand-in, in namespaces that hold no database. Measured for a fleet reader and for
 * the owner of every entity (filtered per caller), each against the same caller's answer without
 * requests, in the same backend.
 */
import { ForgeStandIn } from '@bizmatters/sandbox';
import { BASE, FLEET_READER_HEADERS, Headers } from './backend';
import {
  ENTITIES_VIEWED,
  entityName,
  restoreSecretLabels,
  StandIns,
  TTL_SECONDS,
} from './fixtures';
import { coldWarmStale, fleetView } from './measure';

/** Open requests registered (BENCH_OPEN_REQUESTS, default 200). */
export const OPEN_REQUESTS = Number(process.env.BENCH_OPEN_REQUESTS ?? 200);
/** TTL windows of back-to-back views over which forge calls are counted. */
export const SUSTAINED_TTLS = 3;

export type RequestsCaller = 'reader' | 'owner';

export type RequestsRow = {
  caller: RequestsCaller;
  /** Open requests in the answer. */
  requests: number;
  databases: number;
  /** Upstream (Kubernetes) requests of the cold view. */
  coldReads: number;
  coldMs: number;
  warmMs: number;
  /** A view past the TTL (the fleet served while the next is built). */
  staleMs: number;
  /** With requests: the first view after one more request was registered. */
  changedMs?: number;
  /** Back-to-back views for SUSTAINED_TTLS TTLs: views, and forge pull request reads. */
  views: number;
  forgeCalls: number;
  wireBytes: number;
  bytes: number;
  errors: number;
};

/** Forge calls that read pull requests (the request tracking's). */
const pullReads = (forge: ForgeStandIn) =>
  (forge.calls['GET /repos/:owner/:repo/pulls'] ?? 0) +
  (forge.calls['GET /repos/:owner/:repo/pulls/:number'] ?? 0);

/** `fn` over `items`, `concurrency` at a time. */
async function pool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/**
 * Opens a pull request for request `i` (the claim `req-<i>-db` of an entity not viewed by the
 * other tables, in namespace `requested-<i % 20>`, which holds no database) and registers it as
 * the guest (an owner of every entity may create their databases).
 */
async function registerRequest(
  guest: Headers,
  forge: ForgeStandIn,
  i: number,
  entityCount: number,
) {
  // not one of the entities whose views the other tables measure
  const entity = entityName(
    ENTITIES_VIEWED + (i % (entityCount - ENTITIES_VIEWED)),
  );
  const namespace = `requested-${i % 20}`;
  const name = `req-${i}-db`;
  const pr = await forge.openPullRequest('platform', 'gitops', {
    head: `postgres/${namespace}/${name}`,
    files: { [`databases/${namespace}/${name}/claim.yaml`]: `name: ${name}\n` },
    title: `Add ${name}`,
  });
  const res = await fetch(
    `${BASE}/api/postgres/v1/entities/component/default/${entity}/requests`,
    {
      method: 'POST',
      headers: guest,
      body: JSON.stringify({
        namespace,
        name,
        repoUrl: `${forge.host}?owner=platform&repo=gitops`,
        pullRequestNumber: pr.number,
      }),
    },
  );
  if (res.status !== 201) {
    throw new Error(
      `registering ${namespace}/${name} answered ${res.status}: ${(
        await res.text()
      ).slice(0, 500)}`,
    );
  }
}

/**
 * One caller's fleet: cold (past the TTL and the stale window), warm, stale (past the TTL),
 * then back-to-back views for SUSTAINED_TTLS TTLs counting the forge's pull request reads.
 */
async function phase(
  caller: RequestsCaller,
  headers: Headers,
  standIns: StandIns,
): Promise<RequestsRow> {
  const { clusters, forge } = standIns;
  const { cold, coldReads, warm, stale } = await coldWarmStale(
    headers,
    clusters,
  );
  const forgeBefore = pullReads(forge);
  const end = performance.now() + SUSTAINED_TTLS * TTL_SECONDS * 1000;
  let views = 0;
  let errors = cold.errors + warm.errors + stale.errors;
  while (performance.now() < end) {
    errors += (await fleetView(headers)).errors;
    views++;
  }
  return {
    caller,
    requests: warm.requests,
    databases: warm.items,
    coldReads,
    coldMs: cold.ms,
    warmMs: warm.ms,
    staleMs: stale.ms,
    views,
    forgeCalls: pullReads(forge) - forgeBefore,
    wireBytes: warm.wireBytes,
    bytes: warm.bytes,
    errors,
  };
}

/**
 * Every database's Secrets labelled again (the fleet table took labels off), then per caller
 * (a fleet reader, and the guest: the owner of every entity, not a fleet reader) the fleet
 * without open requests, then OPEN_REQUESTS registered and the same again, and the first view
 * after one more request.
 */
export async function measureFleetRequests(options: {
  guest: Headers;
  standIns: StandIns;
}): Promise<RequestsRow[]> {
  const { guest, standIns } = options;
  const { forge, entityCount } = standIns;
  const callers: Array<[RequestsCaller, Headers]> = [
    ['reader', FLEET_READER_HEADERS],
    ['owner', guest],
  ];
  restoreSecretLabels(standIns.clusters);
  const rows: RequestsRow[] = [];
  for (const [caller, headers] of callers)
    rows.push(await phase(caller, headers, standIns));
  const indexes = Array.from({ length: OPEN_REQUESTS }, (_, i) => i);
  await pool(indexes, 8, i => registerRequest(guest, forge, i, entityCount));
  let extra = OPEN_REQUESTS;
  for (const [caller, headers] of callers) {
    const row = await phase(caller, headers, standIns);
    // the first view after a new request (the snapshot just viewed, so fresh or stale)
    await fleetView(headers);
    await registerRequest(guest, forge, extra++, entityCount);
    row.changedMs = (await fleetView(headers)).ms;
    rows.push(row);
  }
  return rows;
}
