import {
  AddTagsToResourceCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  ListTagsForResourceCommand,
  ParameterMetadata,
  PutParameterCommand,
  SSMClient,
  Tag,
} from '@aws-sdk/client-ssm';
import { ConflictError } from '@backstage/errors';
import {
  checkRoleName,
  SsmParameterNames,
} from '@bizmatters/plugin-postgres-common';

/** Tag keys written on each parameter. */
export const TAG_CLAIM = 'bizmatters.io/postgres-claim';
export const TAG_USERNAME = 'bizmatters.io/postgres-username';
export const TAG_ENTITY = 'backstage.io/entity';
export const TAG_CREATED_BY = 'backstage.io/created-by';
export const TAG_TASK = 'backstage.io/scaffolder-task';
/** Who last repaired the username (the parameter keeps its author, `TAG_CREATED_BY`). */
export const TAG_REPAIRED_BY = 'bizmatters.io/postgres-repaired-by';

export interface CredentialsToWrite extends ParameterClaim {
  /** Called only when the password parameter must be written. */
  password: () => string;
  /** True when the password was supplied by the user (then it may not replace an existing one). */
  passwordSupplied: boolean;
  /** The scaffolder task writing (a retry of the same task keeps its id). */
  taskId: string;
  kmsKeyId?: string;
  tier?: string;
}

/** Who asks about a claim's parameters: enough to tell ours from someone else's. */
export interface ParameterClaim {
  names: SsmParameterNames;
  /** The username the request would store (databaseOwner). */
  username: string;
  /** `namespace/name` of the claim. */
  claim: string;
  /** Full ref of the owning entity. */
  entity: string;
  /** User entity ref of the person asking. */
  createdBy: string;
  /** The scaffolder task asking, if a task asks. */
  taskId?: string;
  /** The SSM path pattern the names come from, for the advice when it holds one database per service. */
  pathPattern?: string;
}

/** Why an existing parameter stops a request. */
export interface ParameterConflict {
  /**
   * `otherClaim`: written for another claim; `sameEntity`: for another claim of the same entity
   * (the SSM pattern holds one database per service); `otherAuthor`: for this claim by someone
   * else; `noUsername`, `username`: the stored username cannot be or is not the one asked;
   * `password`: a supplied password would replace a stored one.
   */
  kind:
    | 'otherClaim'
    | 'sameEntity'
    | 'otherAuthor'
    | 'noUsername'
    | 'username'
    | 'password';
  /** What the task says (names who wrote the parameter). */
  message: string;
  /** What the form may say: nothing of who wrote it. */
  publicMessage: string;
}

/** One parameter of a request, as found. */
export type ParameterState =
  | { state: 'free' }
  | { state: 'ours'; version?: number; taskId?: string }
  | { state: 'conflict'; conflict: ParameterConflict };

/** Both parameters of a request, as found. */
export interface ParameterAssessment {
  user: ParameterState;
  password: ParameterState;
}

export interface ParameterOutcome {
  name: string;
  /** Version written or found; undefined in a dry run when the parameter does not exist. */
  version?: number;
  /**
   * 'created' | 'reused' | 'would-create' (dry run) | 'would-reuse' (dry run); a repair:
   * 'repaired' | 'would-repair' (dry run).
   */
  action:
    | 'created'
    | 'reused'
    | 'would-create'
    | 'would-reuse'
    | 'repaired'
    | 'would-repair';
}

export interface CredentialsOutcome {
  user: ParameterOutcome;
  password: ParameterOutcome;
}

/** What is known of an existing parameter without reading its value. */
export interface ExistingParameter {
  version?: number;
  /** String or SecureString; a repair keeps it, with its key and tier. */
  type?: string;
  keyId?: string;
  tier?: string;
  lastModified?: Date;
  tags: Map<string, string>;
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

/** Who wrote a parameter and when, from its tags and metadata, in a user's words. */
function provenance(found: ExistingParameter): string {
  const by = found.tags.get(TAG_CREATED_BY);
  const when = found.lastModified
    ? ` (last modified ${found.lastModified.toISOString()})`
    : '';
  return by
    ? `it was written by ${by}${when}`
    : `it was written outside Backstage${when}`;
}

/** The DescribeParameters pages to follow at most (AWS may answer a filter with empty pages). */
const MAX_DESCRIBE_PAGES = 20;

/**
 * A database's `user` and `password` parameters in SSM: writes them, or finds them written for
 * the same claim by the same person (or the same task) in an earlier run; after a decommission,
 * finds them by their claim tag and deletes them. Decides from metadata and
 * tags only, never from a value: nothing is decrypted, so no answer depends on a stored secret.
 * Everything is decided before the first write: a parameter that is not provably ours stops the
 * run before anything is written.
 */
export class SsmCredentials {
  constructor(
    private readonly client: SSMClient,
    private readonly logger: Logger,
  ) {}

