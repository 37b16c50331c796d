import {
  GetParameterCommand,
  GetParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  SSMClient,
  Tag,
} from '@aws-sdk/client-ssm';
import { ConflictError } from '@backstage/errors';
import { SsmParameterNames } from '@bizmatters/plugin-postgres-common';

/** Tag keys written on each parameter. */
export const TAG_CLAIM = 'bizmatters.io/postgres-claim';
export const TAG_ENTITY = 'backstage.io/entity';
export const TAG_CREATED_BY = 'backstage.io/created-by';

export interface CredentialsToWrite {
  names: SsmParameterNames;
  username: string;
  /** Called only when the password parameter must be written. */
  password: () => string;
  /** True when the password was supplied by the user (then an existing value must match). */
  passwordSupplied: boolean;
  /** `namespace/name` of the claim. */
  claim: string;
  entity?: string;
  createdBy?: string;
  kmsKeyId?: string;
  tier?: string;
}

export interface ParameterOutcome {
  name: string;
  /** Version written or found; undefined in a dry run when the parameter does not exist. */
  version?: number;
  /** 'created' | 'reused' | 'would-create' (dry run) | 'would-reuse' (dry run). */
  action: 'created' | 'reused' | 'would-create' | 'would-reuse';
}

export interface CredentialsOutcome {
  user: ParameterOutcome;
  password: ParameterOutcome;
}

type Logger = { info(message: string): void; warn?(message: string): void };

function describeAwsError(e: any): string {
  const code = e?.name ?? e?.Code ?? 'Error';
  const message = e?.message && e.message !== code ? `: ${e.message}` : '';
  return `${code}${message}`;
}

/** SSM tag values allow letters, digits, spaces and _.:/=+-@ (at most 256). */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

/**
 * Writes a database's `user` and `password` parameters to SSM, or finds them written for the same
 * claim by an earlier run. Reads first and decides, then writes: a parameter that belongs to
 * anything else stops the run before anything is written.
 */
export class SsmCredentialsWriter {
  constructor(
    private readonly client: SSMClient,
    private readonly logger: Logger,
  ) {}

  async write(
    request: CredentialsToWrite,
    dryRun: boolean,
  ): Promise<CredentialsOutcome> {
    const { names } = request;
    const existing = await this.readExisting([names.user, names.password]);

    // Decide everything before the first write.
    for (const name of [names.user, names.password]) {
      const found = existing.get(name);
      if (!found) continue;
      const claimTag = found.tags.find(t => t.Key === TAG_CLAIM)?.Value;
      if (claimTag !== request.claim) {
        throw new ConflictError(
          `The SSM parameter ${name} already exists and was not written for the claim ${
            request.claim
          } (${
            claimTag ? `it belongs to ${claimTag}` : 'it has no claim tag'
          }). Choose another service or environment, or remove the parameter; nothing was written.`,
        );
      }
    }
    const user = existing.get(names.user);
    if (user) {
      const value = await this.readValue(names.user);
      if (value !== request.username) {
        throw new ConflictError(
          `The SSM parameter ${names.user} was written for this claim with the username '${value}', but databaseOwner is '${request.username}'. They must be equal: set databaseOwner to '${value}' or remove the parameter; nothing was written.`,
        );
      }
    }
    const password = existing.get(names.password);
    if (password && request.passwordSupplied) {
      const value = await this.readValue(names.password);
      if (value !== request.password()) {
        throw new ConflictError(
          `The SSM parameter ${names.password} was written for this claim with another password. Leave the password empty to keep it, or remove the parameter; nothing was written.`,
        );
      }
    }

    if (dryRun) {
      return {
        user: user
          ? { name: names.user, version: user.version, action: 'would-reuse' }
          : { name: names.user, action: 'would-create' },
        password: password
          ? {
              name: names.password,
              version: password.version,
              action: 'would-reuse',
            }
          : { name: names.password, action: 'would-create' },
      };
    }

    const tags: Tag[] = [{ Key: TAG_CLAIM, Value: tagValue(request.claim) }];
    if (request.entity)
      tags.push({ Key: TAG_ENTITY, Value: tagValue(request.entity) });
    if (request.createdBy)
      tags.push({ Key: TAG_CREATED_BY, Value: tagValue(request.createdBy) });

    const userOutcome: ParameterOutcome = user
      ? { name: names.user, version: user.version, action: 'reused' }
      : await this.put(names.user, () => request.username, tags, request);
    const passwordOutcome: ParameterOutcome = password
      ? { name: names.password, version: password.version, action: 'reused' }
      : await this.put(names.password, request.password, tags, request);
    return { user: userOutcome, password: passwordOutcome };
  }

  private async put(
    name: string,
    value: () => string,
    tags: Tag[],
    request: CredentialsToWrite,
  ): Promise<ParameterOutcome> {
    this.logger.info(
      `Writing SSM parameter ${name} (SecureString, overwrite off)`,
    );
    try {
      const out = await this.client.send(
        new PutParameterCommand({
          Name: name,
          Value: value(),
          Type: 'SecureString',
          Overwrite: false,
          Tags: tags,
          ...(request.kmsKeyId ? { KeyId: request.kmsKeyId } : {}),
          ...(request.tier ? { Tier: request.tier as any } : {}),
          Description: `PostgreSQL credentials of ${request.claim} (written by Backstage)`,
        }),
      );
      return { name, version: out.Version, action: 'created' };
    } catch (e: any) {
      if (e?.name === 'ParameterAlreadyExists') {
        throw new ConflictError(
          `The SSM parameter ${name} was created by someone else while this task ran; nothing more was written. Run the task again to reuse or reject it.`,
        );
      }
      throw new Error(
        `Could not write the SSM parameter ${name}: ${describeAwsError(e)}`,
      );
    }
  }

  private async readExisting(
    names: string[],
  ): Promise<Map<string, { version?: number; tags: Tag[] }>> {
    let found;
    try {
      found = await this.client.send(
        new GetParametersCommand({ Names: names }),
      );
    } catch (e) {
      throw new Error(
        `Could not read SSM parameters ${names.join(', ')}: ${describeAwsError(
          e,
        )}`,
      );
    }
    const out = new Map<string, { version?: number; tags: Tag[] }>();
    for (const p of found.Parameters ?? []) {
      if (!p.Name) continue;
      let tags: Tag[] = [];
      try {
        const t = await this.client.send(
          new ListTagsForResourceCommand({
            ResourceType: 'Parameter',
            ResourceId: p.Name,
          }),
        );
        tags = t.TagList ?? [];
      } catch (e) {
        throw new Error(
          `Could not read the tags of SSM parameter ${
            p.Name
          }: ${describeAwsError(e)}`,
        );
      }
      out.set(p.Name, { version: p.Version, tags });
    }
    return out;
  }

  private async readValue(name: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetParameterCommand({ Name: name, WithDecryption: true }),
      );
      return out.Parameter?.Value;
    } catch (e) {
      throw new Error(
        `Could not read the SSM parameter ${name}: ${describeAwsError(e)}`,
      );
    }
  }
}
