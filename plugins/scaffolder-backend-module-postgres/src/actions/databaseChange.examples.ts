import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import { EXAMPLE_GITOPS_TARGET } from './credentialsWrite.examples';

const DATABASE = {
  component: 'component:default/agent-executor',
  namespace: 'databases',
  name: 'agent-executor-db',
};

export const examples: TemplateExample[] = [
  {
    description:
      "Grow the seed example's storage to 50 GB, then open the pull request with the edited claim.",
    example: stringify({
      steps: [
        {
          id: 'change',
          action: 'postgres:database:change',
          name: 'Prepare the change',
          input: {
            ...DATABASE,
            operation: 'growStorage',
            storageGB: 50,
            ...EXAMPLE_GITOPS_TARGET,
          },
        },
        {
          id: 'pr',
          action: 'publish:github:pull-request',
          name: 'Open the pull request',
          input: {
            repoUrl: '${{ steps.change.output.repoUrl }}',
            targetBranchName: '${{ steps.change.output.baseBranch }}',
            branchName: '${{ steps.change.output.branchName }}',
            title: '${{ steps.change.output.title }}',
            description: '${{ steps.change.output.description }}',
            filesToDelete: '${{ steps.change.output.filesToDelete }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Decommission the seed example: the person typed its name; the pull request deletes its manifests.',
    example: stringify({
      steps: [
        {
          id: 'change',
          action: 'postgres:database:change',
          name: 'Prepare the decommission',
          input: {
            ...DATABASE,
            operation: 'decommission',
            confirmName: 'agent-executor-db',
            ...EXAMPLE_GITOPS_TARGET,
          },
        },
      ],
    }),
  },
];
