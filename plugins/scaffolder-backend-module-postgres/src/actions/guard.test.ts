import { ConflictError } from '@backstage/errors';
import { unitGuard } from '../__testUtils__/actionDeps';
import { auditNote, guardAction } from './guard';

function ctxOf(templateRef: string | undefined, isDryRun = false) {
  return {
    isDryRun,
    templateInfo: templateRef ? { entityRef: templateRef } : undefined,
    user: { ref: 'user:default/mallory' },
    task: { id: 'task-1' },
    input: { component: 'orders' },
  };
}

describe('guardAction', () => {
  it('runs a curated template’s action and audits what it noted', async () => {
    const guard = unitGuard();
    const handler = jest.fn(async (ctx: object) => {
      auditNote(ctx, { ssmParameters: ['/a/user', '/a/password'] });
    });
    const action = guardAction(guard, { id: 'postgres:x:y', handler });
    await action.handler(ctxOf('template:default/new-postgres-db'));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(guard.events.map(e => [e.eventId, e.status])).toEqual([
      ['postgres-x-y', 'initiated'],
      ['postgres-x-y', 'succeeded'],
    ]);
    expect(guard.events[1].meta).toEqual({
      action: 'postgres:x:y',
      actor: 'user:default/mallory',
      templateRef: 'template:default/new-postgres-db',
      taskId: 'task-1',
      dryRun: false,
      entityRef: 'component:default/orders',
      decision: 'written',
      ssmParameters: ['/a/user', '/a/password'],
    });
  });

  it.each([
    ['template:default/team-template', false],
    ['template:other/new-postgres-db', false],
    [undefined, false],
    // a dry run's template is template:default/dry-run; a real task never is
    ['template:default/dry-run', false],
  ])(
    'refuses %s (dry run: %s) before the handler runs, and audits the refusal',
    async (templateRef, isDryRun) => {
      const guard = unitGuard();
      const handler = jest.fn(async (_ctx: object) => {});
      const action = guardAction(guard, { id: 'postgres:x:y', handler });
      await expect(
        action.handler(ctxOf(templateRef, isDryRun)),
      ).rejects.toThrow('is not one of the templates allowed to run');
      expect(handler).not.toHaveBeenCalled();
      expect(guard.events[1]).toMatchObject({
        status: 'failed',
        meta: { decision: 'refused' },
      });
    },
  );

  it('lets a dry run of any template run (it writes nothing) and says checked', async () => {
    const guard = unitGuard();
    const action = guardAction(guard, {
      id: 'postgres:x:y',
      handler: async (_ctx: object) => {},
    });
    await action.handler(ctxOf('template:default/dry-run', true));
    expect(guard.events[1]).toMatchObject({
      status: 'succeeded',
      meta: { decision: 'checked', dryRun: true },
    });
  });

  it('audits a refusal of the action itself as refused, anything else as failed', async () => {
    const guard = unitGuard();
    const refuse = guardAction(guard, {
      id: 'postgres:x:y',
      handler: async (_ctx: object) => {
        throw new ConflictError('taken');
      },
    });
    await expect(
      refuse.handler(ctxOf('template:default/new-postgres-db')),
    ).rejects.toThrow('taken');
    const fail = guardAction(guard, {
      id: 'postgres:x:y',
      handler: async (_ctx: object) => {
        throw new Error('SSM down');
      },
    });
    await expect(
      fail.handler(ctxOf('template:default/new-postgres-db')),
    ).rejects.toThrow('SSM down');
    expect(
      guard.events.filter(e => e.status === 'failed').map(e => e.meta.decision),
    ).toEqual(['refused', 'failed']);
  });
});
