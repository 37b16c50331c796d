/* eslint-disable @backstage/no-relative-monorepo-imports -- the dev runner shows the repository's shared reference fixtures */
/*
 * `npm start` in plugins/postgres (backstage-cli package start): the card and the tab with
 * each reference example, and the fleet page with all of them, served by a stand-in API, in an
 * app on the new frontend system.
 */
import ReactDOM from 'react-dom/client';
import { createApp } from '@backstage/frontend-defaults';
import {
  createFrontendModule,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { Grid } from '@material-ui/core';
import {
  DatabaseAvailability,
  DatabasesResponse,
  DEFAULT_POLICY,
  deriveDatabaseHealth,
  isPostgresInstance,
  KubeObject,
  policyChoices,
  selectDatabaseObjects,
  toDatabaseItem,
} from '@bizmatters/plugin-postgres-common';
import example01 from '../../../fixtures/reference/examples/01-healthy-ssm-externalsecret-variant.json';
import example02 from '../../../fixtures/reference/examples/02-healthy-zero-touch-head-variant.json';
import example03 from '../../../fixtures/reference/examples/03-cluster-stuck-setting-up-primary.json';
import example04 from '../../../fixtures/reference/examples/04-externalsecret-ssm-parameter-missing.json';
import example05 from '../../../fixtures/reference/examples/05-databaseowner-username-mismatch.json';
import { postgresApiRef, PostgresApi } from '../src';
import postgresPlugin from '../src/alpha';
import { EntityPostgresCard } from '../src/components/EntityPostgresCard';
import { EntityPostgresContent } from '../src/components/EntityPostgresContent';
import { PostgresFleetPage } from '../src/components/PostgresFleetPage';

const examples: Array<[string, { items: unknown[] }]> = [
  ['01 healthy (SSM variant)', example01],
  ['02 healthy (zero-touch)', example02],
  ['03 stuck setting up primary', example03],
  ['04 SSM parameter missing', example04],
  ['05 owner ≠ username', example05],
];

function responseFor(list: { items: unknown[] }): DatabasesResponse {
  const items = list.items as KubeObject[];
  const claim = items.find(isPostgresInstance)!;
  const objects = selectDatabaseObjects(claim, items);
  return {
    items: [
      toDatabaseItem(
        'example',
        claim,
        objects,
        deriveDatabaseHealth(objects, { now: Date.now() }),
      ),
    ],
    errors: [],
  };
}

/** The dev pages show no form: every name is free. */
const free: DatabaseAvailability = {
  verdict: 'free',
  message: 'The names are free.',
  checks: [],
};

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'agent-executor', namespace: 'default' },
  spec: { type: 'service', owner: 'team-agents', lifecycle: 'production' },
};

const pages = examples.map(([title, list], i) => {
  const api: PostgresApi = {
    getEntityDatabases: async () => responseFor(list),
    getFleet: async () => responseFor(list),
    getPolicy: async () => policyChoices(DEFAULT_POLICY),
    dismissRequest: async () => {},
    checkAvailability: async () => free,
  };
  return PageBlueprint.make({
    name: `example-${i + 1}`,
    params: {
      path: `/example-${i + 1}`,
      title,
      loader: async () => (
        <TestApiProvider apis={[[postgresApiRef, api]]}>
          <EntityProvider entity={entity}>
            <Grid container spacing={3}>
              <Grid item xs={12} md={6}>
                <EntityPostgresCard refreshMs={0} />
              </Grid>
              <Grid item xs={12}>
                <EntityPostgresContent refreshMs={0} />
              </Grid>
            </Grid>
          </EntityProvider>
        </TestApiProvider>
      ),
    },
  });
});

/** The fleet page with every example at once, one in a cluster that could not be read. */
const fleetApi: PostgresApi = {
  getEntityDatabases: async () => ({ items: [], errors: [] }),
  getFleet: async () => ({
    items: examples.flatMap(([, list]) => responseFor(list).items),
    errors: [
      { cluster: 'example-b', message: 'example-b did not answer in time' },
    ],
  }),
  getPolicy: async () => policyChoices(DEFAULT_POLICY),
  dismissRequest: async () => {},
  checkAvailability: async () => free,
};
const fleetPage = PageBlueprint.make({
  name: 'example-fleet',
  params: {
    path: '/example-fleet',
    title: 'Fleet (every example)',
    loader: async () => (
      <TestApiProvider apis={[[postgresApiRef, fleetApi]]}>
        <PostgresFleetPage />
      </TestApiProvider>
    ),
  },
});

const app = createApp({
  features: [
    postgresPlugin,
    createFrontendModule({
      pluginId: 'app',
      extensions: [...pages, fleetPage],
    }),
  ],
});
ReactDOM.createRoot(document.getElementById('root')!).render(app.createRoot());
