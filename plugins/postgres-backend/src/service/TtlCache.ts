/** A cache entry: its value (settled or loading), expiry, and the reload under way, if any. */
interface Entry<V> {
  value: Promise<V>;
  expiresAt: number;
  settled: boolean;
  reloading?: Promise<unknown>;
}

/**
 * A small in-process cache of computed answers: each entry lives until its own expiry, at most
 * `maxEntries` are kept (the oldest inserted goes first), and concurrent loads of one key share
 * a single load. Rejected loads are not kept; a load whose expiry has passed when it settles is
 * shared only while it runs (plain coalescing).
 *
 * With `staleMs`, stale-while-revalidate: a loaded value past its expiry, but by less than
 * `staleMs`, is still served while one reload of its key runs; the reload's value replaces it.
 * A failed reload keeps it (until its stale window ends: then the next caller waits for a load).
 * A value is never served later than `expiresAt + staleMs`.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly options: {
      maxEntries: number;
      /** How long past its expiry a value is served while it is reloaded; default 0. */
      staleMs?: number;
      now?: () => number;
    },
  ) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  /**
   * The cached value of `key`, or the value `load` produces. `load` returns the value and the
   * time (ms since epoch) until which it may be served.
   */
  get(
    key: string,
    load: () => Promise<{ value: V; expiresAt: number }>,
  ): Promise<V> {
    const hit = this.entries.get(key);
    const now = this.now();
    if (hit && hit.expiresAt > now) return hit.value;
    if (hit?.settled && now < hit.expiresAt + (this.options.staleMs ?? 0)) {
      hit.reloading ??= this.reload(key, hit, load);
      return hit.value;
    }
    if (hit) this.entries.delete(key);
    return this.start(key, load).value;
  }

  /** A new entry for `key`, loading; it replaces any entry of `key`. */
  private start(
    key: string,
    load: () => Promise<{ value: V; expiresAt: number }>,
  ): Entry<V> {
    // Until the load settles, concurrent callers share it.
    const entry: Entry<V> = {
      value: undefined as unknown as Promise<V>,
      expiresAt: Infinity,
      settled: false,
    };
    entry.value = load().then(
      ({ value, expiresAt }) => {
        entry.expiresAt = expiresAt;
        entry.settled = true;
        if (expiresAt <= this.now() && this.entries.get(key) === entry)
          this.entries.delete(key);
        return value;
      },
      e => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw e;
      },
    );
    this.entries.set(key, entry);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry;
  }

  /**
   * Reloads `key` while `stale` is served: the new value replaces it once loaded; a failure
   * leaves it as it is.
   */
  private async reload(
    key: string,
    stale: Entry<V>,
    load: () => Promise<{ value: V; expiresAt: number }>,
  ): Promise<void> {
    try {
      const { value, expiresAt } = await load();
      // pushed out or replaced meanwhile: nothing to refresh
      if (this.entries.get(key) !== stale) return;
      this.entries.delete(key);
      if (expiresAt > this.now()) {
        this.entries.set(key, {
          value: Promise.resolve(value),
          expiresAt,
          settled: true,
        });
      }
    } catch {
      // the stale value stays until its window ends; the next caller after it loads again
    } finally {
      stale.reloading = undefined;
    }
  }

  /** Number of entries held (settled or loading). */
  get size() {
    return this.entries.size;
  }
}
