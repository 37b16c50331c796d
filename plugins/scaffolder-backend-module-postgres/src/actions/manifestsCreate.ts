import fs from 'fs-extra';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  applicationEnvYaml,
  resolveDatabaseRequest,
  gitopsPath,
  renderManifestFiles,
} from '@bizmatters/plugin-postgres-common';
import { ModuleSettings } from '../config';
import { requestInputSchema } from './requestSchema';
import {
  checkCreation,
  CreationChecks,
  gitopsTargetInputSchema,
} from './creation';
import { examples } from './manifestsCreate.examples';

export const MANIFESTS_CREATE_ACTION_ID = 'postgres:manifests:create';

/**
 * `postgres:manifests:create`: validates the request and the GitOps target, checks that the
 * task's initiator may create a database for the component, and writes `externalsecret.yaml`,
 * `postgresinstance.yaml` and `kustomization.yaml` into the workspace, in the folder the
 * `postgres.gitops.pathPattern` gives. The manifests name the component and its owner group
 * (from the catalog) in their annotations.
 */
export function createPostgresManifestsCreateAction(
  options: {
    settings: ModuleSettings;
  } & CreationChecks,
) {
  const { settings } = options;
  return createTemplateAction({
    id: MANIFESTS_CREATE_ACTION_ID,
    description:
      'Writes the ExternalSecret (sync-wave 0) and PostgresInstance (sync-wave 1) manifests of a database, with a kustomization, into the workspace.',
    examples,
    supportsDryRun: true,
    schema: {
      input: { ...requestInputSchema, ...gitopsTargetInputSchema },
      output: {
        path: z =>
          z
            .string()
            .describe('Folder of the manifests, relative to the workspace'),
        files: z =>
          z
            .array(z.string())
            .describe('Files written, relative to the workspace'),
        credentialsSecretName: z =>
          z.string().describe('Secret the ExternalSecret makes'),
        connectionSecretName: z =>
          z.string().describe('Secret the application reads'),
        applicationEnv: z =>
          z
            .string()
            .describe(
              'YAML env block that wires an application to the connection secret',
            ),
      },
    },
    async handler(ctx) {
      const checked = await checkCreation(ctx.input, settings, options, () =>
        ctx.getInitiatorCredentials(),
      );
      const request = resolveDatabaseRequest(checked.request);
      const folder = gitopsPath(request, settings.policy);
      const files = renderManifestFiles(request, settings.policy);
      const target = resolveSafeChildPath(ctx.workspacePath, folder);
      await fs.ensureDir(target);
      const written: string[] = [];
      for (const [file, text] of Object.entries(files)) {
        await fs.writeFile(resolveSafeChildPath(target, file), text, 'utf8');
        written.push(`${folder}/${file}`);
      }
      ctx.logger.info(`Wrote ${written.join(', ')}`);
      ctx.output('path', folder);
      ctx.output('files', written);
      ctx.output('credentialsSecretName', request.credentialsSecretName);
      ctx.output('connectionSecretName', request.connectionSecretName);
      ctx.output(
        'applicationEnv',
        applicationEnvYaml(request.connectionSecretName),
      );
    },
  });
}
