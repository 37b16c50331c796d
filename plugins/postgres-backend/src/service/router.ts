import express from 'express';
import Router from 'express-promise-router';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ClaimsResponse,
  EntityLike,
  PostgresChoices,
  postgresDatabaseCreatePermission,
  postgresDatabaseReadPermission,
  postgresFleetReadPermission,
  UserCallBudget,
  DatabasesResponse,
} from '@bizmatters/plugin-postgres-common';
import {
  sendTooManyRequests,
  TooManyRequestsError,
} from '@bizmatters/plugin-postgres-node';
import {
  DatabaseService,
  entityRefOf,
  FleetEntities,
  FleetSnapshot,
  SerializedAnswer,
} from './DatabaseService';
import { catalogPredicate } from './catalogPredicate';
import { TtlCache } from './TtlCache';
import { checkClaimLocation, RequestTracker } from './RequestTracker';

/** Sends a cached answer, gzipped when the client accepts it (the compression middleware then leaves it alone). */
function send(
  req: express.Request,
  res: express.Response,
  answer: SerializedAnswer,
) {
  res.type('application/json');
  res.vary('Accept-Encoding');
  // Express answers 304 itself when the request's If-None-Match matches; browsers keep the
  // answer privately and revalidate it on every refresh.
  res.setHeader('ETag', answer.etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  if (
    req.headers['accept-encoding'] &&
    req.acceptsEncodings('gzip', 'identity') === 'gzip'
  ) {
    res.setHeader('Content-Encoding', 'gzip');
    res.send(answer.gzip);
  } else {
    res.send(answer.json);
  }
}

/**
 * `promise`, or a ServiceUnavailableError after `ms`: a caller never waits on (and no cache
 * entry is held by) an answer that does not come.
 */
async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ServiceUnavailableError(`${what} within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function principalKey(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return `${p.type}:${p.userEntityRef ?? p.subject ?? ''}`;
}

/** An InputError unless the path's kind, namespace and name can be an entity's. */
function checkEntityParams(params: Record<string, string>) {
  for (const [k, v] of Object.entries(params)) {
    if (!/^[A-Za-z0-9][-A-Za-z0-9_.]{0,252}$/.test(v)) {
      throw new InputError(`Invalid entity ${k}`);
    }
  }
}

/** Errors that are a refusal (the caller's input or rights), not a failure. */
const REFUSALS = new Set([
  'NotAllowedError',
  'InputError',
  'NotFoundError',
  'ConflictError',
  'AuthenticationError',
  'TooManyRequestsError',
]);

/** Entity refs per catalog lookup. */
const CATALOG_BATCH_SIZE = 500;
/** Requests per permission batch (the permission backend refuses bodies past 100 kB). */
const PERMISSION_BATCH_SIZE = 250;

/** Batches in flight at once, per caller's fleet view. */
const BATCH_CONCURRENCY = 4;

/**
 * `fn` over `items` in batches of `size`, at most `concurrency` batches at a time; results in
 * order.
 */
async function inBatches<T, R>(
  items: T[],
  size: number,
  fn: (batch: T[]) => Promise<R[]>,
  concurrency = BATCH_CONCURRENCY,
): Promise<R[]> {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    batches.push(items.slice(i, i + size));
  }
  const results: R[][] = new Array(batches.length);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const i = next++;
      results[i] = await fn(batches[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, batches.length) }, worker),
  );
  return results.flat();
}

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  databases: DatabaseService;
  logger: LoggerService;
  /**
   * How long the catalog's answer to "may this caller see this entity, and what is it" is
   * reused for the same caller and entity (0: ask every time).
   */
  entityTtlMs: number;
  /** How many of those answers are kept; default 10,000. */
  maxEntities?: number;
  /**
   * How long past entityTtlMs a caller's decisions about the fleet's entities are still used
   * while they are asked again (stale-while-revalidate, as the fleet itself:
   * `postgres.fleet.staleSeconds`); default 0 (asked again, and waited for, after the TTL).
   */
  fleetStaleMs?: number;
  /** How long the catalog may take to answer; default 10,000 ms. */
  catalogTimeoutMs?: number;
  /** What the template's form offers (app-config `postgres.*`), served at `/v1/policy`. */
  choices: PostgresChoices;
  /** Every claim of every cluster, served to services (the catalog's provider) at `/v1/claims`. */
  claims: () => Promise<ClaimsResponse>;
  /** The service subjects that may read `/v1/claims`; default `plugin:catalog`, `plugin:scaffolder`. */
  claimReaders?: string[];
  /** Database requests: shown with an entity's databases, registered and dismissed here. */
  requests?: RequestTracker;
  /** Where registrations, dismissals and their refusals are recorded (`coreServices.auditor`). */
  auditor?: AuditorService;
  /**
   * The service that may register requests, acting for the user who ran the template (the
   * actor of an on-behalf-of token); default `plugin:scaffolder`.
   */
  requestRegistrar?: string;
  /**
   * Each user's calls a minute to the routes that spend forge calls (registering a request;
   * `postgres.limits.callsPerMinute`); none: unlimited.
   */
  callBudget?: UserCallBudget;
}): Promise<express.Router> {
  const { httpAuth, permissions, catalog, databases, entityTtlMs } = options;
  const catalogTimeoutMs = options.catalogTimeoutMs ?? 10_000;
  /** Per caller and entity: the catalog's answer, and whether they may read its databases. */
  const entities = new TtlCache<{
    entity: EntityLike | undefined;
    allowed: boolean;
  }>({
    maxEntries: options.maxEntities ?? 10_000,
  });
  const fleetStaleMs = options.fleetStaleMs ?? 0;
  /**
   * Per caller without `postgres.fleet.read` and set of entity refs the fleet names: which of
   * them the caller may read (the catalog's and the permission policy's answers), reused for
   * entityTtlMs, as the entity view reuses its decisions; then, for fleetStaleMs more, used
   * while this caller's next decisions are asked (never another caller's: the key is the
   * caller's). A permission change shows within entityTtlMs + fleetStaleMs.
   */
  const fleetDecisions = new TtlCache<{
    visible: ReadonlySet<string>;
    until: number;
  }>({
    maxEntries: options.maxEntities ?? 10_000,
    staleMs: fleetStaleMs,
  });
  /**
   * Per caller and fleet snapshot: the fleet as they see it, serialized, for as long as the
   * decisions behind it. Few are kept: each may hold thousands of databases.
   */
  const fleetViews = new TtlCache<SerializedAnswer>({ maxEntries: 10 });
  const router = Router();
  router.use(express.json());

  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /**
   * The entity refs of `refs` (normalized) whose databases this caller may read: entities the
   * catalog shows them, and for which `postgres.database.read` is allowed (one batch each).
   */
  async function readableEntities(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    if (!refs.length) return new Set();
    // The caller's decision on postgres.database.read once, not per entity: allowed, denied,
    // or conditions on catalog entities, which the catalog applies to the lookup itself (as it
    // applies catalog.entity.read). Conditions with other rules: entity by entity below.
    const [decision] = await permissions.authorizeConditional(
      [{ permission: postgresDatabaseReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) return new Set();
    let query: ReturnType<typeof catalogPredicate> | null = null;
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      query =
        decision.pluginId === 'catalog' &&
        decision.resourceType === 'catalog-entity'
          ? catalogPredicate(decision.conditions)
          : undefined;
    }
    // The entities the catalog shows this caller (and, with conditions, that meet them).
    const shown = await inBatches(refs, CATALOG_BATCH_SIZE, async batch => {
      const { items } = await catalog.getEntitiesByRefs(
        {
          entityRefs: batch,
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
          ...(query ? { query } : {}),
        },
        { credentials },
      );
      return batch.filter((_, i) => items[i]);
    });
    if (query !== undefined) return new Set(shown);
    // In batches: the permission backend refuses request bodies past 100 kB (~500 requests).
    const readable = await inBatches(
      shown,
      PERMISSION_BATCH_SIZE,
      async batch => {
        const decisions = await permissions.authorize(
          batch.map(resourceRef => ({
            permission: postgresDatabaseReadPermission,
            resourceRef,
          })),
          { credentials },
        );
        return batch.filter(
          (_, i) => decisions[i]?.result === AuthorizeResult.ALLOW,
        );
      },
    );
    return new Set(readable);
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // The form's choices: what the actions enforce, to any signed-in user or service.
  router.get('/v1/policy', async (req, res) => {
    await credentialsOf(req);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.json(options.choices);
  });

  /**
   * The entity of `req`'s path, when the catalog shows it to the caller and
   * `postgres.database.read` is allowed on it (both answers reused for the same caller for
   * entityTtlMs); NotFoundError or NotAllowedError otherwise.
   */
  async function entityForRead(req: express.Request) {
    const { kind, namespace, name } = req.params;
    checkEntityParams({ kind, namespace, name });
    const credentials = await credentialsOf(req);
    // The catalog answers with the caller's credentials: an entity they may not read is not
    // found. Then `postgres.database.read` on that entity (a policy can grant it to its
    // owners). Both answers are reused for the same caller for entityTtlMs.
    const ref = `${kind}:${namespace}/${name}`.toLocaleLowerCase('en-US');
    const access = await entities.get(
      `${principalKey(credentials)}|${ref}`,
      async () => {
        const askedAt = Date.now();
        const entity = await withTimeout(
          catalog.getEntityByRef({ kind, namespace, name }, { credentials }),
          catalogTimeoutMs,
          `The catalog did not answer for ${kind}:${namespace}/${name}`,
        );
        let allowed = false;
        if (entity) {
          const [decision] = await withTimeout(
            permissions.authorize(
              [
                {
                  permission: postgresDatabaseReadPermission,
                  resourceRef: entityRefOf(entity),
                },
              ],
              { credentials },
            ),
            catalogTimeoutMs,
            `The permission backend did not answer for ${kind}:${namespace}/${name}`,
          );
          allowed = decision.result === AuthorizeResult.ALLOW;
        }
        return {
          value: { entity, allowed },
          expiresAt: askedAt + entityTtlMs,
        };
      },
    );
    if (!access.entity) {
      throw new NotFoundError(`No entity ${kind}:${namespace}/${name}`);
    }
    if (!access.allowed) {
      throw new NotAllowedError(
        `Not allowed: ${postgresDatabaseReadPermission.name} on ${kind}:${namespace}/${name}`,
      );
    }
    return { entity: access.entity, credentials };
  }

  router.get(
    '/v1/entities/:kind/:namespace/:name/databases',
    async (req, res) => {
      const { entity, credentials } = await entityForRead(req);
      const { kind, namespace, name } = req.params;
      const access = { entity };
      const answer = await databases.forEntityAnswer(access.entity);
      // A database Resource shows its claim only to callers who may read the databases of the
      // component the claim names: anyone may register a Resource, so it proves nothing itself.
      if (answer.components) {
        const readable = await withTimeout(
          readableEntities(answer.components, credentials),
          catalogTimeoutMs,
          `The catalog did not answer which components ${kind}:${namespace}/${name} belongs to`,
        );
        const unreadable = answer.components.filter(c => !readable.has(c));
        if (unreadable.length || answer.unnamed) {
          throw new NotAllowedError(
            `Not allowed: ${postgresDatabaseReadPermission.name} on ${
              unreadable.length
                ? unreadable.join(', ')
                : 'the component of this database (its claim names none)'
            }`,
          );
        }
      }
      send(
        req,
        res,
        options.requests
          ? await options.requests.withRequests(
              entityRefOf(access.entity),
              answer,
            )
          : answer,
      );
    },
  );

  // Every claim of every cluster (where it is, whom it names, its secrets' names; no spec
  // values, status or secret contents): for the catalog's entity provider and the scaffolder's
  // availability check (those service principals only), never for users (they have the fleet
  // route).
  // `?namespace=` keeps one namespace's claims.
  const claimReaders = new Set(
    options.claimReaders ?? ['plugin:catalog', 'plugin:scaffolder'],
  );
  router.get('/v1/claims', async (req, res) => {
    const caller = await httpAuth.credentials(req, { allow: ['service'] });
    if (!claimReaders.has(caller.principal.subject)) {
      throw new NotAllowedError(
        `${caller.principal.subject} may not read every claim (postgres.claims.readers)`,
      );
    }
    const { namespace } = req.query;
    if (namespace !== undefined && typeof namespace !== 'string') {
      throw new InputError('namespace must be given once');
    }
    const all = await options.claims();
    res.json(
      namespace === undefined
        ? all
        : {
            ...all,
            clusters: all.clusters.map(c =>
              c.claims
                ? {
                    ...c,
                    claims: c.claims.filter(k => k.namespace === namespace),
                  }
                : c,
            ),
          },
    );
  });

  /**
   * The entity of `req`'s path and the user asking, when the catalog shows it to them and
   * `postgres.database.create` is allowed on it (creating a database, or dismissing a request).
   */
  async function entityForCreate(
    req: express.Request,
    credentials: BackstageCredentials<{ type: 'user'; userEntityRef: string }>,
  ) {
    const { kind, namespace, name } = req.params;
    checkEntityParams({ kind, namespace, name });
    const entity = await withTimeout(
      catalog.getEntityByRef({ kind, namespace, name }, { credentials }),
      catalogTimeoutMs,
      `The catalog did not answer for ${kind}:${namespace}/${name}`,
    );
    if (!entity) {
      throw new NotFoundError(`No entity ${kind}:${namespace}/${name}`);
    }
    const entityRef = entityRefOf(entity);
    const [decision] = await permissions.authorize(
      [
        {
          permission: postgresDatabaseCreatePermission,
          resourceRef: entityRef,
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${postgresDatabaseCreatePermission.name} on ${entityRef}`,
      );
    }
    return { entityRef, user: credentials.principal.userEntityRef };
  }

  const tracker = options.requests;
  const registrar = options.requestRegistrar ?? 'plugin:scaffolder';
  /**
   * Runs `fn` as one audit event (who, which entity, what was decided; never a secret): its
   * result's `meta` on success, the refusal or failure otherwise.
   */
  async function audited<T>(
    req: express.Request,
    eventId: string,
    meta: Record<string, string | number | undefined>,
    fn: (meta: Record<string, string | number | undefined>) => Promise<T>,
  ): Promise<T> {
    const clean = () =>
      Object.fromEntries(
        Object.entries(meta).filter(([, v]) => v !== undefined),
      ) as Record<string, string | number>;
    const event = await options.auditor?.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta: clean(),
    });
    try {
      const result = await fn(meta);
      await event?.success({ meta: clean() });
      return result;
    } catch (e) {
      const error = e as Error;
      meta.decision = REFUSALS.has(error.name) ? 'refused' : 'failed';
      meta.reason = error.message;
      await event?.fail({ error, meta: clean() });
      throw e;
    }
  }
  const entityOfPath = (req: express.Request) =>
    `${req.params.kind}:${req.params.namespace}/${req.params.name}`.toLocaleLowerCase(
      'en-US',
    );
  const bodyField = (req: express.Request, field: string) => {
    const v = (req.body ?? {})[field];
    return typeof v === 'string' || typeof v === 'number'
      ? String(v).slice(0, 300)
      : undefined;
  };
  if (tracker) {
    // postgres:request:register, on behalf of the user who ran the template: only the
    // scaffolder acting for them, for a pull request that carries that database's claim
    // naming the entity (checked on the forge by the tracker)
    router.post(
      '/v1/entities/:kind/:namespace/:name/requests',
      async (req, res) => {
        const registered = await audited(
          req,
          'request-register',
          {
            entityRef: entityOfPath(req),
            namespace: bodyField(req, 'namespace'),
            name: bodyField(req, 'name'),
            repoUrl: bodyField(req, 'repoUrl'),
            pullRequestNumber: bodyField(req, 'pullRequestNumber'),
          },
          async meta => {
            const credentials = await httpAuth.credentials(req, {
              allow: ['user'],
            });
            const user = credentials.principal.userEntityRef;
            const actor = credentials.principal.actor?.subject;
            meta.actor = user;
            meta.via = actor ?? 'the user directly';
            if (actor !== registrar) {
              throw new NotAllowedError(
                `Requests are registered by the template's postgres:request:register step (${registrar} acting for who ran it), not ${
                  actor ? `by ${actor}` : `directly by ${user}`
                }. Nothing was registered.`,
              );
            }
            // each registration reads the pull request on the forge: a budget per user
            const budget = await options.callBudget?.take(user);
            if (budget && !budget.allowed) {
              throw new TooManyRequestsError(
                `${user} registered more requests than allowed in a minute; try again in ${budget.retryAfterSeconds} s. Nothing was registered.`,
                budget.retryAfterSeconds,
              );
            }
            const { entityRef } = await entityForCreate(req, credentials);
            meta.entityRef = entityRef;
            const result = await tracker.register(entityRef, user, req.body);
            if (result.rebound) {
              meta.decision = 'registered (taken from an earlier registration)';
            } else {
              meta.decision = result.created
                ? 'registered'
                : 'already registered';
            }
            meta.operation = result.operation;
            meta.requestId = result.request.id;
            meta.previously = result.rebound;
            return result;
          },
        ).catch(e => {
          if (!(e instanceof TooManyRequestsError)) throw e;
          sendTooManyRequests(req, res, e);
          return undefined;
        });
        if (!registered) return;
        const { request, created } = registered;
        res.status(created ? 201 : 200).json(request);
      },
    );
    router.delete(
      '/v1/entities/:kind/:namespace/:name/requests/:id',
      async (req, res) => {
        await audited(
          req,
          'request-dismiss',
          { entityRef: entityOfPath(req), requestId: req.params.id },
          async meta => {
            const credentials = await httpAuth.credentials(req, {
              allow: ['user'],
            });
            meta.actor = credentials.principal.userEntityRef;
            const { entityRef } = await entityForCreate(req, credentials);
            meta.entityRef = entityRef;
            const dismissed = await tracker.dismiss(entityRef, req.params.id);
            meta.decision = 'dismissed';
            meta.database = `${dismissed.namespace}/${dismissed.name}`;
            meta.phase = dismissed.phase;
          },
        );
        res.status(204).end();
      },
    );
  }

  if (tracker) {
    // The change form's question before "Next": does this database already have an open
    // change request (the change action refuses a second one)? To who may read the entity's
    // databases; one list of open pull requests per repository and TTL for every caller.
    router.get(
      '/v1/entities/:kind/:namespace/:name/open-changes',
      async (req, res) => {
        const { entity } = await entityForRead(req);
        const { namespace, name } = checkClaimLocation(req.query);
        res.setHeader('Cache-Control', 'private, no-cache');
        // only this entity's databases: another's is answered as one without open changes
        // (not found or not yours)
        const answer = await databases.forEntityAnswer(entity);
        const { items } = JSON.parse(
          answer.json.toString('utf8'),
        ) as DatabasesResponse;
        const ours = items.some(
          i => i.namespace === namespace && i.name === name,
        );
        res.json({
          items: ours ? await tracker.openChanges(namespace, name) : [],
        });
      },
    );
  }

  router.get('/v1/databases', async (req, res) => {
    const credentials = await credentialsOf(req);
    const [fleet] = await permissions.authorize(
      [{ permission: postgresFleetReadPermission }],
      { credentials },
    );
    const fleetAnswer = databases.fleetSnapshot();
    // the requests whose claim is not in the fleet (yet), of every entity: one list per
    // snapshot and TTL, shared by every caller
    const requestsOf = async (snapshot: FleetSnapshot) =>
      tracker ? tracker.forFleet(snapshot) : undefined;
    if (fleet.result === AuthorizeResult.ALLOW) {
      const snapshot = await fleetAnswer.snapshot;
      const requests = await requestsOf(snapshot);
      send(
        req,
        res,
        requests?.requests.length
          ? await fleetViews.get(
              `*|${snapshot.full.etag}|${requests.requestsKey}`,
              async () => ({
                value: DatabaseService.fleetView(
                  snapshot,
                  undefined,
                  requests.requests,
                ),
                // keyed by what it is made of: kept until newer views push it out
                expiresAt: Infinity,
              }),
            )
          : snapshot.full,
      );
      return;
    }
    // Anyone else: the databases (and requests) of entities they may read, decided for this
    // caller and the entities the fleet names (as soon as its claims are read, while the rest
    // is), reused for entityTtlMs, and for fleetStaleMs more while they are asked again.
    const caller = principalKey(credentials);
    const decide = async (named: FleetEntities) =>
      fleetDecisions.get(`${caller}|${named.entityRefsKey}`, async () => {
        const askedAt = Date.now();
        const visible = await withTimeout(
          readableEntities(named.entityRefs, credentials),
          catalogTimeoutMs,
          'The catalog did not answer which entities the fleet view may show',
        );
        const until = askedAt + entityTtlMs;
        return { value: { visible, until }, expiresAt: until };
      });
    const early = fleetAnswer.entities.then(decide);
    early.catch(() => {}); // awaited below, unless the snapshot fails first
    const snapshot = await fleetAnswer.snapshot;
    // the decisions were made for the entities the snapshot names (the same claims)
    const decided =
      (await fleetAnswer.entities).entityRefsKey === snapshot.entityRefsKey
        ? await early
        : await decide(snapshot);
    const requests = await requestsOf(snapshot);
    // the same decision for the entities the requests were made for
    const decidedRequests = requests?.requests.length
      ? await decide(requests)
      : undefined;
    const visible = decidedRequests
      ? new Set([...decided.visible, ...decidedRequests.visible])
      : decided.visible;
    const until = Math.min(decided.until, decidedRequests?.until ?? Infinity);
    const view = await fleetViews.get(
      `${caller}|${snapshot.full.etag}|${snapshot.entityRefsKey}|${
        requests?.requestsKey ?? ''
      }|${until}`,
      async () => ({
        value: DatabaseService.fleetView(snapshot, visible, requests?.requests),
        // no longer than the decisions it was made from may be used
        expiresAt: until + fleetStaleMs,
      }),
    );
    send(req, res, view);
  });

  return router;
}
