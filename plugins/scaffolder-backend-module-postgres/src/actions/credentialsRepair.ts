import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  checkRoleName,
  readExternalSecretParameters,
} from '@bizmatters/plugin-postgres-common';
import { ModuleSettings } from '../config';
import { CreationAuthorizer } from '../authorize';
import { GitopsChangeReader } from '../existingClaims';
import { SsmCredentials } from '../ssmCredentials';
import {
  checkExistingDatabase,
  existingDatabaseInputSchema,
  readOwnClaim,
} from './existingDatabase';
import { auditNote } from './guard';
import { examples } from './credentialsRepair.examples';

export const CREDENTIALS_REPAIR_ACTION_ID = 'postgres:credentials:repair';

/** What the action needs: catalog and permissions, the GitOps repository, SSM. */
export type CredentialsRepairChecks = CreationAuthorizer & {
  gitops: GitopsChangeReader;
  ssm: (logger: { info(message: string): void }) => SsmCredentials;
};

/**
 * `postgres:credentials:repair`: makes an existing database's SSM username the owner its claim
 * names (`spec.databaseOwner`), the repair of a credentials secret whose username differs from
 * the owner (CloudNativePG then never sets the owner's password, and the application cannot
 * log in). In order, before anything is written: the initiator holds `postgres.database.change`
 * on the component; the claim is on the GitOps branch and names the component (else "not
 * found or not yours"); its owner passes the owner rule; the parameter is the one its
 * ExternalSecret's manifest reads for `username` (never today's path pattern), and is tagged
 * as written for this claim and this entity (or no entity). Only the username is written, never
 * a password; a dry run checks the same and writes nothing.
 */
export function createPostgresCredentialsRepairAction(
  options: { settings: ModuleSettings } & CredentialsRepairChecks,
) {
  const { settings } = options;
  return createTemplateAction({
    id: CREDENTIALS_REPAIR_ACTION_ID,
    description:
      "Writes the owner an existing database's claim names as the username of its AWS SSM credentials (the parameter its ExternalSecret reads), so that the credentials secret matches the database owner again.",
    examples,
    supportsDryRun: true,
    schema: {
      input: { ...existingDatabaseInputSchema },
      output: {
        parameter: z =>
          z.string().describe('The SSM parameter written (would be, dry run)'),
        username: z => z.string().describe('The username written: the owner'),
        version: z =>
          z.number().optional().describe("The parameter's version written"),
        refresh: z =>
          z.string().describe('When the credentials secret follows, in words'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const nothing = 'Nothing was written.';
      const checked = await checkExistingDatabase(
        input,
        settings,
        options,
        await ctx.getInitiatorCredentials(),
        'repair the credentials of the databases of',
        nothing,
      );
      const { repository, authorized, externalSecretPath } = checked;
      const claim = `${input.namespace}/${input.name}`;
      const { file: claimFile, claim: current } = await readOwnClaim(
        options.gitops,
        checked,
        input,
        'repair',
        nothing,
      );
      const owner = current.databaseOwner;
      const ownerProblem =
        owner === undefined
          ? 'the claim names no spec.databaseOwner.'
          : checkRoleName(owner);
      if (ownerProblem || owner === undefined) {
        throw new InputError(
          `The owner of ${claim} cannot be written as its username: ${ownerProblem} Ask the platform team to correct spec.databaseOwner in ${
            claimFile.url
          }; ${nothing.toLocaleLowerCase('en-US')}`,
        );
      }
      const esFile = await options.gitops.readFile(
        repository,
        externalSecretPath,
      );
      const parameters = esFile && readExternalSecretParameters(esFile.text);
      if (!parameters) {
        throw new ConflictError(
          `${claim}'s ExternalSecret (${
            esFile?.url ?? externalSecretPath
          }) does not say which SSM parameters it reads (spec.data with 'username' and 'password'), so there is nothing to repair from here. Ask the platform team to look at it; ${nothing.toLocaleLowerCase(
            'en-US',
          )}`,
        );
      }
      const outcome = await options.ssm(ctx.logger).repairUsername(
        {
          name: parameters.user,
          username: owner,
          claim,
          entity: authorized.entityRef,
          repairedBy: authorized.initiator,
        },
        ctx.isDryRun ?? false,
      );
      ctx.logger.info(
        ctx.isDryRun
          ? `Dry run: would write the username '${owner}' to ${parameters.user}; nothing was written.`
          : `Wrote the username '${owner}', the owner ${claim} names, to ${
              parameters.user
            } (version ${outcome.version}). ${refreshNote(
              parameters.refreshInterval,
              input.namespace,
            )}`,
      );
      auditNote(ctx, {
        entityRef: authorized.entityRef,
        claim,
        ssmParameters: [parameters.user],
        username: owner,
        ...(outcome.previousUsername !== undefined
          ? { previousUsername: outcome.previousUsername }
          : {}),
      });
      ctx.output('parameter', parameters.user);
      ctx.output(
        'refresh',
        refreshNote(parameters.refreshInterval, input.namespace),
      );
      ctx.output('username', owner);
      if (outcome.version !== undefined) ctx.output('version', outcome.version);
    },
  });
}

/** When External Secrets copies the repaired username, and how to have it sooner. */
function refreshNote(interval: string | undefined, namespace: string): string {
  const when = interval
    ? `at its next refresh (its refreshInterval is ${interval})`
    : 'at its next refresh';
  return `External Secrets copies it into the credentials secret ${when}; CloudNativePG then sets the owner's password from the secret, and the application can log in with the connection secret. To have it sooner, ask the platform team to force a sync of the database's ExternalSecret in ${namespace} (annotation force-sync).`;
}
