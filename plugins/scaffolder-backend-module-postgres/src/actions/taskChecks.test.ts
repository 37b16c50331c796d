import { TaskChecks, taskOf, VerifiedCreation } from './taskChecks';

const verified = (name: string): VerifiedCreation => ({
  checked: { request: { name } } as any,
  ssmVerified: true,
});
const input = { name: 'orders-db', namespace: 'orders', size: 'small' };

describe('TaskChecks', () => {
  it("gives one action's answer to the task's other action, once", () => {
    const checks = new TaskChecks();
    checks.keep('task-1', input, 'credentials', verified('orders-db'));
    // the same input in another key order is the same input
    const reordered = { size: 'small', namespace: 'orders', name: 'orders-db' };
    expect(checks.take('task-1', reordered, 'manifests')).toEqual(
      verified('orders-db'),
    );
    expect(checks.take('task-1', input, 'manifests')).toBeUndefined();
  });

  it('never to the action that kept it (a step run again checks anew)', () => {
    const checks = new TaskChecks();
    checks.keep('task-1', input, 'credentials', verified('orders-db'));
    expect(checks.take('task-1', input, 'credentials')).toBeUndefined();
  });

  it('not to another task, nor for another input', () => {
    const checks = new TaskChecks();
    checks.keep('task-1', input, 'credentials', verified('orders-db'));
    expect(checks.take('task-2', input, 'manifests')).toBeUndefined();
    expect(
      checks.take('task-1', { ...input, size: 'large' }, 'manifests'),
    ).toBeUndefined();
    expect(
      checks.take('task-1', { ...input, repoUrl: 'elsewhere' }, 'manifests'),
    ).toBeUndefined();
  });

  it('not to another initiator, whatever the task id', () => {
    const checks = new TaskChecks();
    const alice = taskOf({
      task: { id: 't' },
      user: { ref: 'user:default/alice' },
    });
    const mallory = taskOf({
      task: { id: 't' },
      user: { ref: 'user:default/mallory' },
    });
    checks.keep(alice, input, 'credentials', verified('orders-db'));
    expect(checks.take(mallory, input, 'manifests')).toBeUndefined();
    expect(checks.take(alice, input, 'manifests')).toBeDefined();
  });

  it('not after a minute', () => {
    let now = 0;
    const checks = new TaskChecks(() => now);
    checks.keep('task-1', input, 'credentials', verified('orders-db'));
    now = 60_000;
    expect(checks.take('task-1', input, 'manifests')).toBeUndefined();
  });
});
