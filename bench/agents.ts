/*
 * The agents' actions over MCP (the MCP actions backend's streamable HTTP, JSON-RPC as a client
 * sends it) against the fleet route, in one run on one backend: what an agent's
 * `list-databases` costs upstream beside `GET /v1/databases` (one cache for both), and what
 * `explain-database` adds for a failing hop's events (one Events read per namespace and kind
 * per TTL) and for a healthy database (none).
 */
import { KubeObject } from '@bizmatters/sandbox';
import { BASE, Headers } from './backend';
import {
  FLEET_STALE_SECONDS,
  StandIns,
  TTL_SECONDS,
  upstreamRequests,
  VIEWED,
} from './fixtures';
import { fleetView, upstreamSettled } from './measure';
import { fmt, table } from './report';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export interface AgentRow {
  call: string;
  databases: number;
  upstream: number;
  events: number;
  ms: number;
}

let rpcId = 0;

/** One JSON-RPC call to the MCP actions backend as `headers`: its answer's text, and how long. */
async function rpc(
  headers: Headers,
  method: string,
  params: object,
): Promise<{ ok: boolean; status: number; text: string; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${BASE}/api/mcp-actions/v1`, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
  });
  const text = await res.text();
  return { ok: res.ok, status: res.status, text, ms: performance.now() - t };
}

/** One `tools/call` of `tool` over MCP as `headers`; its output and how long it took. */
async function callTool(
  headers: Headers,
  tool: string,
  args: Record<string, unknown>,
): Promise<{ output: any; ms: number }> {
  const { ok, status, text, ms } = await rpc(headers, 'tools/call', {
    name: tool,
    arguments: args,
  });
  // a JSON body, or one server-sent event carrying it
  const json = text.trimStart().startsWith('{')
    ? text
    : text
        .split('\n')
        .filter(l => l.startsWith('data:'))
        .map(l => l.slice(5))
        .join('');
  const message = JSON.parse(json);
  const content = message.result?.content?.[0]?.text;
  if (!ok || message.error || message.result?.isError || !content) {
    throw new Error(`${tool} answered ${status}: ${text.slice(0, 500)}`);
  }
  return { output: JSON.parse(content), ms };
}

/** The tool names the MCP actions backend gives our actions. */
async function toolNames(headers: Headers): Promise<Record<string, string>> {
  const { text } = await rpc(headers, 'tools/list', {});
  const names = [...text.matchAll(/"name":"([^"]+)"/g)].map(m => m[1]);
  const of = (action: string) => {
    const name = names.find(n => n.endsWith(action));
    if (!name) throw new Error(`MCP lists no ${action}: ${text.slice(0, 500)}`);
    return name;
  };
  return {
    list: of('list-databases'),
    explain: of('explain-database'),
  };
}

const eventReads = (clusters: StandIns['clusters']) =>
  clusters.reduce(
    (n, c) => n + c.requests.filter(r => /\/events\?/.test(r)).length,
    0,
  );

/** Past the TTL and the fleet's stale window, once the clusters are quiet: the next read is cold. */
async function expire(clusters: StandIns['clusters']) {
  await upstreamSettled(clusters);
  await sleep((TTL_SECONDS + FLEET_STALE_SECONDS) * 1000 + 500);
}

export async function measureAgents(options: {
  headers: Headers;
  standIns: StandIns;
}): Promise<AgentRow[]> {
  const { headers } = options;
  const { clusters } = options.standIns;
  const tools = await toolNames(headers);
  const rows: AgentRow[] = [];
  const measured = async (
    call: string,
    fn: () => Promise<{ databases: number; ms: number }>,
  ) => {
    const upstream = upstreamRequests(clusters);
    const events = eventReads(clusters);
    const { databases, ms } = await fn();
    await upstreamSettled(clusters);
    rows.push({
      call,
      databases,
      upstream: upstreamRequests(clusters) - upstream,
      events: eventReads(clusters) - events,
      ms,
    });
  };
  const fleet = async () => {
    const view = await fleetView(headers);
    return { databases: view.items, ms: view.ms };
  };
  const list = async () => {
    const { output, ms } = await callTool(headers, tools.list, {
      limit: 1000,
    });
    return { databases: output.databases.length as number, ms };
  };
  // once before: the Kubernetes backend loads its client on its first proxy request
  await fleetView(headers);

  await expire(clusters);
  await measured('GET /v1/databases, cold', fleet);
  await measured('MCP list-databases, next (same cache)', list);
  await expire(clusters);
  await measured('MCP list-databases, cold', list);
  await measured('GET /v1/databases, next (same cache)', fleet);

  // the first viewed entity's first database fails at its ExternalSecret (as ESO reports a
  // missing SSM parameter); the second viewed entity's stay healthy
  const [failing, healthy] = VIEWED;
  for (const cluster of clusters) {
    const es = cluster
      .list('external-secrets.io/v1beta1', 'ExternalSecret')
      .find(o => o.metadata?.name === `${failing}-db0-credentials`);
    if (!es) continue;
    cluster.apply({
      ...es,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'SecretSyncedError',
            message: 'could not get secret data from provider',
          },
        ],
      },
    } as KubeObject);
  }
  const explain = (entity: string) => async () => {
    const { output, ms } = await callTool(headers, tools.explain, {
      entityRef: `component:default/${entity}`,
    });
    return { databases: output.explanations.length as number, ms };
  };
  await expire(clusters);
  await measured(
    `MCP explain-database ${healthy} (healthy), cold`,
    explain(healthy),
  );
  await measured(
    `MCP explain-database ${failing} (failing hop), cold`,
    explain(failing),
  );
  await measured(
    `MCP explain-database ${failing}, again within the TTL`,
    explain(failing),
  );
  return rows;
}

export function agentsTable(rows: AgentRow[], claims: number): string {
  const fleetCold = rows.find(r =>
    r.call.startsWith('GET /v1/databases, cold'),
  );
  return table(
    `Agents' actions over MCP beside the fleet route — ${claims} claims, as the guest (owner of every entity, filtered per caller); cache TTL ${TTL_SECONDS} s`,
    [
      'call',
      'databases',
      'upstream requests',
      'of which Events',
      'ratio upstream (call / fleet route cold)',
      'ms',
    ],
    rows.map(r => [
      r.call,
      r.databases,
      r.upstream,
      r.events,
      fleetCold?.upstream ? fmt(r.upstream / fleetCold.upstream) : '–',
      fmt(r.ms),
    ]),
  );
}
