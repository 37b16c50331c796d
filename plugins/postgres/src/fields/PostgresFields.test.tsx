import type { JsonValue } from '@backstage/types';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import { SecretsContextProvider } from '@backstage/plugin-scaffolder-react';
import {
  AvailabilityQuery,
  DatabaseAvailability,
  DatabaseItem,
  DEFAULT_POLICY,
  PostgresChoices,
  policyChoices,
} from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';
import {
  changeTemplateSteps,
  templateProperties,
} from '../__testUtils__/template';
import { changeLinkValues } from '../components/shared';
import {
  PostgresChoicePicker,
  postgresChoiceValidation,
  PostgresNameField,
  postgresNameValidation,
} from './PostgresFields';
import {
  PostgresStorageField,
  postgresStorageValidation,
} from './PostgresStorageField';

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
  {
    name: 'PostgresStorageField',
    component: PostgresStorageField,
    validation: postgresStorageValidation,
  },
];

const FREE: DatabaseAvailability = {
  verdict: 'free',
  message: 'The names are free.',
  checks: [],
};

/** The availability route's answers, per question; every question asked is kept. */
type Availability = (
  query: AvailabilityQuery,
) => DatabaseAvailability | Promise<DatabaseAvailability>;

function apiAnswering(
  choices: PostgresChoices,
  availability: Availability = () => FREE,
) {
  return {
    getEntityDatabases: async () => ({ items: [], errors: [] }),
    getFleet: async () => ({ items: [], errors: [] }),
    getPolicy: jest.fn(async () => choices),
    dismissRequest: async () => {},
    checkAvailability: jest.fn(async (q: AvailabilityQuery) => availability(q)),
  } satisfies PostgresApi;
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
  availability?: Availability,
) {
  const onCreate = jest.fn(async () => {});
  const api = apiAnswering(choices, availability);
  await renderInTestApp(
    <TestApiProvider apis={[[postgresApiRef, api]]}>
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
  return Object.assign(onCreate, { api });
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
  jest.setTimeout(20_000);
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
  jest.setTimeout(20_000);
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
    // what holds now, not the last "Review"'s message (the template hides the form's copy)
    expect(
      document.getElementById('root_databaseOwner-helper-text'),
    ).toHaveTextContent(/^The role that owns the database/);
    expect(document.getElementById('root_databaseOwner__error')).toBeNull();
    expect(owner).toHaveAttribute('aria-invalid', 'false');
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
    // the form's schema (maxLength, mirrored from the same rules) blocks it too, in words
    expect(
      await screen.findAllByText(/at most 50 lowercase letters/),
    ).not.toHaveLength(0);
    expect(document.getElementById('root_name-helper-text')).toHaveTextContent(
      'Use at most 50 characters (this has 51)',
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
    // never the schema's own text
    expect(document.body.textContent).not.toMatch(
      /must NOT have|must match pattern|\^\[a-z/,
    );
  });

  it('a name that breaks the pattern is said in words at the top too, never as a regex', async () => {
    await renderForm(['name', 'namespace', 'databaseOwner']);
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Database name (claim)' }),
      'Orders_DB',
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Namespace' }),
      '-orders',
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Database owner' }),
      'Orders-App',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await waitFor(() =>
      expect(document.body.textContent).toMatch(/'Namespace' must be/),
    );
    expect(document.body.textContent).not.toMatch(
      /must NOT have|must match pattern|\^\[a-z/,
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
  });

  it("the namespace starts as the service's name, as the service's description says", async () => {
    await renderForm(['namespace'], SEED, {
      component: 'component:default/orders',
    });
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: 'Namespace' })).toHaveValue(
        'orders',
      ),
    );
    expect(properties.component.description).toMatch(
      /default for the names below/,
    );
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

describe('PostgresStorageField in the template form', () => {
  jest.setTimeout(20_000);
  const storage = () =>
    screen.getByRole('spinbutton', { name: 'Storage (GB)' });

  it('takes its bounds from the platform: the seed, then a curated policy', async () => {
    await renderForm(['storageGB']);
    // the template's default, within the seed's 10–1000
    await waitFor(() =>
      expect(
        document.getElementById('root_storageGB-helper-text'),
      ).toHaveTextContent(/Between 10 and 1000 GB\.$/),
    );
    expect(storage()).toHaveValue(20);
    await userEvent.clear(storage());
    await userEvent.type(storage(), '5');
    expect(
      screen.getByText('5 GB is out of range; choose between 10 and 1000 GB.'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await waitFor(() =>
      expect(
        screen.getAllByText(/5 GB is out of range/).length,
      ).toBeGreaterThan(0),
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();

    // fixed: nothing at the field says "5 GB" any more, and it is not red
    await userEvent.clear(storage());
    await userEvent.type(storage(), '50');
    await waitFor(() =>
      expect(
        document.getElementById('root_storageGB-helper-text'),
      ).toHaveTextContent(/Between 10 and 1000 GB\.$/),
    );
    expect(document.getElementById('root_storageGB__error')).toBeNull();
    expect(storage()).toHaveAttribute('aria-invalid', 'false');
  });

  it('follows a changed config: 5 GB is fine where the platform allows 5–50, 60 is not', async () => {
    await renderForm(['storageGB'], CURATED);
    await waitFor(() =>
      expect(
        document.getElementById('root_storageGB-helper-text'),
      ).toHaveTextContent(/Between 5 and 50 GB\.$/),
    );
    await userEvent.clear(storage());
    await userEvent.type(storage(), '60');
    expect(
      screen.getByText('60 GB is out of range; choose between 5 and 50 GB.'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await screen.findByText(/1 error/i).catch(() => undefined);
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();

    await userEvent.clear(storage());
    await userEvent.type(storage(), '5');
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('the template carries no copy of the bounds', () => {
    expect(properties.storageGB).toMatchObject({
      type: 'integer',
      'ui:field': 'PostgresStorageField',
    });
    expect(properties.storageGB.minimum).toBeUndefined();
    expect(properties.storageGB.maximum).toBeUndefined();
  });
});

/** What the earlier steps (Service, Placement) filled in. */
const PLACED = {
  component: 'component:default/orders',
  environment: 'dev',
  namespace: 'orders',
  repoUrl: 'localhost:7020?owner=platform&repo=gitops',
};

const SSM_CHECKS = [
  {
    subject: 'ssm' as const,
    name: '/zerotouch/dev/orders/postgres/user',
    state: 'free' as const,
  },
  {
    subject: 'ssm' as const,
    name: '/zerotouch/dev/orders/postgres/password',
    state: 'free' as const,
  },
];

const claimName = () =>
  screen.getByRole('textbox', { name: 'Database name (claim)' });

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * "Next" (here "Review") was refused with this message for the field: the form lists it at the
 * top, and stays on the page.
 */
async function refusedAt(title: string, message: string | RegExp) {
  const said =
    typeof message === 'string' ? escape(message) : `.*?${message.source}`;
  await waitFor(() =>
    expect(document.body).toHaveTextContent(
      new RegExp(`'${escape(title)}' ${said}`),
    ),
  );
  expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
}

describe('availability in the template form', () => {
  jest.setTimeout(20_000);

  it('asks about the whole request as the name is typed, once typing pauses, and says "Available"', async () => {
    const { api } = await renderForm(['name'], SEED, PLACED, () => ({
      ...FREE,
      checks: SSM_CHECKS,
    }));
    // before anything is typed: the default name (<service>-db) is asked about
    await screen.findByText('Available.');
    expect(api.checkAvailability).toHaveBeenLastCalledWith(PLACED);
    api.checkAvailability.mockClear();

    await userEvent.type(claimName(), 'orders-main');
    await screen.findByText('Available.');
    // one question for the whole name, not one per keystroke
    expect(api.checkAvailability.mock.calls).toEqual([
      [{ ...PLACED, name: 'orders-main' }],
    ]);
    expect(screen.getByTestId('ssm-parameters')).toHaveTextContent(
      'Credentials go to AWS SSM: /zerotouch/dev/orders/postgres/user, /zerotouch/dev/orders/postgres/password.',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('a taken name is said at the field and blocks "Next"', async () => {
    const message =
      'orders/orders-db is used by another database; choose another name.';
    const onCreate = await renderForm(['name'], SEED, PLACED, q =>
      q.name === 'orders-db'
        ? { verdict: 'taken', message, field: 'name', checks: [] }
        : FREE,
    );
    await userEvent.type(claimName(), 'orders-db');
    await screen.findByText(message);
    expect(claimName()).toHaveAttribute('aria-invalid', 'true');
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    // refused, in the list at the top; under the field the field's own line says it, once (the
    // form's copy, which would stay after a change, is hidden)
    await refusedAt('Database name (claim)', message);
    expect(
      screen.getByRole('status', { name: 'Availability of name' }),
    ).toHaveTextContent(message);
    expect(document.getElementById('root_name__error')).toBeNull();
    expect(onCreate).not.toHaveBeenCalled();

    // another name is free: on to the review
    await userEvent.clear(claimName());
    await userEvent.type(claimName(), 'orders-db2');
    await screen.findByText('Available.');
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('the default name, left empty, is checked too and blocks "Next" when taken', async () => {
    const message = 'orders/orders-db is used by another database.';
    await renderForm(['name'], SEED, PLACED, q =>
      q.name === undefined
        ? { verdict: 'taken', message, field: 'name', checks: [] }
        : FREE,
    );
    await screen.findByText(message);
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await refusedAt('Database name (claim)', message);
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
  });

  it('a database that exists is said with a link to it, and blocks "Next"', async () => {
    await renderForm(['name'], SEED, PLACED, () => ({
      verdict: 'exists',
      message: 'orders/orders-db exists already (merged on the GitOps branch).',
      field: 'name',
      url: 'http://localhost:3000/catalog/default/resource/orders-db.orders.sandbox-a',
      checks: [],
    }));
    const link = await screen.findByRole('link', {
      name: /^Open the existing database/,
    });
    expect(link).toHaveAttribute(
      'href',
      'http://localhost:3000/catalog/default/resource/orders-db.orders.sandbox-a',
    );
    expect(
      screen.getByText(/orders\/orders-db exists already/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await refusedAt('Database name (claim)', /exists already/);
    // the link stays under the field
    expect(
      screen.getByRole('link', { name: /^Open the existing database/ }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
  });

  it('a half-done earlier run may be finished, and an unchecked name is left to the task: neither blocks', async () => {
    await renderForm(['name'], SEED, PLACED, q =>
      q.name === 'orders-db'
        ? {
            verdict: 'retry',
            message:
              'An earlier run of this request wrote some of its names: running again finishes it.',
            checks: [
              { ...SSM_CHECKS[0], state: 'ours' },
              { ...SSM_CHECKS[1], state: 'ours' },
            ],
          }
        : {
            verdict: 'unknown',
            message: 'Cluster sandbox-b could not be read.',
            checks: [],
          },
    );
    await screen.findByText(/Not everything could be checked now/);
    expect(
      screen.getByText(/The task checks again when it runs\./),
    ).toBeInTheDocument();
    await userEvent.type(claimName(), 'orders-db');
    await screen.findByText(/An earlier run of this request can be finished/);
    expect(screen.getByTestId('ssm-parameters')).toHaveTextContent(
      '/zerotouch/dev/orders/postgres/user (written by an earlier run of this request)',
    );
    expect(claimName()).toHaveAttribute('aria-invalid', 'false');
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it("is not asked while a name breaks the rules: the field's own message says what to change", async () => {
    const { api } = await renderForm(['name', 'databaseOwner'], SEED, PLACED);
    await screen.findByText('Available.');
    api.checkAvailability.mockClear();
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Database owner' }),
      'postgres',
    );
    await userEvent.type(claimName(), 'a'.repeat(51));
    await new Promise(r => setTimeout(r, 600));
    expect(api.checkAvailability).not.toHaveBeenCalled();
    expect(screen.queryByText('Available.')).toBeNull();
  });

  it('a refusal (403) is said at the field and blocks "Next"; a failure leaves it to the task', async () => {
    const refused = Object.assign(new Error('Request failed with 403'), {
      statusCode: 403,
      cause: {
        message:
          'You may not create a database for component:default/orders: only its owners may.',
      },
    });
    await renderForm(['name'], SEED, PLACED, q => {
      if (q.name === 'down') throw new Error('Request failed with 503');
      throw refused;
    });
    await screen.findByText(/only its owners may/);
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await refusedAt('Database name (claim)', /only its owners may/);
    await userEvent.type(claimName(), 'down');
    await screen.findByText(
      'Availability could not be checked (Request failed with 503). The task checks again when it runs.',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('a pause of the route (429) says so without blaming the names, and asks again once it is over', async () => {
    let paused = true;
    const { api } = await renderForm(['name'], SEED, PLACED, () => {
      if (paused) {
        throw Object.assign(new Error('Request failed with 429'), {
          statusCode: 429,
          response: { headers: new Headers({ 'retry-after': '1' }) },
        });
      }
      return FREE;
    });
    await screen.findByText(
      'Checking paused: too many checks in a minute; checking again in 1 s. Nothing is wrong with the names.',
    );
    const asked = api.checkAvailability.mock.calls.length;
    paused = false;
    await screen.findByText('Available.', {}, { timeout: 3000 });
    expect(api.checkAvailability.mock.calls.length).toBe(asked + 1);
  });

  it('the connection secret shows its own checks, and a taken one blocks "Next" there', async () => {
    const message =
      "The secret orders/orders-postgres is another database's connection secret; name this one yourself.";
    await renderForm(['name', 'connectionSecretName'], SEED, PLACED, q =>
      q.connectionSecretName === 'orders-main-postgres'
        ? {
            ...FREE,
            checks: [
              {
                subject: 'connectionSecret',
                name: 'orders/orders-main-postgres',
                state: 'free',
                field: 'connectionSecretName',
              },
            ],
          }
        : {
            verdict: 'taken',
            message,
            field: 'connectionSecretName',
            checks: [
              {
                subject: 'connectionSecret',
                name: 'orders/orders-postgres',
                state: 'taken',
                message,
                field: 'connectionSecretName',
              },
            ],
          },
    );
    const secret = screen.getByRole('textbox', {
      name: 'Connection secret (optional; empty: <service>-postgres)',
    });
    const secretStatus = () =>
      screen.getByRole('status', {
        name: 'Availability of connectionSecretName',
      });
    // left empty, its default is taken: said under it, and "Next" stops at the claim name,
    // whose question covers the whole request
    await waitFor(() => expect(secretStatus()).toHaveTextContent(message));
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await refusedAt('Database name (claim)', message);
    // typed, the same name stops "Next" at its own field
    await userEvent.type(secret, 'orders-postgres');
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await refusedAt(
      'Connection secret (optional; empty: <service>-postgres)',
      message,
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();

    await userEvent.clear(secret);
    await userEvent.type(secret, 'orders-main-postgres');
    await waitFor(() =>
      expect(secretStatus()).toHaveTextContent(/^Available\.$/),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });
});

describe('one database per service and environment', () => {
  jest.setTimeout(20_000);
  // as the route says it when the seed's pattern gives a second database the first one's names
  const advice =
    "The platform's SSM path pattern (/zerotouch/{environment}/{service}/postgres/{key}) holds one database per service and environment: choose another environment, or ask the platform team to add {name} to postgres.ssm.pathPattern.";
  const collision = `The SSM parameter /zerotouch/dev/orders/postgres/user already holds the credentials of orders/orders-db, another database of this service. ${advice}`;
  const ssmTaken: DatabaseAvailability = {
    verdict: 'taken',
    message: collision,
    field: 'environment',
    checks: [
      { ...SSM_CHECKS[0], state: 'taken', message: collision },
      { ...SSM_CHECKS[1], state: 'taken' },
    ],
  };

  it("with the seed's SSM path, the environment says so, and a second database is refused at its name", async () => {
    await renderForm(['environment', 'name'], SEED, PLACED, () => ssmTaken);
    expect(
      await screen.findByText(
        /Credentials go to AWS SSM under \/zerotouch\/\{environment\}\/\{service\}\/postgres\/\{key\}, which holds one database per service and environment\.$/,
      ),
    ).toBeInTheDocument();
    await screen.findByText(collision);
    expect(screen.getByTestId('ssm-parameters')).toHaveTextContent(
      '/zerotouch/dev/orders/postgres/user (used by something else)',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await refusedAt('Database name (claim)', collision);
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
  });

  it('with {name} in the path, each database has its own parameters: no such note', async () => {
    await renderForm(
      ['environment', 'name'],
      CURATED,
      { ...PLACED, environment: 'qa' },
      () => ({
        ...FREE,
        checks: [
          {
            subject: 'ssm',
            name: '/curated/qa/orders/orders-db/user',
            state: 'free',
          },
        ],
      }),
    );
    expect(
      await screen.findByText(
        /Credentials go to AWS SSM under \/curated\/\{environment\}\/\{service\}\/\{name\}\/\{key\}: each database has its own parameters\.$/,
      ),
    ).toBeInTheDocument();
    await screen.findByText('Available.');
    expect(screen.queryByText(/one database per service/)).toBeNull();
  });
});

describe('the change template checks as you type', () => {
  jest.setTimeout(20_000);
  const { Change: changeStep } = changeTemplateSteps();
  const TODAY = {
    component: 'component:default/orders',
    namespace: 'orders',
    name: 'orders-db',
  };
  /** What the Databases tab's "Grow storage" puts in the form besides the database. */
  const CHANGE_LINK_VALUES = changeLinkValues(
    {
      cluster: 'sandbox-a',
      namespace: 'orders',
      name: 'orders-db',
      spec: { size: 'small', version: '16', storageGB: 10 },
    } as DatabaseItem,
    'component:default/orders',
    'growStorage',
  );

  /** The real "Change" step, opened from the Databases tab with today's values. */
  async function renderChange(
    operation: string,
    storageGB = 10,
    today: { size?: string; version?: string } = {},
    chosen: Record<string, string> = {},
    /** The form's values as given, instead of today's and `chosen`. */
    initialState?: Record<string, JsonValue>,
  ) {
    const { size = 'small', version = '16' } = today;
    const api = {
      ...apiAnswering(SEED),
      getEntityDatabases: jest.fn(async () => ({
        items: [
          {
            cluster: 'sandbox-a',
            namespace: 'orders',
            name: 'orders-db',
            spec: { size, version, storageGB },
          } as DatabaseItem,
        ],
        errors: [],
      })),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[postgresApiRef, api]]}>
        <SecretsContextProvider>
          <Stepper
            manifest={{
              title: 'Change Postgres DB',
              steps: [{ title: 'Change', schema: changeStep }],
            }}
            extensions={EXTENSIONS}
            initialState={
              initialState ?? {
                ...TODAY,
                operation,
                storageGB,
                size: 'small',
                ...chosen,
              }
            }
            onCreate={async () => {}}
          />
        </SecretsContextProvider>
      </TestApiProvider>,
    );
    return api;
  }

  it("the new storage must be more than today's (as the Databases tab reads it) and within the maximum", async () => {
    const api = await renderChange('growStorage');
    const storage = await screen.findByRole('spinbutton', {
      name: 'New storage (GB)',
    });
    await screen.findByText(
      'The database already has 10 GB; enter more to grow it.',
    );
    expect(api.getEntityDatabases).toHaveBeenCalledWith({
      kind: 'component',
      namespace: 'default',
      name: 'orders',
    });
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    // the field says it (its own words, current); "Next" lists it at the top
    await waitFor(() =>
      expect(
        screen.getAllByText(/The database already has 10 GB/).length,
      ).toBeGreaterThan(1),
    );
    expect(
      document.getElementById('root_storageGB-helper-text'),
    ).toHaveTextContent('The database already has 10 GB');
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();

    await userEvent.clear(storage);
    await userEvent.type(storage, '5');
    expect(
      screen.getByText(/Storage cannot shrink .* the database has 10 GB/),
    ).toBeInTheDocument();
    await userEvent.clear(storage);
    await userEvent.type(storage, '2000');
    expect(
      screen.getByText(
        "2000 GB is more than the platform's maximum of 1000 GB; ask the platform team for more.",
      ),
    ).toBeInTheDocument();
    await userEvent.clear(storage);
    await userEvent.type(storage, '30');
    await waitFor(() =>
      expect(
        document.getElementById('root_storageGB-helper-text'),
      ).toHaveTextContent(/Today 10 GB; at most 1000 GB\.$/),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('opened as the Databases tab opens it, nothing is red before anything is typed', async () => {
    await renderChange(
      'growStorage',
      10,
      {},
      {},
      {
        ...TODAY,
        ...CHANGE_LINK_VALUES,
      },
    );
    await waitFor(() =>
      expect(
        document.getElementById('root_storageGB-helper-text'),
      ).toHaveTextContent(/Today 10 GB/),
    );
    expect(
      screen.getByRole('spinbutton', { name: 'New storage (GB)' }),
    ).toHaveAttribute('aria-invalid', 'false');
    expect(document.querySelector('.Mui-error')).toBeNull();
  });

  it("a decommission's typed name must be the database's", async () => {
    await renderChange('decommission');
    const confirm = await screen.findByRole('textbox', {
      name: "Type the database's name to confirm",
    });
    await userEvent.type(confirm, 'orders');
    expect(
      screen.getByText(
        "Type the database's name, orders-db, to confirm that it is to be removed.",
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await waitFor(() =>
      expect(
        document.getElementById('root_confirmName__error'),
      ).toHaveTextContent('Type the database'),
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
    await userEvent.type(confirm, '-db');
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('the upgrade offers only what the change action accepts: no downgrade, not the same version, no skipped major', async () => {
    // today 16, the seed offers 14–18 and one major at a time: only 17 is an upgrade
    await renderChange(
      'upgradeVersion',
      10,
      { version: '16' },
      { version: '16' },
    );
    await waitFor(() =>
      expect(
        document.getElementById('root_version-helper-text'),
      ).toHaveTextContent('The database already runs PostgreSQL 16.'),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await waitFor(() =>
      expect(document.getElementById('root_version__error')).toHaveTextContent(
        'The database already runs PostgreSQL 16.',
      ),
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
    expect(await optionsOf('New PostgreSQL version')).toEqual([
      expect.stringMatching(/^PostgreSQL 17/),
    ]);
  });

  it('a downgrade chosen before (a link, a stale form) is refused at the field and blocks "Next"', async () => {
    await renderChange(
      'upgradeVersion',
      10,
      { version: '17' },
      { version: '14' },
    );
    await screen.findAllByText(
      /PostgreSQL cannot be downgraded \(from 17 to 14\)/,
    );
    expect(await optionsOf('New PostgreSQL version')).toEqual([
      expect.stringMatching(/^PostgreSQL 18/),
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await waitFor(() =>
      expect(document.getElementById('root_version__error')).toHaveTextContent(
        'cannot be downgraded',
      ),
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
  });

  it("the size picker does not offer or accept today's size", async () => {
    await renderChange('changeSize', 10, { size: 'small' }, { size: 'small' });
    await waitFor(() =>
      expect(
        document.getElementById('root_size-helper-text'),
      ).toHaveTextContent(
        "The database is already 'small'; choose another size.",
      ),
    );
    expect(await optionsOf('New size')).toEqual([
      expect.stringMatching(/^Medium/),
      expect.stringMatching(/^Large/),
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    await waitFor(() =>
      expect(document.getElementById('root_size__error')).toHaveTextContent(
        "The database is already 'small'",
      ),
    );
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();
    await userEvent.click(
      await screen.findByRole('button', { name: /^New size/ }),
    );
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: /^Medium/,
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Review' }));
    expect(
      await screen.findByRole('button', { name: 'Create' }),
    ).toBeInTheDocument();
  });

  it('the change template has no deprecated enumNames', () => {
    expect(JSON.stringify(changeStep)).not.toMatch(/"enumNames"/);
  });
});
