/*
 * The production shape's services (app-config.production.yaml): checks that PostgreSQL and
 * Redis answer, and empties what an earlier run of the portal left there (its own databases,
 * portal_sandbox_*, and Redis database 5), so every start is as fresh as the embedded default.
 */
const net = require('net');

const PG = {
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: 'postgres',
};
const REDIS = { host: '127.0.0.1', port: 6379, db: 5 };
const PREFIX = 'portal_sandbox_';

/**
 * Sends Redis commands (inline protocol) and resolves with the replies' text, once Redis has
 * been quiet for 200 ms after answering.
 */
function redis(commands) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(REDIS.port, REDIS.host);
    let reply = '';
    let idle;
    socket.setTimeout(5000, () =>
      socket.destroy(new Error('Redis did not answer within 5 s')),
    );
    socket.on('connect', () =>
      socket.write(commands.map(c => `${c}\r\n`).join('')),
    );
    socket.on('data', d => {
      reply += d.toString();
      clearTimeout(idle);
      idle = setTimeout(() => socket.end(), 200);
    });
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

/** Drops the databases whose names start with `prefix`; resolves with how many. */
async function dropDatabases(prefix) {
  const { Client } = require('pg');
  const client = new Client(PG);
  try {
    await client.connect();
  } catch (e) {
    throw new Error(
      `PostgreSQL does not answer at ${PG.host}:${PG.port} as ${PG.user} (${e.message}); the production shape needs it`,
    );
  }
  try {
    const { rows } = await client.query(
      'select datname from pg_database where datname like $1',
      [`${prefix.replace(/[_%\\]/g, c => `\\${c}`)}%`],
    );
    for (const { datname } of rows) {
      await client.query(
        `drop database "${datname.replace(/"/g, '""')}" with (force)`,
      );
    }
    return rows.length;
  } finally {
    await client.end();
  }
}

/** Empties Redis database `db`. */
async function flushRedis(db) {
  let reply;
  try {
    reply = await redis([`SELECT ${db}`, 'FLUSHDB']);
  } catch (e) {
    throw new Error(
      `Redis does not answer at ${REDIS.host}:${REDIS.port} (${e.message}); the production shape needs it`,
    );
  }
  if (!/^\+OK\r\n\+OK/.test(reply)) {
    throw new Error(`Redis refused to empty database ${db}: ${reply.trim()}`);
  }
}

/**
 * Empties what an earlier run left: the databases named `prefix`* and Redis database `redisDb`
 * (by default the portal's own, portal_sandbox_* and 5).
 */
async function prepareProductionServices(
  log,
  { prefix = PREFIX, redisDb = REDIS.db } = {},
) {
  const dropped = await dropDatabases(prefix);
  log(
    `PostgreSQL ${PG.host}:${PG.port}: ${dropped} database(s) of an earlier run dropped`,
  );
  await flushRedis(redisDb);
  log(`Redis ${REDIS.host}:${REDIS.port}/${redisDb}: emptied`);
}

module.exports = {
  prepareProductionServices,
  dropDatabases,
  redis,
  PG,
  REDIS,
  PREFIX,
};
