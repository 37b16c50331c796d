import fs from 'fs-extra';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ConflictError } from '@backstage/errors';
import {
  applicationEnvYaml,
  ssmParameterNames,
  resolveDatabaseRequest,
  gitopsPath,
  renderManifestFiles,
} from '@bizmatters/plugin-postgres-common';
import { ModuleSettings } from '../config';
import { SsmCredentials } from '../ssmCredentials';
import { auditNote } from './guard';
import { requestInputSchema } from './requestSchema';
import {
  checkCreation,
  CreationChecks,
  gitopsTargetInputSchema,
} from './creation';
import { TaskChecks, taskOf } from './taskChecks';
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
    ssmClient: SSMClient;
    /** Shares one action's checks with the task's other creating action. */
    taskChecks?: TaskChecks;
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
      // the credentials action of this task may have checked this input already
      const verified = options.taskChecks?.take(
        taskOf(ctx),
        ctx.input,
        MANIFESTS_CREATE_ACTION_ID,
      );
      const checked =
        verified?.checked ??
        (await checkCreation(ctx.input, settings, options, () =>
          ctx.getInitiatorCredentials(),
        ));
      const request = resolveDatabaseRequest(checked.request);
      // the keys the ExternalSecret renders are held to the same rule as the ones written:
      // parameters that exist must have been written for this claim of this component
      const names = ssmParameterNames(request, settings.policy);
      const claim = `${request.namespace}/${request.name}`;
      auditNote(ctx, {
        entityRef: checked.creation.entityRef,
        claim,
        ssmParameters: [names.user, names.password],
      });
      if (!verified?.ssmVerified) {
        const assessed = await new SsmCredentials(
          options.ssmClient,
          ctx.logger,
        ).assess({
          names,
          username: request.databaseOwner,
          claim,
          entity: checked.creation.entityRef,
          createdBy: checked.creation.initiator,
          taskId: ctx.task.id,
          pathPattern: settings.policy.ssm.pathPattern,
        });
        for (const state of [assessed.user, assessed.password]) {
          if (state.state === 'conflict') {
            throw new ConflictError(state.conflict.message);
          }
        }
      }
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
      auditNote(ctx, { files: written });
      ctx.output('path', folder);
      ctx.output('files', written);
      ctx.output('credentialsSecretName', request.credentialsSecretName);
      ctx.output('connectionSecretName', request.connectionSecretName);
      ctx.output(
        'applicationEnv',
        applicationEnvYaml(request.connectionSecretName),
      );
      // for the task's credentials action, if it comes after: checked (SSM is its own to check)
      if (!verified) {
        options.taskChecks?.keep(
          taskOf(ctx),
          ctx.input,
          MANIFESTS_CREATE_ACTION_ID,
          { checked, ssmVerified: false },
        );
      }
    },
  });
}
