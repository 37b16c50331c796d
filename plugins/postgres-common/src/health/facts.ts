import type { ClusterStatusSummary } from '../entities';
import { CNPG_HEALTHY_PHASE } from './cnpg';
import type { Step } from './types';

/**
 * The CNPG cluster's facts as shown beside the steps: phase, instances and primary.
 *
 * @public
 */
export interface ClusterFacts {
  /** CNPG's phase, or what the cluster's step found when the phase would contradict it. */
  phase: string;
  /** Ready instances of the instances there are, e.g. `1/3`. */
  instances: string;
  /** The primary, said as lost or being replaced while CNPG still names it. */
  primary: string;
}

/** `InstancesNotReady` → `Instances not ready`. */
function words(reason: string): string {
  const spaced = reason.replace(/([a-z])([A-Z])/g, '$1 $2').toLocaleLowerCase();
  return spaced.charAt(0).toLocaleUpperCase() + spaced.slice(1);
}

/**
 * The cluster's facts in words that agree with its step (the operator's own words kept, never
 * contradicted): CNPG keeps the phase `Cluster in healthy state` on a hibernated, suspended or
 * short-handed cluster, and keeps naming a lost primary as `currentPrimary` while it fails
 * over; beside a step that says otherwise, the facts say what the step found and quote the
 * phase as CNPG's.
 *
 * @public
 */
export function clusterFacts(
  status: ClusterStatusSummary | null | undefined,
  step: Step | undefined,
): ClusterFacts {
  if (!status) return { phase: 'not found', instances: '–', primary: '–' };
  const troubled = step !== undefined && step.status !== 'ok';
  let phase = status.phase ?? 'not reported';
  if (troubled && status.phase === CNPG_HEALTHY_PHASE) {
    phase = `${words(step.reason)} (CNPG's phase still reads '${
      status.phase
    }')`;
  }
  const instances =
    status.instances === undefined
      ? '–'
      : `${status.readyInstances ?? 0}/${status.instances}`;
  let primary = status.currentPrimary ?? '–';
  const current = status.currentPrimary;
  if (current && troubled) {
    const message = step.message;
    const changing = new RegExp(`primary ${current} → (\\S+?)[;.]`).exec(
      message,
    );
    if (message.includes(`primary ${current} lost`)) {
      primary = `${current} (lost; a new one not chosen yet)`;
    } else if (changing) {
      primary = `${current} (being replaced by ${changing[1]})`;
    } else if ((status.readyInstances ?? 0) === 0) {
      primary = `${current} (none running)`;
    }
  }
  return { phase, instances, primary };
}
