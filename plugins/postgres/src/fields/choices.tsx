import { ApiHolder, useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { PostgresChoices } from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';

/** The platform's choices as the postgres backend serves them (`/v1/policy`), for a field. */
export function usePostgresChoices() {
  const api = useApi(postgresApiRef);
  return useAsync(() => api.getPolicy(), [api]);
}

/**
 * The same choices for a validator: undefined when the app has no postgres API; a message
 * when they could not be loaded (the validator says so at the field).
 */
export async function loadChoices(
  apiHolder: ApiHolder,
): Promise<PostgresChoices | { error: string } | undefined> {
  const api = apiHolder.get(postgresApiRef);
  if (!api) return undefined;
  try {
    return await api.getPolicy();
  } catch (e) {
    return {
      error: `The platform's choices could not be loaded: ${
        (e as Error).message
      }`,
    };
  }
}

/** A `ui:options` value of a field's uiSchema. */
export function uiOption(uiSchema: unknown, key: string): unknown {
  return (uiSchema as { 'ui:options'?: Record<string, unknown> } | undefined)?.[
    'ui:options'
  ]?.[key];
}

/**
 * A template description as the field shows it: `code spans` as code (the scaffolder renders
 * descriptions as Markdown; a custom field's helper text is plain text otherwise).
 */
export function withCodeSpans(text: string | undefined): React.ReactNode {
  if (!text) return text;
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}
