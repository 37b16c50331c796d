import fs from 'fs-extra';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  changeBranchPrefix,
  DATABASE_OPERATIONS,
  DatabaseChange,
  describeDatabaseChange,
  editClaimManifest,
  fileDiff,
  gitopsRepoUrl,
  manifestFileNames,
  validateDatabaseChange,
} from '@bizmatters/plugin-postgres-common';
import { ModuleSettings } from '../config';
import { CreationAuthorizer } from '../authorize';
import { GitopsChangeReader } from '../existingClaims';
import {
  checkExistingDatabase,
  existingDatabaseInputSchema,
  readOwnClaim,
} from './existingDatabase';
import { auditNote } from './guard';
import { examples } from './databaseChange.examples';

export const DATABASE_CHANGE_ACTION_ID = 'postgres:database:change';

/** Where change requests' branches live; one prefix per database, to find its open changes. */
export { changeBranchPrefix };

/** What the day-2 action needs: the catalog and permissions, and the GitOps repository. */
export type ChangeChecks = CreationAuthorizer & { gitops: GitopsChangeReader };

/**
 * `postgres:database:change`: one day-2 change of an existing database, prepared for the
 * built-in `publish:github:pull-request`. Before anything is read from the repository, the
 * input is checked (operation, GitOps target) and the initiator must hold
 * `postgres.database.change` on the component. Then the claim is read from the target branch
 * (unknown database → NotFoundError), must name that component (else the same NotFoundError,
 * "not found or not yours": nothing another team wrote is changed, nor named), the change is
 * checked against it and the policy, and a
 * database with an open change request is refused (ConflictError with its link). Only then is
 * the edited claim written to the workspace (one field changed, the rest of the file as it
 * was); a decommission writes nothing and outputs the files to delete. A dry run checks the
 * same and shows the diff, writing nothing.
 */
