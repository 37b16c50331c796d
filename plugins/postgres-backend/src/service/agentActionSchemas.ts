/* The input and output schemas of the agents’ actions (agentActions.ts), for MCP clients. */
import { VERDICTS } from '@bizmatters/plugin-postgres-common';

/** Most databases one `list-databases` answer carries unless asked for fewer. */
export const LIST_DEFAULT = 100;
/** Most databases one `list-databases` answer may carry. */
export const LIST_MAX = 1000;

const entityInput = (z: any) =>
  z.object({
    entityRef: z
      .string()
      .describe(
        'The catalog entity: a component (e.g. `component:default/payments`, or just `payments`) or a database Resource (`resource:default/<name>`).',
      ),
    database: z
      .string()
      .optional()
      .describe(
        'One of its databases: `name`, `namespace/name` or `cluster/namespace/name`. All of them when absent.',
      ),
  });
const errorsOutput = (z: any) =>
  z
    .array(z.object({ cluster: z.string(), message: z.string() }))
    .describe(
      'Clusters that could not be read (fully or in part): the answer may then be incomplete.',
    );
const hopOutput = (z: any) =>
  z.object({
    id: z.string(),
    title: z.string(),
    status: z.enum(['ok', 'pending', 'error', 'unknown']),
    reason: z.string(),
    message: z.string(),
    hint: z.string().optional(),
  });
/** Whether a database's data can be got back (backups, archiving, the recovery window). */
const recoverabilityOutput = (z: any) =>
  z.object({
    state: z.string(),
    severity: z.enum(['ok', 'info', 'warning']),
    message: z.string(),
    hint: z.string().optional(),
    recoverableFrom: z.string().optional(),
    lastSuccessfulBackup: z.string().optional(),
  });

/** Where the request that made a database stands, and its open day-2 pull requests. */
const requestOutput = (z: any) =>
  z.object({
    phase: z.string(),
    pullRequestUrl: z.string(),
    openChanges: z.array(
      z.object({
        operation: z.string(),
        title: z.string().optional(),
        pullRequestUrl: z.string(),
      }),
    ),
  });
const requestsOutput = (z: any) =>
  z
    .array(
      z.object({
        database: z.string(),
        entityRef: z.string().optional(),
        phase: z.string(),
        pullRequestUrl: z.string(),
        requestedBy: z.string(),
      }),
    )
    .describe('Requests whose database is not in a cluster (yet).');

export const listSchema = {
  input: (z: any) =>
    z.object({
      verdict: z
        .enum(VERDICTS as [string, ...string[]])
        .optional()
        .describe('Only databases with this verdict.'),
      cluster: z.string().optional().describe('Only this cluster.'),
      namespace: z.string().optional().describe('Only this namespace.'),
      owner: z
        .string()
        .optional()
        .describe(
          'Only this owner (a group ref, e.g. `group:default/team-a`).',
        ),
      version: z
        .string()
        .optional()
        .describe('Only this PostgreSQL major version.'),
      text: z
        .string()
        .optional()
        .describe(
          'Free text matched against name, cluster, namespace, entity, owner and database name.',
        ),
      limit: z
        .number()
        .int()
        .min(1)
        .max(LIST_MAX)
        .optional()
        .describe(`Most databases returned (default ${LIST_DEFAULT}).`),
    }),
  output: (z: any) =>
    z.object({
      databases: z.array(
        z.object({
          id: z.string().describe('`cluster/namespace/name`'),
          entityRef: z.string().optional(),
          owner: z.string().optional(),
          verdict: z.string(),
          summary: z
            .string()
            .optional()
            .describe('The failing hop and what to do (absent when healthy).'),
          environment: z.string().optional(),
          version: z.string().optional(),
          size: z.string().optional(),
          storageGB: z.number().optional(),
          recoverability: z
            .string()
            .optional()
            .describe('Whether its data can be got back, in a few words.'),
          request: requestOutput(z).optional(),
        }),
      ),
      total: z.number().describe('Databases that match, before the limit.'),
      requests: requestsOutput(z),
      errors: errorsOutput(z),
    }),
};

export const healthSchema = {
  input: entityInput,
  output: (z: any) =>
    z.object({
      databases: z.array(
        z.object({
          id: z.string(),
          entityRef: z.string().optional(),
          verdict: z.string(),
          failingHop: z.string().optional(),
          hint: z.string().optional(),
          hops: z.array(hopOutput(z)),
          recoverability: recoverabilityOutput(z).optional(),
          request: requestOutput(z).optional(),
        }),
      ),
      requests: requestsOutput(z),
      errors: errorsOutput(z),
    }),
};

export const explainSchema = {
  input: entityInput,
  output: (z: any) =>
    z.object({
      explanations: z.array(
        z.object({
          database: z.object({
            cluster: z.string(),
            namespace: z.string(),
            name: z.string(),
            entityRef: z.string().optional(),
          }),
          verdict: z.string(),
          summary: z.string(),
          failingHop: hopOutput(z).optional(),
          whatToDo: z.string().optional(),
          events: z.array(
            z.object({
              type: z.string(),
              reason: z.string(),
              message: z.string(),
              count: z.number(),
              lastSeen: z.string().optional(),
              object: z.object({ kind: z.string(), name: z.string() }),
            }),
          ),
          eventsError: z.string().optional(),
          recoverability: recoverabilityOutput(z).optional(),
        }),
      ),
      errors: errorsOutput(z),
    }),
};

export const connectionSchema = {
  input: entityInput,
  output: (z: any) =>
    z.object({
      connections: z.array(
        z.object({
          id: z.string(),
          host: z.string(),
          port: z.number(),
          database: z.string().optional(),
          username: z.string().optional(),
          connectionSecret: z.object({
            name: z.string(),
            namespace: z.string(),
            present: z.boolean(),
            keys: z.array(z.string()),
          }),
          ssmParameters: z
            .object({ user: z.string(), password: z.string() })
            .optional(),
        }),
      ),
      errors: errorsOutput(z),
    }),
};
