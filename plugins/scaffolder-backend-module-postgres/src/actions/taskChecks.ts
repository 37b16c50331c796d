import type { CheckedCreation } from './creation';

/** What an action of a task verified, for the task's next creating action. */
export interface VerifiedCreation {
  checked: CheckedCreation;
  /** The SSM parameters were written (or found reusable) for this claim by this task. */
  ssmVerified: boolean;
}

/**
 * The task an answer belongs to: its id and its initiator (a task id is unique; the initiator
 * keeps an answer to the one who was checked, whatever a task id turns out to be).
 */
export function taskOf(ctx: {
  task: { id: string };
  user?: { ref?: string };
}): string {
  return JSON.stringify([ctx.task.id, ctx.user?.ref ?? null]);
}

/** How long a verified answer waits for the next action (it runs right after). */
const TTL_MS = 60_000;

/**
 * The checks of a creation done once per task: the action that completes first keeps its
 * verified answer here, keyed by the task and the exact input it checked; the other creating
 * action of the same task with the same input takes it (once) instead of asking the catalog,
 * the permissions, the forge and the clusters again. An action never takes its own answer, so
 * a step run again (a retried task) checks anew; an action used alone finds nothing and
 * performs every check. Kept in the process for a minute: a task whose next step runs on
 * another replica, or later, checks again.
 */
export class TaskChecks {
  private readonly entries = new Map<
    string,
    VerifiedCreation & { from: string; expiresAt: number }
  >();

  constructor(private readonly now: () => number = Date.now) {}

  /** Keeps what the action `from` verified for `input` in `task` (see taskOf). */
  keep(
    task: string,
    input: Record<string, unknown>,
    from: string,
    verified: VerifiedCreation,
  ): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
    this.entries.set(keyOf(task, input), {
      ...verified,
      from,
      expiresAt: now + TTL_MS,
    });
  }

  /** What another action of `task` verified for the same `input`, taken once. */
  take(
    task: string,
    input: Record<string, unknown>,
    by: string,
  ): VerifiedCreation | undefined {
    const key = keyOf(task, input);
    const entry = this.entries.get(key);
    if (!entry || entry.from === by || entry.expiresAt <= this.now()) {
      return undefined;
    }
    this.entries.delete(key);
    return { checked: entry.checked, ssmVerified: entry.ssmVerified };
  }
}

/** The task and its input, the input's keys in order and absent values left out. */
function keyOf(task: string, input: Record<string, unknown>): string {
  const fields = Object.keys(input)
    .filter(k => input[k] !== undefined)
    .sort()
    .map(k => [k, input[k]]);
  return JSON.stringify([task, fields]);
}
