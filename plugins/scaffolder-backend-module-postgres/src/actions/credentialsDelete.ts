import { ConflictError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ModuleSettings } from '../config';
import { CreationAuthorizer } from '../authorize';
import { GitopsFileReader } from '../existingClaims';
import { ClusterClaims } from '../clusterClaims';
import { SsmCredentials, TAG_ENTITY } from '../ssmCredentials';
import {
  checkExistingDatabase,
  existingDatabaseInputSchema,
} from './existingDatabase';
import { auditNote } from './guard';
import { examples } from './credentialsDelete.examples';

export const CREDENTIALS_DELETE_ACTION_ID = 'postgres:credentials:delete';

/** What the action needs: catalog and permissions, the GitOps repository, the clusters, SSM. */
export type CredentialsDeleteChecks = CreationAuthorizer & {
  gitops: GitopsFileReader;
  clusters: ClusterClaims;
  ssm: (logger: { info(message: string): void }) => SsmCredentials;
};

/**
 * `postgres:credentials:delete`: deletes the SSM parameters of a decommissioned database, and
 * refuses while it exists. In order, before anything is deleted: the initiator holds
 * `postgres.database.change` on the component; the claim is no longer on the GitOps branch (the
 * decommission pull request is merged); no cluster holds the claim any more, and every cluster
 * could be read (an unreadable cluster cannot prove it gone); every parameter tagged for the
 * claim was written for this component (a parameter of another entity is never deleted). A
 * run with nothing left to delete succeeds and says so; a dry run lists what it would delete.
 */
export function createPostgresCredentialsDeleteAction(
  options: { settings: ModuleSettings } & CredentialsDeleteChecks,
) {
  const { settings } = options;
  return createTemplateAction({
    id: CREDENTIALS_DELETE_ACTION_ID,
    description:
      'Deletes the AWS SSM parameters of a decommissioned database, once its claim is gone from the GitOps repository and from every cluster.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...existingDatabaseInputSchema,
      },
      output: {
        deleted: z =>
          z
            .array(z.string())
            .describe('SSM parameters deleted (would be, in a dry run)'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const credentials = await ctx.getInitiatorCredentials();
      const { repository, authorized, claimPath } = await checkExistingDatabase(
        input,
        settings,
        options,
        credentials,
        'remove the credentials of the databases of',
        'Nothing was deleted.',
      );
      const claim = `${input.namespace}/${input.name}`;
      const inGit = await options.gitops.findFile(repository, claimPath);
      if (inGit) {
        throw new ConflictError(
          `${claim} is still in the GitOps repository (${inGit.url}): decommission it first and merge that pull request. Nothing was deleted.`,
        );
      }
      const found = await options.clusters.databasesOf(
        authorized.entityRef,
        credentials,
      );
      const alive = found.items.filter(
        i => i.namespace === input.namespace && i.name === input.name,
      );
      if (alive.length) {
        throw new ConflictError(
          `${claim} still exists in ${alive
            .map(i => `cluster ${i.cluster} (${i.health.verdict})`)
            .join(
              ', ',
            )}: its credentials are kept until Argo CD and Crossplane have removed it. Run this again later; nothing was deleted.`,
        );
      }
      if (found.errors.length) {
        throw new ConflictError(
          `Cannot tell whether ${claim} is gone: ${found.errors
            .map(e => `cluster ${e.cluster}: ${e.message}`)
            .join(
              '; ',
            )}. Run this again when every cluster answers; nothing was deleted.`,
        );
      }

      const ssm = options.ssm(ctx.logger);
      const parameters = await ssm.findWrittenForClaim(claim);
      const foreign = [...parameters].filter(
        ([, p]) =>
          p.tags.get(TAG_ENTITY)?.toLocaleLowerCase('en-US') !==
          authorized.entityRef,
      );
      if (foreign.length) {
        // not found or not yours: nothing of the other parameters' names or entity is said
        throw new ConflictError(
          `Some SSM parameters tagged for ${claim} were not written for ${authorized.entityRef}: they are not yours to delete, and none is deleted from here. Ask the platform team to look at the parameters tagged for ${claim}. Nothing was deleted.`,
        );
      }
      const names = [...parameters.keys()].sort();
      if (names.length === 0) {
        ctx.logger.info(
          `No SSM parameters are left for ${claim}: nothing to delete.`,
        );
      } else if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would delete ${names.join(', ')}; nothing was deleted.`,
        );
      } else {
        await ssm.delete(names);
        ctx.logger.info(
          `Deleted the SSM parameters of ${claim}: ${names.join(', ')}`,
        );
      }
      auditNote(ctx, {
        entityRef: authorized.entityRef,
        claim,
        ssmParameters: names,
        ...(names.length === 0 ? { decision: 'nothing-to-delete' } : {}),
      });
      ctx.output('deleted', names);
    },
  });
}
