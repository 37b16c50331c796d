import { KubernetesReadError } from './ClusterApiClient';

/**
 * The upstream reads behind one answer: at most `concurrency` at a time, none waited for past
 * one deadline, and when the oldest of them was made (an answer built from cached reads is not
 * served for longer than its oldest read may be).
 *
 * Reads are shared between concurrent answers (ClusterReader coalesces them), so a read is never
 * cancelled when a scope gives up on it: the scope stops waiting, and the read still fills the
 * cache for the next view.
 */
export class ReadScope {
  /** When the oldest read was made (ms since epoch); Infinity before any. */
  oldest = Infinity;
  /** True once a read was given up at the deadline: the answer is incomplete. */
  late = false;
  private readonly deadline: number;
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly options: {
      /** Most reads in flight at once; default unbounded. */
      concurrency?: number;
      /** How long reads may be waited for, from now, in ms; default unbounded. */
      deadlineMs?: number;
    } = {},
  ) {
    this.deadline =
      options.deadlineMs === undefined
        ? Infinity
        : Date.now() + options.deadlineMs;
  }

  /**
   * Until when an answer built from this scope's reads may be served, reads living `ttlMs`:
   * its oldest read's expiry; now when a read was given up at the deadline (the next view tries
   * again, joining the reads still under way).
   */
  answerExpiry(ttlMs: number): number {
    if (this.late) return Date.now();
    const oldest = Number.isFinite(this.oldest) ? this.oldest : Date.now();
    return oldest + ttlMs;
  }

  observe(readAt: number) {
    if (readAt < this.oldest) this.oldest = readAt;
  }

  private lateError(cluster: string) {
    this.late = true;
    return new KubernetesReadError(
      cluster,
      'timeout',
      cluster
        ? `cluster ${cluster} did not answer within this request's deadline of ${this.options.deadlineMs} ms (postgres.kubernetes.deadlineMs)`
        : `the Kubernetes backend did not answer within this request's deadline of ${this.options.deadlineMs} ms (postgres.kubernetes.deadlineMs)`,
    );
  }

  /**
   * Runs `read` when a slot is free, or rejects with a `timeout` KubernetesReadError naming the
   * cluster once the deadline has passed (whether it was still queued or in flight).
   */
  async run<T>(cluster: string, read: () => Promise<T>): Promise<T> {
    const remaining = this.deadline - Date.now();
    if (remaining <= 0) throw this.lateError(cluster);
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const deadline = Number.isFinite(remaining)
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            expired = true;
            reject(this.lateError(cluster));
          }, remaining);
        })
      : undefined;
    const slotted = (async () => {
      await this.acquire();
      try {
        // queued past the deadline: do not start a read nobody waits for
        if (expired) throw this.lateError(cluster);
        return await read();
      } finally {
        this.release();
      }
    })();
    try {
      return await (deadline ? Promise.race([slotted, deadline]) : slotted);
    } finally {
      clearTimeout(timer);
      slotted.catch(() => {}); // settled after the deadline: nobody listens
    }
  }

  private acquire(): Promise<void> {
    const limit = this.options.concurrency ?? Infinity;
    if (this.active < limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise(resolve =>
      this.queue.push(() => {
        this.active++;
        resolve();
      }),
    );
  }

  private release() {
    this.active--;
    this.queue.shift()?.();
  }
}
