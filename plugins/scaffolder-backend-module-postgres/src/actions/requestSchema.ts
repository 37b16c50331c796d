import { z as zod } from 'zod/v3';

type Z = typeof zod;

/**
 * The input both actions take: the fields of a database request (see postgres-common).
 * Everything is optional here so that the shared rules, not the schema, explain what is
 * missing; `service`, `name`, `databaseName` and `databaseOwner` default from the component.
 */
export const requestInputSchema = {
  component: (z: Z) =>
    z
      .string()
      .optional()
      .describe('Owning catalog entity, e.g. component:default/agent-executor'),
  service: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'Service name used in the SSM path (default: the component name)',
      ),
  name: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'PostgresInstance claim and CNPG Cluster name (default <service>-db)',
      ),
  namespace: (z: Z) =>
    z.string().optional().describe('Kubernetes namespace of the claim'),
  environment: (z: Z) =>
    z.string().optional().describe('Environment, used in the SSM path'),
  size: (z: Z) =>
    z.string().optional().describe('One of the sizes in postgres.sizes'),
  version: (z: Z) =>
    z
      .union([z.string(), z.number()])
      .optional()
      .describe('PostgreSQL major version, e.g. "16"'),
  storageGB: (z: Z) => z.number().optional().describe('Storage in GB'),
  databaseName: (z: Z) =>
    z
      .string()
      .optional()
      .describe('Application database (default from the service)'),
  databaseOwner: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'Owner role; becomes the SSM username (default from the service)',
      ),
  connectionSecretName: (z: Z) =>
    z
      .string()
      .optional()
      .describe('Secret the application reads (default <service>-postgres)'),
  credentialsSecretName: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'Basic-auth secret made by the ExternalSecret (default <name>-credentials)',
      ),
};
