/*
 * The actions agents call (Backstage's Actions Registry, served to MCP clients by
 * @backstage/plugin-mcp-actions-backend): what a developer asks about their databases —
 * which are there, are they healthy, why not and what to do, how to connect — answered from
 * the same reads, decisions and derivation as the entity tab and the fleet page.
 */
import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  applyFleetFilters,
  applyRequestFilters,
  CONNECTION_PORT,
  connectionHost,
  DatabaseItem,
  DatabaseRequestStatus,
  DatabasesResponse,
  environmentOfParameter,
  explainDatabase,
  normalizeEntityRef,
  PostgresPolicyInput,
  RECOVERABILITY_LABELS,
  STEP_TITLES,
} from '@bizmatters/plugin-postgres-common';
import {
  connectionSchema,
  explainSchema,
  healthSchema,
  LIST_DEFAULT,
  listSchema,
} from './agentActionSchemas';
import { DatabaseViews } from './databaseViews';
import { SerializedAnswer } from './serializedAnswer';

const parse = (answer: SerializedAnswer): DatabasesResponse =>
  JSON.parse(answer.json.toString('utf8'));

/** What every one of these actions is: it reads, and reading twice answers the same. */
const READ_ONLY = { readOnly: true, idempotent: true, destructive: false };

/** `cluster/namespace/name`: how a database is named to an agent. */
const databaseId = (i: { cluster?: string; namespace: string; name: string }) =>
  i.cluster
    ? `${i.cluster}/${i.namespace}/${i.name}`
    : `${i.namespace}/${i.name}`;

/**
 * Whether `item` is the one `selector` names: `name`, `namespace/name` or
 * `cluster/namespace/name`.
 */
function selects(selector: string, item: DatabaseItem): boolean {
  const parts = selector.trim().split('/');
  const [name, namespace, cluster] = [...parts].reverse();
  return (
    parts.length <= 3 &&
    item.name === name &&
    (namespace === undefined || item.namespace === namespace) &&
    (cluster === undefined || item.cluster === cluster)
  );
}

/** The open day-2 requests of a database, as their pull requests. */
function openChanges(item: DatabaseItem) {
  return (item.request?.changes ?? [])
    .filter(c => c.pullRequest.state === 'open')
    .map(c => ({
      operation: c.operation,
      title: c.title,
      pullRequestUrl: c.pullRequest.url,
    }));
}

/** A request whose claim is not in a cluster (yet), in short. */
const requestSummary = (r: DatabaseRequestStatus) => ({
  database: databaseId(r),
  entityRef: r.entityRef,
  phase: r.phase,
  pullRequestUrl: r.pullRequest.url,
  requestedBy: r.requestedBy,
});

/** A database's recoverability, in short, as a spread (nothing when there is none). */
function recoverabilityOf(item: DatabaseItem) {
  const r = item.recoverability;
  if (!r) return {};
  return {
    recoverability: {
      state: r.state,
      severity: r.severity,
      message: r.message,
      ...(r.hint ? { hint: r.hint } : {}),
      ...(r.recoverableFrom ? { recoverableFrom: r.recoverableFrom } : {}),
      ...(r.lastSuccessfulBackup
        ? { lastSuccessfulBackup: r.lastSuccessfulBackup }
        : {}),
    },
  };
}

/** A request's state on a database, in short. */
function requestState(item: DatabaseItem) {
  const r = item.request;
  if (!r) return undefined;
  return {
    phase: r.phase,
    pullRequestUrl: r.pullRequest.url,
    openChanges: openChanges(item),
  };
}

export interface AgentActionsOptions {
  actionsRegistry: ActionsRegistryService;
  auth: AuthService;
  views: DatabaseViews;
  /** `postgres.actions.services`: the service subjects answered. */
  services: string[];
  /** The policy (its SSM path pattern names each database's environment). */
  policy: PostgresPolicyInput;
}

