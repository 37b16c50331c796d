/*
 * The agents' actions through MCP: a REAL MCP client (@modelcontextprotocol/sdk, streamable
 * HTTP) against the REAL MCP actions backend serving the postgres backend's actions, with the
 * REAL catalog, permission and Kubernetes backends, on a Kubernetes stand-in holding the
 * sandbox's seeded databases (and one whose SSM parameters are gone), reconciled by the
 * sandbox's controllers; the login check on the sandbox's own PostgreSQL server where it runs.
 */
import { AddressInfo } from 'net';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mockCredentials } from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import {
  DatabaseServer,
  findPostgresBinaries,
  KubeObject,
  KubernetesStandIn,
  PlatformSimulator,
  seedDatabases,
  SsmStandIn,
} from '@bizmatters/sandbox';
import {
  DatabasesResponse,
  failingSummary,
  renderManifests,
  ssmParameterNames,
} from '@bizmatters/plugin-postgres-common';
import {
  capturingRootLogger,
  componentEntity,
  LogLine,
  PostgresBackend,
  postgresPolicy,
  startPostgresBackend,
  teamEntities,
  userAuth,
} from '@bizmatters/test-backend/postgres';
import postgresPlugin from '../index';

jest.setTimeout(180_000);

const TEAM_AGENTS = 'group:default/team-agents';
const TEAM_PAYMENTS = 'group:default/team-payments';
/** Components of the seeded databases, and orders (team-agents), whose SSM parameters are gone. */
const COMPONENTS: Record<string, string> = {
  'agent-executor': TEAM_AGENTS,
  billing: TEAM_AGENTS,
  inventory: TEAM_AGENTS,
  search: TEAM_AGENTS,
  orders: TEAM_AGENTS,
  payments: TEAM_PAYMENTS,
};
const ORDERS = {
  name: 'orders-db',
  namespace: 'orders',
  service: 'orders',
  environment: 'dev',
  size: 'small',
  version: '16',
  storageGB: 10,
  databaseName: 'orders',
  databaseOwner: 'orders_app',
  component: 'component:default/orders',
  owner: TEAM_AGENTS,
};

const ACTIONS = [
  'explain-database',
  'get-connection-info',
  'get-database-health',
  'list-databases',
];

const bin = findPostgresBinaries();

