import { TtlCache } from './TtlCache';

describe('TtlCache', () => {
  let now = 1_000;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000;
  });

  it('serves a value until its own expiry, then loads again', async () => {
    const cache = new TtlCache<string>({ maxEntries: 10, now: clock });
    let loads = 0;
    const load = async () => ({
      value: `v${++loads}`,
      expiresAt: now + 100,
    });
    expect(await cache.get('k', load)).toBe('v1');
    now += 99;
    expect(await cache.get('k', load)).toBe('v1');
    now += 1;
    expect(await cache.get('k', load)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('concurrent callers share one load', async () => {
    const cache = new TtlCache<number>({ maxEntries: 10, now: clock });
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const load = async () => {
      loads++;
      await gate;
      return { value: 42, expiresAt: now + 100 };
    };
    const all = Promise.all(
      Array.from({ length: 50 }, () => cache.get('k', load)),
    );
    release();
    expect(await all).toEqual(Array(50).fill(42));
    expect(loads).toBe(1);
  });

  it('a value already expired when loaded is not kept', async () => {
    const cache = new TtlCache<number>({ maxEntries: 10, now: clock });
    let loads = 0;
    const load = async () => ({ value: ++loads, expiresAt: now });
    expect(await cache.get('k', load)).toBe(1);
    expect(await cache.get('k', load)).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('a failed load is not kept', async () => {
    const cache = new TtlCache<number>({ maxEntries: 10, now: clock });
    await expect(
      cache.get('k', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(cache.size).toBe(0);
    expect(
      await cache.get('k', async () => ({ value: 7, expiresAt: now + 10 })),
    ).toBe(7);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new TtlCache<string>({ maxEntries: 3, now: clock });
    const loaded: string[] = [];
    const load = (k: string) => async () => {
      loaded.push(k);
      return { value: k, expiresAt: now + 1000 };
    };
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, load(k));
    expect(cache.size).toBe(3);
    await cache.get('d', load('d'));
    await cache.get('a', load('a'));
    expect(loaded).toEqual(['a', 'b', 'c', 'd', 'a']);
  });
});

describe('TtlCache with staleMs (stale-while-revalidate)', () => {
  let now = 1_000;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000;
  });

  /** A cache serving values up to 50 ms past their expiry. */
  const staleCache = () =>
    new TtlCache<string>({ maxEntries: 10, staleMs: 50, now: clock });

  /** A load whose calls are counted and which settles only when released. */
  function gatedLoad(ttl = 100) {
    const calls: Array<() => void> = [];
    let n = 0;
    const load = () =>
      new Promise<{ value: string; expiresAt: number }>(resolve => {
        const value = `v${++n}`;
        calls.push(() => resolve({ value, expiresAt: now + ttl }));
      });
    return { load, calls };
  }

  it('serves the expired value within staleMs while one reload runs, then the reloaded one', async () => {
    const cache = staleCache();
    const { load, calls } = gatedLoad();
    const first = cache.get('k', load);
    calls[0]();
    expect(await first).toBe('v1');
    now += 120; // past the expiry (1100), within the stale window (1150)
    // answered at once with the stale value, though the reload has not settled
    expect(await cache.get('k', load)).toBe('v1');
    expect(await cache.get('k', load)).toBe('v1');
    expect(calls).toHaveLength(2); // one reload for both
    calls[1]();
    await new Promise(r => setImmediate(r));
    expect(await cache.get('k', load)).toBe('v2');
    expect(calls).toHaveLength(2);
  });

  it('never serves a value past expiresAt + staleMs: the caller then waits for a load', async () => {
    const cache = staleCache();
    const { load, calls } = gatedLoad();
    const first = cache.get('k', load);
    calls[0]();
    await first;
    now += 150; // exactly at expiry + staleMs
    let answered: string | undefined;
    const next = cache.get('k', load).then(v => (answered = v));
    await new Promise(r => setImmediate(r));
    expect(answered).toBeUndefined();
    calls[1]();
    await next;
    expect(answered).toBe('v2');
  });

  it('a failed reload keeps the stale value until its window ends; the next caller reloads again', async () => {
    const cache = staleCache();
    await cache.get('k', async () => ({ value: 'v1', expiresAt: now + 100 }));
    now += 110;
    let fails = 0;
    const failing = async () => {
      fails++;
      throw new Error('catalog down');
    };
    expect(await cache.get('k', failing)).toBe('v1');
    await new Promise(r => setImmediate(r));
    expect(await cache.get('k', failing)).toBe('v1');
    await new Promise(r => setImmediate(r));
    expect(fails).toBe(2);
    now += 40; // 1150: the window has ended
    await expect(cache.get('k', failing)).rejects.toThrow('catalog down');
  });

  it('a value loaded already expired is not kept, nor served stale (a TTL of 0 asks every time)', async () => {
    const cache = new TtlCache<number>({
      maxEntries: 10,
      staleMs: 1000,
      now: clock,
    });
    let loads = 0;
    const load = async () => ({ value: ++loads, expiresAt: now });
    expect(await cache.get('k', load)).toBe(1);
    expect(await cache.get('k', load)).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('keys stay apart: a stale value is served for its own key only', async () => {
    const cache = staleCache();
    await cache.get('alice', async () => ({
      value: 'a',
      expiresAt: now + 100,
    }));
    now += 120;
    const { load, calls } = gatedLoad();
    let bob: string | undefined;
    const pending = cache.get('bob', load).then(v => (bob = v));
    await new Promise(r => setImmediate(r));
    expect(bob).toBeUndefined(); // bob waits for his own, never gets alice's
    calls[0]();
    await pending;
    expect(bob).toBe('v1');
  });
});
