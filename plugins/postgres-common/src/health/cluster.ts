import {
  ageSeconds,
  annotation,
  Context,
  conditionOf,
  deleting,
  formatDuration,
  hintValues,
  num,
  rawCondition,
  str,
  stuckFor,
  unreadable,
} from './context';
import {
  CNPG_ANNOTATIONS,
  CNPG_HEALTHY_PHASE,
  CNPG_HIBERNATION_CONDITION,
  CNPG_HIBERNATION_REASONS,
  CNPG_PHASE_STATES,
} from './cnpg';
import { finding, HintValues, StateId } from './states';
import type { Finding } from './types';

/** The latest of some timestamps (ignoring those that do not parse). */
function latest(times: Array<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const t of times) {
    if (t !== undefined && !Number.isNaN(Date.parse(t))) {
      if (best === undefined || Date.parse(t) > Date.parse(best)) best = t;
    }
  }
  return best;
}

/**
 * The CNPG Cluster hop (CNPG api/v1/cluster_types.go phases, pkg/utils/labels_annotations.go
 * annotations, pkg/reconciler/hibernation/status.go). The meaning of each state is in
 * states.ts; this function only finds which state the Cluster is in, in this order: deleted,
 * suspended (its status is frozen, so nothing else it says can be trusted), hibernated, no
 * status, then the phase.
 */
