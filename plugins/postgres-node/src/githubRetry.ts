/*
 * Retries and GitHub's rate limits for the plugins' Octokit clients, in one request hook.
 *
 * Why not Octokit's throttling and retry plugins: measured against a local server (Node 24,
 * @octokit/rest 20, plugin-throttling 8.2, plugin-retry 6.1), they add ~14 ms to every request
 * — each schedules the request through Bottleneck limiters (three per request) whose queues
 * yield with setTimeout — and throttling keeps one process-wide group of 10 requests in flight
 * for every client of the process that keeps its default id, so a burst of reads waits in
 * waves. What the plugins do for reads is kept: network errors, 5xx, 408 and 429 retried with
 * a growing wait; a rate limit (GitHub's REST docs: 403 or 429 with `retry-after`, or
 * `x-ratelimit-remaining: 0` and `x-ratelimit-reset`, or a secondary rate limit's message)
 * waited for when the wait is short enough, a bounded number of times.
 */
import type { Octokit } from '@octokit/rest';

/** Longest wait for a rate limit before the request fails instead, in seconds. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 60;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

type Failure = {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
};

/**
 * How long GitHub asks to wait before the next request, in seconds, when `e` is a rate limit;
 * undefined when it is not one.
 */
export function rateLimitWaitSeconds(
  e: unknown,
  now = Date.now(),
): number | undefined {
  const failure = e as Failure;
  if (failure?.status !== 403 && failure?.status !== 429) return undefined;
  const headers = failure.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter)) {
    return Math.max(0, retryAfter);
  }
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    return Number.isFinite(reset)
      ? Math.max(0, Math.ceil(reset - now / 1000) + 1)
      : MAX_RATE_LIMIT_WAIT_SECONDS;
  }
  if (/secondary rate limit/i.test(String(failure.message))) {
    return MAX_RATE_LIMIT_WAIT_SECONDS;
  }
  return undefined;
}

/** Whether a failure is worth the same request again: no answer, a 5xx, a 408 or a 429. */
const isTransient = (e: unknown) => {
  const status = (e as Failure)?.status;
  return (
    status === undefined || status >= 500 || status === 408 || status === 429
  );
};

/**
 * Makes `octokit` retry a transient failure up to `retries` times (waiting 1 s, then 4 s, …:
 * `backoffMs` × the attempt squared) and wait out a rate limit up to `rateLimitRetries` times
 * when GitHub asks for at most {@link MAX_RATE_LIMIT_WAIT_SECONDS}; anything else fails at once.
 */
export function retryRequests(
  octokit: Pick<Octokit, 'hook'>,
  options: { retries: number; rateLimitRetries: number; backoffMs?: number },
): void {
  const { retries, rateLimitRetries, backoffMs = 1000 } = options;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    let failures = 0;
    let limits = 0;
    for (;;) {
      try {
        return await request(requestOptions);
      } catch (e) {
        const wait = rateLimitWaitSeconds(e);
        if (wait !== undefined) {
          if (limits >= rateLimitRetries || wait > MAX_RATE_LIMIT_WAIT_SECONDS)
            throw e;
          limits++;
          await sleep(wait * 1000);
          continue;
        }
        if (!isTransient(e) || failures >= retries) throw e;
        failures++;
        await sleep(failures * failures * backoffMs);
      }
    }
  });
}
