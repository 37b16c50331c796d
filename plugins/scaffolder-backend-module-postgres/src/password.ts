import { randomInt } from 'crypto';
import { MIN_PASSWORD_LENGTH } from '@bizmatters/plugin-postgres-common';

const ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An alphanumeric password drawn with `crypto.randomInt`, which has no modulo bias.
 * At least {@link MIN_PASSWORD_LENGTH} characters.
 */
export function generatePassword(length = 40): string {
  if (
    !Number.isInteger(length) ||
    length < MIN_PASSWORD_LENGTH ||
    length > 4096
  ) {
    throw new Error(
      `postgres.ssm.passwordLength must be an integer between ${MIN_PASSWORD_LENGTH} and 4096`,
    );
  }
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
