/*
 * The "New Postgres DB" form's availability check as a person types
 * (GET /api/scaffolder/postgres/v1/availability, asked 400 ms after the last key), against the
 * baseline in the same backend and with the same values: what a form without the route would
 * have to ask, a dry run of the template (POST /api/scaffolder/v2/dry-run), which runs the
 * same checks and the rest of the actions without writing. Both for a free name and for the
 * scaffolder run's own database while its pull request is open (a retry). Each SSM and forge
 * call has LATENCY_MS injected.
 */
import {
  ForgeStandIn,
  KubernetesStandIn,
  SsmStandIn,
} from '@bizmatters/sandbox';
import { BASE } from './backend';
import { LATENCY_MS, VIEWED } from './fixtures';
import { fmt, table } from './report';

/** Checks per case (a person typing a name, one check per pause). */
const CHECKS = 20;

type Headers = Record<string, string>;

export interface AvailabilityRow {
  /** What was asked: a free name, or the scaffolder run's own open request. */
  state: string;
  /** The route's verdict, or the dry run's status. */
  answer: string;
  how: 'availability' | 'dry run (baseline)';
  medianMs: number;
  p95Ms: number;
  ssmCalls: number;
  forgeCalls: number;
  kubeCalls: number;
}

const sum = (calls: Record<string, number>) =>
  Object.values(calls).reduce((n, c) => n + c, 0);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The values the bench's scaffolder run uses (measure.ts startTask), with `name`. */
function values(
  forge: ForgeStandIn,
  name: string,
  environment: string,
  namespace: string,
) {
  return {
    component: `component:default/${VIEWED[0]}`,
    environment,
    namespace,
    name,
    repoUrl: `${forge.host}?owner=platform&repo=gitops`,
  };
}

async function timed(
  ask: () => Promise<string>,
  upstream: { ssm: SsmStandIn; forge: ForgeStandIn; kube: KubernetesStandIn[] },
) {
  const before = [
    upstream.ssm.log.length,
    sum(upstream.forge.calls),
    upstream.kube.reduce((n, k) => n + sum(k.calls), 0),
  ];
  const times: number[] = [];
  let answer = '';
  for (let i = 0; i < CHECKS; i++) {
    const t = performance.now();
    answer = await ask();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    answer,
    medianMs: quantile(times, 0.5),
    p95Ms: quantile(times, 0.95),
    ssmCalls: (upstream.ssm.log.length - before[0]) / CHECKS,
    forgeCalls: (sum(upstream.forge.calls) - before[1]) / CHECKS,
    kubeCalls:
      (upstream.kube.reduce((n, k) => n + sum(k.calls), 0) - before[2]) /
      CHECKS,
  };
}

/**
 * Both cases, each asked CHECKS times in a row by the route and by a dry run; `ownName` is the
 * name of a database whose request is open (the bench's scaffolder run).
 */
export async function measureAvailability(options: {
  headers: Headers;
  ssm: SsmStandIn;
  forge: ForgeStandIn;
  clusters: KubernetesStandIn[];
  ownName: string;
}): Promise<AvailabilityRow[]> {
  const { headers, ssm, forge, clusters, ownName } = options;
  const upstream = { ssm, forge, kube: clusters };
  const template = await (
    await fetch(
      `${BASE}/api/catalog/entities/by-name/template/default/new-postgres-db`,
      { headers },
    )
  ).json();
  const rows: AvailabilityRow[] = [];
  // the seed's SSM pattern holds one database per service and environment: the free name is
  // asked for in another environment than the run's (dev), and in another namespace (the run's
  // open pull request holds the service's secret names in its own)
  for (const [state, name, environment, namespace] of [
    ['free name', 'bench-typed-db', 'staging', 'bench-free'],
    ['its own open request', ownName, 'dev', 'bench'],
  ] as const) {
    const query = new URLSearchParams(
      values(forge, name, environment, namespace),
    ).toString();
    const route = await timed(async () => {
      const res = await fetch(
        `${BASE}/api/scaffolder/postgres/v1/availability?${query}`,
        { headers },
      );
      const body = await res.json();
      if (!res.ok) throw new Error(`availability: ${JSON.stringify(body)}`);
      return body.verdict;
    }, upstream);
    rows.push({ state, how: 'availability', ...route });
    const dryRun = await timed(async () => {
      const res = await fetch(`${BASE}/api/scaffolder/v2/dry-run`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          template,
          values: {
            ...values(forge, name, environment, namespace),
            size: 'small',
            version: '16',
            storageGB: 10,
          },
          secrets: {},
          directoryContents: [],
        }),
      });
      const body = await res.json();
      // a refused request is an answer too (the action's checks, as the form's)
      if (!res.ok) return `refused (${res.status})`;
      const failed = (body.log ?? []).some(
        (l: any) => l.body?.status === 'failed',
      );
      return failed ? 'failed' : 'completed';
    }, upstream);
    rows.push({ state, how: 'dry run (baseline)', ...dryRun });
  }
  return rows;
}

export function availabilityTable(rows: AvailabilityRow[]): string {
  const baseline = (row: AvailabilityRow) =>
    rows.find(r => r.state === row.state && r.how !== 'availability')!;
  return table(
    `The form's availability check — ${CHECKS} checks in a row per case, ${LATENCY_MS} ms injected on every SSM and forge call; baseline: a dry run of the template with the same values, in the same backend`,
    [
      'case',
      'asked by',
      'answer',
      'median ms',
      'p95 ms',
      'median / baseline',
      'SSM calls per check',
      'forge calls per check',
      'Kubernetes reads per check',
    ],
    rows.map(r => [
      r.state,
      r.how,
      r.answer,
      fmt(r.medianMs),
      fmt(r.p95Ms),
      fmt(r.medianMs / baseline(r).medianMs),
      fmt(r.ssmCalls),
      fmt(r.forgeCalls),
      fmt(r.kubeCalls),
    ]),
  );
}
