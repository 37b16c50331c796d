/*
 * The names the sandbox's PostgreSQL server takes for a cluster's database and owner:
 * PostgreSQL's own identifier rules, and what this one server, which holds every cluster of the
 * sandbox, keeps for itself. Names are always quoted (so `Orders` or `a-b` are fine, as CNPG
 * quotes them too); these are the server's rules, not the portal's.
 */

/** NAMEDATALEN - 1: PostgreSQL cuts longer identifiers; the sandbox refuses them instead. */
const MAX_IDENTIFIER_BYTES = 63;
/** The server's own roles and databases (initdb's), never handed to a cluster. */
const SERVER_ROLES = ['postgres'];
const SERVER_DATABASES = ['postgres', 'template0', 'template1'];

function checkIdentifier(value: string, what: string): string | undefined {
  if (value === '') return `zero-length ${what}`;
  if (value.includes('\0')) return `the ${what} contains a NUL byte`;
  if (Buffer.byteLength(value, 'utf8') > MAX_IDENTIFIER_BYTES) {
    return `the ${what} '${value}' is longer than ${MAX_IDENTIFIER_BYTES} bytes (PostgreSQL would cut it)`;
  }
  return undefined;
}

/** Why the server will not make this role for a cluster, or undefined. */
export function refuseRoleName(value: string): string | undefined {
  const invalid = checkIdentifier(value, 'role name');
  if (invalid) return invalid;
  // PostgreSQL: ERROR 42939 role name "pg_…" is reserved (CREATE ROLE)
  if (value.startsWith('pg_')) return `role name "${value}" is reserved`;
  if (SERVER_ROLES.includes(value)) {
    return `role "${value}" is reserved: it is the sandbox server's own`;
  }
  return undefined;
}

/** Why the server will not make this database for a cluster, or undefined. */
export function refuseDatabaseName(value: string): string | undefined {
  const invalid = checkIdentifier(value, 'database name');
  if (invalid) return invalid;
  if (SERVER_DATABASES.includes(value)) {
    return `database "${value}" is reserved: it is the sandbox server's own`;
  }
  return undefined;
}
