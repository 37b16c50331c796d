import { HttpAuthService } from '@backstage/backend-plugin-api';
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
  validateDatabaseRequest,
} from '@bizmatters/plugin-postgres-common';
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
 * value). A name another team's database holds is `taken`, never whose.
 */
export function createAvailabilityRouter(options: {
  settings: ModuleSettings;
  checks: CreationChecks;
  ssm: SsmCredentials;
  httpAuth: HttpAuthService;
}): express.Router {
  const { settings, checks, ssm, httpAuth } = options;
  const router = Router();
  router.get('/postgres/v1/availability', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
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

    const creation = await authorizeForComponent(
      checks,
      fields.component,
      credentials,
    );
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
    res.json(summarizeAvailability(found));
  });
  return router;
}
