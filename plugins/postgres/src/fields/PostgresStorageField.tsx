import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { TextField } from '@material-ui/core';
import {
  checkRequestField,
  ClaimManifest,
  PostgresChoices,
} from '@bizmatters/plugin-postgres-common';
import { changeProblem, useTodaysClaim, validationInputs } from './change';
import { uiOption, usePostgresChoices, withCodeSpans } from './choices';

/**
 * The rule for a storage value, as the actions run it: a new database's bounds from
 * `/v1/policy`; with `ui:options.grows` (a day-2 change), more than today's and within the
 * maximum, once today's is known.
 */
function storageProblem(
  value: number | undefined,
  choices: PostgresChoices,
  today?: ClaimManifest,
): string | undefined {
  if (today) {
    if (value === undefined) return undefined;
    return changeProblem(
      today,
      { operation: 'growStorage', storageGB: value },
      'storageGB',
      choices,
    );
  }
  return checkRequestField('storageGB', value, choices);
}

/** Whether the field holds the new storage of an existing database (`ui:options.grows`). */
function grows(uiSchema: unknown): boolean {
  return uiOption(uiSchema, 'grows') === true;
}

type FormValues = Record<string, unknown> | undefined;

/**
 * A scaffolder field for the storage in GB: a whole number within the platform's bounds
 * (app-config `postgres.storageGB`, served by the postgres backend), said as the user types;
 * the template carries no copy of the bounds. With `ui:options.grows`, the new storage of the
 * database the form names (`component`, `namespace`, `name`): more than today's, as its
 * Databases tab reads it.
 */
export function PostgresStorageField(
  props: FieldExtensionComponentProps<number>,
) {
  const { formData, onChange, schema, required, idSchema } = props;
  // with `ui:hideError` the field alone says what holds now: nothing stays from the last "Next"
  const rawErrors = props.hideError ? undefined : props.rawErrors;
  const { value: choices, error, loading } = usePostgresChoices();
  const growing = grows(props.uiSchema);
  const { value: today } = useTodaysClaim(
    (props.formContext as { formData?: FormValues } | undefined)?.formData,
    growing,
  );
  const title = schema.title ?? 'Storage (GB)';
  const problem = choices
    ? storageProblem(formData, choices, today)
    : undefined;
  let helperText: React.ReactNode;
  if (loading) helperText = "Loading the platform's storage bounds…";
  else if (error)
    helperText = `The platform's storage bounds could not be loaded: ${error.message}`;
  else if (problem && !rawErrors?.includes(problem)) helperText = problem;
  else if (choices)
    helperText = (
      <>
        {withCodeSpans(schema.description)}{' '}
        {today
          ? `Today ${today.storageGB} GB; at most ${choices.storageGB.max} GB.`
          : `Between ${choices.storageGB.min} and ${choices.storageGB.max} GB.`}
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
  const inputs = await validationInputs(
    context,
    message => validation.addError(message),
    grows(context.uiSchema),
  );
  if (!inputs) return;
  const { choices, today } = inputs;
  const problem = storageProblem(value, choices, today);
  if (problem) validation.addError(problem);
};
