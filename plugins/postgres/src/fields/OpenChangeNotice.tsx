import { ApiHolder, useApi } from '@backstage/core-plugin-api';
import { Link, WarningPanel } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import {
  openChangeProblem,
  OpenChangesResponse,
} from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';

type FormValues = Record<string, unknown> | undefined;

function text(values: FormValues, key: string): string | undefined {
  const value = values?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The database a change form names: its component, namespace and name (once all are set). */
function namedDatabase(values: FormValues) {
  const component = text(values, 'component');
  const namespace = text(values, 'namespace');
  const name = text(values, 'name');
  if (!component || !namespace || !name) return undefined;
  try {
    const entity = parseEntityRef(component, { defaultKind: 'component' });
    return { entity, namespace, name };
  } catch {
    return undefined;
  }
}

/**
 * The open change requests of the database the form names, from the postgres backend (the
 * change action's own rule: an open pull request on one of its change branches); empty while
 * the form names none, or the backend cannot say (the change action checks again).
 */
export async function readOpenChanges(
  api: PostgresApi | undefined,
  values: FormValues,
): Promise<OpenChangesResponse['items']> {
  const database = namedDatabase(values);
  if (!api?.getOpenChanges || !database) return [];
  const { entity, namespace, name } = database;
  return (await api.getOpenChanges(entity, { namespace, name })).items;
}

/**
 * The scaffolder field `PostgresOpenChangeNotice` of the change template: says, before "Next",
 * when the database the form names already has an open change request, with its link (the
 * change action would refuse a second one). It holds no value of its own.
 */
export function PostgresOpenChangeNotice(
  props: FieldExtensionComponentProps<string>,
) {
  const api = useApi(postgresApiRef);
  const values = (props.formContext as { formData?: FormValues } | undefined)
    ?.formData;
  const database = namedDatabase(values);
  const key = database
    ? `${database.entity.kind}:${database.entity.namespace}/${database.entity.name}|${database.namespace}/${database.name}`
    : '';
  const { value: open } = useAsync(
    async () => readOpenChanges(api, values).catch(() => []),
    // read again when the form names another database
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );
  if (!database || !open?.length) return null;
  return (
    <WarningPanel
      severity="warning"
      title={`${database.namespace}/${database.name} already has an open change request`}
      defaultExpanded
    >
      <Typography variant="body2" component="div">
        {open.map(p => (
          <div key={p.number}>
            <Link to={p.url} target="_blank" rel="noopener">
              Pull request #{p.number}
            </Link>
            {p.title ? ` — ${p.title}` : null}
          </div>
        ))}
        Merge or close it first: a second change request would be refused.
      </Typography>
    </WarningPanel>
  );
}

/** Blocks "Next" while the database the form names has an open change request. */
export const postgresOpenChangeValidation: CustomFieldValidator<
  string
> = async (_value, validation, context) => {
  const database = namedDatabase(context.formData);
  if (!database) return;
  const open = await readOpenChanges(
    (context.apiHolder as ApiHolder).get(postgresApiRef),
    context.formData,
  ).catch(() => []);
  const problem = openChangeProblem(database.namespace, database.name, open);
  if (problem) validation.addError(problem);
};
