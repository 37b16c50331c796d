import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogProcessor, LocationSpec } from '@backstage/plugin-catalog-node';
import { POSTGRES_INSTANCES_ANNOTATION } from '@bizmatters/plugin-postgres-common';
import { CLAIMS_LOCATION_TYPE } from './databaseEntity';

/**
 * Refuses, from any location but the database provider's own (`postgres-claims:<cluster>`), a
 * Resource carrying `bizmatters.io/postgres-instances`: a Resource registered by hand cannot
 * stand in for a database Resource (the Databases card and the catalog policy recognise
 * database Resources by that annotation). The entity fails processing with a clear error and
 * is not served. Other Resources (e.g. `spec.type: database` of other engines) and other kinds
 * pass unchanged.
 */
export class DatabaseResourceGuard implements CatalogProcessor {
  getProcessorName(): string {
    return 'PostgresDatabaseResourceGuard';
  }

  async preProcessEntity(
    entity: Entity,
    location: LocationSpec,
  ): Promise<Entity> {
    if (
      entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
      entity.metadata.annotations?.[POSTGRES_INSTANCES_ANNOTATION] !==
        undefined &&
      location.type !== CLAIMS_LOCATION_TYPE
    ) {
      throw new InputError(
        `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${
          entity.metadata.name
        }: only the postgres database provider may make a Resource with the ${POSTGRES_INSTANCES_ANNOTATION} annotation (register the component instead; its databases are listed from their claims)`,
      );
    }
    return entity;
  }
}
