import { ApiHolder, useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';
import {
  ClaimManifest,
  DatabaseChange,
  DatabaseChangeField,
  PostgresChoices,
  validateDatabaseChange,
} from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';
import { loadChoices } from './choices';

type FormValues = Record<string, unknown> | undefined;

function text(values: FormValues, key: string): string | undefined {
  const value = values?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The day-2 rule (postgres-common's `validateDatabaseChange`, as the change action runs it) for
 * one field of a change: its message, or undefined when the value is fine.
 */
export function changeProblem(
  today: ClaimManifest,
  change: DatabaseChange,
  field: DatabaseChangeField,
  choices?: PostgresChoices,
): string | undefined {
  return validateDatabaseChange(today, change, choices).find(
    p => p.field === field,
  )?.message;
}

/**
 * A decommission's typed confirmation against the database's name (the form's `name`): the
 * change action's message when they differ; nothing while the name is not known.
 */
export function confirmProblem(
  value: string | undefined,
  name: unknown,
): string | undefined {
  if (!value || typeof name !== 'string' || name === '') return undefined;
  // only the name counts for a decommission
  const today: ClaimManifest = {
    name,
    namespace: '',
    size: '',
    version: '',
    storageGB: 0,
  };
  return changeProblem(
    today,
    { operation: 'decommission', confirmName: value },
    'confirmName',
  );
}

/**
 * Today's claim of the database a change form names (its `component`, `namespace` and `name`),
 * as the component's Databases tab reads it from the clusters; undefined when the form does not
 * name one yet, or it is not found there (the change action reads the GitOps branch and checks
 * again).
 */
export async function readTodaysClaim(
  api: PostgresApi,
  values: FormValues,
): Promise<ClaimManifest | undefined> {
  const component = text(values, 'component');
  const namespace = text(values, 'namespace');
  const name = text(values, 'name');
  if (!component || !namespace || !name) return undefined;
  let entity;
  try {
    entity = parseEntityRef(component, { defaultKind: 'component' });
  } catch {
    return undefined;
  }
  const { items } = await api.getEntityDatabases(entity);
  const item = items.find(i => i.namespace === namespace && i.name === name);
  if (item?.spec.storageGB === undefined) return undefined;
  return {
    name,
    namespace,
    size: item.spec.size ?? '',
    version: item.spec.version ?? '',
    storageGB: item.spec.storageGB,
  };
}

/** {@link readTodaysClaim} for a field, read again when the form names another database. */
export function useTodaysClaim(values: FormValues, enabled: boolean) {
  const api = useApi(postgresApiRef);
  const component = text(values, 'component');
  const namespace = text(values, 'namespace');
  const name = text(values, 'name');
  return useAsync(
    async () =>
      enabled
        ? readTodaysClaim(api, { component, namespace, name })
        : undefined,
    [api, enabled, component, namespace, name],
  );
}

/**
 * What a day-2 field's validator checks a value against, before "Next": the platform's choices
 * (undefined when the app has no postgres API; an error added when they could not be loaded)
 * and, when the field compares with today's value, the claim as the GitOps branch holds it
 * (undefined when not found or not readable: the change action checks again).
 */
export async function validationInputs(
  context: {
    apiHolder: ApiHolder;
    formData: FormValues;
  },
  addError: (message: string) => void,
  comparesWithToday: boolean,
): Promise<{ choices: PostgresChoices; today?: ClaimManifest } | undefined> {
  const choices = await loadChoices(context.apiHolder);
  if (!choices) return undefined;
  if ('error' in choices) {
    addError(choices.error);
    return undefined;
  }
  const api = context.apiHolder.get(postgresApiRef);
  const today =
    comparesWithToday && api
      ? await readTodaysClaim(api, context.formData).catch(() => undefined)
      : undefined;
  return { choices, today };
}
