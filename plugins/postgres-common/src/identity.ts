import { parseEntityRef } from '@backstage/catalog-model';
import { parseEntityRefLoose } from './names';
import { PostgresPolicyInput, resolvePolicy } from './policy';
import { Problem } from './request';

/** Kind, namespace and name of a component ref, with the catalog's defaults. */
function componentRef(entityRef: string) {
  if (!parseEntityRefLoose(entityRef)) {
    return { namespace: 'default', name: entityRef };
  }
  const ref = parseEntityRef(entityRef, {
    defaultKind: 'component',
    defaultNamespace: 'default',
  });
  return {
    namespace: ref.namespace.toLocaleLowerCase('en-US'),
    name: ref.name,
  };
}

/**
 * The placeholder of `postgres.ssm.pathPattern` that carries the owning component's catalog
 * namespace. Without it, only components of the `default` namespace may create databases: the
 * service segment is the component's bare name, and `component:evil/payments` would map to the
 * paths of `component:default/payments`.
 *
 * @public
 */
export const ENTITY_NAMESPACE_PLACEHOLDER = '{entityNamespace}';

/**
 * The catalog namespace of a component ref (`default` when the ref names none, or no ref).
 *
 * @public
 */
export function componentNamespace(entityRef?: string): string {
  return entityRef ? componentRef(entityRef).namespace : 'default';
}

/**
 * The service a component's databases are named by (the SSM path's `{service}`, the
 * `backstage.io/kubernetes-id` label, the default names): the component's own name, from the
 * ref the permission was checked for. Never a free input.
 *
 * @public
 */
export function serviceOfComponent(entityRef: string): string {
  return componentRef(entityRef).name;
}

/**
 * What stops a component from naming a database's credentials, before anything is read from
 * SSM: a `service` input that is not the component's own name (a template may not choose
 * another team's paths), and a component outside the catalog's `default` namespace when the SSM
 * pattern does not carry {@link ENTITY_NAMESPACE_PLACEHOLDER} (two components would map to the
 * same paths). Empty when the component may.
 *
 * @public
 */
export function checkComponentIdentity(
  input: { service?: unknown },
  entityRef: string,
  policy?: PostgresPolicyInput,
): Problem[] {
  const problems: Problem[] = [];
  const ref = componentRef(entityRef);
  const service = input.service;
  if (service !== undefined && service !== null && service !== '') {
    if (service !== ref.name) {
      problems.push({
        field: 'service',
        message: `'${String(
          service,
        )}' is not the name of ${entityRef}: a database's SSM paths and labels are named by its component, so leave service out (or give '${
          ref.name
        }').`,
      });
    }
  }
  const pattern = resolvePolicy(policy).ssm.pathPattern;
  if (
    ref.namespace !== 'default' &&
    !pattern.includes(ENTITY_NAMESPACE_PLACEHOLDER)
  ) {
    problems.push({
      field: 'component',
      message: `${entityRef} is in the catalog namespace '${ref.namespace}', and the platform's SSM path pattern (${pattern}) does not carry ${ENTITY_NAMESPACE_PLACEHOLDER}: its paths would be those of component:default/${ref.name}. Ask the platform team to add ${ENTITY_NAMESPACE_PLACEHOLDER} to postgres.ssm.pathPattern.`,
    });
  }
  return problems;
}
