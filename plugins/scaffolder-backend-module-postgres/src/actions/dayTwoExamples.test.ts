import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { renderManifestFiles } from '@bizmatters/plugin-postgres-common';
import {
  mockActionContext,
  unitAuthorizer,
  unitSettings,
} from '../__testUtils__/actionDeps';
import { seedInput } from '../__testUtils__/seed';
import { SsmCredentials } from '../ssmCredentials';
import { createPostgresDatabaseChangeAction } from './databaseChange';
import { examples as changeExamples } from './databaseChange.examples';
import { createPostgresCredentialsDeleteAction } from './credentialsDelete';
import { examples as deleteExamples } from './credentialsDelete.examples';

/** The seed example's folder as the template wrote it, read by path. */
const seedFiles = renderManifestFiles({
  ...seedInput(),
  owner: 'group:default/team-agents',
});
const FOLDER = 'databases/databases/agent-executor-db';

describe('the day-2 actions', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  it("postgres:database:change's examples parse and run", async () => {
    const action = createPostgresDatabaseChangeAction({
      settings: unitSettings(),
      ...unitAuthorizer(),
      gitops: {
        findFile: async () => undefined,
        readFile: async (_repo, p) =>
          p.startsWith(`${FOLDER}/`)
            ? { url: p, text: seedFiles[p.slice(FOLDER.length + 1)] }
            : undefined,
        openPullRequests: async () => [],
      },
    });
    const outputs: Record<string, unknown>[] = [];
    for (const example of changeExamples) {
      const step = parse(example.example).steps[0];
      expect(step.action).toBe('postgres:database:change');
      const { ctx } = mockActionContext({
        input: step.input,
        workspacePath: dir.path,
        user: 'user:default/alice',
      });
      await action.handler(ctx as any);
      outputs.push(Object.fromEntries(ctx.output.mock.calls));
    }
    expect(
      fs.readFileSync(
        path.join(dir.path, FOLDER, 'postgresinstance.yaml'),
        'utf8',
      ),
    ).toBe(
      seedFiles['postgresinstance.yaml'].replace(
        'storageGB: 20',
        'storageGB: 50',
      ),
    );
    expect(outputs[1].filesToDelete).toEqual(
      [
        'externalsecret.yaml',
        'postgresinstance.yaml',
        'kustomization.yaml',
      ].map(f => `${FOLDER}/${f}`),
    );
  });

  it("postgres:credentials:delete's example parses and runs", async () => {
    const deleted: string[][] = [];
    const action = createPostgresCredentialsDeleteAction({
      settings: unitSettings(),
      ...unitAuthorizer(),
      ssm: () =>
        ({
          findWrittenForClaim: async () =>
            new Map([
              [
                '/zerotouch/prod/agent-executor/postgres/user',
                {
                  tags: new Map([
                    ['backstage.io/entity', 'component:default/agent-executor'],
                  ]),
                },
              ],
            ]),
          delete: async (names: string[]) => {
            deleted.push(names);
            return names;
          },
        } as unknown as SsmCredentials),
    });
    for (const example of deleteExamples) {
      const step = parse(example.example).steps[0];
      expect(step.action).toBe('postgres:credentials:delete');
      const { ctx } = mockActionContext({
        input: step.input,
        user: 'user:default/alice',
      });
      await action.handler(ctx as any);
    }
    expect(deleted).toEqual([['/zerotouch/prod/agent-executor/postgres/user']]);
  });
});
