/*
 * The sandbox's own PostgreSQL server, where the CloudNative-PG stand-in puts the databases it
 * "creates", so that a connection secret's credentials can really be tried. A fresh cluster in
 * a temporary directory: `initdb` with SCRAM password authentication on 127.0.0.1, and the
 * superuser reachable only through a unix socket in that directory (mode 0700, trust). Stopped
 * and removed when the sandbox stops. Where no PostgreSQL server binaries are installed the
 * sandbox runs without it (the login check is off).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { Client, ClientConfig } from 'pg';
import { refuseDatabaseName, refuseRoleName } from './names';

/** A node-postgres client and its settings, as the sandbox uses them. */
export type PgClient = Client;
export type PgClientConfig = ClientConfig;

/** A node-postgres client that gives up connecting after 10 s. */
export function pgClient(config: PgClientConfig): PgClient {
  return new Client({ connectionTimeoutMillis: 10_000, ...config });
}

/**
 * The folder of PostgreSQL's server programs (initdb, postgres, pg_ctl): SANDBOX_PG_BIN, else the
 * newest /usr/lib/postgresql/<version>/bin (Debian, Ubuntu), else the folder of an `initdb` on
 * PATH (Homebrew, Postgres.app). Undefined when there is none.
 */
export function findPostgresBinaries(
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const complete = (dir: string) =>
    ['initdb', 'postgres', 'pg_ctl'].every(p =>
      fs.existsSync(path.join(dir, p)),
    );
  if (env.SANDBOX_PG_BIN)
    return complete(env.SANDBOX_PG_BIN) ? env.SANDBOX_PG_BIN : undefined;
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter(v => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = path.join(debian, v, 'bin');
      if (complete(dir)) return dir;
    }
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && complete(dir)) return dir;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (for tests; the sandbox has a fixed one). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

/** Thrown by {@link DatabaseServer.start} when the server cannot run here; `message` says why. */
export class DatabaseServerUnavailable extends Error {}

const PORT_ATTEMPTS = 5;

/** Whether a start failed only because the port was in use when the server bound it. */
function isPortTaken(e: unknown): boolean {
  return (
    e instanceof DatabaseServerUnavailable &&
    /could not (create any TCP\/IP sockets|bind IPv4 address)|Address already in use/.test(
      e.message,
    )
  );
}

/** One CNPG cluster's bootstrap, as `spec.bootstrap.initdb` and its secret give it. */
export interface ClusterBootstrap {
  /** "namespace/name" of the Cluster. */
  cluster: string;
  database: string;
  owner: string;
  /** The credentials secret's `username` and `password`; absent when it names none. */
  credentials?: { username: string; password: string };
}

export interface BootstrapResult {
  /** Whether the owner's password was set from the secret. */
  passwordSet: boolean;
  /** What went wrong, in CNPG's words; never contains the password. */
  problem?: string;
  /** The role or database another cluster made on this server, which this one now shares. */
  shared?: string;
}

const SUPERUSER = 'postgres';

/**
 * A PostgreSQL server of the sandbox's own, on 127.0.0.1:<port> with password (SCRAM)
 * authentication. {@link DatabaseServer.start} runs `initdb` in a fresh temporary folder and
 * starts `postgres`; {@link DatabaseServer.stop} drops what it made, stops it and removes the
 * folder. As root (PostgreSQL refuses to run as root) both run as the `postgres` system user.
 */
