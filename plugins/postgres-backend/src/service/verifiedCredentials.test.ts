import { HttpAuthService } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import express from 'express';
import { VerifiedCredentials } from './verifiedCredentials';

/** An httpAuth that accepts `good-*` tokens until `expiresAt`, counting its verifications. */
function fakeHttpAuth(expiresAt?: () => Date) {
  const verified: string[] = [];
  const httpAuth = {
    credentials: async (req: express.Request) => {
      const token = /^Bearer[ ]+(\S+)$/i.exec(
        String(req.headers.authorization ?? ''),
      )?.[1];
      verified.push(token ?? '');
      if (!token?.startsWith('good-'))
        throw new AuthenticationError('Missing or invalid credentials');
      return {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'user', userEntityRef: `user:default/${token}` },
        ...(expiresAt ? { expiresAt: expiresAt() } : {}),
      };
    },
  } as unknown as HttpAuthService;
  return { httpAuth, verified };
}

const request = (authorization?: string) =>
  ({
    headers: authorization ? { authorization } : {},
  } as express.Request);

describe('VerifiedCredentials', () => {
  it('verifies a token once per TTL, each token apart', async () => {
    const { httpAuth, verified } = fakeHttpAuth();
    const credentials = new VerifiedCredentials({
      httpAuth,
      ttlMs: 60_000,
      maxEntries: 10,
    });
    const first = await credentials.of(request('Bearer good-alice'));
    const again = await credentials.of(request('Bearer good-alice'));
    const other = await credentials.of(request('Bearer good-bob'));
    expect(again).toBe(first);
    expect((other.principal as { userEntityRef: string }).userEntityRef).toBe(
      'user:default/good-bob',
    );
    expect(verified).toEqual(['good-alice', 'good-bob']);
  });

  it('refuses what httpAuth refuses, every time (a refusal is not kept)', async () => {
    const { httpAuth, verified } = fakeHttpAuth();
    const credentials = new VerifiedCredentials({
      httpAuth,
      ttlMs: 60_000,
      maxEntries: 10,
    });
    await expect(credentials.of(request())).rejects.toThrow(
      AuthenticationError,
    );
    await expect(credentials.of(request('Bearer forged'))).rejects.toThrow(
      AuthenticationError,
    );
    await expect(credentials.of(request('Bearer forged'))).rejects.toThrow(
      AuthenticationError,
    );
    expect(verified).toEqual(['', 'forged', 'forged']);
  });

  it('verifies again after the TTL, and never accepts a token past its expiry', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    /** A token living `lifetimeMs`, seen at each of `times` (ms from now): verifications. */
    const verificationsAt = async (lifetimeMs: number, times: number[]) => {
      const start = Date.now();
      const { httpAuth, verified } = fakeHttpAuth(
        () => new Date(start + lifetimeMs),
      );
      const credentials = new VerifiedCredentials({
        httpAuth,
        ttlMs: 10_000,
        maxEntries: 10,
      });
      const counts = [];
      for (const t of times) {
        jest.setSystemTime(start + t);
        await credentials.of(request('Bearer good-alice'));
        counts.push(verified.length);
      }
      return counts;
    };
    try {
      // the token expires before the TTL ends: verified again then (and refused by httpAuth)
      expect(await verificationsAt(5_000, [0, 4_999, 5_000])).toEqual([
        1, 1, 2,
      ]);
      // a long-lived token: verified again once the TTL has passed
      expect(await verificationsAt(3_600_000, [0, 9_999, 10_000])).toEqual([
        1, 1, 2,
      ]);
    } finally {
      jest.useRealTimers();
    }
  });
});
