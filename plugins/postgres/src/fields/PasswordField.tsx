import { useEffect, useRef, useState } from 'react';
import {
  FieldExtensionComponentProps,
  useTemplateSecrets,
} from '@backstage/plugin-scaffolder-react';
import { TextField } from '@material-ui/core';

/**
 * The scaffolder field `PostgresPasswordField`: a password typed into the form goes to the
 * task's secrets only (as Backstage's `Secret` field does: the action reads it from
 * `ctx.secrets`), never to the form's values, which hold as many `*` as it has characters (so
 * the schema's length rule still applies, and the Review masks it). Outlined, with its
 * description and the form's own error words, like the template's other fields.
 */
export function PostgresPasswordField(
  props: FieldExtensionComponentProps<string>,
) {
  const { setSecrets, secrets } = useTemplateSecrets();
  const { name, onChange, schema, required, disabled, rawErrors, idSchema } =
    props;
  const [value, setValue] = useState(secrets[name] ?? '');
  // the secret is kept when typing pauses (as Backstage's Secret field does), and on leaving
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const latest = useRef<string | undefined>(undefined);
  const save = (text: string) => {
    latest.current = text;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setSecrets({ [name]: text }), 300);
  };
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      if (latest.current !== undefined) {
        setSecrets({ [name]: latest.current });
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  const errors = rawErrors ?? [];
  return (
    <TextField
      id={idSchema?.$id}
      fullWidth
      margin="normal"
      variant="outlined"
      type="password"
      autoComplete="new-password"
      label={schema.title}
      required={required}
      disabled={disabled}
      value={value}
      // the form lists "Next"'s errors under the field; the field shows its description
      error={errors.length > 0}
      helperText={schema.description}
      inputProps={{
        minLength: schema.minLength,
        maxLength: schema.maxLength,
        'aria-label': schema.title,
      }}
      onChange={e => {
        const text = e.target.value;
        setValue(text);
        onChange(text === '' ? undefined : '*'.repeat(text.length));
        save(text);
      }}
    />
  );
}
