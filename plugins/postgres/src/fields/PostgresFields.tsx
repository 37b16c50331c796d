import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { ListItemText, MenuItem, TextField } from '@material-ui/core';
import { parseEntityRef } from '@backstage/catalog-model';
import { useEffect } from 'react';
import {
  checkRequestField,
  ClaimManifest,
  DatabaseChange,
  DatabaseRequestField,
  PostgresChoices,
  ssmPatternHoldsSeveralDatabases,
} from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';
import {
  loadChoices,
  uiOption,
  usePostgresChoices,
  withCodeSpans,
} from './choices';
import {
  changeProblem,
  confirmProblem,
  readTodaysClaim,
  useTodaysClaim,
} from './change';
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

/** The lists a `PostgresChoicePicker` may offer (its `ui:options.choices`), and the request field each fills. */
const CHOICE_FIELDS = {
  sizes: 'size',
  versions: 'version',
  environments: 'environment',
} as const;

type ChoiceList = keyof typeof CHOICE_FIELDS;

interface Option {
  value: string;
  label: string;
  detail?: string;
}

function choiceList(uiSchema: unknown): ChoiceList {
  const list = uiOption(uiSchema, 'choices');
  if (typeof list === 'string' && list in CHOICE_FIELDS) {
    return list as ChoiceList;
  }
  throw new Error(
    `PostgresChoicePicker needs ui:options.choices, one of ${Object.keys(
      CHOICE_FIELDS,
    ).join(', ')}`,
  );
}

/**
 * The change a day-2 picker's value makes (`ui:options.changes: true`): a size is a
 * `changeSize`, a version an `upgradeVersion`; environments are never changed.
 */
function changeOf(list: ChoiceList, value: string): DatabaseChange | undefined {
  if (list === 'sizes') return { operation: 'changeSize', size: value };
  if (list === 'versions')
    return { operation: 'upgradeVersion', version: value };
  return undefined;
}

/** Whether the picker holds the new value of an existing database (`ui:options.changes`). */
function changes(uiSchema: unknown): boolean {
  return uiOption(uiSchema, 'changes') === true;
}

/**
 * The rule for a picked value, as the actions run it: one of the platform's lists; for a day-2
 * picker, also the change action's rule against today's claim (postgres-common's
 * `validateDatabaseChange`: another size; a higher version within the policy's steps).
 */
function choiceProblem(
  list: ChoiceList,
  value: string,
  choices: PostgresChoices,
  today?: ClaimManifest,
): string | undefined {
  const change = today && changeOf(list, value);
  if (today && change) {
    const field = change.operation === 'changeSize' ? 'size' : 'version';
    return changeProblem(today, change, field, choices);
  }
  return checkRequestField(CHOICE_FIELDS[list], value, choices);
}

/** The options of one list, each with what it means. */
function optionsOf(choices: PostgresChoices, list: ChoiceList): Option[] {
  switch (list) {
    case 'sizes':
      return Object.entries(choices.sizes).map(([value, size]) => {
        const { requests, limits } = size.resources;
        return {
          value,
          label: size.description,
          detail: `${value}: reserves ${requests.cpu} CPU and ${requests.memory} memory, uses at most ${limits.cpu} CPU and ${limits.memory} memory`,
        };
      });
    case 'versions': {
      const newest = [...choices.versions].sort(
        (a, b) => Number(b) - Number(a),
      )[0];
      return choices.versions.map(value => ({
        value,
        label: `PostgreSQL ${value}`,
        // said once, at the newest; the same sentence under every other is noise
        ...(value === newest
          ? { detail: 'The newest major version offered' }
          : {}),
      }));
    }
    default:
      return choices.environments.map(value => ({ value, label: value }));
  }
}

/**
 * A scaffolder field offering one of the platform's lists (`ui:options.choices`: `sizes`,
 * `versions` or `environments`) as the postgres backend serves it from app-config, the same
 * lists the actions enforce; each option says what it means.
 */
