import express from 'express';
import Router from 'express-promise-router';
import {
  AuditorService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  ClaimsResponse,
  PostgresChoices,
  UserCallBudget,
  DatabasesResponse,
} from '@bizmatters/plugin-postgres-common';
import { BackendSettings } from '../config';
import { EntityAccess, EntityPath } from './entityAccess';
import { DatabaseViews } from './databaseViews';
import { EntityAnswers } from './entityAnswers';
import {
  audited,
  bodyField,
  checkEntityParams,
  entityOfPath,
  send,
} from './httpHelpers';
import {
  sendTooManyRequests,
  TooManyRequestsError,
} from '@bizmatters/plugin-postgres-node';
import { RequestTracker } from './RequestTracker';
import { checkClaimLocation } from './requestStatus';
import { VerifiedCredentials } from './verifiedCredentials';

/** The routes of the postgres backend; what they answer is read and decided beside them. */
/**
 * The route of an entity's databases, the one warm views hit: it authenticates its callers
 * itself ({@link VerifiedCredentials}), so the plugin exempts it from the credentials barrier.
 */
export const ENTITY_DATABASES_ROUTE =
  '/v1/entities/:kind/:namespace/:name/databases';

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  /** The databases each caller may see (entities and fleet), decided as for the actions. */
  views: DatabaseViews;
  /** Each entity's databases, answered serialized. */
  entityAnswers: EntityAnswers;
  logger: LoggerService;
  settings: BackendSettings;
  /** What the template's form offers (app-config `postgres.*`), served at `/v1/policy`. */
  choices: PostgresChoices;
  /** Every claim of every cluster, served to services (the catalog's provider) at `/v1/claims`. */
  claims: () => Promise<ClaimsResponse>;
  /** Database requests: shown with an entity's databases, registered and dismissed here. */
  requests?: RequestTracker;
  /** Where registrations, dismissals and their refusals are recorded (`coreServices.auditor`). */
  auditor?: AuditorService;
  /**
   * Each user's calls a minute to the routes that spend forge calls (registering a request;
   * `postgres.limits.callsPerMinute`); none: unlimited.
   */
  callBudget?: UserCallBudget;
}): Promise<express.Router> {
  const { httpAuth, views, entityAnswers, settings } = options;
  const access = views.access;
  const verified = new VerifiedCredentials({
    httpAuth,
    ttlMs: settings.ttlMs,
    maxEntries: settings.maxEntities,
  });
  const router = Router();
  router.use(express.json());

  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  /** The entity of `req`'s path, checked to be one an entity can have. */
  const pathOf = (req: express.Request): EntityPath => {
    const { kind, namespace, name } = req.params;
    checkEntityParams({ kind, namespace, name });
    return { kind, namespace, name };
  };
  /** The entity of `req`'s path, which the caller may read the databases of. */
  const entityForRead = async (req: express.Request) => {
    const path = pathOf(req);
    const credentials = await credentialsOf(req);
    return { entity: await access.forRead(path, credentials), credentials };
  };

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // The form's choices: what the actions enforce, to any signed-in user or service.
  router.get('/v1/policy', async (req, res) => {
    await credentialsOf(req);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.json(options.choices);
  });

  router.get(ENTITY_DATABASES_ROUTE, async (req, res) => {
    const path = pathOf(req);
    // exempt from the credentials barrier (plugin.ts): verified here once per token and TTL
    const credentials = await verified.of(req);
    send(req, res, await views.ofEntity(path, credentials));
  });

  // Every claim of every cluster (where it is, whom it names, its secrets' names; no spec
  // values, status or secret contents): for the catalog's entity provider and the scaffolder's
  // availability check (those service principals only), never for users (they have the fleet
  // route).
  // `?namespace=` keeps one namespace's claims.
  const claimReaders = new Set(settings.claims.readers);
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

  const tracker = options.requests;
  const registrar = settings.requests.registrar;
  /** The entity of `req`'s path as a ref, on which the user may create databases. */
  const entityForCreate = (
    req: express.Request,
    credentials: Parameters<EntityAccess['forCreate']>[1],
  ) => access.forCreate(pathOf(req), credentials);
  if (tracker) {
    // postgres:request:register, on behalf of the user who ran the template: only the
    // scaffolder acting for them, for a pull request that carries that database's claim
    // naming the entity (checked on the forge by the tracker)
    router.post(
      '/v1/entities/:kind/:namespace/:name/requests',
      async (req, res) => {
        const registered = await audited(
          options.auditor,
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
            const entityRef = await entityForCreate(req, credentials);
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
          options.auditor,
          req,
          'request-dismiss',
          { entityRef: entityOfPath(req), requestId: req.params.id },
          async meta => {
            const credentials = await httpAuth.credentials(req, {
              allow: ['user'],
            });
            meta.actor = credentials.principal.userEntityRef;
            const entityRef = await entityForCreate(req, credentials);
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
        const answer = await entityAnswers.get(entity);
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

  // The fleet: all of it for a fleet reader, the databases of the entities they may read for
  // anyone else.
  router.get('/v1/databases', async (req, res) => {
    const credentials = await credentialsOf(req);
    send(req, res, await views.ofFleet(credentials));
  });

  return router;
}
