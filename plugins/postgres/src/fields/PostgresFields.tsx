import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { TextField } from '@material-ui/core';
import { parseEntityRef } from '@backstage/catalog-model';
import { useEffect } from 'react';
import {
  checkRequestField,
  DatabaseRequestField,
} from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';
import { uiOption, withCodeSpans } from './choices';
import { confirmProblem } from './change';
import {
  askAvailability,
  AvailabilityField,
  AvailabilityLines,
  availabilityQuery,
  blockingMessages,
  blocksField,
  causeMessage,
  isRefusal,
  useAvailability,
} from './availability';

export { PostgresChoicePicker, postgresChoiceValidation } from './ChoicePicker';

/** The request fields a `PostgresNameField` may check (its `ui:options.rule`). */
const NAME_RULES: readonly DatabaseRequestField[] = [
  'name',
  'namespace',
  'databaseName',
  'databaseOwner',
  'connectionSecretName',
];

function nameRule(uiSchema: unknown): DatabaseRequestField | undefined {
  if (typeof uiOption(uiSchema, 'confirms') === 'string') return undefined;
  const rule = uiOption(uiSchema, 'rule');
  if (NAME_RULES.includes(rule as DatabaseRequestField)) {
    return rule as DatabaseRequestField;
  }
  throw new Error(
    `PostgresNameField needs ui:options.rule, one of ${NAME_RULES.join(
      ', ',
    )}, or ui:options.confirms`,
  );
}

/**
 * What is wrong with a name as typed: the rules of its request field, or, with
 * `ui:options.confirms` (a decommission's typed name), that it is not the form's value of
 * that field.
 */
function nameProblem(
  uiSchema: unknown,
  value: string | undefined,
  formValues: Record<string, unknown> | undefined,
): string | undefined {
  const rule = nameRule(uiSchema);
  if (rule) return checkRequestField(rule, value);
  const confirms = uiOption(uiSchema, 'confirms') as string;
  return confirmProblem(value, formValues?.[confirms]);
}

/**
 * The field whose availability this one shows (`ui:options.checkAvailability: true`, for the
 * rules `name` and `connectionSecretName` of a new database), or none.
 */
function availabilityField(
  uiSchema: unknown,
  rule: DatabaseRequestField | undefined,
): AvailabilityField | undefined {
  if (uiOption(uiSchema, 'checkAvailability') !== true) return undefined;
  if (rule === 'name' || rule === 'connectionSecretName') return rule;
  throw new Error(
    'PostgresNameField checks availability only for the rules name and connectionSecretName',
  );
}

/**
 * A text field for a name of the request (`ui:options.rule`: `name`, `namespace`,
 * `databaseName`, `databaseOwner` or `connectionSecretName`), checked as the user types with
 * the rules the actions run. With `ui:options.checkAvailability`, the claim name also shows
 * whether the whole request built from the form's values so far is free (and the SSM
 * parameters it writes), the connection secret whether its own name is. With
 * `ui:options.confirms: <field>` instead of a rule (a decommission's typed name), the value
 * must be the form's value of that field.
 */
export function PostgresNameField(props: FieldExtensionComponentProps<string>) {
  const { formData, onChange, schema, required, idSchema } = props;
  // what "Next" found, as the form shows it under the field; with `ui:hideError` (the
  // availability fields) the field alone says what holds now, and nothing stays behind stale
  const rawErrors = props.hideError ? undefined : props.rawErrors;
  const rule = nameRule(props.uiSchema);
  const field = availabilityField(props.uiSchema, rule);
  // the Stepper passes every step's values so far as formContext.formData
  const formValues = (
    props.formContext as { formData?: Record<string, unknown> } | undefined
  )?.formData;
  const problem = nameProblem(props.uiSchema, formData, formValues);
  const availability = useAvailability(
    field && !problem
      ? availabilityQuery({ ...formValues, [field]: formData })
      : undefined,
  );
  // The Stepper validates only the fields present in the form's data: a claim name left empty
  // (the default, `<service>-db`) is put there as undefined, so that "Next" checks it too.
  const absent = field === 'name' && formData === undefined;
  // `ui:options.defaultsToService`: an empty field starts as the service's name (the component
  // says its name is the default for the names), when that name keeps the field's rule
  const serviceDefault =
    formData === undefined &&
    rule &&
    uiOption(props.uiSchema, 'defaultsToService')
      ? serviceName(formValues?.component)
      : undefined;
  const startAs =
    serviceDefault && rule && !checkRequestField(rule, serviceDefault)
      ? serviceDefault
      : undefined;
  useEffect(() => {
    if (startAs) onChange(startAs);
    else if (absent) onChange(undefined);
    // once, when the field appears
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const title = schema.title ?? '';
  return (
    <>
      <TextField
        id={idSchema?.$id}
        fullWidth
        margin="normal"
        variant="outlined"
        label={title}
        required={required}
        value={formData ?? ''}
        onChange={e => onChange(e.target.value || undefined)}
        error={
          !!problem ||
          (rawErrors?.length ?? 0) > 0 ||
          (!!field && blocksField(availability, field))
        }
        // once "Next" has shown the same message under the field, it is not repeated here
        helperText={
          problem && !rawErrors?.includes(problem)
            ? problem
            : withCodeSpans(schema.description)
        }
        inputProps={{ 'aria-label': title }}
      />
      {field && (
        <AvailabilityLines
          state={availability}
          field={field}
          shownErrors={rawErrors}
        />
      )}
    </>
  );
}

/** The entity name of the form's component (the service), if it names one. */
function serviceName(component: unknown): string | undefined {
  if (typeof component !== 'string' || component === '') return undefined;
  try {
    return parseEntityRef(component, { defaultKind: 'component' }).name;
  } catch {
    return undefined;
  }
}

/**
 * The same rule as the field shows, so that "Next" is blocked with its message; with
 * `ui:options.checkAvailability`, also a name that is taken or a database that exists.
 */
export const postgresNameValidation: CustomFieldValidator<string> = async (
  value,
  validation,
  context,
) => {
  const problem = nameProblem(context.uiSchema, value, context.formData);
  if (problem) {
    validation.addError(problem);
    return;
  }
  const field = availabilityField(context.uiSchema, nameRule(context.uiSchema));
  const api = context.apiHolder.get(postgresApiRef);
  const query =
    field && availabilityQuery({ ...context.formData, [field]: value });
  if (!field || !api || !query) return;
  try {
    const answer = await askAvailability(api, query);
    for (const message of blockingMessages(answer, field)) {
      validation.addError(message);
    }
  } catch (e) {
    // a refusal is what the task would meet too; anything else, the task checks again
    if (isRefusal(e as { statusCode?: number })) {
      validation.addError(causeMessage(e as Error));
    }
  }
};
