import {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import { normalizeEntityRef } from '@bizmatters/plugin-postgres-common';
import { NotAllowedError } from '@backstage/errors';

/** The audit event's metadata: JSON only. */
type JsonObject = NonNullable<AuditorServiceCreateEventOptions['meta']>;

/** The ref the scaffolder gives a dry run's template (whatever the request body holds). */
export const DRY_RUN_TEMPLATE_REF = 'template:default/dry-run';

/** What every postgres:* action is guarded with. */
export interface ActionGuard {
  auditor: AuditorService;
  /** `postgres.templates.allowed`, as full lower-case refs. */
  allowedTemplates: readonly string[];
  /**
   * Called once a task (not a dry run) ran an action's work, whatever it decided: what the
   * module answered before (the form's availability) may no longer hold.
   */
  afterWrite?: () => Promise<void>;
}

/** The part of an action's context the guard reads. */
export interface GuardedContext {
  isDryRun?: boolean;
  templateInfo?: { entityRef?: string };
  user?: { ref?: string };
  task: { id: string };
  input: { component?: unknown };
}

/** What each running action told the audit trail so far, by its context. */
const notesByContext = new WeakMap<object, JsonObject>();

/**
 * Adds to the audit event of the action running with `ctx` what it did or decided: entity,
 * claim, SSM parameter names, files, pull request — names only, never a value.
 */
export function auditNote(ctx: object, meta: JsonObject): void {
  const notes = notesByContext.get(ctx);
  if (notes) Object.assign(notes, meta);
}

/** An action as the module registers it: its id and its handler. */
interface GuardableAction {
  id: string;
  handler: (ctx: any) => Promise<void>;
}

/** The action, its handler run behind {@link runGuarded}. */
export function guardAction<A extends GuardableAction>(
  guard: ActionGuard,
  action: A,
): A {
  return {
    ...action,
    handler: (ctx: GuardedContext) =>
      runGuarded(ctx, guard, action.id, () => action.handler(ctx)),
  };
}

/** Refusals are the caller's doing (input, permission, conflict); anything else failed. */
const REFUSALS = new Set([
  'InputError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
]);

function normalizedRef(
  value: unknown,
  defaultKind: string,
): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return normalizeEntityRef(value, defaultKind) ?? value;
}

/**
 * Runs one postgres:* action's work behind the checks every action makes first, and records it
 * as an audit event (`coreServices.auditor`): who ran it, from which template and task, for
 * which entity, and what was decided — `written`/`checked` (dry run) or what `run` notes, or
 * `refused`/`failed` with the error. Before anything is read or written, the task's template
 * must be one of `postgres.templates.allowed`; a dry run (`template:default/dry-run`) may run
 * any template's steps, and writes nothing.
 */
export async function runGuarded(
  ctx: GuardedContext,
  guard: ActionGuard,
  action: string,
  run: () => Promise<void>,
): Promise<void> {
  const templateRef = normalizedRef(ctx.templateInfo?.entityRef, 'template');
  const dryRun = !!ctx.isDryRun;
  const meta: JsonObject = {
    action,
    actor: ctx.user?.ref ?? null,
    templateRef: templateRef ?? null,
    taskId: ctx.task.id,
    dryRun,
    entityRef: normalizedRef(ctx.input.component, 'component') ?? null,
  };
  const event = await guard.auditor.createEvent({
    eventId: action.replace(/:/g, '-'),
    severityLevel: dryRun ? 'low' : 'medium',
    meta,
  });
  const notes: JsonObject = {};
  notesByContext.set(ctx, notes);
  try {
    const curated =
      templateRef !== undefined && guard.allowedTemplates.includes(templateRef);
    const dryRunOfAny = dryRun && templateRef === DRY_RUN_TEMPLATE_REF;
    if (!curated && !dryRunOfAny) {
      throw new NotAllowedError(
        `${
          templateRef ?? 'A task without a template'
        } is not one of the templates allowed to run ${action} (postgres.templates.allowed: ${guard.allowedTemplates.join(
          ', ',
        )}). Use the platform's own template; nothing was read or written.`,
      );
    }
    try {
      await run();
    } finally {
      if (!dryRun) await guard.afterWrite?.();
    }
  } catch (error) {
    const e = error as Error;
    await event.fail({
      error: e,
      meta: {
        ...notes,
        decision: REFUSALS.has(e?.name) ? 'refused' : 'failed',
      },
    });
    throw error;
  }
  await event.success({
    meta: { decision: dryRun ? 'checked' : 'written', ...notes },
  });
}
