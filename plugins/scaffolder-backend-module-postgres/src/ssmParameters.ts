import {
  DescribeParametersCommand,
  ListTagsForResourceCommand,
  ParameterMetadata,
  SSMClient,
  Tag,
} from '@aws-sdk/client-ssm';

/** Tag keys written on each parameter. */
export const TAG_CLAIM = 'bizmatters.io/postgres-claim';
export const TAG_USERNAME = 'bizmatters.io/postgres-username';
export const TAG_ENTITY = 'backstage.io/entity';
export const TAG_CREATED_BY = 'backstage.io/created-by';
export const TAG_TASK = 'backstage.io/scaffolder-task';
/** Who last repaired the username (the parameter keeps its author, `TAG_CREATED_BY`). */
export const TAG_REPAIRED_BY = 'bizmatters.io/postgres-repaired-by';

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

export function describeAwsError(e: any): string {
  const code = e?.name ?? e?.Code ?? 'Error';
  const message = e?.message && e.message !== code ? `: ${e.message}` : '';
  return `${code}${message}`;
}

/** SSM tag values allow letters, digits, spaces and _.:/=+-@ (at most 256). */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

/** Who wrote a parameter and when, from its tags and metadata, in a user's words. */
export function provenance(found: ExistingParameter): string {
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
 * What SSM says of parameters without reading a value: their metadata (DescribeParameters) and
 * tags (ListTagsForResource), by name or by tag. Every decision about ownership is made from
 * these, so nothing is decrypted.
 */
export class SsmParameterMetadata {
  constructor(private readonly client: SSMClient) {}

  /** The parameters tagged `key=value`, with their tags (a `tag:` filter, no value read). */
  async findTagged(
    key: string,
    value: string,
  ): Promise<Map<string, ExistingParameter>> {
    const found = await this.describe(
      [{ Key: `tag:${key}`, Values: [tagValue(value)] }],
      `tagged ${key}=${value}`,
    );
    return this.withTags(found);
  }

  /** Metadata (DescribeParameters) and tags (ListTagsForResource) of the names that exist. */
  async readExisting(names: string[]): Promise<Map<string, ExistingParameter>> {
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
