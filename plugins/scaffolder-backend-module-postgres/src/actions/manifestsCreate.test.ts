import { seedInput } from '../__testUtils__/seed';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ENTITY_REF_ANNOTATION,
  OWNER_ANNOTATION,
  renderManifests,
} from '@bizmatters/plugin-postgres-common';
import {
  mockActionContext,
  GITOPS_REPO_URL,
  unitAuthorizer,
  unitSettings,
} from '../__testUtils__/actionDeps';
import { createPostgresManifestsCreateAction } from './manifestsCreate';
import { examples } from './manifestsCreate.examples';

const input = { ...seedInput(), repoUrl: GITOPS_REPO_URL };

describe('postgres:manifests:create', () => {
  const dir = createMockDirectory();
  beforeEach(() => dir.clear());

  async function run(
    actionInput: Record<string, unknown>,
    postgres = {},
    authorize:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  ) {
    const action = createPostgresManifestsCreateAction({
      settings: unitSettings(postgres),
      // an SSM without parameters: the rendered keys are free
      ssmClient: { send: async () => ({ Parameters: [] }) } as any,
      ...unitAuthorizer(authorize),
    });
    const { ctx } = mockActionContext({
      input: actionInput,
      workspacePath: dir.path,
      user: 'user:default/alice',
    });
    await action.handler(ctx as any);
    return ctx;
  }

  it('writes the two manifests and a kustomization at the configured path', async () => {
    const ctx = await run(input);
    const folder = path.join(dir.path, 'databases/databases/agent-executor-db');
    expect(fs.readdirSync(folder).sort()).toEqual([
      'externalsecret.yaml',
      'kustomization.yaml',
      'postgresinstance.yaml',
    ]);
    const { repoUrl: _repoUrl, ...request } = input;
    const expected = renderManifests({
      ...request,
      service: 'agent-executor',
      name: 'agent-executor-db',
      owner: 'group:default/team-agents',
    });
    // the entity and its owner group from the catalog, on both objects
    for (const object of [expected.externalSecret, expected.postgresInstance]) {
      expect(object.metadata?.annotations).toMatchObject({
        [ENTITY_REF_ANNOTATION]: 'component:default/agent-executor',
        [OWNER_ANNOTATION]: 'group:default/team-agents',
      });
    }
    expect(
      parse(fs.readFileSync(path.join(folder, 'externalsecret.yaml'), 'utf8')),
    ).toEqual(expected.externalSecret);
    expect(
      parse(
        fs.readFileSync(path.join(folder, 'postgresinstance.yaml'), 'utf8'),
      ),
    ).toEqual(expected.postgresInstance);
    expect(ctx.output).toHaveBeenCalledWith(
      'path',
      'databases/databases/agent-executor-db',
    );
    expect(ctx.output).toHaveBeenCalledWith('files', [
      'databases/databases/agent-executor-db/externalsecret.yaml',
      'databases/databases/agent-executor-db/postgresinstance.yaml',
      'databases/databases/agent-executor-db/kustomization.yaml',
    ]);
  });

  it('follows postgres.gitops.pathPattern and the ESO apiVersion from config', async () => {
    await run(input, {
      gitops: { pathPattern: 'clusters/{environment}/{namespace}/{name}' },
      externalSecret: { apiVersion: 'external-secrets.io/v1' },
    });
    const file = path.join(
      dir.path,
      'clusters/prod/databases/agent-executor-db/externalsecret.yaml',
    );
    expect(parse(fs.readFileSync(file, 'utf8')).apiVersion).toBe(
      'external-secrets.io/v1',
    );
  });

  it.each([
    [{ ...input, name: '../../escape' }, 'name'],
    [{ ...input, namespace: 'a/b' }, 'namespace'],
    [{ ...input, databaseName: 'template1' }, 'databaseName'],
    [{ ...input, size: 'xxl' }, 'size'],
  ])('invalid input %# writes no file', async (bad, field) => {
    await expect(run(bad)).rejects.toThrow(new RegExp(`- ${field}:`));
    expect(fs.readdirSync(dir.path)).toEqual([]);
  });

  it('denied by the permission policy: NotAllowedError naming the component, no file', async () => {
    await expect(run(input, {}, AuthorizeResult.DENY)).rejects.toThrow(
      /may not create a database for component:default\/agent-executor/,
    );
    expect(fs.readdirSync(dir.path)).toEqual([]);
  });

  it('a GitOps target that is not allowed writes no file', async () => {
    await expect(
      run({ ...input, repoUrl: 'github.com?owner=platform&repo=other' }),
    ).rejects.toThrow(/- repoUrl: Pull requests may not go to/);
    expect(fs.readdirSync(dir.path)).toEqual([]);
  });

  it('its examples parse and run', async () => {
    for (const example of examples) {
      const step = parse(example.example).steps[0];
      expect(step.action).toBe('postgres:manifests:create');
      await run(step.input);
    }
    expect(fs.readdirSync(dir.path)).toEqual(['databases']);
  });
});
