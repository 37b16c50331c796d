import { useEffect } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import useAsync from 'react-use/esm/useAsync';
import { CHANGE_TEMPLATE_OPERATIONS } from '@bizmatters/plugin-postgres-common';

type FormValues = Record<string, unknown> | undefined;

/**
 * What the Review step shows instead of raw references: names a person reads.
 *
 * @public
 */
export interface ReviewNames {
  /** The service: its catalog title, else its name. */
  service?: string;
  /** The GitOps repository: owner/name on host. */
  repository?: string;
  /** The change: its title in the Change template. */
  change?: string;
}

function text(values: FormValues, key: string): string | undefined {
  const value = values?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The names of the form's values, for the Review step: the service by its catalog title (or
 * name; its namespace when not `default`), the GitOps repository as `owner/repo on host`, the
 * change by the title the Change template gives it. Only the keys the field's schema has.
 */
export function reviewNames(
  keys: string[],
  values: FormValues,
  entity: Entity | undefined,
): ReviewNames {
  const names: ReviewNames = {};
  const component = text(values, 'component');
  if (keys.includes('service') && component) {
    try {
      const ref = parseEntityRef(component, { defaultKind: 'component' });
      const name = entity?.metadata.title ?? ref.name;
      names.service =
        ref.namespace === 'default' ? name : `${name} (${ref.namespace})`;
    } catch {
      names.service = component;
    }
  }
  const repoUrl = text(values, 'repoUrl');
  if (keys.includes('repository') && repoUrl) {
    const [host, query = ''] = repoUrl.split('?');
    const params = new URLSearchParams(query);
    const owner = params.get('owner');
    const repo = params.get('repo');
    names.repository = owner && repo ? `${owner}/${repo} on ${host}` : repoUrl;
  }
  const operation = text(values, 'operation');
  if (keys.includes('change') && operation) {
    names.change =
      CHANGE_TEMPLATE_OPERATIONS.find(o => o.operation === operation)?.title ??
      operation;
  }
  return names;
}

/**
 * The scaffolder field `PostgresReviewNames`: shows nothing on the form; its value (an object
 * whose properties the template titles: `service`, `repository`, `change`) is what the Review
 * step lists, so that a person reads "orders" and "platform/gitops on github.com" where the
 * form holds `component:default/orders` and `github.com?owner=platform&repo=gitops` (the
 * template hides those from the Review). The actions never read it.
 */
export function PostgresReviewNames(
  props: FieldExtensionComponentProps<ReviewNames>,
) {
  const catalog = useApi(catalogApiRef);
  const { onChange, formData, schema } = props;
  const values = (props.formContext as { formData?: FormValues } | undefined)
    ?.formData;
  const component = text(values, 'component');
  const { value: entity } = useAsync(
    async () =>
      component
        ? catalog.getEntityByRef(component).catch(() => undefined)
        : undefined,
    [catalog, component],
  );
  const keys = Object.keys(schema.properties ?? {});
  const names = reviewNames(keys, values, entity);
  const wanted = JSON.stringify(names);
  useEffect(() => {
    if (JSON.stringify(formData ?? {}) !== wanted) onChange(JSON.parse(wanted));
  }, [wanted, formData, onChange]);
  return null;
}
