/**
 * A small in-process cache of computed answers: each entry lives until its own expiry, at most
 * `maxEntries` are kept (the oldest inserted goes first), and concurrent loads of one key share
 * a single load. Rejected loads are not kept; a load whose expiry has passed when it settles is
 * shared only while it runs (plain coalescing).
 */
export class TtlCache<V> {
  private readonly entries = new Map<
    string,
    { value: Promise<V>; expiresAt: number }
  >();

  constructor(
    private readonly options: {
      maxEntries: number;
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
    if (hit && hit.expiresAt > this.now()) return hit.value;
    if (hit) this.entries.delete(key);
    // Until the load settles, concurrent callers share it.
    const entry = {
      value: undefined as unknown as Promise<V>,
      expiresAt: Infinity,
    };
    entry.value = load().then(
      ({ value, expiresAt }) => {
        entry.expiresAt = expiresAt;
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
    return entry.value;
  }

  /** Number of entries held (settled or loading). */
  get size() {
    return this.entries.size;
  }
}
