import { ConfigReader } from '@backstage/config';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DEFAULT_ALLOWED_TEMPLATES, readModuleSettings } from '../config';
import { ActionGuard } from '../actions/guard';

/** One audit event a unit test's action recorded. */
export interface UnitAuditEvent {
  eventId: string;
  meta: Record<string, unknown>;
  status: 'initiated' | 'succeeded' | 'failed';
  error?: string;
}

/**
 * The guard the module gives every action: the shipped templates allowed, and an auditor that
 * keeps its events in `events`.
 */
export function unitGuard(): ActionGuard & { events: UnitAuditEvent[] } {
  const events: UnitAuditEvent[] = [];
  return {
    events,
    allowedTemplates: [...DEFAULT_ALLOWED_TEMPLATES],
    auditor: {
      async createEvent(options) {
        const base = { eventId: options.eventId, meta: { ...options.meta } };
        events.push({ ...base, status: 'initiated' });
        return {
          async success(o) {
            events.push({
              ...base,
              meta: { ...base.meta, ...o?.meta },
              status: 'succeeded',
            });
          },
          async fail(o) {
            events.push({
              ...base,
              meta: { ...base.meta, ...o.meta },
              status: 'failed',
              error: o.error.message,
            });
          },
        };
      },
    },
  };
}

/** The GitOps repository the unit tests' config allows, and a repo URL naming it. */
export const GITOPS_REPO_URL = 'github.com?owner=platform&repo=gitops';

/** Settings with one allowed GitOps repository, plus `config`'s `postgres.*`. */
export function unitSettings(postgres: Record<string, unknown> = {}) {
  return readModuleSettings(
    new ConfigReader({
      postgres: {
        ...postgres,
        gitops: {
          ...(postgres.gitops as object),
          repositories: [
            { host: 'github.com', owner: 'platform', repo: 'gitops' },
          ],
        },
      },
    }),
  );
}

/**
 * An in-memory catalog with the seed's component (owned by group team-agents) and orders (owned
 * by group orders), a permission service answering `result` to every request, and a GitOps
 * repository that has no claim yet. The real catalog and permission backend run in
 * the integration tests (src/__tests__).
 */
export function unitAuthorizer(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  return {
    catalog: catalogServiceMock({
      entities: [
        ['agent-executor', 'team-agents'],
        ['orders', 'group:default/orders'],
      ].map(([name, owner]) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name, namespace: 'default' },
        spec: { type: 'service', lifecycle: 'production', owner },
      })),
    }),
    permissions: mockServices.permissions({ result }),
    // a GitOps repository without the claim or pull requests, clusters without claims;
    // src/__tests__ read the sandbox forge and clusters over HTTP
    gitops: {
      findFile: async () => undefined,
      readFile: async () => undefined,
      openPullRequests: async () => [],
      openPullRequestFrom: async () => undefined,
    },
    clusters: {
      databasesOf: async () => ({ items: [], errors: [] }),
      claimsIn: async () => ({ clusters: [] }),
    },
  };
}

/** What a unit test sets on an action's context; the rest has the scaffolder's defaults. */
export type ActionContextOptions = {
  input: Record<string, unknown>;
  /** The initiator, as the scaffolder's task credentials name them. */
  user: string;
  workspacePath?: string;
  secrets?: Record<string, string>;
  isDryRun?: boolean;
  task?: string;
  /** The task's template (default: the shipped New Postgres DB). */
  templateRef?: string;
};

/**
 * An action context for calling one action's handler in a unit test: `output` is a jest mock, the
 * logger keeps its lines in `logs`, checkpoints run their function. The real scaffolder engine
 * runs the actions in the integration tests (src/__tests__).
 */
export function mockActionContext(options: ActionContextOptions) {
  const logs: string[] = [];
  const log = (message: string, meta?: unknown) =>
    logs.push(`${message} ${meta ? JSON.stringify(meta) : ''}`);
  const logger = {
    info: log,
    warn: log,
    error: log,
    debug: log,
    child: () => logger,
  };
  const ctx = {
    input: options.input,
    secrets: options.secrets,
    isDryRun: options.isDryRun ?? false,
    workspacePath: options.workspacePath ?? '/tmp/unused-workspace',
    logger,
    output: jest.fn(),
    checkpoint: async ({ fn }: { fn: () => Promise<unknown> }) => fn(),
    createTemporaryDirectory: async () => options.workspacePath ?? '/tmp',
    getInitiatorCredentials: async () => mockCredentials.user(options.user),
    task: { id: options.task ?? 'mock-task-id' },
    templateInfo: {
      entityRef: options.templateRef ?? 'template:default/new-postgres-db',
    },
    user: { ref: options.user },
    signal: undefined,
    each: undefined,
  };
  return { ctx, logs };
}
