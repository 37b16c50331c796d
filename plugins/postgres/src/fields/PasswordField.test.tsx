import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/test-utils';
import {
  SecretsContextProvider,
  useTemplateSecrets,
} from '@backstage/plugin-scaffolder-react';
import { PostgresPasswordField } from './PasswordField';

let seen: Record<string, string> = {};
function SecretsProbe() {
  seen = useTemplateSecrets().secrets;
  return null;
}

describe('PostgresPasswordField', () => {
  it('keeps a typed password in the task secrets only; the form holds as many *', async () => {
    const onChange = jest.fn();
    await renderInTestApp(
      <SecretsContextProvider>
        <PostgresPasswordField
          {...({
            name: 'postgresPassword',
            onChange,
            schema: {
              title: 'Password (optional)',
              description: 'Leave empty to have one generated.',
              minLength: 32,
            },
            idSchema: { $id: 'root_postgresPassword' },
            rawErrors: [],
          } as any)}
        />
        <SecretsProbe />
      </SecretsContextProvider>,
    );
    const input = screen.getByLabelText(/^Password/);
    // outlined and described like the template's other fields
    expect(input.closest('.MuiOutlinedInput-root')).not.toBeNull();
    expect(
      screen.getByText('Leave empty to have one generated.'),
    ).toBeInTheDocument();
    await userEvent.type(input, 's3cret-s3cret');
    await act(() => new Promise(r => setTimeout(r, 400)));
    expect(seen).toEqual({ postgresPassword: 's3cret-s3cret' });
    expect(onChange).toHaveBeenLastCalledWith('*'.repeat(13));
    expect(JSON.stringify(onChange.mock.calls)).not.toContain('s3cret');
    expect(input).toHaveAttribute('type', 'password');
  });
});
