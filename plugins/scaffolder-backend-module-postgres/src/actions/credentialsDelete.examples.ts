import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import { EXAMPLE_GITOPS_TARGET } from './credentialsWrite.examples';

export const examples: TemplateExample[] = [
  {
    description:
      'Delete the SSM parameters of the decommissioned seed example, once its claim is gone.',
    example: stringify({
      steps: [
        {
          id: 'credentials',
          action: 'postgres:credentials:delete',
          name: 'Delete the credentials',
          input: {
            component: 'component:default/agent-executor',
            namespace: 'databases',
            name: 'agent-executor-db',
            ...EXAMPLE_GITOPS_TARGET,
          },
        },
      ],
    }),
  },
];
