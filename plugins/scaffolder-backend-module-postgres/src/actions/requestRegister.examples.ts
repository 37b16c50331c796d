import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import { EXAMPLE_GITOPS_TARGET } from './credentialsWrite.examples';

export const examples: TemplateExample[] = [
  {
    description:
      "After the pull request step: show the request for agent-executor-db on agent-executor's Databases tab from now on (pull request open, merged, claim seen, healthy).",
    example: stringify({
      steps: [
        {
          id: 'request',
          action: 'postgres:request:register',
          name: 'Show the request on the service',
          input: {
            component: 'component:default/agent-executor',
            namespace: 'databases',
            name: 'agent-executor-db',
            repoUrl: EXAMPLE_GITOPS_TARGET.repoUrl,
            pullRequestNumber: 42,
          },
        },
      ],
    }),
  },
];
