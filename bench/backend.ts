/*
 * The real backend (packages/backend via `backstage-cli package start`) configured against the
 * stand-ins: its app-config, its process tree's CPU time and resident memory, waiting for it,
 * signing in as the guest and stopping it.
 */
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { stringify } from 'yaml';
import { KubernetesStandIn } from '@bizmatters/sandbox';
import { waitFor } from '../scripts/waitFor';
import {
  CatalogEntity,
  FLEET_STALE_SECONDS,
  StandIns,
  TTL_SECONDS,
} from './fixtures';

const ROOT = path.resolve(__dirname, '..');
const PORT = 7107;
export const BASE = `http://localhost:${PORT}`;

export type Backend = {
  process: ChildProcess;
  /** Where it answers, e.g. http://localhost:7107. */
  base: string;
  /** The backend's output; its tail is printed if the bench fails. */
  logFile: string;
};

/** Headers of the signed-in guest's requests. */
export type Headers = Record<string, string>;

/**
 * A fleet reader: a static external access token (a service principal) whose only permission
 * is `postgres.fleet.read` (Backstage decides a service's permissions from its access
 * restrictions, without the policy). The guest owns every entity but does not read the fleet.
 */
const FLEET_READER_TOKEN = 'bench-fleet-reader-0123456789abcdef';
export const FLEET_READER_HEADERS: Headers = {
  authorization: `Bearer ${FLEET_READER_TOKEN}`,
};

/**
 * Writes the catalog entities (into `catalogDir`, by default `dir`) and the app-config that
 * points the backend at the stand-ins (into `dir`); returns the app-config's path.
 */
export function writeBackendConfig(options: {
  dir: string;
  standIns: StandIns;
  entities: CatalogEntity[];
  port?: number;
  catalogDir?: string;
}): string {
  const { dir, entities, port = PORT, catalogDir = dir } = options;
  const { clusters, ssm, forge } = options.standIns;
  fs.writeFileSync(
    path.join(catalogDir, 'entities.yaml'),
    entities.map(x => stringify(x)).join('---\n'),
  );
  const config = {
    backend: {
      baseUrl: `http://localhost:${port}`,
      listen: { port },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: { token: FLEET_READER_TOKEN, subject: 'bench-fleet' },
            accessRestrictions: [
              { plugin: 'postgres', permission: 'postgres.fleet.read' },
            ],
          },
        ],
      },
    },
    auth: {
      environment: 'development',
      providers: {
        guest: {
          dangerouslyAllowOutsideDevelopment: true,
          userEntityRef: 'user:default/guest',
        },
      },
    },
    catalog: {
      rules: [
        { allow: ['Component', 'Group', 'User', 'Location', 'Template'] },
      ],
      locations: [
        { type: 'file', target: path.join(catalogDir, 'entities.yaml') },
        {
          type: 'file',
          target: path.join(ROOT, 'templates/new-postgres-db/template.yaml'),
        },
      ],
    },
    integrations: {
      github: [forge.backstageIntegration()],
    },
    kubernetes: {
      ...KubernetesStandIn.backstageConfig(clusters),
      customResources: [
        {
          group: 'database.bizmatters.io',
          apiVersion: 'v1alpha1',
          plural: 'postgresinstances',
        },
        { group: 'postgresql.cnpg.io', apiVersion: 'v1', plural: 'clusters' },
        {
          group: 'external-secrets.io',
          apiVersion: 'v1beta1',
          plural: 'externalsecrets',
        },
      ],
    },
    postgres: {
      gitops: {
        repositories: [forge.gitopsRepository('platform', 'gitops')],
      },
      cache: { ttlSeconds: TTL_SECONDS },
      fleet: { staleSeconds: FLEET_STALE_SECONDS },
      ssm: { region: 'eu-west-1', endpoint: ssm.url },
      // the database provider never runs by itself during the measurements (its catalog rules
      // leave Resources out anyway); bench/provider.ts triggers it through the scheduler API
      catalog: {
        refresh: { frequency: { trigger: 'manual' }, timeout: { minutes: 10 } },
      },
    },
  };
  const configFile = path.join(dir, 'app-config.bench.yaml');
  fs.writeFileSync(configFile, stringify(config));
  return configFile;
}

/**
 * Spawns the backend (in its own process group) with its config and the catalog entities
 * written to a new temporary directory, listening on `port` (7107). `nodeOptions`, e.g.
 * `--require ./profile-hook.js` to profile the backend, become its NODE_OPTIONS; `config` is
 * one more app-config on top (e.g. PostgreSQL and Redis), with `{dir}` in its strings replaced
 * by the backend's own temporary directory. Replicas sharing a catalog database must read the
 * same catalog file (the same `catalogDir`): each replica's config locations replace the others'.
 */