export function createPostgresDatabaseChangeAction(
  options: { settings: ModuleSettings } & ChangeChecks,
) {
  const { settings } = options;
  return createTemplateAction({
    id: DATABASE_CHANGE_ACTION_ID,
    description:
      'Prepares one change of an existing database (grow storage, change size, upgrade PostgreSQL, decommission) as a pull request to the GitOps repository: the edited claim in the workspace, or the files to delete.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...existingDatabaseInputSchema,
        operation: z =>
          z.string().describe(`One of ${DATABASE_OPERATIONS.join(', ')}`),
        storageGB: z =>
          z.number().optional().describe('growStorage: the new storage in GB'),
        size: z => z.string().optional().describe('changeSize: the new size'),
        version: z =>
          z
            .string()
            .optional()
            .describe('upgradeVersion: the new PostgreSQL major version'),
        confirmName: z =>
          z
            .string()
            .optional()
            .describe("decommission: the database's name, typed to confirm"),
      },
      output: {
        repoUrl: z => z.string().describe('The allowed GitOps repository'),
        baseBranch: z => z.string().describe('The branch the PR targets'),
        branchName: z => z.string().describe("The change request's branch"),
        title: z => z.string().describe('Pull request title'),
        description: z => z.string().describe('Pull request description'),
        diff: z => z.string().describe('Unified diff of the change'),
        files: z =>
          z.array(z.string()).describe('Files written to the workspace'),
        filesToDelete: z =>
          z.array(z.string()).describe('Files the pull request deletes'),
        current: z =>
          z
            .object({
              size: z.string(),
              version: z.string(),
              storageGB: z.number(),
            })
            .describe("The claim's values before the change"),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const change: DatabaseChange = {
        operation: input.operation as DatabaseChange['operation'],
        ...(input.storageGB !== undefined
          ? { storageGB: input.storageGB }
          : {}),
        ...(input.size !== undefined ? { size: input.size } : {}),
        ...(input.version !== undefined ? { version: input.version } : {}),
        ...(input.confirmName !== undefined
          ? { confirmName: input.confirmName }
          : {}),
      };
      if (!DATABASE_OPERATIONS.includes(change.operation)) {
        throw new InputError(
          `operation: '${
            input.operation
          }' is not one of ${DATABASE_OPERATIONS.join(
            ', ',
          )}. Nothing was written.`,
        );
      }
      const checked = await checkExistingDatabase(
        input,
        settings,
        options,
        await ctx.getInitiatorCredentials(),
        'change the databases of',
        'Nothing was written.',
      );
      const { repository, authorized, folder, claimPath } = checked;
      const { file: claimFile, claim: current } = await readOwnClaim(
        options.gitops,
        checked,
        input,
        'change',
        'Nothing was written.',
      );
      const problems = validateDatabaseChange(current, change, settings.policy);
      if (problems.length) {
        throw new InputError(
          `The change cannot be made; nothing was written:\n${problems
            .map(p => `- ${p.field}: ${p.message}`)
            .join('\n')}`,
        );
      }
      const open = await options.gitops.openPullRequests(
        repository,
        changeBranchPrefix(current.namespace, current.name),
      );
      if (open.length) {
        throw new ConflictError(
          `${current.namespace}/${
            current.name
          } already has an open change request: ${open
            .map(p => `#${p.number} ${p.url}`)
            .join(', ')}. Merge or close it first; nothing was written.`,
        );
      }

      const title = describeDatabaseChange(current, change);
      const files: string[] = [];
      const filesToDelete: string[] = [];
      let diff: string;
      if (change.operation === 'decommission') {
        const diffs: string[] = [];
        for (const file of manifestFileNames()) {
          const path = `${folder}/${file}`;
          const found =
            path === claimPath
              ? claimFile
              : await options.gitops.readFile(repository, path);
          if (found) {
            filesToDelete.push(path);
            diffs.push(fileDiff(path, found.text, undefined));
          }
        }
        diff = diffs.join('');
      } else {
        const edited = editClaimManifest(claimFile.text, change);
        diff = fileDiff(claimPath, claimFile.text, edited);
        if (!ctx.isDryRun) {
          const target = resolveSafeChildPath(ctx.workspacePath, claimPath);
          await fs.ensureDir(resolveSafeChildPath(ctx.workspacePath, folder));
          await fs.writeFile(target, edited, 'utf8');
        }
        files.push(claimPath);
      }
      ctx.logger.info(
        `${title} (${authorized.initiator}); ${
          ctx.isDryRun
            ? 'dry run, nothing written'
            : 'ready for the pull request'
        }:\n${diff}`,
      );
      const operationId = ctx.task.id.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8);
      ctx.output('repoUrl', gitopsRepoUrl(repository));
      ctx.output('baseBranch', repository.baseBranch);
      ctx.output(
        'branchName',
        `${changeBranchPrefix(current.namespace, current.name)}${
          change.operation
        }-${operationId}`,
      );
      auditNote(ctx, {
        entityRef: authorized.entityRef,
        claim: `${current.namespace}/${current.name}`,
        change: { ...change },
        files,
        filesToDelete,
      });
      ctx.output('title', title);
      ctx.output(
        'description',
        changeDescription(
          title,
          authorized.entityRef,
          authorized.initiator,
          change,
          diff,
        ),
      );
      ctx.output('diff', diff);
      ctx.output('files', files);
      ctx.output('filesToDelete', filesToDelete);
      ctx.output('current', {
        size: current.size,
        version: current.version,
        storageGB: current.storageGB,
      });
    },
  });
}

/** What CloudNativePG does on a major upgrade, said plainly (its docs, "Offline In-Place Major Upgrades"). */
const MAJOR_UPGRADE_NOTE = [
  '**What happens on merge (CloudNativePG offline in-place major upgrade):** every instance of the cluster is shut down, replicas included — the database is **unavailable** until the upgrade job (`pg_upgrade --link`) finishes and the primary restarts; replicas are then re-cloned from it.',
  '**Backups:** take a full backup before merging. Backups and WAL from the old major cannot be used for point-in-time recovery after the upgrade; take a new base backup as soon as it is done.',
  '**Rollback:** if the upgrade job fails, revert this pull request (back to the old version): CloudNativePG deletes the failed job and restarts the cluster on the old version, whose data the upgrade did not modify. Once the upgrade has succeeded there is no going back in place — only a restore from a backup taken before.',
  'Extensions must exist for the new version, and `pg_upgrade` does not carry optimizer statistics: run `ANALYZE` afterwards.',
].join('\n\n');

function changeDescription(
  title: string,
  component: string,
  initiator: string,
  change: DatabaseChange,
  diff: string,
): string {
  const parts = [
    `${title}, for \`${component}\`, requested by \`${initiator}\` from Backstage.`,
  ];
  if (change.operation === 'upgradeVersion') parts.push(MAJOR_UPGRADE_NOTE);
  if (change.operation === 'growStorage') {
    parts.push(
      'CloudNativePG grows the volumes in place when the storage class allows volume expansion; a volume can never shrink again.',
    );
  }
  if (change.operation === 'decommission') {
    parts.push(
      'Merging removes the claim: Crossplane deletes the CloudNativePG cluster, its volumes and its secrets — **the data is gone**. The credentials in AWS SSM are deleted afterwards, once the claim is gone from the cluster.',
    );
  }
  parts.push(`\`\`\`diff\n${diff}\`\`\``);
  return parts.join('\n\n');
}
