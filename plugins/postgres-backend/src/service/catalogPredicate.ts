import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';

/**
 * The catalog's own permission rules as the catalog turns them into a query (each rule's
 * `toQuery` in @backstage/plugin-catalog-backend `src/permissions/rules`): a search key, and the
 * values it must have (any of them), or none when the key only has to exist.
 */
const CATALOG_RULES: Record<
  string,
  (params: any) => { key: string; values?: string[] } | undefined
> = {
  IS_ENTITY_OWNER: ({ claims }) =>
    Array.isArray(claims)
      ? { key: 'relations.ownedBy', values: claims }
      : undefined,
  IS_ENTITY_KIND: ({ kinds }) =>
    Array.isArray(kinds)
      ? { key: 'kind', values: kinds.map((k: string) => k.toLowerCase()) }
      : undefined,
  HAS_ANNOTATION: ({ annotation, value }) =>
    property(`metadata.annotations.${annotation}`, value),
  HAS_LABEL: ({ label, value }) => property(`metadata.labels.${label}`, value),
  HAS_METADATA: ({ key, value }) => property(`metadata.${key}`, value),
  HAS_SPEC: ({ key, value }) => property(`spec.${key}`, value),
};

/** The catalog's filter predicate (`getEntitiesByRefs`'s `query`). */
export type FilterPredicate = NonNullable<
  Parameters<CatalogService['getEntitiesByRefs']>[0]['query']
>;

function property(key: string, value: unknown) {
  if (value === undefined) return { key };
  return typeof value === 'string' ? { key, values: [value] } : undefined;
}

/**
 * A conditional decision on catalog entities (`pluginId: 'catalog'`, `resourceType:
 * 'catalog-entity'`) as a catalog filter predicate, so that one `getEntitiesByRefs` answers
 * which of many entities satisfy it, as the catalog itself filters by such conditions.
 * Undefined when a condition uses a rule other than the catalog's own (or malformed params):
 * the caller must then have the permission backend decide entity by entity.
 */
export function catalogPredicate(
  criteria: PermissionCriteria<PermissionCondition>,
): FilterPredicate | undefined {
  if ('allOf' in criteria) {
    const all = criteria.allOf.map(catalogPredicate);
    return all.every(Boolean) ? { $all: all as FilterPredicate[] } : undefined;
  }
  if ('anyOf' in criteria) {
    const any = criteria.anyOf.map(catalogPredicate);
    return any.every(Boolean) ? { $any: any as FilterPredicate[] } : undefined;
  }
  if ('not' in criteria) {
    const not = catalogPredicate(criteria.not);
    return not ? { $not: not } : undefined;
  }
  if (criteria.resourceType !== 'catalog-entity') return undefined;
  const query = CATALOG_RULES[criteria.rule]?.(criteria.params ?? {});
  if (
    !query ||
    (query.values && !query.values.every(v => typeof v === 'string'))
  )
    return undefined;
  return (
    query.values
      ? { [query.key]: { $in: query.values } }
      : { [query.key]: { $exists: true } }
  ) as FilterPredicate;
}
