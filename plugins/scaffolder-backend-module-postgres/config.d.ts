export interface Config {
  postgres?: {
    templates?: {
      /**
       * The templates whose tasks may run the postgres:* actions (entity refs). Any other
       * template, e.g. one a user registered, is refused before anything is read or written;
       * dry runs (template:default/dry-run) may run them and write nothing. Default: the three
       * shipped templates, template:default/new-postgres-db, template:default/change-postgres-db
       * and template:default/remove-postgres-credentials.
       */
      allowed?: string[];
    };
    ssm?: {
      /** AWS region of the SSM parameters; default: the AWS SDK's (AWS_REGION). */
      region?: string;
      /** Endpoint override, e.g. the sandbox's SSM stand-in. */
      endpoint?: string;
      /** KMS key for SecureString parameters; default: the account's aws/ssm key. */
      kmsKeyId?: string;
      /** Parameter tier: Standard (default), Advanced or Intelligent-Tiering. */
      tier?: string;
      /** Length of generated passwords (alphanumeric), at least 32; default 40. */
      passwordLength?: number;
      /** Attempts per SSM call with the SDK's standard retry mode (throttling); default 5. */
      maxAttempts?: number;
    };
  };
}
