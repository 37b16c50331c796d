import { Config } from '@backstage/config';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  PostgresPolicy,
  readPostgresPolicy,
} from '@bizmatters/plugin-postgres-common';

/** What the actions read from app-config (`postgres.*`). */
export interface ModuleSettings {
  policy: PostgresPolicy;
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
  return {
    policy: readPostgresPolicy(config),
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
