/*
 * BENCH_ONLY=limits — what a flood of the form's availability check (GET
 * /api/scaffolder/postgres/v1/availability) costs the forge and SSM with the per-user limit
 * (`postgres.limits.callsPerMinute`, 60): the same number of calls from one user, and spread over
 * users who each stay within the limit (the baseline: every call answered), in the same backend
 * (the real scaffolder, catalog and permission backends of the integration tests, on the sandbox's
 * forge and SSM stand-ins). Each call asks about a name of its own, so no answer is reused.
 */
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { startScaffolderHarness } from '@bizmatters/test-backend/scaffolder';
import { fmt, table } from './report';

const CALLS = Number(process.env.BENCH_LIMIT_CALLS ?? 2000);
/** Users of the spread case: each makes CALLS / USERS calls, within the limit. */
const USERS = Number(process.env.BENCH_LIMIT_USERS ?? 50);

export interface LimitRow {
  who: string;
  calls: number;
  answered: number;
  refused: number;
  forgeCalls: number;
  ssmCalls: number;
  seconds: number;
}

const sum = (calls: Record<string, number>) =>
  Object.values(calls).reduce((n, c) => n + c, 0);

function member(i: number): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: `bench-${i}`, namespace: 'default' },
    spec: { memberOf: ['orders'] },
  };
}

export async function measureLimits(): Promise<LimitRow[]> {
  const h = await startScaffolderHarness({
    entities: Array.from({ length: USERS }, (_, i) => member(i)),
    postgres: { limits: { callsPerMinute: 60 } },
  });
  try {
    const flood = async (
      who: string,
      prefix: string,
      userOf: (i: number) => string,
    ) => {
      const forge = sum(h.forge.calls);
      const ssm = h.ssm.log.length;
      const started = performance.now();
      let answered = 0;
      let refused = 0;
      for (let i = 0; i < CALLS; i++) {
        const res = await request(h.backend.server)
          .get('/api/scaffolder/postgres/v1/availability')
          .query({
            component: 'component:default/orders',
            namespace: 'orders',
            environment: 'dev',
            name: `${prefix}-${i}`,
            repoUrl: h.repoUrl(),
          })
          .set('Authorization', mockCredentials.user.header(userOf(i)));
        if (res.status === 200) answered++;
        else if (res.status === 429) refused++;
        else throw new Error(`availability: ${res.status} ${res.text}`);
      }
      return {
        who,
        calls: CALLS,
        answered,
        refused,
        forgeCalls: sum(h.forge.calls) - forge,
        ssmCalls: h.ssm.log.length - ssm,
        seconds: (performance.now() - started) / 1000,
      };
    };
    return [
      await flood(
        `${USERS} users, ${CALLS / USERS} calls each (baseline)`,
        'spread',
        i => `user:default/bench-${i % USERS}`,
      ),
      await flood('one user', 'flood', () => 'user:default/mallory'),
    ];
  } finally {
    await h.stop();
  }
}

export function limitsTable(rows: LimitRow[]): string {
  const baseline = rows[0];
  return table(
    `A flood of availability checks: ${CALLS} calls, each about a name of its own, from one user and spread over ${USERS} users (baseline), limit 60 calls per user and minute, in the same backend`,
    [
      'calls from',
      'answered',
      '429',
      'forge calls',
      'forge calls / baseline',
      'SSM calls',
      'SSM calls / baseline',
      'seconds',
    ],
    rows.map(r => [
      r.who,
      r.answered,
      r.refused,
      r.forgeCalls,
      fmt(r.forgeCalls / baseline.forgeCalls),
      r.ssmCalls,
      fmt(r.ssmCalls / baseline.ssmCalls),
      fmt(r.seconds),
    ]),
  );
}
