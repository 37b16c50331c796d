/**
 * Key names and secret types the hops check. The operators' status words and what they mean
 * are in health/states.ts.
 */

/** The keys of the connection secret the platform's Composition writes. */
export const CONNECTION_SECRET_KEYS: readonly string[] = [
  'endpoint',
  'port',
  'database',
  'username',
  'password',
];

/** The keys of the zero-touch variant's `<claim>-conn` secret. */
export const ZERO_TOUCH_CONNECTION_SECRET_KEYS: readonly string[] = [
  'POSTGRES_HOST',
  'POSTGRES_PORT',
  'POSTGRES_DB',
  'POSTGRES_USER',
  'POSTGRES_PASSWORD',
];

/** The keys CNPG's `initdb.secret` must have. */
export const CREDENTIALS_SECRET_KEYS: readonly string[] = [
  'username',
  'password',
];

export const BASIC_AUTH_SECRET_TYPE = 'kubernetes.io/basic-auth';
