import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import knexFactory from 'knex';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';

type Meta = Parameters<LoggerService['info']>[1];
type Fields = Parameters<LoggerService['child']>[0];
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ForgeStandIn, SsmStandIn } from '@bizmatters/sandbox';
import postgresModule from '../index';

const TEMPLATE_FILE = path.resolve(
  __dirname,
  '../../../../templates/new-postgres-db/template.yaml',
);

/** One line of the backend's log output, as its root logger received it (nothing redacted). */
export interface LogLine {
  level: string;
  message: string;
  meta: string;
}

/** A root logger that keeps every line, at every level, for the secrets canary. */
class CapturingLogger implements LoggerService {
  constructor(
    private readonly lines: LogLine[],
    private readonly fields: Fields = {},
  ) {}
  private log(level: string, message: string, meta?: Meta) {
    this.lines.push({
      level,
      message: String(message),
      meta: JSON.stringify({
        ...this.fields,
        ...(meta instanceof Error
          ? { error: `${meta.name}: ${meta.message}\n${meta.stack}` }
          : meta),
      }),
    });
  }
  error(message: string, meta?: Meta) {
    this.log('error', message, meta);
  }
  warn(message: string, meta?: Meta) {
    this.log('warn', message, meta);
  }
  info(message: string, meta?: Meta) {
    this.log('info', message, meta);
  }
  debug(message: string, meta?: Meta) {
    this.log('debug', message, meta);
  }
  child(meta: Fields): LoggerService {
    return new CapturingLogger(this.lines, { ...this.fields, ...meta });
  }
}

/**
 * The real scaffolder backend (with its GitHub module and ours) running the real template,
 * talking to the sandbox's SSM and forge stand-ins on 127.0.0.1.
 */
export async function startScaffolderHarness() {
  const ssm = await SsmStandIn.start();
  const forge = await ForgeStandIn.start();
  await forge.createRepo('platform', 'gitops', { 'README.md': '# GitOps\n' });
  const savedEnv = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = 'sandbox';
  process.env.AWS_SECRET_ACCESS_KEY = 'sandbox';
  const template = parse(fs.readFileSync(TEMPLATE_FILE, 'utf8'));
  template.metadata.namespace = 'default';
  // The scaffolder's database (SQLite in memory) is ours, so tests can read its stored rows.
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const logLines: LogLine[] = [];
  const backend = await startTestBackend({
    features: [
      mockServices.database.factory({ knex }),
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => new CapturingLogger(logLines),
      }),
      scaffolderPlugin,
      githubModule,
      postgresModule,
      catalogServiceMock.factory({ entities: [template] }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:7007' },
          integrations: {
            github: [
              {
                host: forge.host,
                apiBaseUrl: forge.apiBaseUrl,
                token: 'sandbox-token',
              },
            ],
          },
          postgres: {
            ssm: { region: 'eu-west-1', endpoint: ssm.url, maxAttempts: 3 },
          },
        },
      }),
    ],
  });

  const harness = {
    ssm,
    forge,
    backend,
    template,
    repoUrl: () => `${forge.host}?owner=platform&repo=gitops`,
    /** Every line the backend logged so far. */
    logLines,
    /** Every row of every table of the scaffolder's database, one JSON line per row. */
    async databaseRows(): Promise<{ table: string; row: string }[]> {
      const tables: { name: string }[] = await knex
        .select('name')
        .from('sqlite_master')
        .where({ type: 'table' });
      const out: { table: string; row: string }[] = [];
      for (const { name } of tables) {
        for (const row of await knex.select('*').from(name)) {
          out.push({ table: name, row: JSON.stringify(row) });
        }
      }
      return out;
    },
    /** POSTs a task; returns the HTTP answer when it is refused, else the finished task and its events. */
    async runTask(body: Record<string, unknown>) {
      const created = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .send({ templateRef: 'template:default/new-postgres-db', ...body });
      if (created.status !== 201) {
        return {
          status: created.status,
          body: created.body,
          task: undefined as any,
          events: [] as any[],
        };
      }
      const id = created.body.id;
      let task: any;
      for (let i = 0; i < 600; i++) {
        task = (
          await request(backend.server).get(`/api/scaffolder/v2/tasks/${id}`)
        ).body;
        if (task.status === 'completed' || task.status === 'failed') break;
        await new Promise(r => setTimeout(r, 50));
      }
      const events = (
        await request(backend.server).get(
          `/api/scaffolder/v2/tasks/${id}/events`,
        )
      ).body;
      return {
        status: created.status,
        body: created.body,
        task,
        events: events as any[],
      };
    },
    async dryRun(
      values: Record<string, unknown>,
      secrets: Record<string, string> = {},
    ) {
      return request(backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .send({ template, values, secrets, directoryContents: [] });
    },
    async stop() {
      await backend.stop();
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