/**
 * Registers `postgres:list-databases`, `postgres:get-database-health`,
 * `postgres:explain-database` and `postgres:get-connection-info`.
 */
export function registerAgentActions(options: AgentActionsOptions) {
  const { actionsRegistry, auth, views, policy } = options;
  const services = new Set(options.services);

  /**
   * A user is decided as on the HTTP routes; a service only when listed: a permission policy
   * is never asked about services, so it would let any of them read every database.
   */
  const checkCaller = (credentials: BackstageCredentials) => {
    if (auth.isPrincipal(credentials, 'user')) return;
    const subject = auth.isPrincipal(credentials, 'service')
      ? credentials.principal.subject
      : 'an unauthenticated caller';
    if (auth.isPrincipal(credentials, 'service') && services.has(subject)) {
      return;
    }
    throw new NotAllowedError(
      `${subject} may not call the postgres actions; only users, and the services listed in postgres.actions.services`,
    );
  };

  /**
   * The databases of `entityRef` the caller may read; an entity they may not read is answered
   * as one that does not exist.
   */
  const databasesOf = async (
    entityRef: string,
    credentials: BackstageCredentials,
  ) => {
    const ref = normalizeEntityRef(entityRef, 'component');
    const notFound = new NotFoundError(
      `No entity ${entityRef} with databases the caller may read`,
    );
    if (!ref) throw notFound;
    const [kind, rest] = ref.split(':');
    const [namespace, name] = rest.split('/');
    try {
      return parse(
        await views.ofEntity({ kind, namespace, name }, credentials),
      );
    } catch (e) {
      if (
        (e as Error)?.name === 'NotAllowedError' ||
        (e as Error)?.name === 'NotFoundError'
      ) {
        throw notFound;
      }
      throw e;
    }
  };

  /** The items `database` picks (all without it); NotFound when it picks none. */
  const pick = (
    entityRef: string,
    answer: DatabasesResponse,
    database: string | undefined,
  ) => {
    const items = database
      ? answer.items.filter(i => selects(database, i))
      : answer.items;
    if (database && !items.length) {
      throw new NotFoundError(
        `${entityRef} has no database ${database} the caller may read`,
      );
    }
    return items;
  };

  /**
   * Registers an action about one entity's databases (`entityRef`, `database`): the caller
   * checked, their databases read and picked, then `answer`ed.
   */
  const registerEntityAction = (spec: {
    name: string;
    title: string;
    description: string;
    schema: typeof healthSchema;
    answer: (
      items: DatabaseItem[],
      answer: DatabasesResponse,
      input: { entityRef: string; database?: string },
    ) => Record<string, unknown>;
  }) =>
    actionsRegistry.register({
      name: spec.name,
      title: spec.title,
      description: spec.description,
      attributes: READ_ONLY,
      schema: spec.schema,
      action: async ({ input, credentials }) => {
        checkCaller(credentials);
        const answer = await databasesOf(input.entityRef, credentials);
        const items = pick(input.entityRef, answer, input.database);
        return { output: spec.answer(items, answer, input) };
      },
    });

  actionsRegistry.register({
    name: 'list-databases',
    title: 'List PostgreSQL databases',
    description:
      'Lists the PostgreSQL databases the caller may see (their own teams’ unless they read the whole fleet), with each one’s health verdict, owning entity, environment, version, size and open pull requests, plus requests whose database does not exist yet. Filters are those of the portal’s fleet page. Use it to find a database before asking get-database-health or explain-database about it.',
    attributes: READ_ONLY,
    schema: listSchema,
    action: async ({ input, credentials }) => {
      checkCaller(credentials);
      const { limit, ...filters } = input;
      const fleet = parse(await views.ofFleet(credentials));
      const { rows } = applyFleetFilters(fleet.items, filters as any);
      const requests = applyRequestFilters(
        fleet.requests ?? [],
        filters as any,
      );
      return {
        output: {
          databases: rows.slice(0, limit ?? LIST_DEFAULT).map(item => {
            const explanation = explainDatabase(item);
            const environment =
              item.ssmParameters &&
              environmentOfParameter(item.ssmParameters.user, policy);
            const request = requestState(item);
            return {
              id: databaseId(item),
              entityRef: item.entityRef,
              owner: item.owner,
              verdict: item.health.verdict,
              ...(explanation.failingHop
                ? { summary: explanation.summary }
                : {}),
              environment,
              version: item.spec.version,
              size: item.spec.size,
              storageGB: item.spec.storageGB,
              ...(item.recoverability
                ? {
                    recoverability:
                      RECOVERABILITY_LABELS[item.recoverability.state],
                  }
                : {}),
              ...(request ? { request } : {}),
            };
          }),
          total: rows.length,
          requests: requests.map(requestSummary),
          errors: fleet.errors,
        },
      };
    },
  });

  registerEntityAction({
    name: 'get-database-health',
    title: 'Get a PostgreSQL database’s health',
    description:
      'The health of an entity’s PostgreSQL databases, as the entity page’s PostgreSQL tab shows it: the verdict (healthy, progressing, degraded, failed, unknown), every hop in the order credentials and state flow (ExternalSecret, credentials secret, PostgresInstance claim, CNPG cluster, connection secret) with its status and message, the failing hop with what to do, and where the request that made it stands. An entity the caller may not read is answered as one that does not exist.',
    schema: healthSchema,
    answer: (items, answer, input) => ({
      databases: items.map(item => {
        const failing = item.health.steps.find(
          s => s.id === item.health.failingStep,
        );
        const request = requestState(item);
        return {
          id: databaseId(item),
          entityRef: item.entityRef,
          verdict: item.health.verdict,
          ...(failing ? { failingHop: failing.id } : {}),
          ...(failing?.hint ? { hint: failing.hint } : {}),
          hops: item.health.steps.map(s => ({
            id: s.id,
            title: STEP_TITLES[s.id],
            status: s.status,
            reason: s.reason,
            message: s.message,
            ...(s.hint ? { hint: s.hint } : {}),
          })),
          ...recoverabilityOf(item),
          ...(request ? { request } : {}),
        };
      }),
      requests: (input.database ? [] : answer.requests ?? []).map(
        requestSummary,
      ),
      errors: answer.errors,
    }),
  });

  registerEntityAction({
    name: 'explain-database',
    title: 'Explain why a PostgreSQL database is not working',
    description:
      'Why an entity’s PostgreSQL database is in its state and what to do, in one answer to relay to a developer: the verdict, a one-line summary, the failing hop in the operators’ own words (CloudNativePG, External Secrets, Crossplane), its recent Kubernetes events (warnings first, last hour) and the next step. Same derivation as the portal’s PostgreSQL tab. Give `database` when the entity has several.',
    schema: explainSchema,
    answer: (items, answer) => ({
      explanations: items.map(item => ({
        ...explainDatabase(item),
        ...recoverabilityOf(item),
      })),
      errors: answer.errors,
    }),
  });

  registerEntityAction({
    name: 'get-connection-info',
    title: 'Get how to connect to a PostgreSQL database',
    description:
      'How an application connects to an entity’s PostgreSQL database: host, port, database, username, the Kubernetes connection secret’s name and key names to mount, and the AWS SSM parameter names the credentials come from. Never a password: the application reads it from the connection secret.',
    schema: connectionSchema,
    answer: (items, answer) => ({
      connections: items.map(item => ({
        id: databaseId(item),
        host: connectionHost(item),
        port: CONNECTION_PORT,
        database: item.spec.databaseName,
        username: item.credentialsSecret.username,
        connectionSecret: {
          name: item.connectionSecret.name,
          namespace: item.namespace,
          present: item.connectionSecret.present,
          keys: item.connectionSecret.keys,
        },
        ...(item.ssmParameters ? { ssmParameters: item.ssmParameters } : {}),
      })),
      errors: answer.errors,
    }),
  });
}
