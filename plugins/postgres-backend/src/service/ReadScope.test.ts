import { KubernetesReadError } from './ClusterApiClient';
import { ReadScope } from './ReadScope';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('ReadScope', () => {
  it('runs at most `concurrency` reads at once', async () => {
    const scope = new ReadScope({ concurrency: 3 });
    let active = 0;
    let most = 0;
    const read = async () => {
      active++;
      most = Math.max(most, active);
      await sleep(10);
      active--;
      return 1;
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => scope.run('c', read)),
    );
    expect(results).toHaveLength(20);
    expect(most).toBe(3);
  });

  it('gives up on reads, in flight or queued, at the deadline, naming the cluster', async () => {
    const scope = new ReadScope({ concurrency: 1, deadlineMs: 50 });
    let started = 0;
    const slow = () => {
      started++;
      return sleep(200).then(() => 'late');
    };
    const t0 = Date.now();
    const settled = await Promise.allSettled([
      scope.run('cluster-x', slow),
      scope.run('cluster-y', slow),
    ]);
    expect(Date.now() - t0).toBeLessThan(150);
    expect(started).toBe(1); // the queued read was never started
    expect(scope.late).toBe(true);
    expect(settled.map(s => s.status)).toEqual(['rejected', 'rejected']);
    const reason = (settled[1] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(KubernetesReadError);
    expect(reason.failure).toBe('timeout');
    expect(reason.message).toMatch(/^cluster cluster-y did not answer within/);
    await sleep(200);
    expect(started).toBe(1);
  });

  it('keeps the oldest read time', () => {
    const scope = new ReadScope();
    scope.observe(30);
    scope.observe(10);
    scope.observe(20);
    expect(scope.oldest).toBe(10);
  });
});
