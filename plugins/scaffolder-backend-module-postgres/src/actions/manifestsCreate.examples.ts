import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import { SEED_EXAMPLE_REQUEST } from '@bizmatters/plugin-postgres-common';
import { EXAMPLE_GITOPS_TARGET } from './credentialsWrite.examples';

// The seed example, with name and service left to their defaults from the component.
const {
  name: _name,
  service: _service,
  ...SEED_EXAMPLE_INPUT
} = SEED_EXAMPLE_REQUEST;

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
          input: { ...SEED_EXAMPLE_INPUT, ...EXAMPLE_GITOPS_TARGET },
        },
      ],
    }),
  },
];
