import {
  CONNECTION_SECRET_KEYS,
  ZERO_TOUCH_CONNECTION_SECRET_KEYS,
} from './crossplane';
import { Context, hintValues, unreadable } from './context';
import { finding } from './states';
import type { Finding } from './types';

/** The connection secret hop: the keys applications read, written by the Composition. */
export function connectionSecretStep(
  ctx: Context,
  upstreamOk: boolean,
): Finding {
  const blocked = unreadable(ctx, 'connectionSecret');
  if (blocked) return blocked;
  const secret = ctx.objects.connectionSecret;
  const name = ctx.connectionSecretName ?? '?';
  const expected = ctx.usesExternalSecret
    ? CONNECTION_SECRET_KEYS
    : ZERO_TOUCH_CONNECTION_SECRET_KEYS;
  if (!secret) {
    return upstreamOk
      ? finding(
          'connMissing',
          `Everything upstream is ready but the connection secret ${name} does not exist.`,
          hintValues(ctx),
        )
      : finding(
          'connWaiting',
          `The connection secret ${name} is written once the hops before it are ready.`,
        );
  }
  const missing = expected.filter(k => !secret.keys.includes(k));
  if (missing.length) {
    return finding(
      'connMissingKeys',
      `The connection secret ${secret.name} lacks ${missing.join(
        ', ',
      )}; applications read ${expected.join(', ')}.`,
    );
  }
  if (
    ctx.expectedOwner !== undefined &&
    secret.username !== undefined &&
    secret.username !== ctx.expectedOwner
  ) {
    return finding(
      'connUsernameMismatch',
      `The connection secret hands applications the username '${secret.username}', but the database owner is '${ctx.expectedOwner}'.`,
    );
  }
  return finding(
    'connPresent',
    `Secret ${secret.name} has ${expected.join(', ')}.`,
  );
}
