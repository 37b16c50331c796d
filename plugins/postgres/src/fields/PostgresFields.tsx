import { useApi } from '@backstage/core-plugin-api';
import {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { ListItemText, MenuItem, TextField } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import {
  checkRequestField,
  DatabaseRequestField,
  PostgresChoices,
} from '@bizmatters/plugin-postgres-common';
import { postgresApiRef } from '../api/PostgresApi';

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

function uiOption(uiSchema: unknown, key: string): unknown {
  return (uiSchema as { 'ui:options'?: Record<string, unknown> } | undefined)?.[
    'ui:options'
  ]?.[key];
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
        detail:
          value === newest
            ? 'The newest major version offered'
            : `An older major version than the newest offered (${newest})`,
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
  const api = useApi(postgresApiRef);
  const {
    value: choices,
    error,
    loading,
  } = useAsync(() => api.getPolicy(), [api]);
  const options = choices ? optionsOf(choices, list) : [];
  const title = schema.title ?? list;
  const value = formData ?? '';
  const offered = !choices || !value || options.some(o => o.value === value);
  let helperText = schema.description;
  if (loading) helperText = "Loading the platform's choices…";
  else if (error)
    helperText = `The platform's choices could not be loaded: ${error.message}`;
  else if (!offered)
    helperText = checkRequestField(CHOICE_FIELDS[list], value, choices);
  return (
    <TextField
      id={idSchema?.$id}
      select
      fullWidth
      margin="normal"
      variant="outlined"
      label={title}
      required={required}
      // a value the platform no longer offers stays visible, marked as an error
      value={choices && offered ? value : ''}
      onChange={e => onChange(e.target.value as string)}
      error={!!error || !offered || (rawErrors?.length ?? 0) > 0}
      disabled={loading || !!error}
      helperText={helperText}
      SelectProps={{
        'aria-label': title,
        renderValue: v => options.find(o => o.value === v)?.label ?? String(v),
      }}
    >
      {options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          <ListItemText primary={o.label} secondary={o.detail} />
        </MenuItem>
      ))}
    </TextField>
  );
}

/** The actions' check of the chosen value against the platform's lists, before "Next". */
export const postgresChoiceValidation: CustomFieldValidator<string> = async (
  value,
  validation,
  context,
) => {
  if (!value) return;
  const field = CHOICE_FIELDS[choiceList(context.uiSchema)];
  const api = context.apiHolder.get(postgresApiRef);
  if (!api) return;
  let choices: PostgresChoices;
  try {
    choices = await api.getPolicy();
  } catch (e) {
    validation.addError(
      `The platform's choices could not be loaded: ${(e as Error).message}`,
    );
    return;
  }
  const problem = checkRequestField(field, value, choices);
  if (problem) validation.addError(problem);
};

/** The request fields a `PostgresNameField` may check (its `ui:options.rule`). */
const NAME_RULES: readonly DatabaseRequestField[] = [
  'name',
  'namespace',
  'databaseName',
  'databaseOwner',
];

function nameRule(uiSchema: unknown): DatabaseRequestField {
  const rule = uiOption(uiSchema, 'rule');
  if (NAME_RULES.includes(rule as DatabaseRequestField)) {
    return rule as DatabaseRequestField;
  }
  throw new Error(
    `PostgresNameField needs ui:options.rule, one of ${NAME_RULES.join(', ')}`,
  );
}

/**
 * A text field for a name of the request (`ui:options.rule`: `name`, `namespace`,
 * `databaseName` or `databaseOwner`), checked as the user types with the rules the actions run.
 */
export function PostgresNameField(props: FieldExtensionComponentProps<string>) {
  const { formData, onChange, schema, required, rawErrors, idSchema } = props;
  const problem = checkRequestField(nameRule(props.uiSchema), formData);
  const title = schema.title ?? '';
  return (
    <TextField
      id={idSchema?.$id}
      fullWidth
      margin="normal"
      variant="outlined"
      label={title}
      required={required}
      value={formData ?? ''}
      onChange={e => onChange(e.target.value || undefined)}
      error={!!problem || (rawErrors?.length ?? 0) > 0}
      // once "Next" has shown the same message under the field, it is not repeated here
      helperText={
        problem && !rawErrors?.includes(problem) ? problem : schema.description
      }
      inputProps={{ 'aria-label': title }}
    />
  );
}

/** The same rule as the field shows, so that "Next" is blocked with its message. */
export const postgresNameValidation: CustomFieldValidator<string> = (
  value,
  validation,
  context,
) => {
  const problem = checkRequestField(nameRule(context.uiSchema), value);
  if (problem) validation.addError(problem);
};
