import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import { SecretsContextProvider } from '@backstage/plugin-scaffolder-react';
import {
  DEFAULT_POLICY,
  PostgresChoices,
  policyChoices,
} from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';
import { templateProperties } from '../__testUtils__/template';
import {
  PostgresChoicePicker,
  postgresChoiceValidation,
  PostgresNameField,
  postgresNameValidation,
} from './PostgresFields';

/** The real template's form fields. */
const properties = templateProperties();

const EXTENSIONS = [
  {
    name: 'PostgresChoicePicker',
    component: PostgresChoicePicker,
    validation: postgresChoiceValidation,
  },
  {
    name: 'PostgresNameField',
    component: PostgresNameField,
    validation: postgresNameValidation,
  },
];

function apiAnswering(choices: PostgresChoices): PostgresApi {
  return {
    getEntityDatabases: async () => ({ items: [], errors: [] }),
    getFleet: async () => ({ items: [], errors: [] }),
    getPolicy: jest.fn(async () => choices),
    dismissRequest: async () => {},
  };
}

const SEED = policyChoices(DEFAULT_POLICY);
const CURATED: PostgresChoices = {
  sizes: {
    tiny: {
      description: 'Tiny: for experiments',
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '200m', memory: '256Mi' },
      },
    },
    xlarge: {
      description: 'Extra large: for the data warehouse',
      resources: {
        requests: { cpu: '4', memory: '16Gi' },
        limits: { cpu: '8', memory: '32Gi' },
      },
    },
  },
  versions: ['17', '18'],
  environments: ['qa', 'live'],
  storageGB: { min: 5, max: 50 },
  upgrades: { maxMajorSteps: 1 },
  ssm: { pathPattern: '/curated/{environment}/{service}/{name}/{key}' },
};

/** The template's step with the given fields, in the real scaffolder form (Stepper). */
async function renderForm(
  fields: string[],
  choices: PostgresChoices = SEED,
  initialState: Record<string, string> = {},
) {
  const onCreate = jest.fn(async () => {});
  await renderInTestApp(
    <TestApiProvider apis={[[postgresApiRef, apiAnswering(choices)]]}>
      <SecretsContextProvider>
        <Stepper
          manifest={{
            title: 'New Postgres DB',
            steps: [
              {
                title: 'Database',
                schema: {
                  type: 'object',
                  properties: Object.fromEntries(
                    fields.map(f => [f, properties[f]]),
                  ),
                },
              },
            ],
          }}
          extensions={EXTENSIONS}
          initialState={initialState}
          onCreate={onCreate}
        />
      </SecretsContextProvider>
    </TestApiProvider>,
  );
  return onCreate;
}

async function optionsOf(title: string): Promise<string[]> {
  await userEvent.click(
    await screen.findByRole('button', { name: new RegExp(`^${title}`) }),
  );
  const listbox = await screen.findByRole('listbox');
  const names = within(listbox)
    .getAllByRole('option')
    .map(o => o.textContent ?? '');
  await userEvent.keyboard('{Escape}');
  return names;
}

describe('PostgresChoicePicker in the template form', () => {
  it('offers what the backend serves: the seed policy, then a curated one', async () => {
    await renderForm(['size', 'version', 'environment']);
    expect(await optionsOf('Size')).toEqual([
      expect.stringMatching(
        /^Small: 250m–1000m CPU.*reserves 250m CPU and 256Mi memory, uses at most 1000m CPU and 1Gi memory$/,
      ),
      expect.stringMatching(/^Medium/),
      expect.stringMatching(/^Large/),
    ]);
    expect(await optionsOf('PostgreSQL version')).toEqual([
      expect.stringMatching(/^PostgreSQL 14/),
      expect.stringMatching(/^PostgreSQL 15/),
      expect.stringMatching(/^PostgreSQL 16/),
      expect.stringMatching(/^PostgreSQL 17/),
      'PostgreSQL 18The newest major version offered',
    ]);
    expect(await optionsOf('Environment')).toEqual(['dev', 'staging', 'prod']);
  });

  it('follows a changed config, and refuses a default the platform no longer offers', async () => {
    const onCreate = await renderForm(
      ['size', 'version', 'environment'],
      CURATED,
    );
    expect(await optionsOf('Size')).toEqual([
      'Tiny: for experimentstiny: reserves 100m CPU and 128Mi memory, uses at most 200m CPU and 256Mi memory',
      'Extra large: for the data warehousexlarge: reserves 4 CPU and 16Gi memory, uses at most 8 CPU and 32Gi memory',
    ]);
    expect(await optionsOf('PostgreSQL version')).toEqual([
      expect.stringMatching(/^PostgreSQL 17/),
      expect.stringMatching(/^PostgreSQL 18/),
    ]);
    expect(await optionsOf('Environment')).toEqual(['qa', 'live']);
    // the template's defaults (small, 16, dev) are not offered here: said at the field
    expect(
      screen.getByText(
        /'small' is not an offered size; choose one of 'tiny', 'xlarge'/,
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findAllByText(/PostgreSQL '16' is not offered/),
    ).not.toHaveLength(0);
    expect(onCreate).not.toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
  });
});

describe('PostgresNameField in the template form', () => {
  it('says as the user types that a reserved owner is refused, and blocks "Next"', async () => {
    await renderForm(['databaseOwner']);
    const owner = screen.getByRole('textbox', { name: 'Database owner' });
    await userEvent.type(owner, 'postgres');
    expect(
      screen.getByText(/'postgres' is reserved for CloudNative-PG/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    // still on the form, the message at the field (and in the error list)
    await waitFor(() =>
      expect(
        screen.getAllByText(/'postgres' is reserved for CloudNative-PG/).length,
      ).toBeGreaterThan(1),
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();

    await userEvent.clear(owner);
    await userEvent.type(owner, 'orders_app');
    expect(
      document.getElementById('root_databaseOwner-helper-text'),
    ).toHaveTextContent(/^The role that owns the database/);
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('says that a too-long claim name is refused, and blocks "Next"', async () => {
    await renderForm(['name']);
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Database name (claim)' }),
      'a'.repeat(51),
    );
    expect(
      screen.getByText(/Use at most 50 characters \(this has 51\)/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    // the form's schema (maxLength, mirrored from the same rules) blocks it too
    expect(
      await screen.findAllByText(/more than 50 characters/),
    ).not.toHaveLength(0);
    expect(document.getElementById('root_name-helper-text')).toHaveTextContent(
      'Use at most 50 characters (this has 51)',
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
  });

  it('refuses a system database name', async () => {
    await renderForm(['databaseName']);
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Application database' }),
      'template1',
    );
    expect(
      screen.getByText(/'template1' is a system database/),
    ).toBeInTheDocument();
  });
});
