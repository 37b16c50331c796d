import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import catalogScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { decidePostgresPermission } from '@bizmatters/plugin-postgres-common';
import { capturingRootLogger, LogLine } from './logging';

export type { LogLine } from './logging';
import {
  catalogAndPermissions,
  catalogAndPermissionsConfig,
  testDatabases,
  waitForCatalog,
} from '.';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
// the harness runs the plugin that postgres:request:register calls, next to the scaffolder's
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import postgresBackendPlugin from '@bizmatters/plugin-postgres-backend';
import {
  ForgeStandIn,
  KubernetesStandIn,
  PlatformSimulator,
  SsmStandIn,
} from '@bizmatters/sandbox';
import postgresModule from '@bizmatters/plugin-scaffolder-backend-module-postgres';

// a test package, run from its source (never built): the repository's templates from here
// eslint-disable-next-line no-restricted-syntax
const TEMPLATES = path.resolve(__dirname, '../../../templates');
const TEMPLATE_FILE = path.join(TEMPLATES, 'new-postgres-db/template.yaml');
const CHANGE_TEMPLATE_FILE = path.join(
  TEMPLATES,
  'change-postgres-db/template.yaml',
);
const REMOVE_TEMPLATE_FILE = path.join(
  TEMPLATES,
  'remove-postgres-credentials/template.yaml',
);

/** One line of the backend's log output, as its root logger received it (nothing redacted). */
/** One audit event as the backend's auditor received it, with how it ended. */
export interface AuditLine {
  plugin: string;
  eventId: string;
  severityLevel?: string;
  meta: Record<string, unknown>;
  status: 'initiated' | 'succeeded' | 'failed';
  error?: string;
}

/** An auditor that keeps every event (and what the default one would print) for the tests. */
function recordingAuditor(lines: AuditLine[]) {
  return createServiceFactory({
    service: coreServices.auditor,
    deps: { plugin: coreServices.pluginMetadata },
    factory: ({ plugin }) => ({
      async createEvent(options) {
        const line: AuditLine = {
          plugin: plugin.getId(),
          eventId: options.eventId,
          severityLevel: options.severityLevel,
          meta: { ...(options.meta ?? {}) },
          status: 'initiated',
        };
        lines.push(line);
        return {
          async success(o) {
            lines.push({
              ...line,
              meta: { ...line.meta, ...(o?.meta ?? {}) },
              status: 'succeeded',
            });
          },
          async fail(o) {
            lines.push({
              ...line,
              meta: { ...line.meta, ...(o.meta ?? {}) },
              status: 'failed',
              error: `${o.error.name}: ${o.error.message}`,
            });
          },
        };
      },
    }),
  });
}

/** Two teams and the platform's seed team, as catalog entities. */
export const USERS = {
  /** Member of payments (and of team-agents, which owns the seed's agent-executor). */
  alice: 'user:default/alice',
  /** Member of orders only. */
  mallory: 'user:default/mallory',
} as const;

function entity(kind: string, name: string, spec: JsonObject): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec,
  };
}

/** The catalog the harness serves: groups, users with their memberships, components with owners. */
export const CATALOG_ENTITIES: Entity[] = [
  entity('Group', 'payments', { type: 'team', children: [] }),
  entity('Group', 'orders', { type: 'team', children: [] }),
  entity('Group', 'team-agents', { type: 'team', children: [] }),
  entity('User', 'alice', {
    memberOf: ['group:default/payments', 'team-agents'],
  }),
  entity('User', 'mallory', { memberOf: ['orders'] }),
  entity('Component', 'payments', {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments',
  }),
  entity('Component', 'orders', {
    type: 'service',
    lifecycle: 'production',
    owner: 'orders',
  }),
  entity('Component', 'agent-executor', {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team-agents',
  }),
];

/**
 * The product's permission rules for its own permissions (postgres-common), everything else
 * allowed — what a portal's policy delegates to. The permission backend resolves the
 * conditional IS_ENTITY_OWNER decision through the catalog.
 */
const testPolicy = {
  async handle(
    query: Parameters<PermissionPolicy['handle']>[0],
    user?: Parameters<PermissionPolicy['handle']>[1],
  ) {
    return (
      decidePostgresPermission(query.permission, user) ?? {
        result: AuthorizeResult.ALLOW,
      }
    );
  },
};

