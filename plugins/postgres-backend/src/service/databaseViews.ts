import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotAllowedError } from '@backstage/errors';
import { postgresDatabaseReadPermission } from '@bizmatters/plugin-postgres-common';
import { BackendSettings } from '../config';
import { EntityAccess, EntityPath } from './entityAccess';
import { EntityAnswers, entityRefOf } from './entityAnswers';
import { FleetAccess } from './fleetAccess';
import { FleetSnapshots } from './fleetSnapshots';
import { withTimeout } from './httpHelpers';
import { RequestTracker } from './RequestTracker';
import { SerializedAnswer } from './serializedAnswer';

/**
 * The databases a caller may see, decided once for every door: the HTTP routes (the entity
 * tab, the fleet page) and the actions agents call. A caller who may not read an entity's
 * databases is answered as if the entity did not exist.
 */
export class DatabaseViews {
  /** Who may read and create what, per caller and entity. */
  readonly access: EntityAccess;
  private readonly fleetAccess: FleetAccess;

  constructor(
    private readonly options: {
      permissions: PermissionsService;
      catalog: CatalogService;
      /** Each entity's databases, answered serialized. */
      entityAnswers: EntityAnswers;
      /** The fleet, read once for every caller. */
      fleet: FleetSnapshots;
      /** Database requests, shown with an entity's databases and in the fleet. */
      requests?: RequestTracker;
      settings: BackendSettings;
    },
  ) {
    const { settings } = options;
    this.access = new EntityAccess({
      permissions: options.permissions,
      catalog: options.catalog,
      ttlMs: settings.ttlMs,
      maxEntities: settings.maxEntities,
      timeoutMs: settings.catalogTimeoutMs,
    });
    this.fleetAccess = new FleetAccess({
      permissions: options.permissions,
      entities: this.access,
      fleet: options.fleet,
      requests: options.requests,
      ttlMs: settings.ttlMs,
      staleMs: settings.fleetStaleMs,
      timeoutMs: settings.catalogTimeoutMs,
      maxEntities: settings.maxEntities,
    });
  }

  /**
   * The databases of the entity at `path`, with its requests, as `credentials`' caller may see
   * them: NotFound for an entity they may not see, NotAllowed without `postgres.database.read`.
   * A database Resource shows its claim only to callers who may read the databases of the
   * component the claim names: anyone may register a Resource, so it proves nothing itself.
   */
  async ofEntity(
    path: EntityPath,
    credentials: BackstageCredentials,
  ): Promise<SerializedAnswer> {
    const { entityAnswers, settings, requests } = this.options;
    const entity = await this.access.forRead(path, credentials);
    const answer = await entityAnswers.get(entity);
    if (answer.components) {
      const { kind, namespace, name } = path;
      const readable = await withTimeout(
        this.access.readable(answer.components, credentials),
        settings.catalogTimeoutMs,
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
    return requests
      ? await requests.withRequests(entityRefOf(entity), answer)
      : answer;
  }

  /** The fleet: all of it for a fleet reader, the databases of the entities they may read for anyone else. */
  ofFleet(credentials: BackstageCredentials): Promise<SerializedAnswer> {
    return this.fleetAccess.answerFor(credentials);
  }
}
