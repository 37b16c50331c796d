import { stringify } from 'yaml';

/**
 * The `env` entries that wire an application to a database's connection secret, as in the
 * platform's "Application Usage": POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB, POSTGRES_USER,
 * POSTGRES_PASSWORD from the keys endpoint, port, database, username, password.
 *
 * @public
 */
export function applicationEnv(connectionSecretName: string): Array<{
  name: string;
  valueFrom: { secretKeyRef: { name: string; key: string } };
}> {
  const pairs: Array<[string, string]> = [
    ['POSTGRES_HOST', 'endpoint'],
    ['POSTGRES_PORT', 'port'],
    ['POSTGRES_DB', 'database'],
    ['POSTGRES_USER', 'username'],
    ['POSTGRES_PASSWORD', 'password'],
  ];
  return pairs.map(([name, key]) => ({
    name,
    valueFrom: { secretKeyRef: { name: connectionSecretName, key } },
  }));
}

/**
 * {@link applicationEnv} as YAML text, ready to paste under a container.
 *
 * @public
 */
export function applicationEnvYaml(connectionSecretName: string): string {
  return stringify(
    { env: applicationEnv(connectionSecretName) },
    { lineWidth: 0 },
  );
}
