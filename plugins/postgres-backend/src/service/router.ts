import express from 'express';
import Router from 'express-promise-router';
import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  postgresDatabaseReadPermission,
  postgresFleetReadPermission,
} from '@bizmatters/plugin-postgres-common';
import { DatabaseService } from './DatabaseService';

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  databases: DatabaseService;
  logger: LoggerService;
}): Promise<express.Router> {
  const { httpAuth, permissions, catalog, databases } = options;
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
      // The catalog answers with the caller's credentials: an entity they may not read is not found.
      const entity = await catalog.getEntityByRef(
        { kind, namespace, name },
        { credentials },
      );
      if (!entity) {
        throw new NotFoundError(`No entity ${kind}:${namespace}/${name}`);
      }
      res.json(await databases.forEntity(entity));
    },
  );

  router.get('/v1/databases', async (req, res) => {
    await authorize(req, postgresFleetReadPermission);
    res.json(await databases.fleet());
  });

  return router;
}