/**
 * The real scaffolder backend (with its GitHub module and ours) running the real template, with
 * the real catalog (users, groups, components of two teams) and the real permission backend
 * (permissions on, a policy delegating to postgres-common's rules), talking to the sandbox's SSM
 * and forge stand-ins on 127.0.0.1. Requests are made as alice unless another user is named.
 */
export async function startScaffolderHarness(
  options: {
    /**
     * Also a cluster (the Kubernetes stand-in) that the sandbox's platform keeps in step with
     * the GitOps repository's main branch, and the real postgres and Kubernetes backends
     * reading it.
     */
    platform?: boolean;
    /**
     * Clusters (Kubernetes stand-ins) the real Kubernetes backend reads, without a platform
     * following the GitOps repository: a test applies what it wants, when it wants.
     */
    clusters?: KubernetesStandIn[];
    /** `postgres.cache.ttlSeconds` (1 with a platform or clusters). */
    ttlSeconds?: number;
    /** The scaffolder's own configuration (e.g. task recovery). */
    scaffolder?: JsonObject;
    /** More of `postgres.*` (e.g. `ssm.pathPattern`), over the harness's own. */
    postgres?: { ssm?: JsonObject } & JsonObject;
    /** More catalog entities (e.g. a team's own templates, a component in another namespace). */
    entities?: Entity[];
  } = {},
) {
  const ssm = await SsmStandIn.start();
  const forge = await ForgeStandIn.start();
  await forge.createRepo('platform', 'gitops', { 'README.md': '# GitOps\n' });
  await forge.createRepo('platform', 'other', { 'README.md': '# Other\n' });
  const kube = options.platform ? await KubernetesStandIn.start() : undefined;
  const platform = kube
    ? new PlatformSimulator({
        kube,
        ssm,
        forge,
        repo: { owner: 'platform', name: 'gitops' },
      })
    : undefined;
  const savedEnv = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = 'sandbox';
  process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
  const template = parse(fs.readFileSync(TEMPLATE_FILE, 'utf8'));
  template.metadata.namespace = 'default';
  const changeTemplate = parse(fs.readFileSync(CHANGE_TEMPLATE_FILE, 'utf8'));
  changeTemplate.metadata.namespace = 'default';
  const removeTemplate = parse(fs.readFileSync(REMOVE_TEMPLATE_FILE, 'utf8'));
  removeTemplate.metadata.namespace = 'default';
  // Each plugin's own database (SQLite in memory, or PostgreSQL with TEST_DATABASE=postgres);
  // tests read the scaffolder's stored rows.
  const databases = testDatabases();
  const logLines: LogLine[] = [];
  const auditLines: AuditLine[] = [];
  const clusters = [...(kube ? [kube] : []), ...(options.clusters ?? [])];
  const ttlSeconds = options.ttlSeconds ?? (clusters.length ? 1 : undefined);
  // the postgres backend is always there: the template's last step registers its request there
  const start = () =>
    startTestBackend({
      features: [
        databases.factory,
        capturingRootLogger(logLines),
        recordingAuditor(auditLines),
        ...catalogAndPermissions({
          entities: [
            ...CATALOG_ENTITIES,
            template,
            changeTemplate,
            removeTemplate,
            ...(options.entities ?? []),
          ],
          policy: testPolicy,
        }),
        catalogScaffolderEntityModel,
        scaffolderPlugin,
        githubModule,
        postgresModule,
        postgresBackendPlugin,
        ...(clusters.length ? [kubernetesPlugin] : []),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            ...catalogAndPermissionsConfig([
              'Component',
              'Group',
              'User',
              'Template',
              'Location',
            ]),
            integrations: {
              github: [forge.backstageIntegration()],
            },
            ...(clusters.length
              ? { kubernetes: KubernetesStandIn.backstageConfig(clusters) }
              : {}),
            ...(options.scaffolder ? { scaffolder: options.scaffolder } : {}),
            postgres: {
              ...options.postgres,
              ...(ttlSeconds !== undefined ? { cache: { ttlSeconds } } : {}),
              ssm: {
                region: 'eu-west-1',
                endpoint: ssm.url,
                maxAttempts: 3,
                ...options.postgres?.ssm,
              },
              gitops: {
                repositories: [forge.gitopsRepository('platform', 'gitops')],
              },
            },
          },
        }),
      ],
    });
  let backend = await start();
  await waitForCatalog(
    backend.server,
    [
      ...CATALOG_ENTITIES.map(
        e => `${e.kind.toLowerCase()}/default/${e.metadata.name}`,
      ),
      'template/default/new-postgres-db',
      'template/default/change-postgres-db',
      'template/default/remove-postgres-credentials',
      ...(options.entities ?? []).map(
        e =>
          `${e.kind.toLowerCase()}/${e.metadata.namespace ?? 'default'}/${
            e.metadata.name
          }`,
      ),
    ],
    {
      describe: () =>
        `last warnings:\n${logLines
          .filter(l => l.level === 'warn' || l.level === 'error')
          .slice(-10)
          .map(l => `${l.level} ${l.message} ${l.meta}`)
          .join('\n')}`,
    },
  );

  /** Waits until the task is completed or failed; returns it and its events. */
  async function finish(id: string, user: string = USERS.alice) {
    let task: any;
    for (let i = 0; i < 600; i++) {
      task = (
        await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${id}`)
          .set('Authorization', mockCredentials.user.header(user))
      ).body;
      if (task.status === 'completed' || task.status === 'failed') break;
      await new Promise(r => setTimeout(r, 50));
    }
    const events = (
      await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}/events`)
        .set('Authorization', mockCredentials.user.header(user))
    ).body;
    return {
      task,
      events: events as any[],
      /** Every message the task logged, one line each. */
      log: (events as any[]).map(e => e.body?.message ?? '').join('\n'),
      /** The template's output (links, text), once completed. */
      output: (events as any[]).find(e => e.type === 'completion')?.body
        ?.output,
    };
  }

  const harness = {
    ssm,
    forge,
    kube,
    platform,
    get backend() {
      return backend;
    },
    template,
    changeTemplate,
    repoUrl: () => `${forge.host}?owner=platform&repo=gitops`,
    /** Every line the backend logged so far. */
    logLines,
    /** Every audit event of every plugin so far (initiated, then succeeded or failed). */
    auditLines,
    /** Every row of every table of the scaffolder's database, one JSON line per row. */
    databaseRows: () => databases.rows('scaffolder'),
    /** Every row of every table of the postgres backend's database (its requests). */
    postgresRows: () => databases.rows('postgres'),
    /**
     * POSTs a task as `user` (default alice); returns the HTTP answer when it is refused, else
     * the finished task and its events.
     */
    async runTask(body: Record<string, unknown>, user: string = USERS.alice) {
      const created = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', mockCredentials.user.header(user))
        .send({ templateRef: 'template:default/new-postgres-db', ...body });
      if (created.status !== 201) {
        return {
          status: created.status,
          body: created.body,
          task: undefined as any,
          events: [] as any[],
          log: '',
          output: undefined as any,
        };
      }
      return {
        status: created.status,
        body: created.body,
        ...(await finish(created.body.id, user)),
      };
    },
    finish,
    /** Retries a failed task as `user` (default alice), as the task page's "Retry" does. */
    async retry(id: string, user: string = USERS.alice) {
      const res = await request(backend.server)
        .post(`/api/scaffolder/v2/tasks/${id}/retry`)
        .set('Authorization', mockCredentials.user.header(user))
        .send({ secrets: {} });
      if (res.status !== 201 && res.status !== 200)
        throw new Error(
          `retry ${id}: ${res.status} ${JSON.stringify(res.body)}`,
        );
      return finish(id, user);
    },
    /** POSTs a dry run of a template (default "New Postgres DB") as `user` (default alice). */
    async dryRun(
      values: Record<string, unknown>,
      secrets: Record<string, string> = {},
      user: string = USERS.alice,
      dryRunTemplate: unknown = template,
    ) {
      return request(backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', mockCredentials.user.header(user))
        .send({
          template: dryRunTemplate,
          values,
          secrets,
          directoryContents: [],
        });
    },
    /** Stops the backend and starts a new one on the same plugin databases (a restart). */
    async restart() {
      await backend.stop();
      backend = await start();
    },
    async stop() {
      await platform?.stop();
      await kube?.stop();
      await backend.stop();
      await databases.stop();
      await ssm.stop();
      await forge.stop();
      process.env = savedEnv;
    },
  };
  return harness;
}

export type ScaffolderHarness = Awaited<
  ReturnType<typeof startScaffolderHarness>
>;