describe('the postgres actions through MCP', () => {
  let k: KubernetesStandIn;
  let ssm: SsmStandIn;
  let database: DatabaseServer | undefined;
  let platform: PlatformSimulator;
  let pg: PostgresBackend;
  let baseUrl: string;
  const logLines: LogLine[] = [];
  const passwords: string[] = [];
  /** Every text an MCP client received. */
  const received: string[] = [];

  async function connect(authorization: string) {
    const client = new Client({
      name: 'postgres-actions-test',
      version: '1.0.0',
    });
    const transport = new StreamableHTTPClientTransport(
      new URL(`${baseUrl}/api/mcp-actions/v1`),
      { requestInit: { headers: { authorization } } },
    );
    await client.connect(transport);
    return client;
  }

  /** Calls `action` as `authorization`; its output (JSON), or the error text. */
  async function call(
    authorization: string,
    action: string,
    args: Record<string, unknown> = {},
  ): Promise<{ output?: any; error?: string }> {
    const client = await connect(authorization);
    try {
      const { tools } = await client.listTools();
      const tool = tools.find(t => t.name.endsWith(action));
      if (!tool) throw new Error(`no tool ${action}`);
      const result: any = await client.callTool({
        name: tool.name,
        arguments: args,
      });
      const text = (result.content ?? [])
        .map((c: any) => (c.type === 'text' ? c.text : ''))
        .join('');
      received.push(JSON.stringify(result));
      if (result.isError) return { error: text };
      return { output: JSON.parse(text) };
    } finally {
      await client.close();
    }
  }

  beforeAll(async () => {
    k = await KubernetesStandIn.start({ name: 'sandbox-a' });
    ssm = await SsmStandIn.start();
    database = bin ? await DatabaseServer.start({ bin }) : undefined;
    platform = new PlatformSimulator({ kube: k, ssm, database });
    const seeds = seedDatabases();
    for (const seed of seeds) {
      for (const [name, value] of Object.entries(seed.parameters)) {
        ssm.seed(name, value, seed.tags);
        if (name.endsWith('/password')) passwords.push(value);
      }
      for (const text of Object.values(seed.files)) {
        for (const doc of parseAllDocuments(text)) {
          const obj = doc.toJS() as KubeObject;
          if (obj?.kind !== 'Kustomization') k.apply(obj);
        }
      }
    }
    const orders = renderManifests(ORDERS);
    k.apply(
      orders.externalSecret as KubeObject,
      orders.postgresInstance as KubeObject,
    );
    await platform.reconcile();
    for (const seed of seeds) {
      if (seed.operation) {
        await platform.operate(seed.namespace, seed.name, seed.operation);
      }
    }
    // orders' parameters were never written: ESO fails each sync (UpdateFailed events)
    if (ssm.parameters.has(ssmParameterNames(ORDERS).user)) {
      throw new Error('orders’ SSM parameters should not exist');
    }
    for (let i = 0; i < 3; i++) await platform.pass();

    pg = await startPostgresBackend({
      plugin: postgresPlugin,
      features: [mcpActionsPlugin, capturingRootLogger(logLines)],
      entities: [
        ...teamEntities(['team-agents', 'team-payments', 'team-empty'], {
          alice: ['team-agents'],
          pat: ['team-payments'],
          nobody: ['team-empty'],
        }),
        ...Object.entries(COMPONENTS).map(([name, owner]) =>
          componentEntity(name, owner),
        ),
      ],
      policy: postgresPolicy(),
      clusters: [k],
      config: { backend: { actions: { pluginSources: ['postgres'] } } },
      postgres: { cache: { ttlSeconds: 60 } },
      waitFor: { user: 'alice' },
    });
    const { port } = pg.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await platform?.stop();
    await pg?.stop();
    await Promise.all([k?.stop(), ssm?.stop(), database?.stop()]);
  });

  it('lists the four actions, read-only', async () => {
    const client = await connect(userAuth('alice'));
    try {
      const { tools } = await client.listTools();
      const ours = tools.filter(t => ACTIONS.some(a => t.name.endsWith(a)));
      expect(ours.map(t => t.name.replace(/^.*[.:_]/, '')).sort()).toEqual(
        ACTIONS.map(a => a.replace(/^.*[.:_]/, '')).sort(),
      );
      for (const tool of ours) {
        expect(tool.description).toBeTruthy();
        expect(tool.inputSchema.type).toBe('object');
        expect(tool.annotations).toMatchObject({
          readOnlyHint: true,
          idempotentHint: true,
        });
      }
    } finally {
      await client.close();
    }
  });

  it('two users of two teams each list only their own databases; a third lists none', async () => {
    const alice = await call(userAuth('alice'), 'list-databases');
    expect(alice.error).toBeUndefined();
    expect(alice.output.databases.map((d: any) => d.id).sort()).toEqual([
      'sandbox-a/billing/billing-db',
      'sandbox-a/databases/agent-executor-db',
      'sandbox-a/inventory/inventory-db',
      'sandbox-a/orders/orders-db',
      'sandbox-a/search/search-db',
    ]);
    const billing = alice.output.databases.find((d: any) =>
      d.id.endsWith('billing-db'),
    );
    expect(billing).toMatchObject({
      entityRef: 'component:default/billing',
      owner: TEAM_AGENTS,
      environment: 'prod',
      version: expect.any(String),
      size: expect.any(String),
    });

    const pat = await call(userAuth('pat'), 'list-databases');
    expect(pat.output.databases.map((d: any) => d.id)).toEqual([
      'sandbox-a/payments/payments-db',
    ]);
    expect(pat.output.databases[0].verdict).toBe('healthy');

    const nobody = await call(userAuth('nobody'), 'list-databases');
    expect(nobody.output).toMatchObject({ databases: [], total: 0 });

    // the fleet page's filters
    const failed = await call(userAuth('alice'), 'list-databases', {
      verdict: 'failed',
    });
    expect(
      failed.output.databases.every((d: any) => d.verdict === 'failed'),
    ).toBe(true);
    const text = await call(userAuth('alice'), 'list-databases', {
      text: 'invent',
    });
    expect(text.output.databases.map((d: any) => d.id)).toEqual([
      'sandbox-a/inventory/inventory-db',
    ]);
  });

  it('answers a database one may not read as one that does not exist', async () => {
    const other = await call(userAuth('pat'), 'get-database-health', {
      entityRef: 'component:default/billing',
    });
    const missing = await call(userAuth('pat'), 'get-database-health', {
      entityRef: 'component:default/no-such-service',
    });
    expect(other.output).toBeUndefined();
    expect(other.error).toMatch(/component:default\/billing/);
    expect(other.error).toBe(
      missing.error!.replace('no-such-service', 'billing'),
    );
  });

  it('refuses a service token not listed in postgres.actions.services', async () => {
    const result = await call(
      `Bearer ${mockCredentials.service.token({
        onBehalfOf: mockCredentials.service('external:ci-bot'),
        targetPluginId: 'mcp-actions',
      })}`,
      'list-databases',
    );
    expect(result.output).toBeUndefined();
    expect(result.error).toMatch(/may not call the postgres actions/);
  });

  it('explains every seeded state with the tab’s verdict and hint', async () => {
    for (const service of Object.keys(COMPONENTS)) {
      const as = COMPONENTS[service] === TEAM_PAYMENTS ? 'pat' : 'alice';
      const tab = await request(pg.server)
        .get(`/api/postgres/v1/entities/component/default/${service}/databases`)
        .set('authorization', userAuth(as));
      expect(tab.status).toBe(200);
      const { items } = tab.body as DatabasesResponse;
      expect(items).toHaveLength(1);
      const { output } = await call(userAuth(as), 'explain-database', {
        entityRef: service,
      });
      expect(output.explanations).toHaveLength(1);
      const explanation = output.explanations[0];
      const item = items[0];
      expect(explanation.verdict).toBe(item.health.verdict);
      const summary = failingSummary(item) ?? 'Healthy';
      expect(explanation.summary.startsWith(summary)).toBe(true);
      expect(explanation.failingHop?.id).toBe(item.health.failingStep);
      const failing = item.health.steps.find(
        s => s.id === item.health.failingStep,
      );
      expect(explanation.whatToDo).toBe(failing?.hint);
    }
    // the verdicts the seeds were made for
    const verdicts: Record<string, string> = {};
    for (const service of Object.keys(COMPONENTS)) {
      const as = COMPONENTS[service] === TEAM_PAYMENTS ? 'pat' : 'alice';
      const { output } = await call(userAuth(as), 'get-database-health', {
        entityRef: service,
      });
      verdicts[service] = output.databases[0].verdict;
    }
    expect(verdicts).toMatchObject({
      'agent-executor': 'healthy',
      payments: 'healthy',
      orders: 'failed',
      search: 'degraded',
    });
    // owner ≠ username is found by the login check, where the sandbox's server runs
    expect(verdicts.billing).toBe(database ? 'failed' : 'healthy');
  });

  it('explains a failing hop with its events', async () => {
    const { output } = await call(userAuth('alice'), 'explain-database', {
      entityRef: 'component:default/orders',
      database: 'orders/orders-db',
    });
    const [explanation] = output.explanations;
    expect(explanation.failingHop).toMatchObject({
      id: 'externalSecret',
      title: 'ExternalSecret',
    });
    expect(explanation.events[0]).toMatchObject({
      type: 'Warning',
      reason: 'UpdateFailed',
      object: { kind: 'ExternalSecret' },
    });
  });

  it('gives connection info: names and key names, never a password', async () => {
    const { output } = await call(userAuth('alice'), 'get-connection-info', {
      entityRef: 'agent-executor',
    });
    expect(output.connections).toEqual([
      {
        id: 'sandbox-a/databases/agent-executor-db',
        host: 'agent-executor-db-rw.databases.svc.cluster.local',
        port: 5432,
        database: expect.any(String),
        username: 'agent_executor',
        connectionSecret: {
          name: expect.any(String),
          namespace: 'databases',
          present: true,
          keys: expect.arrayContaining(['password', 'username']),
        },
        ssmParameters: {
          user: expect.stringMatching(/\/user$/),
          password: expect.stringMatching(/\/password$/),
        },
      },
    ]);
  });

  it('the password canary finds nothing in any answer or log line', () => {
    expect(passwords.length).toBeGreaterThan(0);
    expect(received.length).toBeGreaterThan(0);
    const everything = [
      ...received,
      ...logLines.map(l => `${l.message} ${l.meta}`),
    ].join('\n');
    for (const password of passwords) {
      expect(everything).not.toContain(password);
    }
  });
});
