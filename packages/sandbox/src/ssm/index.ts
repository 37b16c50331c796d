import http from 'http';
import { readBody, sendJson, sleep, StandInBase } from '../http';

/** One stored parameter. */
export interface SsmParameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  keyId?: string;
  tier: string;
  description?: string;
  lastModifiedDate: number;
  tags: Array<{ Key: string; Value: string }>;
}

export interface SsmStandInOptions {
  port?: number;
  region?: string;
  accountId?: string;
  /** Added before every answer. */
  latencyMs?: number;
}

class SsmError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

/**
 * A stand-in for AWS Systems Manager Parameter Store speaking the AWS JSON 1.1 protocol
 * (`X-Amz-Target: AmazonSSM.<Operation>`), so the real `@aws-sdk/client-ssm` talks to it
 * unchanged. Signatures are not checked. Error codes and messages follow AWS's.
 */
export class SsmStandIn extends StandInBase {
  readonly parameters = new Map<string, SsmParameter>();
  /** Calls per operation, e.g. { PutParameter: 2 }. */
  readonly calls: Record<string, number> = {};
  /** Every request in order: operation and parameter name(s); never values. */
  readonly log: Array<{ operation: string; names: string[] }> = [];
  latencyMs: number;
  private throttleRemaining = 0;
  private failures: Array<{
    operation?: string;
    code: string;
    message: string;
    status: number;
  }> = [];
  private readonly region: string;
  private readonly accountId: string;

  private constructor(options: SsmStandInOptions) {
    super();
    this.latencyMs = options.latencyMs ?? 0;
    this.region = options.region ?? 'eu-west-1';
    this.accountId = options.accountId ?? '000000000000';
  }

  static async start(options: SsmStandInOptions = {}): Promise<SsmStandIn> {
    const s = new SsmStandIn(options);
    await s.listenOn(options.port);
    return s;
  }

  /** The next `count` requests answer ThrottlingException (HTTP 400), as AWS does under load. */
  throttleNext(count: number) {
    this.throttleRemaining = count;
  }

  /** The next request of `operation` (any, if omitted) fails with this AWS error. */
  failNext(failure: {
    operation?: string;
    code: string;
    message?: string;
    status?: number;
  }) {
    this.failures.push({
      operation: failure.operation,
      code: failure.code,
      message: failure.message ?? failure.code,
      status: failure.status ?? 400,
    });
  }

  /** Writes counted: PutParameter, DeleteParameter(s), AddTagsToResource. */
  get writes(): number {
    return [
      'PutParameter',
      'DeleteParameter',
      'DeleteParameters',
      'AddTagsToResource',
    ]
      .map(op => this.calls[op] ?? 0)
      .reduce((a, b) => a + b, 0);
  }

  /** Stores a SecureString directly (seeding), as if written by PutParameter, without counting a call. */
  seed(
    name: string,
    value: string,
    tags: Array<{ Key: string; Value: string }> = [],
  ) {
    this.parameters.set(name, {
      name,
      type: 'SecureString',
      value,
      version: 1,
      tier: 'Standard',
      lastModifiedDate: Date.now() / 1000,
      tags,
    });
  }

  reset() {
    this.parameters.clear();
    for (const k of Object.keys(this.calls)) delete this.calls[k];
    this.log.length = 0;
    this.failures = [];
    this.throttleRemaining = 0;
  }

  private arn(name: string) {
    const path = name.startsWith('/') ? name : `/${name}`;
    return `arn:aws:ssm:${this.region}:${this.accountId}:parameter${path}`;
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSSM.')
      ? target.slice('AmazonSSM.'.length)
      : '';
    let body: any = {};
    try {
      const raw = await readBody(req);
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      body = {};
    }
    if (this.latencyMs) await sleep(this.latencyMs);
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    const names: string[] = body.Name
      ? [body.Name]
      : body.Names ?? (body.ResourceId ? [body.ResourceId] : []);
    this.log.push({ operation, names });
    try {
      if (this.throttleRemaining > 0) {
        this.throttleRemaining -= 1;
        throw new SsmError('ThrottlingException', 'Rate exceeded');
      }
      const i = this.failures.findIndex(
        f => !f.operation || f.operation === operation,
      );
      if (i >= 0) {
        const [f] = this.failures.splice(i, 1);
        throw new SsmError(f.code, f.message, f.status);
      }
      sendJson(res, 200, this.dispatch(operation, body), {
        'x-amzn-requestid': `sandbox-${this.log.length}`,
      });
    } catch (e) {
      const err =
        e instanceof SsmError
          ? e
          : new SsmError('InternalServerError', String(e), 500);
      sendJson(
        res,
        err.status,
        { __type: err.code, message: err.message },
        {
          'x-amzn-errortype': err.code,
          'x-amzn-requestid': `sandbox-${this.log.length}`,
        },
      );
    }
  }