  /**
   * What the two parameters of a request are, read from metadata and tags only: absent
   * (`free`), written for the same claim by the same person or task (`ours`), or something that
   * stops the request (`conflict`, with what the task says and what the form may say: the task's
   * message names who wrote the parameter, the form's never does).
   */
  async assess(
    request: ParameterClaim & { passwordSupplied?: boolean },
  ): Promise<ParameterAssessment> {
    const { names } = request;
    const existing = await this.readExisting([names.user, names.password]);
    const createdBy = tagValue(request.createdBy);
    const taskId = request.taskId ? tagValue(request.taskId) : undefined;
    const states = new Map<string, ParameterState>();
    const conflict = (
      name: string,
      kind: ParameterConflict['kind'],
      message: string,
      publicMessage: string,
    ) => {
      if (!states.has(name) || states.get(name)!.state !== 'conflict') {
        states.set(name, {
          state: 'conflict',
          conflict: { kind, message, publicMessage },
        });
      }
    };

    for (const name of [names.user, names.password]) {
      const found = existing.get(name);
      if (!found) {
        states.set(name, { state: 'free' });
        continue;
      }
      const claimTag = found.tags.get(TAG_CLAIM);
      if (claimTag !== request.claim) {
        const sameEntity =
          claimTag !== undefined &&
          found.tags.get(TAG_ENTITY) === tagValue(request.entity);
        if (sameEntity) {
          // a second database of the same service: the pattern, not the person, is the problem
          const advice = `The platform's SSM path pattern${
            request.pathPattern ? ` (${request.pathPattern})` : ''
          } holds one database per service and environment: choose another environment, or ask the platform team to add {name} to postgres.ssm.pathPattern.`;
          conflict(
            name,
            'sameEntity',
            `The SSM parameter ${name} already holds the credentials of ${claimTag}, another database of ${request.entity}. ${advice} Nothing was written.`,
            `The SSM parameter ${name} already holds the credentials of ${claimTag}, another database of this service. ${advice}`,
          );
          continue;
        }
        conflict(
          name,
          'otherClaim',
          `The SSM parameter ${name} already exists and was not written for the claim ${
            request.claim
          } (${
            claimTag ? `it belongs to ${claimTag}` : 'it has no claim tag'
          }; ${provenance(
            found,
          )}). Choose another service or environment, or remove the parameter; nothing was written.`,
          `The SSM parameter ${name} is already used by something else: choose another service or environment.`,
        );
        continue;
      }
      const entityTag = found.tags.get(TAG_ENTITY);
      if (entityTag !== undefined && entityTag !== tagValue(request.entity)) {
        // the same claim's name, written for another entity: never ours
        conflict(
          name,
          'otherClaim',
          `The SSM parameter ${name} already exists for the claim ${
            request.claim
          }, but for ${entityTag ?? 'no entity'}, not ${
            request.entity
          } (${provenance(
            found,
          )}). Remove the parameter, or choose another name; nothing was written.`,
          `The SSM parameter ${name} is already used by something else: choose another name.`,
        );
        continue;
      }
      const sameTask =
        taskId !== undefined && found.tags.get(TAG_TASK) === taskId;
      const sameAuthor = found.tags.get(TAG_CREATED_BY) === createdBy;
      if (!sameTask && !sameAuthor) {
        conflict(
          name,
          'otherAuthor',
          `The SSM parameter ${name} already exists for the claim ${
            request.claim
          }, but ${provenance(
            found,
          )}, not by ${createdBy}. Only its author can reuse it: ask them to finish the request, or have the parameter removed; nothing was written.`,
          `The SSM parameter ${name} was written for this database by someone else: only they can finish the request, or the parameter must be removed.`,
        );
        continue;
      }
      states.set(name, {
        state: 'ours',
        version: found.version,
        taskId: found.tags.get(TAG_TASK),
      });
    }
    const user = existing.get(names.user);
    if (user && states.get(names.user)?.state === 'ours') {
      const stored = user.tags.get(TAG_USERNAME);
      if (stored === undefined) {
        conflict(
          names.user,
          'noUsername',
          `The SSM parameter ${names.user} exists for this claim but does not say which username it holds (no ${TAG_USERNAME} tag), so it cannot be checked against databaseOwner '${request.username}'. Remove the parameter, or tag it; nothing was written.`,
          `The SSM parameter ${names.user} exists for this database but does not say which username it holds: remove it, or tag it with ${TAG_USERNAME}.`,
        );
      } else if (stored !== tagValue(request.username)) {
        // advise the stored username as the owner only when the owner rule takes it
        const fix = checkRoleName(stored)
          ? `ask the platform team to remove the parameter ('${stored}' cannot be a database owner)`
          : `set databaseOwner to '${stored}', or ask the platform team to remove the parameter`;
        const message = `The SSM parameter ${names.user} was written for this claim with the username '${stored}', but databaseOwner is '${request.username}'. They must be equal: ${fix}; nothing was written.`;
        conflict(names.user, 'username', message, message);
      }
    }
    const password = existing.get(names.password);
    if (
      password &&
      request.passwordSupplied &&
      states.get(names.password)?.state === 'ours' &&
      password.tags.get(TAG_TASK) !== taskId
    ) {
      const message = `The SSM parameter ${names.password} already holds a password for this claim. Leave Password empty to keep the existing one, or remove the parameter; nothing was written.`;
      conflict(names.password, 'password', message, message);
    }
    return {
      user: states.get(names.user)!,
      password: states.get(names.password)!,
    };
  }

