export interface Config {
  postgres?: {
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
