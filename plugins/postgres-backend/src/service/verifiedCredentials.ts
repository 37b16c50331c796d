import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { createHash } from 'crypto';
import express from 'express';
import { TtlCache } from './TtlCache';

/** A user's or a service's credentials, as the read routes allow. */
export type CallerCredentials = BackstageCredentials<
  BackstageUserPrincipal | BackstageServicePrincipal
>;

/** The request's bearer token, as Backstage's httpAuth reads it. */
function bearerToken(req: express.Request): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string'
    ? /^Bearer[ ]+(\S+)$/i.exec(header)?.[1]
    : undefined;
}

/**
 * A caller's credentials, verified by Backstage's httpAuth once per token and TTL rather than
 * on every request: checking a token's signature (ES256) is the largest part of a warm entity
 * view's CPU. For the route that serves warm views only, which the plugin exempts from the
 * http router's credentials barrier (that barrier verifies on every request) and authenticates
 * here instead: no token, or one httpAuth refuses, is refused as the barrier refuses it (401;
 * a refusal is not kept, the next request verifies again); an accepted token is accepted again
 * until the TTL passes or the token expires, whichever is first, and never past it.
 */
export class VerifiedCredentials {
  /** Per token (its SHA-256, not the token itself): the credentials httpAuth gave for it. */
  private readonly verified: TtlCache<CallerCredentials>;

  constructor(
    private readonly options: {
      httpAuth: HttpAuthService;
      /** How long a verified token is accepted without verifying it again. */
      ttlMs: number;
      /** How many tokens are kept. */
      maxEntries: number;
    },
  ) {
    this.verified = new TtlCache({ maxEntries: options.maxEntries });
  }

  /** The credentials of `req`'s caller, a user or a service; AuthenticationError without. */
  of(req: express.Request): Promise<CallerCredentials> {
    const { httpAuth, ttlMs } = this.options;
    const verify = () =>
      httpAuth.credentials(req, { allow: ['user', 'service'] });
    const token = bearerToken(req);
    if (!token) return verify();
    return this.verified.get(
      createHash('sha256').update(token).digest('base64url'),
      async () => {
        const credentials = await verify();
        return {
          value: credentials,
          expiresAt: Math.min(
            Date.now() + ttlMs,
            credentials.expiresAt?.getTime() ?? Infinity,
          ),
        };
      },
    );
  }
}
