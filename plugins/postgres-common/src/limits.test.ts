import { UserCallBudget } from './limits';

function mapStore() {
  const map = new Map<string, unknown>();
  return {
    map,
    async get(key: string) {
      await new Promise(r => setTimeout(r, 1));
      return map.get(key);
    },
    async set(key: string, value: number) {
      await new Promise(r => setTimeout(r, 1));
      map.set(key, value);
    },
  };
}

describe('UserCallBudget', () => {
  it('allows each user the limit per minute, counted exactly when calls overlap, then says when to retry', async () => {
    let now = 60_000 * 1000 + 15_000; // 15 s into a window
    const budget = new UserCallBudget(mapStore(), {
      callsPerMinute: 5,
      keyPrefix: 'test',
      now: () => now,
    });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => budget.take('user:default/mallory')),
    );
    expect(answers.filter(a => a.allowed)).toHaveLength(5);
    expect(answers.filter(a => !a.allowed)).toEqual(
      Array(3).fill({ allowed: false, retryAfterSeconds: 45 }),
    );
    // another user has a budget of their own
    expect((await budget.take('user:default/alice')).allowed).toBe(true);
    // the next window allows again
    now += 45_000;
    expect(await budget.take('user:default/mallory')).toEqual({
      allowed: true,
      remaining: 4,
    });
  });

  it('shares the count through the store (another replica sees the calls)', async () => {
    const store = mapStore();
    const now = () => 120_000;
    const a = new UserCallBudget(store, {
      callsPerMinute: 2,
      keyPrefix: 'x',
      now,
    });
    const b = new UserCallBudget(store, {
      callsPerMinute: 2,
      keyPrefix: 'x',
      now,
    });
    expect((await a.take('u')).allowed).toBe(true);
    expect((await b.take('u')).allowed).toBe(true);
    expect((await a.take('u')).allowed).toBe(false);
  });
});
