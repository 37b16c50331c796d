import { Config } from '@backstage/config';
import { SSMClient } from '@aws-sdk/client-ssm';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  PostgresPolicy,
  readPostgresPolicy,
} from '@bizmatters/plugin-postgres-common';

/** What the actions read from app-config (`postgres.*`). */
/** The curated templates: the only ones whose tasks may run our actions for real. */
export const DEFAULT_ALLOWED_TEMPLATES = [
  'template:default/new-postgres-db',
  'template:default/change-postgres-db',
  'template:default/remove-postgres-credentials',
] as const;

export interface ModuleSettings {
  policy: PostgresPolicy;
  /** `postgres.templates.allowed`, as full lower-case refs. */
  allowedTemplates: string[];
  limits: {
    /** `postgres.limits.callsPerMinute`: each user's calls to the availability route. */
    callsPerMinute: number;
    /** `postgres.cache.ttlSeconds`: how long the same question gets the same answer. */
    answerTtlSeconds: number;
  };
  ssm: {
    region?: string;
    endpoint?: string;
    kmsKeyId?: string;
    tier?: string;
    passwordLength: number;
    maxAttempts: number;
  };
}

export function readModuleSettings(config: Config): ModuleSettings {
  const ssm = config.getOptionalConfig('postgres.ssm');
  const allowed = config.getOptionalStringArray('postgres.templates.allowed');
  return {
    policy: readPostgresPolicy(config),
    allowedTemplates: (allowed ?? [...DEFAULT_ALLOWED_TEMPLATES]).map(ref =>
      stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'template',
          defaultNamespace: 'default',
        }),
      ).toLocaleLowerCase('en-US'),
    ),
    limits: {
      callsPerMinute:
        config.getOptionalNumber('postgres.limits.callsPerMinute') ?? 60,
      answerTtlSeconds:
        config.getOptionalNumber('postgres.cache.ttlSeconds') ?? 10,
    },
    ssm: {
      region: ssm?.getOptionalString('region'),
      endpoint: ssm?.getOptionalString('endpoint'),
      kmsKeyId: ssm?.getOptionalString('kmsKeyId'),
      tier: ssm?.getOptionalString('tier'),
      passwordLength: ssm?.getOptionalNumber('passwordLength') ?? 40,
      maxAttempts: ssm?.getOptionalNumber('maxAttempts') ?? 5,
    },
  };
}

/**
 * An SSM client from the settings: region and endpoint from config, credentials from the AWS
 * SDK's default chain (environment, shared files, web identity, instance roles), the SDK's
 * standard retry mode.
 */
export function createSsmClient(settings: ModuleSettings['ssm']): SSMClient {
  return new SSMClient({
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    retryMode: 'standard',
    maxAttempts: settings.maxAttempts,
  });
}
