import { stringify } from 'yaml';

/** The port the platform's connection secrets name (`port: "5432"`). @public */
export const CONNECTION_PORT = 5432;

/**
 * The host an application connects to: the CNPG cluster's read-write service, as the platform's
 * composition writes it into the connection secret's `endpoint`
 * (`%s-rw.%s.svc.cluster.local` of the claim's name and namespace).
 *
 * @public
 */
export function connectionHost(claim: {
  namespace: string;
  name: string;
}): string {
  return `${claim.name}-rw.${claim.namespace}.svc.cluster.local`;
}

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
