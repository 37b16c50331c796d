import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import { EXAMPLE_GITOPS_TARGET } from './credentialsWrite.examples';

export const examples: TemplateExample[] = [
  {
    description:
      "Write the owner the claim names as the username in SSM of billing's database, whose username and owner differ.",
    example: stringify({
      steps: [
        {
          id: 'repair',
          action: 'postgres:credentials:repair',
          name: 'Repair the credentials',
          input: {
            component: 'component:default/billing',
            namespace: 'billing',
            name: 'billing-db',
            ...EXAMPLE_GITOPS_TARGET,
          },
        },
      ],
    }),
  },
];
