/* The template's choice fields: sizes, versions, environments, from the backend's policy. */
import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { ListItemText, MenuItem, TextField } from '@material-ui/core';
import {
  checkRequestField,
  ClaimManifest,
  DatabaseChange,
  PostgresChoices,
  ssmPatternHoldsSeveralDatabases,
} from '@bizmatters/plugin-postgres-common';
import { uiOption, usePostgresChoices, withCodeSpans } from './choices';
import { changeProblem, useTodaysClaim, validationInputs } from './change';

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
  const inputs = await validationInputs(
    context,
    message => validation.addError(message),
    changes(context.uiSchema),
  );
  if (!inputs) return;
  const { choices, today } = inputs;
  const problem = choiceProblem(list, value, choices, today);
  if (problem) validation.addError(problem);
};
