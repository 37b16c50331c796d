import { createHash } from 'crypto';
import type { DatabaseServer } from '../database';
import { unb64 } from '../kubernetes/conditions';

/**
 * CloudNative-PG's instance manager running `bootstrap.initdb`: the database and its owner made
 * on the sandbox's PostgreSQL server (when there is one), with the password of the secret.
 */
export class InitDb {
  /** Per cluster ("namespace/name"), a hash of the credentials last applied to its database. */
  private readonly bootstrapped = new Map<string, string>();

  constructor(
    private readonly server?: DatabaseServer,
    private readonly log?: (message: string) => void,
  ) {}

  /**
   * CloudNative-PG's `bootstrap.initdb` on the sandbox's PostgreSQL server (see
   * DatabaseServer.bootstrap): once the credentials secret exists, and again whenever it changes,
   * as CNPG's instance manager re-reads it. True when the database is there (or there is no
   * server); false when making it failed (said in the log, and tried again on the next pass).
   */
  async run(cluster: string, spec: any, secret: any): Promise<boolean> {
    const server = this.server;
    if (!server) return true;
    const initdb = spec?.bootstrap?.initdb ?? {};
    // CNPG's defaults (reference cnpg/postgresql.cnpg.io_clusters.yaml): database "app", owner
    // the database's name
    const database: string = initdb.database ?? 'app';
    const owner: string = initdb.owner ?? database;
    const username = unb64(secret?.data?.username);
    const password = unb64(secret?.data?.password);
    const credentials =
      username !== undefined && password !== undefined
        ? { username, password }
        : undefined;
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([database, owner, username ?? null, password ?? null]),
      )
      .digest('hex');
    if (this.bootstrapped.get(cluster) === fingerprint) return true;
    const log = this.log ?? (() => {});
    try {
      const result = await server.bootstrap({
        cluster,
        database,
        owner,
        credentials,
      });
      this.bootstrapped.set(cluster, fingerprint);
      const shared = result.shared
        ? ` (shares the ${result.shared}: the sandbox has one PostgreSQL server for all its clusters)`
        : '';
      log(
        result.problem
          ? `CloudNative-PG ${cluster}: database '${database}' owned by '${owner}', but no password set: ${result.problem} (the application cannot log in)${shared}`
          : `CloudNative-PG ${cluster}: database '${database}' owned by '${owner}'${
              result.passwordSet ? ', password from the secret' : ''
            }, on 127.0.0.1:${server.port}${shared}`,
      );
      return true;
    } catch (e: any) {
      log(
        `CloudNative-PG ${cluster}: could not make database '${database}' on 127.0.0.1:${server.port}: ${e?.message}`,
      );
      return false;
    }
  }
}
