/** Empties the databases named `prefix`* and Redis database `redisDb` (default: the portal's own). */
export function prepareProductionServices(
  log: (line: string) => void,
  options?: { prefix?: string; redisDb?: number },
): Promise<void>;
/** Drops the databases whose names start with `prefix`; resolves with how many. */
export function dropDatabases(prefix: string): Promise<number>;
/** Sends Redis commands; resolves with the replies' text. */
export function redis(commands: string[]): Promise<string>;
export const PG: { host: string; port: number; user: string; database: string };
export const REDIS: { host: string; port: number; db: number };
export const PREFIX: string;
