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
