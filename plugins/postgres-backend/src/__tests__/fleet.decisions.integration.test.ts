/*
 * A caller without postgres.fleet.read, past the TTL: their last fleet view is served while
 * their decisions (which of the fleet's entities they may read) are asked again
 * (postgres.fleet.staleSeconds), never another caller's, and never past TTL + stale. Through the
 * REAL catalog, permission and Kubernetes backends; the policy can be held (its answer to
 * postgres.database.read waits) and can revoke a user's reads.
 */
import request from 'supertest';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { KubeObject, KubernetesStandIn } from '@bizmatters/sandbox';
import {
  DatabasesResponse,
  postgresDatabaseReadPermission,
} from '@bizmatters/plugin-postgres-common';
import {
  componentEntity,
  PostgresBackend,
  postgresPolicy,
  startPostgresBackend,
  teamEntities,
  userAuth,
} from '@bizmatters/test-backend/postgres';
import postgresPlugin from '../index';

jest.setTimeout(120_000);

const TTL_SECONDS = 1;
const STALE_SECONDS = 4;
/** How long the catalog and the permission backend may take (a held policy answers later). */
const CATALOG_TIMEOUT_MS = 1500;

const TEAMS = ['orders', 'payments'];
const entities = [
  ...teamEntities(
    TEAMS.map(team => `team-${team}`),
    { alice: ['team-orders'], bob: ['team-payments'] },
  ),
  ...TEAMS.map(team => componentEntity(team, `group:default/team-${team}`)),
];

const claim = (team: string): KubeObject =>
  ({
    apiVersion: 'database.bizmatters.io/v1alpha1',
    kind: 'PostgresInstance',
    metadata: {
      name: `${team}-db`,
      namespace: team,
      annotations: { 'bizmatters.io/entity-ref': `component:default/${team}` },
    },
    spec: {
      size: 'small',
      version: '16',
      storageGB: 10,
      databaseName: 'app',
      databaseOwner: 'app',
      connectionSecretName: `${team}-postgres`,
      credentialsSecretName: `${team}-db-credentials`,
    },
  } as KubeObject);

/** The policy's state: users whose reads are revoked, and whether its read answers wait. */
const revoked = new Set<string>();
let held: Promise<void> | undefined;
let release = () => {};
/** Users the policy was asked postgres.database.read for, in order. */
const asked: string[] = [];

function hold() {
  held = new Promise(r => (release = r));
}
function letGo() {
  release();
  held = undefined;
}

/** postgres-common's rules, with a hook on database reads: who asked, held, revoked. */
const rules = postgresPolicy();
const policy: PermissionPolicy = {
  async handle(query, user) {
    if (query.permission.name === postgresDatabaseReadPermission.name) {
      const who = user?.info.userEntityRef ?? '';
      asked.push(who);
      if (held) await held;
      if (revoked.has(who)) return { result: AuthorizeResult.DENY };
    }
    return rules.handle(query, user);
  },
};

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('a filtered caller’s fleet view past the TTL', () => {
  let k: KubernetesStandIn;
  let pg: PostgresBackend;
  const auth = (user: string) => userAuth(user);

  async function fleet(user: string) {
    const res = await request(pg.server)
      .get('/api/postgres/v1/databases')
      .set('authorization', auth(user));
    return {
      status: res.status,
      names: ((res.body as DatabasesResponse).items ?? []).map(i => i.name),
    };
  }

  beforeAll(async () => {
    k = await KubernetesStandIn.start({ name: 'cluster-a' });
    k.apply(...TEAMS.map(claim));
    pg = await startPostgresBackend({
      plugin: postgresPlugin,
      entities,
      policy,
      clusters: [k],
      postgres: {
        cache: { ttlSeconds: TTL_SECONDS },
        fleet: { staleSeconds: STALE_SECONDS },
        catalog: { timeoutMs: CATALOG_TIMEOUT_MS },
      },
      waitFor: {
        refs: [
          'user/default/alice',
          'user/default/bob',
          'component/default/payments',
        ],
        user: 'alice',
      },
    });
  });

  afterAll(async () => {
    letGo();
    await pg?.stop();
    await k?.stop();
  });

  it('serves the last answer while the decisions are asked again, for that caller only, and shows a revoked read within TTL + stale', async () => {
    expect(await fleet('alice')).toEqual({ status: 200, names: ['orders-db'] });
    await sleep(TTL_SECONDS * 1000 + 200);

    // past the TTL, the policy holding its answer: alice's last view, at once
    hold();
    asked.length = 0;
    expect(await fleet('alice')).toEqual({ status: 200, names: ['orders-db'] });
    // asked again, in the background
    for (let i = 0; i < 50 && !asked.length; i++) await sleep(20);
    expect(asked).toEqual(['user:default/alice']);

    // bob has no decision of his own: he waits for one (the held policy: past the timeout),
    // and is never given alice's
    expect((await fleet('bob')).status).toBe(503);

    // alice's read is revoked; the policy answers; her next view is the new decision's
    revoked.add('user:default/alice');
    letGo();
    let names = ['orders-db'];
    for (let i = 0; i < 20 && names.length; i++) {
      await sleep(100);
      names = (await fleet('alice')).names;
    }
    expect(names).toEqual([]);
    expect(await fleet('bob')).toEqual({ status: 200, names: ['payments-db'] });
  });

  it('never serves a decision past TTL + stale: the view then waits for the next', async () => {
    revoked.clear();
    await sleep((TTL_SECONDS + STALE_SECONDS) * 1000 + 200);
    expect(await fleet('bob')).toEqual({ status: 200, names: ['payments-db'] });
    await sleep((TTL_SECONDS + STALE_SECONDS) * 1000 + 200);
    hold();
    // the policy holds: no stale answer may stand in, so the view fails at the timeout
    expect((await fleet('bob')).status).toBe(503);
    letGo();
    expect(await fleet('bob')).toEqual({ status: 200, names: ['payments-db'] });
  });
});
