import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

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
          input: {
            component: 'component:default/agent-executor',
            namespace: 'databases',
            environment: 'prod',
            size: 'medium',
            version: '16',
            storageGB: 20,
            databaseName: 'agent_executor_db_prod',
            databaseOwner: 'agent_executor',
          },
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
