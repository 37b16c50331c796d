import { SSMClient } from '@aws-sdk/client-ssm';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  checkSuppliedPassword,
  ssmParameterNames,
} from '@bizmatters/plugin-postgres-common';
import { ModuleSettings } from '../config';
import { generatePassword } from '../password';
import { SsmCredentials } from '../ssmCredentials';
import { requestInputSchema } from './requestSchema';
import {
  checkCreation,
  CreationChecks,
  gitopsTargetInputSchema,
} from './creation';
import { auditNote } from './guard';
import { TaskChecks, taskOf } from './taskChecks';
import { examples } from './credentialsWrite.examples';

export const CREDENTIALS_WRITE_ACTION_ID = 'postgres:credentials:write';

/**
 * `postgres:credentials:write`: validates the request and the GitOps target, checks that the
 * task's initiator may create a database for the component, then writes the database's username
 * and a generated (or supplied) password to SSM as SecureString parameters, never overwriting and
 * reusing only parameters the same person (or task) wrote for the same claim.
 */
export function createPostgresCredentialsWriteAction(
  options: {
    settings: ModuleSettings;
    ssmClient: SSMClient;
    /** Shares one action's checks with the task's other creating action. */
    taskChecks?: TaskChecks;
  } & CreationChecks,
) {
  const { settings, ssmClient } = options;
  return createTemplateAction({
    id: CREDENTIALS_WRITE_ACTION_ID,
    description:
      "Writes a database's username and password to AWS SSM Parameter Store (SecureString, no overwrite). The password is generated unless the template passes one in secrets; it never appears in logs or outputs.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...requestInputSchema,
        ...gitopsTargetInputSchema,
        passwordSecret: z =>
          z
            .string()
            .optional()
            .describe(
              'Name of the task secret that holds a password to use instead of a generated one (default: postgresPassword)',
            ),
      },
      output: {
        request: z =>
          z
            .record(z.string(), z.unknown())
            .describe(
              'The validated request with its defaults filled in (no password)',
            ),
        owner: z =>
          z
            .string()
            .optional()
            .describe(
              "The component's owner in the catalog (the database's owner group)",
            ),
        repoUrl: z =>
          z
            .string()
            .describe(
              'The allowed GitOps repository (canonical, from postgres.gitops.repositories)',
            ),
        baseBranch: z =>
          z.string().describe('The branch the pull request must target'),
        userParameter: z =>
          z.string().describe('SSM name of the username parameter'),
        passwordParameter: z =>
          z.string().describe('SSM name of the password parameter'),
        userParameterVersion: z => z.number().optional(),
        passwordParameterVersion: z => z.number().optional(),
        parameters: z =>
          z
            .array(
              z.object({
                name: z.string(),
                version: z.number().optional(),
                action: z.string(),
              }),
            )
            .describe(
              'What happened to each parameter: created, reused, would-create, would-reuse',
            ),
      },
    },
    async handler(ctx) {
      const { passwordSecret, ...fields } = ctx.input;
      // the manifests action of this task may have checked this input already
      const verified = options.taskChecks?.take(
        taskOf(ctx),
        fields,
        CREDENTIALS_WRITE_ACTION_ID,
      );
      const checked =
        verified?.checked ??
        (await checkCreation(fields, settings, options, () =>
          ctx.getInitiatorCredentials(),
        ));
      const { request, creation, target } = checked;
      const secretName = passwordSecret || 'postgresPassword';
      const supplied = ctx.secrets?.[secretName];
      const passwordSupplied = supplied !== undefined && supplied !== '';
      if (passwordSupplied) {
        const problem = checkSuppliedPassword(supplied);
        if (problem) throw new InputError(`secrets.${secretName}: ${problem}`);
      }
      let generated: string | undefined;
      const password = () => {
        if (passwordSupplied) return supplied as string;
        generated ??= generatePassword(settings.ssm.passwordLength);
        return generated;
      };

      const names = ssmParameterNames(request, settings.policy);
      const claim = `${request.namespace}/${request.name}`;
      auditNote(ctx, {
        entityRef: creation.entityRef,
        claim,
        ssmParameters: [names.user, names.password],
      });
      ctx.logger.info(
        `${ctx.isDryRun ? 'Checking' : 'Writing'} credentials of ${claim} at ${
          names.user
        } and ${names.password}; username '${
          request.databaseOwner
        }', password ${
          passwordSupplied ? 'from the task secrets' : 'generated'
        }`,
      );
      const writer = new SsmCredentials(ssmClient, ctx.logger);
      const outcome = await writer.write(
        {
          names,
          username: request.databaseOwner,
          password,
          passwordSupplied,
          claim,
          entity: creation.entityRef,
          pathPattern: settings.policy.ssm.pathPattern,
          createdBy: creation.initiator,
          taskId: ctx.task.id,
          kmsKeyId: settings.ssm.kmsKeyId,
          tier: settings.ssm.tier,
        },
        !!ctx.isDryRun,
      );
      for (const p of [outcome.user, outcome.password]) {
        ctx.logger.info(
          `SSM parameter ${p.name}: ${p.action}${
            p.version ? ` (version ${p.version})` : ''
          }`,
        );
      }

      auditNote(ctx, {
        parameters: [outcome.user, outcome.password].map(p => ({
          name: p.name,
          action: p.action,
        })),
      });
      ctx.output('request', { ...request });
      if (creation.owner) ctx.output('owner', creation.owner);
      ctx.output('repoUrl', target.repoUrl);
      ctx.output('baseBranch', target.baseBranch);
      ctx.output('userParameter', outcome.user.name);
      ctx.output('passwordParameter', outcome.password.name);
      if (outcome.user.version !== undefined)
        ctx.output('userParameterVersion', outcome.user.version);
      if (outcome.password.version !== undefined) {
        ctx.output('passwordParameterVersion', outcome.password.version);
      }
      ctx.output(
        'parameters',
        [outcome.user, outcome.password].map(p => ({ ...p })),
      );
      // for the task's manifests action: checked, and the parameters are this claim's
      if (!verified) {
        options.taskChecks?.keep(
          taskOf(ctx),
          fields,
          CREDENTIALS_WRITE_ACTION_ID,
          { checked, ssmVerified: true },
        );
      }
    },
  });
}
