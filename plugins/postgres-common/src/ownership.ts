import { KubeObject } from './manifests';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { parseEntityRefLoose } from './names';

/**
 * Annotation on a claim and its ExternalSecret naming the catalog entity that owns the database,
 * as a full entity ref (`component:default/orders`). Written by the template; a claim is shown on
 * an entity page only when it names that entity.
 *
 * @public
 */
export const ENTITY_REF_ANNOTATION = 'bizmatters.io/entity-ref';

/**
 * Annotation on a claim and its ExternalSecret naming the group that owns the database
 * (`group:default/team-orders`).
 *
 * @public
 */
export const OWNER_ANNOTATION = 'bizmatters.io/owner';

/**
 * A full, lower-case entity ref `kind:namespace/name`, with the given default kind and the
 * namespace `default` filled in (`@backstage/catalog-model`'s parse and stringify); undefined
 * when the text is not an entity ref. The one way the plugins compare entity refs.
 *
 * @public
 */
export function normalizeEntityRef(
  ref: string,
  defaultKind: string,
): string | undefined {
  const text = ref.trim();
  // the shape the plugins accept (catalog-model's parse alone takes any text as a name)
  if (!parseEntityRefLoose(text)) return undefined;
  return stringifyEntityRef(
    parseEntityRef(text, { defaultKind, defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

/**
 * The entity a claim (or ExternalSecret) says it belongs to, normalized; undefined when it names
 * none or the annotation is not an entity ref.
 *
 * @public
 */
export function claimEntityRef(obj: KubeObject): string | undefined {
  const value = obj.metadata?.annotations?.[ENTITY_REF_ANNOTATION];
  return value ? normalizeEntityRef(value, 'component') : undefined;
}

/**
 * How a claim relates to an entity: `ours` when it names the entity, `other` when it names
 * another entity (or an annotation that is not an entity ref), `unannotated` when it names none
 * (claims made before the annotation existed).
 *
 * @public
 */
export type ClaimOwnership = 'ours' | 'other' | 'unannotated';

/**
 * Whether a claim belongs to an entity, by its `bizmatters.io/entity-ref` annotation.
 *
 * @public
 */
export function claimOwnership(
  claim: KubeObject,
  entityRef: string,
): ClaimOwnership {
  const raw = claim.metadata?.annotations?.[ENTITY_REF_ANNOTATION];
  if (!raw) return 'unannotated';
  const named = normalizeEntityRef(raw, 'component');
  return named !== undefined &&
    named === normalizeEntityRef(entityRef, 'component')
    ? 'ours'
    : 'other';
}
