import http from 'http';
import { AddressInfo } from 'net';
import { Octokit } from '@octokit/rest';
import { rateLimitWaitSeconds, retryRequests } from './githubRetry';

/** A server answering GET /repos/o/r/pulls with the next of `answers`, then 200. */
async function serverAnswering(
  answers: Array<{
    status: number;
    headers?: Record<string, string>;
    message?: string;
  }>,
) {
  const seen: number[] = [];
  const server = http.createServer((_req, res) => {
    const next = answers.shift();
    seen.push(next?.status ?? 200);
    res.writeHead(next?.status ?? 200, {
      'content-type': 'application/json',
      ...next?.headers,
    });
    res.end(JSON.stringify(next ? { message: next.message ?? 'no' } : []));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const octokit = new Octokit({ baseUrl: `http://127.0.0.1:${port}` });
  retryRequests(octokit, { retries: 2, rateLimitRetries: 1, backoffMs: 1 });
  const get = () =>
    octokit.request('GET /repos/{owner}/{repo}/pulls', {
      owner: 'o',
      repo: 'r',
    });
  return { seen, get, close: () => new Promise(r => server.close(r)) };
}

describe('retryRequests', () => {
  it('retries a 5xx, a 408 and a 429 without a wait, at most `retries` times', async () => {
    const ok = await serverAnswering([{ status: 502 }, { status: 429 }]);
    await expect(ok.get()).resolves.toMatchObject({ status: 200 });
    expect(ok.seen).toEqual([502, 429, 200]);
    await ok.close();

    const down = await serverAnswering([
      { status: 500 },
      { status: 503 },
      { status: 408 },
    ]);
    await expect(down.get()).rejects.toMatchObject({ status: 408 });
    expect(down.seen).toEqual([500, 503, 408]);
    await down.close();
  });

  it('fails at once on a refusal or an invalid request', async () => {
    const s = await serverAnswering([{ status: 422 }, { status: 404 }]);
    await expect(s.get()).rejects.toMatchObject({ status: 422 });
    await expect(s.get()).rejects.toMatchObject({ status: 404 });
    expect(s.seen).toEqual([422, 404]);
    await s.close();
  });

  it('waits out a rate limit GitHub names once, and fails on the second or on a long wait', async () => {
    const once = await serverAnswering([
      { status: 429, headers: { 'retry-after': '0' } },
    ]);
    await expect(once.get()).resolves.toMatchObject({ status: 200 });
    expect(once.seen).toEqual([429, 200]);
    await once.close();

    const twice = await serverAnswering([
      {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' },
      },
      { status: 403, headers: { 'retry-after': '0' } },
    ]);
    await expect(twice.get()).rejects.toMatchObject({ status: 403 });
    expect(twice.seen).toEqual([403, 403]);
    await twice.close();

    const long = await serverAnswering([
      { status: 429, headers: { 'retry-after': '3600' } },
    ]);
    await expect(long.get()).rejects.toMatchObject({ status: 429 });
    expect(long.seen).toEqual([429]);
    await long.close();
  });

  it('reads GitHub’s rate-limit answers', () => {
    const failure = (status: number, headers: object, message = '') => ({
      status,
      message,
      response: { headers },
    });
    const now = Date.parse('2026-12-08T00:00:00Z');
    expect(
      rateLimitWaitSeconds(failure(429, { 'retry-after': '7' }), now),
    ).toBe(7);
    expect(
      rateLimitWaitSeconds(
        failure(403, {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(now / 1000 + 30),
        }),
        now,
      ),
    ).toBe(31);
    expect(
      rateLimitWaitSeconds(
        failure(403, {}, 'You have exceeded a secondary rate limit'),
      ),
    ).toBe(60);
    // a plain refusal is not a rate limit
    expect(
      rateLimitWaitSeconds(failure(403, {}, 'Resource not accessible')),
    ).toBeUndefined();
    expect(
      rateLimitWaitSeconds(failure(500, { 'retry-after': '1' })),
    ).toBeUndefined();
  });
});