export class DatabaseServer {
  readonly host = '127.0.0.1';
  /** Roles and databases made here, each with the cluster ("namespace/name") that made it. */
  private readonly roles = new Map<string, string>();
  private readonly databases = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly port: number,
    /** PostgreSQL's major version, e.g. "15". */
    readonly version: string,
    private readonly dir: string,
    private readonly bin: string,
    private readonly asUser: string[],
    private readonly child: ChildProcess,
    private readonly admin: PgClient,
  ) {}

  /**
   * Starts a fresh server; rejects with {@link DatabaseServerUnavailable} (and leaves nothing
   * behind) when there are no server binaries or the server does not come up.
   */
  static async start(
    options: {
      port?: number;
      bin?: string;
      /** Where a port comes from when none is given (tests): {@link freePort} by default. */
      pickPort?: () => Promise<number>;
    } = {},
  ): Promise<DatabaseServer> {
    const bin = options.bin ?? findPostgresBinaries();
    if (!bin) {
      throw new DatabaseServerUnavailable(
        'no PostgreSQL server programs (initdb, postgres) found in /usr/lib/postgresql/*/bin or on PATH; set SANDBOX_PG_BIN to their folder',
      );
    }
    if (options.port !== undefined) {
      return DatabaseServer.startOn(bin, options.port);
    }
    // A port found free can be taken by another process before the server binds it (tests
    // run side by side): then, and only then, try again on another one.
    const pick = options.pickPort ?? freePort;
    for (let attempt = 1; ; attempt++) {
      try {
        return await DatabaseServer.startOn(bin, await pick());
      } catch (e) {
        if (attempt >= PORT_ATTEMPTS || !isPortTaken(e)) throw e;
      }
    }
  }

  private static async startOn(
    bin: string,
    port: number,
  ): Promise<DatabaseServer> {
    const asRoot = process.getuid?.() === 0;
    let owner: { uid: number; gid: number } | undefined;
    if (asRoot) {
      try {
        owner = {
          uid: Number(execFileSync('id', ['-u', SUPERUSER]).toString()),
          gid: Number(execFileSync('id', ['-g', SUPERUSER]).toString()),
        };
      } catch {
        throw new DatabaseServerUnavailable(
          `running as root, and there is no '${SUPERUSER}' system user to run PostgreSQL as`,
        );
      }
    }
    const asUser = asRoot ? ['runuser', '-u', SUPERUSER, '--'] : [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-postgres-'));
    if (owner) fs.chownSync(dir, owner.uid, owner.gid);
    const data = path.join(dir, 'data');
    const logFile = path.join(dir, 'server.log');
    const run = (program: string, args: string[]) => {
      const [command, ...rest] = [...asUser, path.join(bin, program), ...args];
      return execFileSync(command, rest, { stdio: 'pipe' }).toString();
    };
    let child: ChildProcess | undefined;
    try {
      const version = run('postgres', ['--version']).match(/(\d+)/)?.[1] ?? '?';
      run('initdb', [
        '-D',
        data,
        '-U',
        SUPERUSER,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]);
      const log = fs.openSync(logFile, 'a');
      if (owner) fs.fchownSync(log, owner.uid, owner.gid);
      const [command, ...rest] = [
        ...asUser,
        path.join(bin, 'postgres'),
        '-D',
        data,
        ...[
          `listen_addresses=${'127.0.0.1'}`,
          `port=${port}`,
          `unix_socket_directories=${dir}`,
          'password_encryption=scram-sha-256',
          // no statement in the server's log, even a failing one (ALTER ROLE … PASSWORD)
          'log_statement=none',
          'log_min_error_statement=panic',
          // a throwaway cluster: speed over durability
          'fsync=off',
          'synchronous_commit=off',
          'full_page_writes=off',
          'shared_buffers=16MB',
          'max_connections=40',
        ].flatMap(setting => ['-c', setting]),
      ];
      child = spawn(command, rest, { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      const admin = await DatabaseServer.connectAdmin(dir, port, child);
      return new DatabaseServer(port, version, dir, bin, asUser, child, admin);
    } catch (e: any) {
      const reason =
        (e?.stderr?.toString() || e?.message || String(e)).trim() +
        tail(logFile);
      if (child && child.exitCode === null) child.kill('SIGINT');
      await exited(child);
      fs.rmSync(dir, { recursive: true, force: true });
      throw new DatabaseServerUnavailable(
        `PostgreSQL (${bin}) did not start on 127.0.0.1:${port}: ${reason}`,
      );
    }
  }

  /** The superuser's connection through the unix socket, once the server accepts it. */
  private static async connectAdmin(
    dir: string,
    port: number,
    child: ChildProcess,
  ): Promise<PgClient> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the server exited (${child.exitCode ?? child.signalCode})`,
        );
      }
      const client = pgClient({
        host: dir,
        port,
        user: SUPERUSER,
        database: 'postgres',
      });
      client.on('error', () => {});
      try {
        await client.connect();
        return client;
      } catch (e) {
        await client.end().catch(() => {});
        if (Date.now() > deadline) throw e;
        await new Promise(r => setTimeout(r, 100));
      }
    }
  }

  /**
   * What CloudNative-PG does for `spec.bootstrap.initdb`, in two steps as it does them:
   *
   * 1. The initdb job creates the owner role, `CREATE ROLE <owner> LOGIN` with no password when
   *    it does not exist, and the database owned by it (CNPG v1.28.0
   *    pkg/management/postgres/initdb.go, ConfigureNewInstance).
   * 2. The instance manager then sets the owner's password from the secret, but only if the
   *    secret's `username` equals the owner; otherwise it sets nothing and fails with "wrong
   *    username '<username>' in secret, expected '<owner>'" on every reconcile, while the
   *    cluster still reports itself healthy (CNPG v1.28.0
   *    internal/management/controller/instance_controller.go, reconcileUser; see
   *    ../shared/reference/SOURCES.md, example 05). So with owner ≠ username no one can log in.
   *
   * Calling it again re-applies step 2 (as CNPG does when the secret changes). Names are
   * checked by the server's own rules (./names; rejects otherwise) and quoted as identifiers; the password is sent as an escaped
   * literal over the unix socket and is never logged (the server logs no statements).
   *
   * This server holds every cluster of the sandbox, so role and database names are shared among
   * them (a real CNPG cluster has its own): a cluster whose database another cluster already
   * made gets all privileges on it, and the last password set for a shared role wins.
   */
  bootstrap(b: ClusterBootstrap): Promise<BootstrapResult> {
    const next = this.queue.then(() => this.bootstrapNow(b));
    this.queue = next.catch(() => {});
    return next;
  }

  private async bootstrapNow(b: ClusterBootstrap): Promise<BootstrapResult> {
    const invalid = refuseRoleName(b.owner) ?? refuseDatabaseName(b.database);
    if (invalid) throw new Error(invalid);
    const db = this.admin;
    const owner = db.escapeIdentifier(b.owner);
    const database = db.escapeIdentifier(b.database);
    const shared: string[] = [];
    const role = await db.query('select 1 from pg_roles where rolname = $1', [
      b.owner,
    ]);
    if (!role.rows.length) {
      await db.query(`create role ${owner} login`);
      this.roles.set(b.owner, b.cluster);
    } else if (this.roles.get(b.owner) !== b.cluster) {
      shared.push(`role '${b.owner}' of ${this.roles.get(b.owner) ?? '?'}`);
    }
    const existing = await db.query(
      'select 1 from pg_database where datname = $1',
      [b.database],
    );
    if (!existing.rows.length) {
      await db.query(`create database ${database} owner ${owner}`);
      this.databases.set(b.database, b.cluster);
    } else if (this.databases.get(b.database) !== b.cluster) {
      await db.query(`grant all on database ${database} to ${owner}`);
      shared.push(
        `database '${b.database}' of ${this.databases.get(b.database) ?? '?'}`,
      );
    }
    const result = shared.length ? { shared: shared.join(' and ') } : {};
    if (!b.credentials) return { passwordSet: false, ...result };
    const { username, password } = b.credentials;
    if (username !== b.owner) {
      return {
        passwordSet: false,
        problem: `wrong username '${username}' in secret, expected '${b.owner}'`,
        ...result,
      };
    }
    await db.query(
      `alter role ${owner} with login password ${db.escapeLiteral(password)}`,
    );
    return { passwordSet: true, ...result };
  }

  /** Drops the roles and databases made here, stops the server and removes its folder. */
  async stop(): Promise<void> {
    try {
      await this.queue;
      for (const name of this.databases.keys()) {
        await this.admin.query(
          `drop database if exists ${this.admin.escapeIdentifier(
            name,
          )} with (force)`,
        );
      }
      for (const name of this.roles.keys()) {
        await this.admin.query(
          `drop role if exists ${this.admin.escapeIdentifier(name)}`,
        );
      }
    } catch {
      /* the folder goes anyway */
    }
    await this.admin.end().catch(() => {});
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        const [command, ...rest] = [
          ...this.asUser,
          path.join(this.bin, 'pg_ctl'),
          'stop',
          '-D',
          path.join(this.dir, 'data'),
          '-m',
          'fast',
          '-w',
        ];
        execFileSync(command, rest, { stdio: 'ignore' });
      } catch {
        this.child.kill('SIGINT');
      }
      await exited(this.child);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function exited(child?: ChildProcess): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise(resolve => child.once('exit', () => resolve()));
}

function tail(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    return lines.length && lines[0] ? ` (${lines.slice(-3).join(' | ')})` : '';
  } catch {
    return '';
  }
}
