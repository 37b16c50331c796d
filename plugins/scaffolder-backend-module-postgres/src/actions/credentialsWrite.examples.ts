import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import { SEED_EXAMPLE_REQUEST } from '@bizmatters/plugin-postgres-common';

// The seed example, with name and service left to their defaults from the component.
const {
  name: _name,
  service: _service,
  ...SEED_EXAMPLE_INPUT
} = SEED_EXAMPLE_REQUEST;

export const examples: TemplateExample[] = [
  {
    description:
      'Write generated credentials for the seed example (agent-executor, prod).',
    example: stringify({
      steps: [
        {
          id: 'credentials',
          action: 'postgres:credentials:write',
          name: 'Write credentials to SSM',
          input: SEED_EXAMPLE_INPUT,
        },
      ],
    }),
  },
  {
    description:
      'Use a password the user typed into a Secret field (ui:field: Secret) instead of a generated one.',
    example: stringify({
      steps: [
        {
          id: 'credentials',
          action: 'postgres:credentials:write',
          input: {
            service: 'orders',
            name: 'orders-db',
            namespace: 'payments',
            environment: 'dev',
            size: 'small',
            version: '17',
            storageGB: 10,
            databaseName: 'orders',
            databaseOwner: 'orders_app',
            passwordSecret: 'postgresPassword',
          },
        },
      ],
    }),
  },
];