  private validateName(name: unknown): string {
    if (typeof name !== 'string' || name.length === 0 || name.length > 2048) {
      throw new SsmError(
        'ValidationException',
        "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
      throw new SsmError(
        'ValidationException',
        `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`,
      );
    }
    const first = (name.startsWith('/') ? name.slice(1) : name).split('/')[0];
    if (/^(aws|ssm)/i.test(first)) {
      throw new SsmError(
        'ValidationException',
        `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`,
      );
    }
    if (name.split('/').filter(Boolean).length > 15) {
      throw new SsmError(
        'HierarchyLevelLimitExceededException',
        'A hierarchy can have a maximum of 15 levels.',
      );
    }
    return name;
  }

  private get(name: string): SsmParameter {
    const p = this.parameters.get(name);
    if (!p) throw new SsmError('ParameterNotFound', '');
    return p;
  }

  private view(p: SsmParameter, decrypt: boolean) {
    return {
      Name: p.name,
      Type: p.type,
      Value:
        p.type === 'SecureString' && !decrypt
          ? `sandbox-encrypted:${p.version}`
          : p.value,
      Version: p.version,
      LastModifiedDate: p.lastModifiedDate,
      ARN: this.arn(p.name),
      DataType: 'text',
    };
  }

  private metadata(p: SsmParameter) {
    return {
      Name: p.name,
      ARN: this.arn(p.name),
      Type: p.type,
      KeyId: p.keyId,
      LastModifiedDate: p.lastModifiedDate,
      LastModifiedUser: `arn:aws:iam::${this.accountId}:user/sandbox`,
      Description: p.description,
      Version: p.version,
      Tier: p.tier,
      Policies: [],
      DataType: 'text',
    };
  }

  private dispatch(operation: string, body: any): unknown {
    switch (operation) {
      case 'PutParameter': {
        const name = this.validateName(body.Name);
        if (body.Overwrite && Array.isArray(body.Tags) && body.Tags.length) {
          throw new SsmError(
            'ValidationException',
            "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
          );
        }
        if (typeof body.Value !== 'string' || body.Value.length === 0) {
          throw new SsmError(
            'ValidationException',
            "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
          );
        }
        const tier = body.Tier ?? 'Standard';
        if (tier === 'Standard' && Buffer.byteLength(body.Value) > 4096) {
          throw new SsmError(
            'ValidationException',
            'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.',
          );
        }
        const existing = this.parameters.get(name);
        if (existing && !body.Overwrite) {
          throw new SsmError(
            'ParameterAlreadyExists',
            'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          );
        }
        const p: SsmParameter = {
          name,
          type: body.Type ?? existing?.type ?? 'String',
          value: body.Value,
          version: (existing?.version ?? 0) + 1,
          keyId:
            body.Type === 'SecureString'
              ? body.KeyId ?? 'alias/aws/ssm'
              : undefined,
          tier,
          description: body.Description ?? existing?.description,
          lastModifiedDate: Date.now() / 1000,
          tags: existing?.tags ?? (Array.isArray(body.Tags) ? body.Tags : []),
        };
        this.parameters.set(name, p);
        return { Version: p.version, Tier: p.tier };
      }
      case 'GetParameter': {
        const p = this.get(String(body.Name));
        return { Parameter: this.view(p, !!body.WithDecryption) };
      }
      case 'GetParameters': {
        const names: string[] = Array.isArray(body.Names) ? body.Names : [];
        const found = names.filter(n => this.parameters.has(n));
        return {
          Parameters: found.map(n =>
            this.view(this.parameters.get(n)!, !!body.WithDecryption),
          ),
          InvalidParameters: names.filter(n => !this.parameters.has(n)),
        };
      }
      case 'DeleteParameter': {
        this.get(String(body.Name));
        this.parameters.delete(body.Name);
        return {};
      }
      case 'DeleteParameters': {
        const names: string[] = Array.isArray(body.Names) ? body.Names : [];
        const deleted = names.filter(n => this.parameters.delete(n));
        return {
          DeletedParameters: deleted,
          InvalidParameters: names.filter(n => !deleted.includes(n)),
        };
      }
      case 'AddTagsToResource': {
        if (body.ResourceType !== 'Parameter') {
          throw new SsmError(
            'InvalidResourceType',
            'The resource type is not valid.',
          );
        }
        const p = this.parameters.get(String(body.ResourceId));
        if (!p)
          throw new SsmError(
            'InvalidResourceId',
            'The resource ID is not valid. Verify that you entered the correct ID and try again.',
          );
        for (const tag of body.Tags ?? []) {
          p.tags = [...p.tags.filter(t => t.Key !== tag.Key), tag];
        }
        return {};
      }
      case 'ListTagsForResource': {
        const p = this.parameters.get(String(body.ResourceId));
        if (!p)
          throw new SsmError(
            'InvalidResourceId',
            'The resource ID is not valid. Verify that you entered the correct ID and try again.',
          );
        return { TagList: p.tags };
      }
      case 'DescribeParameters': {
        let list = [...this.parameters.values()];
        for (const f of body.ParameterFilters ?? []) {
          const values: string[] = f.Values ?? [];
          if (f.Key === 'Name') {
            list = list.filter(p =>
              (f.Option ?? 'Equals') === 'BeginsWith'
                ? values.some(v => p.name.startsWith(v))
                : values.includes(p.name),
            );
          } else if (f.Key === 'Path') {
            list = list.filter(p =>
              values.some(v =>
                p.name.startsWith(v.endsWith('/') ? v : `${v}/`),
              ),
            );
          } else if (typeof f.Key === 'string' && f.Key.startsWith('tag:')) {
            // as AWS: "tag:<key>" with the values the tag may have (none: any value)
            const key = f.Key.slice('tag:'.length);
            list = list.filter(p =>
              p.tags.some(
                t =>
                  t.Key === key &&
                  (values.length === 0 || values.includes(t.Value)),
              ),
            );
          }
        }
        return { Parameters: list.map(p => this.metadata(p)) };
      }
      default:
        throw new SsmError(
          'UnknownOperationException',
          `Operation ${operation} is not supported by the sandbox`,
        );
    }
  }
}
