import express from 'express';
import Router from 'express-promise-router';
import {
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
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  EntityLike,
  postgresDatabaseReadPermission,
  postgresFleetReadPermission,
} from '@bizmatters/plugin-postgres-common';
import { DatabaseService, SerializedAnswer } from './DatabaseService';
import { TtlCache } from './TtlCache';

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
  /** How long the catalog may take to answer; default 10,000 ms. */
  catalogTimeoutMs?: number;
}): Promise<express.Router> {
  const { httpAuth, permissions, catalog, databases, entityTtlMs } = options;
  const entities = new TtlCache<EntityLike | undefined>({
    maxEntries: options.maxEntities ?? 10_000,
  });
  const router = Router();
  router.use(express.json());

  async function authorize(req: express.Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return credentials;
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get(
    '/v1/entities/:kind/:namespace/:name/databases',
    async (req, res) => {
      const { kind, namespace, name } = req.params;
      for (const [k, v] of Object.entries({ kind, namespace, name })) {
        if (!/^[A-Za-z0-9][-A-Za-z0-9_.]{0,252}$/.test(v)) {
          throw new InputError(`Invalid entity ${k}`);
        }
      }
      const credentials = await authorize(req, postgresDatabaseReadPermission);
      // The catalog answers with the caller's credentials: an entity they may not read is not
      // found. Its answer is reused for the same caller for entityTtlMs.
      const ref = `${kind}:${namespace}/${name}`.toLocaleLowerCase('en-US');
      const entity = await entities.get(
        `${principalKey(credentials)}|${ref}`,
        async () => {
          const askedAt = Date.now();
          return {
            value: await withTimeout(
              catalog.getEntityByRef(
                { kind, namespace, name },
                { credentials },
              ),
              options.catalogTimeoutMs ?? 10_000,
              `The catalog did not answer for ${kind}:${namespace}/${name}`,
            ),
            expiresAt: askedAt + entityTtlMs,
          };
        },
      );
      if (!entity) {
        throw new NotFoundError(`No entity ${kind}:${namespace}/${name}`);
      }
      send(req, res, await databases.forEntityAnswer(entity));
    },
  );

  router.get('/v1/databases', async (req, res) => {
    await authorize(req, postgresFleetReadPermission);
    send(req, res, await databases.fleetAnswer());
  });

  return router;
}
