import {
  Context,
  conditionOf,
  deleting,
  formatDuration,
  generationAhead,
  hintValues,
  num,
  rawCondition,
  ref,
  str,
  stuckFor,
  unreadable,
} from './context';
import { CROSSPLANE_REASONS } from './crossplane';
import { finding } from './states';
import type { ConditionView, Finding } from './types';

const reasonIn = <T extends Record<string, string>>(
  table: T,
  c: ConditionView,
): T[keyof T] | undefined => {
  const reason = str(c.reason);
  return reason !== undefined &&
    Object.prototype.hasOwnProperty.call(table, reason)
    ? table[reason as keyof T]
    : undefined;
};

/**
 * The PostgresInstance claim hop (crossplane-runtime apis/common/v1/condition.go v1.16.0, the
 * claim reconciler's `Waiting`, `spec.resourceRef`). The meaning of each state is in states.ts.
 */
export function claimStep(ctx: Context): Finding {
  const blocked = unreadable(ctx, 'claim');
  if (blocked) return blocked;
  const claim = ctx.claim;
  const values = hintValues(ctx);
  if (!claim) {
    return finding(
      'claimNotFound',
      `The PostgresInstance ${ctx.namespace ?? '?'}/${
        ctx.claimName ?? '?'
      } was not found.`,
      values,
    );
  }
  const name = ref('PostgresInstance', claim.metadata);
  const gone = deleting(
    'claimDeleting',
    'PostgresInstance',
    claim.metadata,
    values,
  );
  if (gone) return gone;
  const synced = conditionOf(claim.status, 'Synced');
  const ready = conditionOf(claim.status, 'Ready');
  if (synced) {
    const known = reasonIn(CROSSPLANE_REASONS.synced, synced);
    let meaning: typeof known | undefined;
    if (str(synced.status) === 'False') meaning = known;
    else if (
      str(synced.status) === 'True' &&
      (known === 'ok' || !synced.reason)
    )
      meaning = 'ok';
    if (meaning === 'claimReconcileError' || meaning === 'claimPaused') {
      return finding(
        meaning,
        `Crossplane cannot reconcile the claim: ${
          str(synced.message) ?? str(synced.reason) ?? 'Synced=False'
        }.`,
        values,
      );
    }
    if (meaning !== 'ok') {
      return finding(
        'claimUnknown',
        `${name} reports ${rawCondition(
          synced,
        )}, which this portal does not know.`,
        values,
      );
    }
  }
  const hasComposite = !!str(claim.spec?.resourceRef?.name);
  const waitingForCrossplane = (
    state: 'claimNotReconciled' | 'claimNoComposite',
    message: string,
  ) => {
    const age = stuckFor(ctx, str(claim.metadata?.creationTimestamp));
    return age !== undefined
      ? finding('claimStuck', `${message} (for ${formatDuration(age)})`, values)
      : finding(state, message, values);
  };
  if (!ready) {
    return hasComposite
      ? waitingForCrossplane(
          'claimNotReconciled',
          `${name} has no Ready condition yet.`,
        )
      : waitingForCrossplane(
          'claimNoComposite',
          `${name} has no conditions and no composite resource (spec.resourceRef) yet.`,
        );
  }
  const observed = [synced, ready]
    .map(c => num(c?.observedGeneration))
    .filter((g): g is number => g !== undefined);
  const ahead = generationAhead(
    claim.metadata,
    observed.length ? Math.min(...observed) : undefined,
  );
  if (ahead) {
    return finding(
      'claimChangeNotApplied',
      `${name} is at generation ${ahead.generation}; Crossplane last reported on generation ${ahead.observed}.`,
      values,
    );
  }
  const status = str(ready.status);
  if (status === 'True') {
    if (reasonIn(CROSSPLANE_REASONS.readyTrue, ready) || !str(ready.reason)) {
      return finding(
        'claimAvailable',
        'Crossplane reports the claim Ready (this alone does not mean the database is up).',
        values,
        str(ready.reason),
      );
    }
  } else if (status === 'False') {
    const meaning = reasonIn(CROSSPLANE_REASONS.readyFalse, ready);
    if (meaning === 'claimWaiting' && !hasComposite) {
      return waitingForCrossplane(
        'claimNoComposite',
        `${name} is not Ready and has no composite resource (spec.resourceRef) yet.`,
      );
    }
    if (meaning) {
      return finding(
        meaning,
        str(ready.message) ?? `${name} is not ready (${ready.reason}).`,
        values,
        str(ready.reason),
      );
    }
  }
  return finding(
    'claimUnknown',
    `${name} reports ${rawCondition(ready)}, which this portal does not know.`,
    values,
  );
}
