import {
  AddTagsToResourceCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { ConflictError } from '@backstage/errors';
import { ParameterOutcome } from './ssmCredentials';
import {
  describeAwsError,
  SsmParameterMetadata,
  TAG_CLAIM,
  TAG_ENTITY,
  TAG_REPAIRED_BY,
  TAG_USERNAME,
  tagValue,
} from './ssmParameters';

/** The repair of an existing database's SSM username (`postgres:credentials:repair`). */
export class SsmUsernameRepair {
  private readonly metadata: SsmParameterMetadata;

  constructor(
    private readonly client: SSMClient,
    private readonly logger: { info(message: string): void },
  ) {
    this.metadata = new SsmParameterMetadata(client);
  }

  /**
   * Writes the database owner as the username of an existing database's `user` parameter (the
   * name its ExternalSecret reads, from its manifest in the GitOps repository), when the
   * parameter is provably that database's: it exists, is tagged for the same claim, and for
   * the same entity or for none. Everything is decided from metadata and tags before the
   * write; the value is overwritten with the parameter's own type, key and tier (no value is
   * read), then the username, entity and repairer tags are set (the author's tag is kept).
   */
  async repair(
    request: {
      name: string;
      /** The owner the claim names: what the parameter must hold. */
      username: string;
      claim: string;
      entity: string;
      repairedBy: string;
    },
    dryRun: boolean,
  ): Promise<ParameterOutcome & { previousUsername?: string }> {
    const { name } = request;
    const found = (await this.metadata.readExisting([name])).get(name);
    if (!found) {
      throw new ConflictError(
        `The SSM parameter ${name}, which the database's ExternalSecret reads, does not exist: there is nothing to repair from here. Ask the platform team to write the username '${request.username}' and a password to ${name}; nothing was written.`,
      );
    }
    const claimTag = found.tags.get(TAG_CLAIM);
    const entityTag = found.tags.get(TAG_ENTITY);
    if (
      claimTag !== tagValue(request.claim) ||
      (entityTag !== undefined && entityTag !== tagValue(request.entity))
    ) {
      // not provably this database's: nothing of who wrote it, or for what, is said
      throw new ConflictError(
        `The SSM parameter ${name} is not tagged as written for ${request.claim} of ${request.entity}, so it is not repaired from here. Ask the platform team to write the username '${request.username}' to it; nothing was written.`,
      );
    }
    const previousUsername = found.tags.get(TAG_USERNAME);
    if (dryRun) {
      return {
        name,
        version: found.version,
        action: 'would-repair',
        ...(previousUsername !== undefined ? { previousUsername } : {}),
      };
    }
    this.logger.info(
      `Writing the username '${
        request.username
      }' to the SSM parameter ${name} (overwrite, ${
        found.type ?? 'SecureString'
      })`,
    );
    let version: number | undefined;
    try {
      const out = await this.client.send(
        new PutParameterCommand({
          Name: name,
          Value: request.username,
          Type: (found.type ?? 'SecureString') as any,
          Overwrite: true,
          ...(found.keyId && found.type === 'SecureString'
            ? { KeyId: found.keyId }
            : {}),
          ...(found.tier ? { Tier: found.tier as any } : {}),
        }),
      );
      version = out.Version;
      await this.client.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: name,
          Tags: [
            { Key: TAG_USERNAME, Value: tagValue(request.username) },
            { Key: TAG_ENTITY, Value: tagValue(request.entity) },
            { Key: TAG_REPAIRED_BY, Value: tagValue(request.repairedBy) },
          ],
        }),
      );
    } catch (e) {
      throw new Error(
        `Could not write the SSM parameter ${name}${
          version !== undefined ? `'s tags (its value is written)` : ''
        }: ${describeAwsError(e)}`,
      );
    }
    return {
      name,
      version,
      action: 'repaired',
      ...(previousUsername !== undefined ? { previousUsername } : {}),
    };
  }
}
