import { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ID_ANNOTATION,
  POSTGRES_INSTANCES_ANNOTATION,
} from '@bizmatters/plugin-postgres-common';

/**
 * For `EntitySwitch`: true for entities that name databases (`bizmatters.io/postgres-instances`)
 * or Kubernetes objects (`backstage.io/kubernetes-id`), and for every Component, since the
 * "New Postgres DB" template links a component's databases by their label alone.
 *
 * @public
 */
export function isPostgresAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return (
    Boolean(annotations[POSTGRES_INSTANCES_ANNOTATION]) ||
    Boolean(annotations[KUBERNETES_ID_ANNOTATION]) ||
    entity.kind.toLocaleLowerCase('en-US') === 'component'
  );
}