export function PostgresChoicePicker(
  props: FieldExtensionComponentProps<string>,
) {
  const { formData, onChange, schema, required, rawErrors, idSchema } = props;
  const list = choiceList(props.uiSchema);
  const { value: choices, error, loading } = usePostgresChoices();
  const { value: today } = useTodaysClaim(
    (props.formContext as { formData?: Record<string, unknown> } | undefined)
      ?.formData,
    changes(props.uiSchema),
  );
  const all = choices ? optionsOf(choices, list) : [];
  // a day-2 picker offers only what the change action accepts against today's claim
  const options = all.filter(
    o => !choices || !today || !choiceProblem(list, o.value, choices, today),
  );
  const title = schema.title ?? list;
  const value = formData ?? '';
  const problem =
    choices && value ? choiceProblem(list, value, choices, today) : undefined;
  const offered = !problem;
  let helperText: React.ReactNode = withCodeSpans(schema.description);
  if (today && choices && !problem) {
    const now = list === 'sizes' ? today.size : today.version;
    helperText = (
      <>
        {helperText}{' '}
        {options.length
          ? `Today ${now}.`
          : `Today ${now}; no other is offered: ask the platform team.`}
      </>
    );
  }
  if (list === 'environments' && choices) {
    // the environment is part of the SSM path: say where the credentials go
    helperText = (
      <>
        {helperText} {ssmPathNote(choices.ssm.pathPattern)}
      </>
    );
  }
  if (loading) helperText = "Loading the platform's choices…";
  else if (error)
    helperText = `The platform's choices could not be loaded: ${error.message}`;
  else if (problem) helperText = problem;
  return (
    <TextField
      id={idSchema?.$id}
      select
      fullWidth
      margin="normal"
      variant="outlined"
      label={title}
      required={required}
      // a value that is not offered stays visible, marked as an error, and goes to "Next",
      // whose check says why (blanked, the select's native required input would stop the
      // form before any check, with no word at the field)
      value={choices ? value : ''}
      onChange={e => onChange(e.target.value as string)}
      error={!!error || !offered || (rawErrors?.length ?? 0) > 0}
      disabled={loading || !!error}
      helperText={helperText}
      SelectProps={{
        'aria-label': title,
        renderValue: v => all.find(o => o.value === v)?.label ?? String(v),
      }}
    >
      {options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          <ListItemText primary={o.label} secondary={o.detail} />
        </MenuItem>
      ))}
      {value && !options.some(o => o.value === value) && (
        // the value held but not offered: shown as the value, never in the list
        <MenuItem value={value} disabled style={{ display: 'none' }} />
      )}
    </TextField>
  );
}

/** Where the credentials go, said under the environment (it is part of the path). */
function ssmPathNote(pathPattern: string): string {
  return ssmPatternHoldsSeveralDatabases(pathPattern)
    ? `Credentials go to AWS SSM under ${pathPattern}: each database has its own parameters.`
    : `Credentials go to AWS SSM under ${pathPattern}, which holds one database per service and environment.`;
}

/** The actions' check of the chosen value against the platform's lists, before "Next". */
export const postgresChoiceValidation: CustomFieldValidator<string> = async (
  value,
  validation,
  context,
) => {
  if (!value) return;
  const list = choiceList(context.uiSchema);
  const choices = await loadChoices(context.apiHolder);
  if (!choices) return;
  if ('error' in choices) {
    validation.addError(choices.error);
    return;
  }
  const api = context.apiHolder.get(postgresApiRef);
  let today: ClaimManifest | undefined;
  if (changes(context.uiSchema) && api) {
    // not found or not readable: the change action checks against the GitOps branch
    today = await readTodaysClaim(api, context.formData).catch(() => undefined);
  }
  const problem = choiceProblem(list, value, choices, today);
  if (problem) validation.addError(problem);
};

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