  async write(
    request: CredentialsToWrite,
    dryRun: boolean,
  ): Promise<CredentialsOutcome> {
    const { names } = request;
    const createdBy = tagValue(request.createdBy);
    const taskId = tagValue(request.taskId);

    // Decide everything before the first write.
    const assessed = await this.assess(request);
    for (const state of [assessed.user, assessed.password]) {
      if (state.state === 'conflict') {
        throw new ConflictError(state.conflict.message);
      }
    }
    const user = assessed.user.state === 'ours' ? assessed.user : undefined;
    const password =
      assessed.password.state === 'ours' ? assessed.password : undefined;

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

    const tags: Tag[] = [
      { Key: TAG_CLAIM, Value: tagValue(request.claim) },
      { Key: TAG_ENTITY, Value: tagValue(request.entity) },
      { Key: TAG_CREATED_BY, Value: createdBy },
      { Key: TAG_TASK, Value: taskId },
      { Key: TAG_USERNAME, Value: tagValue(request.username) },
    ];

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

  /**
   * Writes the database owner as the username of an existing database's `user` parameter (the
   * name its ExternalSecret reads, from its manifest in the GitOps repository), when the
   * parameter is provably that database's: it exists, is tagged for the same claim, and for
   * the same entity or for none. Everything is decided from metadata and tags before the
   * write; the value is overwritten with the parameter's own type, key and tier (no value is
   * read), then the username, entity and repairer tags are set (the author's tag is kept).
   */
  async repairUsername(
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
    const found = (await this.readExisting([name])).get(name);
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

  /**
   * The parameters tagged as written for a claim (`namespace/name`), with their tags: found by
   * tag (DescribeParameters `tag:` filter), never by reading a value.
   */
  async findWrittenForClaim(
    claim: string,
  ): Promise<Map<string, ExistingParameter>> {
    const names = await this.describe(
      [{ Key: `tag:${TAG_CLAIM}`, Values: [tagValue(claim)] }],
      `tagged ${TAG_CLAIM}=${claim}`,
    );
    return this.withTags(names);
  }

  /** Deletes parameters; throws naming the ones that could not be deleted. */
  async delete(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    this.logger.info(`Deleting SSM parameters ${names.join(', ')}`);
    try {
      const out = await this.client.send(
        new DeleteParametersCommand({ Names: names }),
      );
      const invalid = out.InvalidParameters ?? [];
      if (invalid.length) {
        throw new Error(`not found: ${invalid.join(', ')}`);
      }
      return out.DeletedParameters ?? names;
    } catch (e) {
      throw new Error(
        `Could not delete the SSM parameters ${names.join(
          ', ',
        )}: ${describeAwsError(e)}`,
      );
    }
  }

  /** Metadata (DescribeParameters) and tags (ListTagsForResource) of the names that exist. */
  private async readExisting(
    names: string[],
  ): Promise<Map<string, ExistingParameter>> {
    const found = await this.describe(
      [{ Key: 'Name', Option: 'Equals', Values: names }],
      names.join(', '),
    );
    return this.withTags(found.filter(p => p.Name && names.includes(p.Name)));
  }

  /** Every page of DescribeParameters for the filters. */
  private async describe(
    filters: Array<{ Key: string; Option?: string; Values: string[] }>,
    what: string,
  ): Promise<ParameterMetadata[]> {
    const found: ParameterMetadata[] = [];
    try {
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_DESCRIBE_PAGES; page++) {
        const out = await this.client.send(
          new DescribeParametersCommand({
            ParameterFilters: filters,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        found.push(...(out.Parameters ?? []));
        nextToken = out.NextToken;
        if (!nextToken) break;
      }
      if (nextToken) {
        throw new Error(
          `no answer after ${MAX_DESCRIBE_PAGES} pages of DescribeParameters`,
        );
      }
    } catch (e) {
      throw new Error(
        `Could not read SSM parameters ${what}: ${describeAwsError(e)}`,
      );
    }
    return found;
  }

  /** The parameters with their tags (ListTagsForResource each), by name. */
  private async withTags(
    found: ParameterMetadata[],
  ): Promise<Map<string, ExistingParameter>> {
    const out = new Map<string, ExistingParameter>();
    for (const p of found) {
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
      out.set(p.Name, {
        version: p.Version,
        ...(p.Type ? { type: p.Type } : {}),
        ...(p.KeyId ? { keyId: p.KeyId } : {}),
        ...(p.Tier ? { tier: p.Tier } : {}),
        lastModified: p.LastModifiedDate,
        tags: new Map(
          tags.flatMap(t =>
            t.Key !== undefined ? [[t.Key, t.Value ?? ''] as const] : [],
          ),
        ),
      });
    }
    return out;
  }
}
