/**
 * Where a {@link UserCallBudget} keeps its counts: Backstage's cache service fits (shared by
 * replicas), as does a Map for one process.
 *
 * @public
 */
export interface CallCountStore {
  /** The count stored under `key`, if any. */
  get(key: string): Promise<unknown>;
  /** Stores the count under `key` for `ttl` milliseconds. */
  set(key: string, value: number, options?: { ttl?: number }): Promise<void>;
}

/**
 * The answer of {@link UserCallBudget.take}: allowed, or refused with the seconds until the
 * user's next call is allowed (the `Retry-After` of a 429).
 *
 * @public
 */
export type CallBudgetDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number };

const WINDOW_MS = 60_000;

/**
 * Each user's calls per minute to a route that spends forge or SSM calls: a fixed one-minute
 * window per user, counted in a shared store. Within one process the count is exact (calls of
 * the same user are counted one after the other). Between replicas sharing the store, the store
 * has no atomic increment: two replicas counting the same user's calls at the same instant may
 * both write the same count, so a user spreading calls over N replicas at once may get up to N
 * calls more per window than the limit — never more than N × the limit.
 *
 * @public
 */
export class UserCallBudget {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: CallCountStore,
    private readonly options: {
      /** Calls a user may make per minute. */
      callsPerMinute: number;
      /** Prefix of the store's keys (one per route or purpose). */
      keyPrefix: string;
      now?: () => number;
    },
  ) {}

  /** Counts one call of `user`, and says whether it is allowed. */
  async take(user: string): Promise<CallBudgetDecision> {
    const now = (this.options.now ?? Date.now)();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${this.options.keyPrefix}:${user}:${window}`;
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil(((window + 1) * WINDOW_MS - now) / 1000),
    );
    // one read-modify-write at a time per key in this process
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      const stored = await this.store.get(key);
      const count = typeof stored === 'number' ? stored : 0;
      if (count >= this.options.callsPerMinute) {
        return { allowed: false as const, retryAfterSeconds };
      }
      await this.store.set(key, count + 1, { ttl: 2 * WINDOW_MS });
      return {
        allowed: true as const,
        remaining: this.options.callsPerMinute - count - 1,
      };
    });
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}
