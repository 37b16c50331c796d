import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { TextField } from '@material-ui/core';
import {
  checkRequestField,
  PostgresChoices,
} from '@bizmatters/plugin-postgres-common';
import { loadChoices, usePostgresChoices, withCodeSpans } from './choices';

/** The platform's rule for a storage value (bounds from `/v1/policy`), as the actions run it. */
function storageProblem(
  value: number | undefined,
  choices: PostgresChoices,
): string | undefined {
  return checkRequestField('storageGB', value, choices);
}

/**
 * A scaffolder field for the storage in GB: a whole number within the platform's bounds
 * (app-config `postgres.storageGB`, served by the postgres backend), said as the user types;
 * the template carries no copy of the bounds.
 */
export function PostgresStorageField(
  props: FieldExtensionComponentProps<number>,
) {
  const { formData, onChange, schema, required, rawErrors, idSchema } = props;
  const { value: choices, error, loading } = usePostgresChoices();
  const title = schema.title ?? 'Storage (GB)';
  const problem = choices ? storageProblem(formData, choices) : undefined;
  let helperText: React.ReactNode;
  if (loading) helperText = "Loading the platform's storage bounds…";
  else if (error)
    helperText = `The platform's storage bounds could not be loaded: ${error.message}`;
  else if (problem && !rawErrors?.includes(problem)) helperText = problem;
  else if (choices)
    helperText = (
      <>
        {withCodeSpans(schema.description)} Between {choices.storageGB.min} and{' '}
        {choices.storageGB.max} GB.
      </>
    );
  return (
    <TextField
      id={idSchema?.$id}
      type="number"
      fullWidth
      margin="normal"
      variant="outlined"
      label={title}
      required={required}
      value={formData ?? ''}
      onChange={e =>
        onChange(e.target.value === '' ? undefined : Number(e.target.value))
      }
      error={!!error || !!problem || (rawErrors?.length ?? 0) > 0}
      helperText={helperText}
      // no min, max or step for the browser to enforce with its own bubble: the platform's
      // rule says what is wrong, under the field, in the form's words
      inputProps={{ 'aria-label': title, step: 'any' }}
    />
  );
}

/** The same rule before "Next". */
export const postgresStorageValidation: CustomFieldValidator<number> = async (
  value,
  validation,
  context,
) => {
  if (value === undefined) return; // `required` says so
  const choices = await loadChoices(context.apiHolder);
  if (!choices) return;
  if ('error' in choices) {
    validation.addError(choices.error);
    return;
  }
  const problem = storageProblem(value, choices);
  if (problem) validation.addError(problem);
};
