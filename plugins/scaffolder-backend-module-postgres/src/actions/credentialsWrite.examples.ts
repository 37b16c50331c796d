import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import { SEED_EXAMPLE_REQUEST } from '@bizmatters/plugin-postgres-common';

// The seed example, with name and service left to their defaults from the component.
const {
  name: _name,
  service: _service,
  ...SEED_EXAMPLE_INPUT
} = SEED_EXAMPLE_REQUEST;

/** A GitOps target; it must be listed in postgres.gitops.repositories. */
export const EXAMPLE_GITOPS_TARGET = {
  repoUrl: 'github.com?owner=platform&repo=gitops',
  baseBranch: 'main',
};

export const examples: TemplateExample[] = [
  {
    description:
      "Write generated credentials for the seed example (agent-executor, prod). The task's initiator must hold postgres.database.create on the component; the pull request must go to an allowed GitOps repository.",
    example: stringify({
      steps: [
        {
          id: 'credentials',
          action: 'postgres:credentials:write',
          name: 'Write credentials to SSM',
          input: { ...SEED_EXAMPLE_INPUT, ...EXAMPLE_GITOPS_TARGET },
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
            component: 'component:default/orders',
            name: 'orders-db',
            namespace: 'payments',
            environment: 'dev',
            size: 'small',
            version: '17',
            storageGB: 10,
            databaseName: 'orders',
            databaseOwner: 'orders_app',
            passwordSecret: 'postgresPassword',
            ...EXAMPLE_GITOPS_TARGET,
          },
        },
      ],
    }),
  },
];
