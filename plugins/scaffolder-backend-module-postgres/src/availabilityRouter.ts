import {
  AuditorService,
  CacheService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  applyRequestDefaults,
  AVAILABILITY_QUERY_FIELDS,
  checkGitopsTarget,
  DatabaseRequest,
  DatabaseRequestError,
  DatabaseRequestField,
  findGitopsRepository,
  summarizeAvailability,
  UserCallBudget,
  validateDatabaseRequest,
} from '@bizmatters/plugin-postgres-common';
import {
  sendTooManyRequests,
  TooManyRequestsError,
} from '@bizmatters/plugin-postgres-node';
import express from 'express';
import Router from 'express-promise-router';
import { ModuleSettings } from './config';
import { authorizeForComponent } from './authorize';
import { CreationChecks } from './actions/creation';
import { checkNames } from './availability';
import { SsmCredentials } from './ssmCredentials';

/** The request fields the availability route takes (its query without `repoUrl`). */
const QUERY_FIELDS = AVAILABILITY_QUERY_FIELDS.filter(
  k => k !== 'repoUrl',
) as readonly DatabaseRequestField[];

/** The count of the module's writes, in every cached answer's key: a write makes them all stale. */
const AVAILABILITY_GENERATION_KEY = 'postgres-availability-generation';

/**
 * Makes every cached availability answer stale, in every replica sharing the cache: called after
 * an action of a task ran (it may have written SSM parameters or opened a pull request).
 */
export async function forgetAvailabilityAnswers(
  cache: CacheService,
): Promise<void> {
  const generation = await cache.get(AVAILABILITY_GENERATION_KEY);
  await cache.set(
    AVAILABILITY_GENERATION_KEY,
    (typeof generation === 'number' ? generation : 0) + 1,
    { ttl: 24 * 60 * 60 * 1000 },
  );
}

/** One query parameter as text; undefined when absent or empty; an InputError when repeated. */
function textParam(req: express.Request, key: string): string | undefined {
  const value = req.query[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new InputError(`${key} must be given once`);
  }
  return value;
}

/**
 * `GET /postgres/v1/availability` on the scaffolder's router (`/api/scaffolder/…`): whether the
 * names a new database needs are free, for the "New Postgres DB" form as the user types. The
 * user's credentials only; the fields are checked with the actions' rules (400 with every
 * problem), then `postgres.database.create` on the component (404/403, nothing read), then the
 * GitOps repository (when `repoUrl` is given), the clusters and SSM (metadata and tags, never a
 * value). A name another team's database holds is `taken`, never whose. Each user may ask
 * `postgres.limits.callsPerMinute` times a minute (429 with Retry-After past it, counted in the
 * cache that replicas share); the same question of the same user within `postgres.cache.ttlSeconds`
 * gets the same answer without another forge or SSM call. Refusals are audit events.
 */
export function createAvailabilityRouter(options: {
  settings: ModuleSettings;
  checks: CreationChecks;
  ssm: SsmCredentials;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  /** Shared by replicas: the users' call counts and the answers of the TTL. */
  cache: CacheService;
}): express.Router {
  const { settings, checks, ssm, httpAuth, auditor, cache } = options;
  const budget = new UserCallBudget(cache, {
    callsPerMinute: settings.limits.callsPerMinute,
    keyPrefix: 'postgres-availability-calls',
  });
  const router = Router();
  router.get('/postgres/v1/availability', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const user = credentials.principal.userEntityRef;
    const allowed = await budget.take(user);
    if (!allowed.allowed) {
      const message = `Checking paused: ${user} asked more than ${settings.limits.callsPerMinute} times in a minute; try again in ${allowed.retryAfterSeconds} s.`;
      const refusal = new TooManyRequestsError(
        message,
        allowed.retryAfterSeconds,
      );
      const event = await auditor.createEvent({
        eventId: 'availability-limit',
        request: req,
        meta: { actor: user, limit: settings.limits.callsPerMinute },
      });
      await event.fail({
        error: refusal,
        meta: { decision: 'refused' },
      });
      sendTooManyRequests(req, res, refusal);
      return;
    }
    const fields: Record<string, string> = {};
    for (const key of QUERY_FIELDS) {
      const value = textParam(req, key);
      if (value !== undefined) fields[key] = value;
    }
    const repoUrl = textParam(req, 'repoUrl');

    const withDefaults = applyRequestDefaults(fields) as Record<
      string,
      unknown
    >;
    const problems = validateDatabaseRequest(
      withDefaults,
      settings.policy,
    ).filter(p => QUERY_FIELDS.includes(p.field));
    for (const field of ['component', 'namespace', 'environment'] as const) {
      if (!fields[field] && !problems.some(p => p.field === field)) {
        problems.push({ field, message: `${field} is needed` });
      }
    }
    if (problems.length) throw new DatabaseRequestError(problems);
    const repositories = settings.policy.gitops.repositories;
    if (repoUrl) {
      const problem = checkGitopsTarget({ repoUrl }, repositories);
      if (problem) throw new InputError(`repoUrl: ${problem}`);
    }

    let creation;
    try {
      creation = await authorizeForComponent(
        checks,
        fields.component,
        credentials,
      );
    } catch (error) {
      const event = await auditor.createEvent({
        eventId: 'availability-check',
        request: req,
        meta: { actor: user, entityRef: fields.component },
      });
      await event.fail({
        error: error as Error,
        meta: { decision: 'refused' },
      });
      throw error;
    }
    const generation = (await cache.get(AVAILABILITY_GENERATION_KEY)) ?? 0;
    const answerKey = `postgres-availability-answer:${generation}:${user}:${JSON.stringify(
      [...Object.entries(fields), ['repoUrl', repoUrl ?? '']].sort(),
    )}`;
    const cached = await cache.get(answerKey);
    if (cached) {
      res.json(cached);
      return;
    }
    const request = {
      ...withDefaults,
      component: creation.entityRef,
    } as unknown as DatabaseRequest;
    const found = await checkNames(
      {
        policy: settings.policy,
        gitops: checks.gitops,
        clusters: checks.clusters,
        ssm,
      },
      request,
      repoUrl ? findGitopsRepository(repoUrl, repositories) : undefined,
      { entityRef: creation.entityRef, initiator: creation.initiator },
    );
    const answer = summarizeAvailability(found);
    await cache.set(
      answerKey,
      answer as unknown as Parameters<CacheService['set']>[1],
    );
    res.json(answer);
  });
  return router;
}
