import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityLike,
  postgresDatabaseCreatePermission,
  postgresDatabaseReadPermission,
} from '@bizmatters/plugin-postgres-common';
import { catalogPredicate } from './catalogPredicate';
import { entityRefOf } from './entityAnswers';
import { principalKey, withTimeout } from './httpHelpers';
import { TtlCache } from './TtlCache';

/** An entity as a route's path names it. */
export interface EntityPath {
  kind: string;
  namespace: string;
  name: string;
}

/** Entity refs per catalog lookup. */
const CATALOG_BATCH_SIZE = 500;
/** Requests per permission batch (the permission backend refuses bodies past 100 kB). */
const PERMISSION_BATCH_SIZE = 250;
/** Batches in flight at once, per caller's question. */
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

/**
 * What a caller may do with entities' databases: the catalog's answer (an entity they may not
 * read is not found) and the permission policy's (`postgres.database.read`,
 * `postgres.database.create`), asked in batches for many entities at once.
 */
export class EntityAccess {
  /** Per caller and entity: the catalog's answer, and whether they may read its databases. */
  private readonly entities: TtlCache<{
    entity: EntityLike | undefined;
    allowed: boolean;
  }>;

  constructor(
    private readonly options: {
      permissions: PermissionsService;
      catalog: CatalogService;
      /**
       * How long the catalog's answer to "may this caller see this entity, and what is it" is
       * reused for the same caller and entity (0: ask every time).
       */
      ttlMs: number;
      /** How many of those answers are kept. */
      maxEntities: number;
      /** How long the catalog and the permission backend may take to answer. */
      timeoutMs: number;
    },
  ) {
    this.entities = new TtlCache({ maxEntries: options.maxEntities });
  }

  /**
   * The entity refs of `refs` (normalized) whose databases this caller may read: entities the
   * catalog shows them, and for which `postgres.database.read` is allowed (one batch each).
   */
  async readable(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const { permissions, catalog } = this.options;
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

  /** The entity `path` names, as the catalog shows it to the caller (undefined: not found). */
  private lookup(path: EntityPath, credentials: BackstageCredentials) {
    const { kind, namespace, name } = path;
    return withTimeout(
      this.options.catalog.getEntityByRef(path, { credentials }),
      this.options.timeoutMs,
      `The catalog did not answer for ${kind}:${namespace}/${name}`,
    );
  }

  /**
   * The entity `path` names, when the catalog shows it to the caller and
   * `postgres.database.read` is allowed on it (both answers reused for the same caller for
   * ttlMs); NotFoundError or NotAllowedError otherwise.
   */
  async forRead(
    path: EntityPath,
    credentials: BackstageCredentials,
  ): Promise<EntityLike> {
    const { kind, namespace, name } = path;
    const { permissions, timeoutMs } = this.options;
    // The catalog answers with the caller's credentials: an entity they may not read is not
    // found. Then `postgres.database.read` on that entity (a policy can grant it to its
    // owners). Both answers are reused for the same caller for entityTtlMs.
    // the path is ASCII (checkEntityParams): toLowerCase is the locale-free lower case
    const ref = `${kind}:${namespace}/${name}`.toLowerCase();
    const access = await this.entities.get(
      `${principalKey(credentials)}|${ref}`,
      async () => {
        const askedAt = Date.now();
        const entity = await this.lookup(path, credentials);
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
            timeoutMs,
            `The permission backend did not answer for ${kind}:${namespace}/${name}`,
          );
          allowed = decision.result === AuthorizeResult.ALLOW;
        }
        return {
          value: { entity, allowed },
          expiresAt: askedAt + this.options.ttlMs,
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
    return access.entity;
  }

  /**
   * The entity `path` names, as a ref, when the catalog shows it to the user and
   * `postgres.database.create` is allowed on it (creating a database, or dismissing a request).
   */
  async forCreate(
    path: EntityPath,
    credentials: BackstageCredentials,
  ): Promise<string> {
    const { kind, namespace, name } = path;
    const { permissions } = this.options;
    const entity = await this.lookup(path, credentials);
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
    return entityRef;
  }
}
