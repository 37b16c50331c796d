import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Write the manifests of the seed example into the workspace (databases/databases/agent-executor-db/).',
    example: stringify({
      steps: [
        {
          id: 'manifests',
          action: 'postgres:manifests:create',
          name: 'Write manifests',
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
];