export function clusterStep(ctx: Context, claimOk: boolean): Finding {
  const blocked = unreadable(ctx, 'cluster');
  if (blocked) return blocked;
  const cluster = ctx.cluster;
  if (!cluster) {
    return claimOk
      ? finding(
          'clusterMissing',
          `The claim is Ready but no CNPG Cluster ${ctx.namespace ?? '?'}/${
            ctx.claimName ?? '?'
          } exists.`,
          hintValues(ctx),
        )
      : finding(
          'clusterNotCreated',
          'Crossplane has not created the CNPG Cluster yet.',
        );
  }
  const meta = cluster.metadata;
  const status = cluster.status ?? {};
  const name = str(meta?.name) ?? '';
  const namespace = str(meta?.namespace) ?? '';
  const values: HintValues = hintValues(ctx, {
    cluster: name,
    namespace,
    inspect: `kubectl cnpg status ${name} -n ${namespace}`,
  });
  const phase = str(status.phase) ?? '';
  const phaseText = `${phase}${
    str(status.phaseReason) ? ` (${status.phaseReason})` : ''
  }`;
  // desired: spec.instances; status.instances counts the instances that exist (from their
  // PVCs), more than desired while scaling down
  const known = [num(cluster.spec?.instances), num(status.instances)].filter(
    (n): n is number => n !== undefined,
  );
  const desired = known.length ? Math.max(...known) : undefined;
  const readyInstances = num(status.readyInstances) ?? 0;
  const counts =
    desired !== undefined
      ? `${readyInstances} of ${desired} instances ready`
      : `${readyInstances} instances ready`;

  const gone = deleting('clusterDeleting', 'Cluster', meta, values);
  if (gone) return gone;
  const suspendedBy = CNPG_ANNOTATIONS.reconciliationLoop.find(
    key => annotation(meta, key) === CNPG_ANNOTATIONS.reconciliationDisabled,
  );
  if (suspendedBy) {
    return finding(
      'clusterSuspended',
      `The operator is not acting on this cluster: ${suspendedBy} is '${
        CNPG_ANNOTATIONS.reconciliationDisabled
      }'. No self-healing and no failover while it is; the status it last wrote${
        phase ? ` ('${phaseText}', ${counts})` : ''
      } may be out of date.`,
      { ...values, annotation: suspendedBy },
    );
  }
  const hibernation = conditionOf(status, CNPG_HIBERNATION_CONDITION);
  const hibernateAsked =
    annotation(meta, CNPG_ANNOTATIONS.hibernation) ===
    CNPG_ANNOTATIONS.hibernationOn;
  if (hibernation) {
    const reason = str(hibernation.reason) ?? '';
    const meaning = Object.prototype.hasOwnProperty.call(
      CNPG_HIBERNATION_REASONS,
      reason,
    )
      ? CNPG_HIBERNATION_REASONS[reason]
      : undefined;
    if (meaning === 'clusterHibernated' && str(hibernation.status) === 'True') {
      return finding(
        'clusterHibernated',
        `Hibernated on purpose${
          str(hibernation.lastTransitionTime)
            ? ` since ${hibernation.lastTransitionTime}`
            : ''
        }: no PostgreSQL pod runs, the data is kept on its volumes. Applications cannot connect until it is woken.`,
        values,
        reason,
      );
    }
    if (meaning === 'clusterHibernating') {
      return finding(
        'clusterHibernating',
        `Being hibernated on purpose: ${
          str(hibernation.message) ?? reason
        }. Applications lose their connections.`,
        values,
        reason,
      );
    }
    if (meaning === undefined) {
      return finding(
        'clusterUnknownPhase',
        `CloudNative-PG reports ${rawCondition(
          hibernation,
        )}, which this portal does not know.`,
        values,
      );
    }
  } else if (hibernateAsked) {
    return finding(
      'clusterHibernating',
      `cnpg.io/hibernation is 'on': the cluster is to be hibernated on purpose; CloudNative-PG has not reported on it yet.`,
      values,
    );
  }

  if (!phase) {
    const age = stuckFor(ctx, str(meta?.creationTimestamp));
    return age !== undefined
      ? finding(
          'clusterStuck',
          `CloudNative-PG has not reported on this cluster in ${formatDuration(
            age,
          )} (no status.phase).`,
          values,
          'Stuck',
        )
      : finding(
          'clusterNotReported',
          'Being set up: CloudNative-PG has not reported on this cluster yet (no status.phase).',
          values,
        );
  }

  const state: StateId | undefined = Object.prototype.hasOwnProperty.call(
    CNPG_PHASE_STATES,
    phase,
  )
    ? CNPG_PHASE_STATES[phase]
    : undefined;
  if (state === undefined) {
    return finding(
      'clusterUnknownPhase',
      `CloudNative-PG reports the phase '${phase}'${
        str(status.phaseReason) ? ` (${status.phaseReason})` : ''
      }, which this portal does not know.`,
      values,
    );
  }
  if (state === 'clusterHealthy') {
    if (desired !== undefined && readyInstances < desired) {
      return finding(
        'clusterInstancesNotReady',
        `${readyInstances} of ${desired} instances are ready.`,
        values,
      );
    }
    const ready = conditionOf(status, 'Ready');
    if (ready && str(ready.status) !== 'True') {
      return finding(
        'clusterReadyFalse',
        `Phase is '${phase}' but the Ready condition is ${
          str(ready.status) ?? '?'
        }.`,
        values,
        str(ready.reason),
      );
    }
    return finding(
      'clusterHealthy',
      `${CNPG_HEALTHY_PHASE}: ${readyInstances}/${
        desired ?? readyInstances
      } instances ready${
        str(status.currentPrimary) ? `, primary ${status.currentPrimary}` : ''
      }.`,
    );
  }
  if (state === 'clusterFailingOver' || state === 'clusterSwitchover') {
    // when it began: the latest of the times CNPG records for it (the primary failing, the
    // request for a new primary, Ready turning False), so an old one does not read as stuck
    const since = latest([
      state === 'clusterFailingOver'
        ? str(status.currentPrimaryFailingSinceTimestamp)
        : undefined,
      str(status.targetPrimaryTimestamp),
      str(conditionOf(status, 'Ready')?.lastTransitionTime),
    ]);
    // targetPrimary "pending" (cluster_types.go PendingFailoverMarker): no new primary chosen yet
    const current = str(status.currentPrimary);
    const target = str(status.targetPrimary);
    let primaries = '';
    if (current && target === 'pending') {
      primaries = `; primary ${current} lost, a new one not chosen yet`;
    } else if (current && target && current !== target) {
      primaries = `; primary ${current} → ${target}`;
    }
    const text = `${phaseText}${lasting(ctx, since)}${primaries}; ${counts}.`;
    const age = stuckFor(ctx, since);
    return age !== undefined
      ? finding(
          'clusterStuck',
          `'${phase}' for ${formatDuration(age)}${primaries}; ${counts}.`,
          values,
        )
      : finding(
          state,
          `${text} Writes fail until a new primary is up.`,
          values,
        );
  }
  if (state === 'clusterProgressing' || state === 'clusterSettingUp') {
    const since =
      str(conditionOf(status, 'Ready')?.lastTransitionTime) ??
      str(meta?.creationTimestamp);
    const age = stuckFor(ctx, since);
    if (age === undefined) {
      return finding(state, `${phaseText}${lasting(ctx, since)}.`, values);
    }
    let stuck: StateId =
      readyInstances > 0 ? 'clusterStuckServing' : 'clusterStuck';
    if (state === 'clusterSettingUp') stuck = 'clusterStuckSettingUp';
    return finding(stuck, `'${phaseText}' for ${formatDuration(age)}.`, values);
  }
  // the states that mean what they say: upgrade delayed, waiting for a person, failed phases
  return finding(state, `${phaseText}.`, values);
}

/** ` since <time> (<how long>)`: when a passing state began and, with a clock, how long ago. */
function lasting(ctx: Context, since: string | undefined): string {
  if (!since) return '';
  const age = ageSeconds(ctx, since);
  return ` since ${since}${
    age !== undefined ? ` (${formatDuration(age)})` : ''
  }`;
}
