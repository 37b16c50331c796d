import { CREDENTIALS_SECRET_KEYS } from './cnpg';
import { BASIC_AUTH_SECRET_TYPE } from './kubernetes';
import { Context, hintValues, unreadable } from './context';
import { finding } from './states';
import type { Finding } from './types';

/**
 * The credentials secret hop: CNPG's `bootstrap.initdb.secret` must be basic-auth with
 * `username` and `password`, and its username must be the database owner (CNPG does not say
 * so in any status: it only logs the mismatch).
 */
export function credentialsSecretStep(
  ctx: Context,
  upstreamOk: boolean,
): Finding {
  const blocked = unreadable(ctx, 'credentialsSecret');
  if (blocked) return blocked;
  const secret = ctx.objects.credentialsSecret;
  const name = ctx.credentialsSecretName ?? '?';
  if (!secret) {
    if (!ctx.usesExternalSecret) {
      return ctx.cluster
        ? finding(
            'credsNotMadeByCnpg',
            `CloudNative-PG has not created the application secret ${name}.`,
          )
        : finding(
            'credsWaitingForCluster',
            `The application secret ${name} is created with the CNPG cluster.`,
          );
    }
    return upstreamOk
      ? finding(
          'credsMissing',
          `The ExternalSecret reports success but secret ${name} does not exist.`,
        )
      : finding(
          'credsWaitingForExternalSecret',
          `Secret ${name} does not exist yet: the ExternalSecret makes it.`,
        );
  }
  if (secret.type !== BASIC_AUTH_SECRET_TYPE) {
    return finding(
      'credsWrongType',
      `Secret ${secret.name} has type ${
        secret.type ?? 'Opaque'
      }; CloudNative-PG's initdb.secret must be ${BASIC_AUTH_SECRET_TYPE}.`,
    );
  }
  const missing = CREDENTIALS_SECRET_KEYS.filter(k => !secret.keys.includes(k));
  if (missing.length) {
    return finding(
      'credsMissingKeys',
      `Secret ${secret.name} lacks the key${
        missing.length > 1 ? 's' : ''
      } ${missing.join(', ')}.`,
    );
  }
  if (
    ctx.expectedOwner !== undefined &&
    secret.username !== undefined &&
    secret.username !== ctx.expectedOwner
  ) {
    const userKey = ctx.remoteKeys.username;
    return finding(
      'credsOwnerMismatch',
      `The secret's username '${secret.username}' differs from the database owner '${ctx.expectedOwner}' (${ctx.ownerSource}). CloudNative-PG still reports the cluster healthy, but the application cannot log in.`,
      hintValues(ctx, {
        owner: ctx.expectedOwner,
        userParameter: userKey
          ? `the SSM parameter ${userKey}`
          : "the secret's username",
      }),
    );
  }
  return finding(
    'credsPresent',
    `Secret ${
      secret.name
    } (${BASIC_AUTH_SECRET_TYPE}) has username and password${
      secret.username !== undefined
        ? `; username '${secret.username}' matches the owner`
        : ''
    }.`,
  );
}