export function startBackend(options: {
  standIns: StandIns;
  entities: CatalogEntity[];
  nodeOptions?: string;
  port?: number;
  config?: object;
  catalogDir?: string;
}): Backend {
  const { port = PORT } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const configFile = writeBackendConfig({
    dir,
    standIns: options.standIns,
    entities: options.entities,
    port,
    catalogDir: options.catalogDir,
  });
  const extraConfigs: string[] = [];
  if (options.config) {
    const extra = path.join(dir, 'app-config.extra.yaml');
    fs.writeFileSync(extra, stringify(options.config).replaceAll('{dir}', dir));
    extraConfigs.push('--config', extra);
  }
  const logFile = path.join(dir, 'backend.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    'npx',
    [
      'backstage-cli',
      'package',
      'start',
      '--config',
      '../../app-config.yaml',
      '--config',
      configFile,
      ...extraConfigs,
    ],
    {
      cwd: path.join(ROOT, 'packages/backend'),
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
      },
      stdio: ['ignore', log, log],
      detached: true,
    },
  );
  return { process: child, base: `http://localhost:${port}`, logFile };
}

/** A process and its descendants (the backend's: npx → backstage-cli → node). */
export function processTree(pid: string): string[] {
  let children: string[] = [];
  try {
    children = fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  } catch {
    /* gone */
  }
  return [pid, ...children.flatMap(processTree)];
}

/** Sums `read(pid)` over the backend's process tree, skipping processes that are gone. */
function sumOverTree(backend: Backend, read: (pid: string) => number) {
  let sum = 0;
  for (const pid of processTree(String(backend.process.pid))) {
    try {
      sum += read(pid);
    } catch {
      /* gone */
    }
  }
  return sum;
}

/** CPU time (user + system) the backend's process tree has used, in ms. */
export function cpuMs(backend: Backend): number {
  const ticks = sumOverTree(backend, pid => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  });
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** Resident memory of the backend's process tree, in MiB. */
export function rssMiB(backend: Backend): number {
  const kb = sumOverTree(backend, pid =>
    Number(
      /VmRSS:\s+(\d+)/.exec(
        fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
      )?.[1] ?? 0,
    ),
  );
  return kb / 1024;
}

/** Resolves when the backend answers; rejects with its output's tail if it exits or times out. */
export async function waitForBackend(backend: Backend): Promise<void> {
  await Promise.race([
    waitFor(`${backend.base}/api/postgres/health`, 'the backend', 180_000),
    new Promise((_, reject) =>
      backend.process.once('exit', code =>
        reject(new Error(`the backend exited with code ${code}`)),
      ),
    ),
  ]).catch(e => {
    const tail = fs.readFileSync(backend.logFile, 'utf8').slice(-4000);
    throw new Error(`${e.message}; the backend's output ends with:\n${tail}`);
  });
}

/** The guest's identity, or why the backend did not give one (e.g. while it starts). */
async function signIn(base: string) {
  const res = await fetch(`${base}/api/auth/guest/refresh?env=development`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const text = await res.text();
  try {
    if (res.ok)
      return JSON.parse(text).backstageIdentity as {
        token: string;
        identity: { ownershipEntityRefs: string[] };
      };
  } catch {
    /* not JSON */
  }
  return { refused: `${res.status} ${text.slice(0, 300)}` };
}

/**
 * Signs in as the guest once the catalog has the viewer and `lastEntity`: the guest's token
 * then carries the group that owns the entities (its ownership refs come from the catalog's
 * User). Returns the headers of the guest's requests.
 */
export async function signInWhenCatalogHas(
  lastEntity: string,
  base: string = BASE,
): Promise<Headers> {
  for (let tries = 0; ; tries++) {
    const identity = await signIn(base);
    if ('refused' in identity) {
      if (tries >= 120)
        throw new Error(`guest sign-in at ${base}: ${identity.refused}`);
      await new Promise(r => setTimeout(r, 500));
      continue;
    }
    const headers = {
      authorization: `Bearer ${identity.token}`,
      'content-type': 'application/json',
    };
    const res = await fetch(
      `${base}/api/catalog/entities/by-name/component/default/${lastEntity}`,
      { headers },
    );
    // read the body: one left unread errors later, unhandled, when its socket closes
    await res.arrayBuffer();
    if (
      res.ok &&
      identity.identity.ownershipEntityRefs.includes('group:default/bench')
    )
      return headers;
    await new Promise(r => setTimeout(r, 500));
  }
}

/** Interrupts the backend's process group and waits for it to exit. */
export async function stopBackend(backend: Backend): Promise<void> {
  try {
    process.kill(-backend.process.pid!, 'SIGINT');
    // give the backend time to shut down (and a profiler hook to write its profile)
    await new Promise(r => backend.process.once('exit', r));
  } catch {
    /* gone */
  }
}
