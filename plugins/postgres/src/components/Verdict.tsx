import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { StepStatus, Verdict } from '@bizmatters/plugin-postgres-common';

export const VERDICT_LABELS: Record<Verdict, string> = {
  healthy: 'Healthy',
  progressing: 'Progressing',
  degraded: 'Degraded',
  failed: 'Failed',
  unknown: 'Unknown',
};

/** A verdict as a status dot and word. */
export function VerdictStatus({ verdict }: { verdict: Verdict }) {
  const label = VERDICT_LABELS[verdict];
  switch (verdict) {
    case 'healthy':
      return <StatusOK>{label}</StatusOK>;
    case 'progressing':
      return <StatusPending>{label}</StatusPending>;
    case 'degraded':
      return <StatusWarning>{label}</StatusWarning>;
    case 'failed':
      return <StatusError>{label}</StatusError>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}

const STEP_LABELS: Record<StepStatus, string> = {
  ok: 'OK',
  pending: 'Pending',
  error: 'Error',
  unknown: 'Unknown',
};

/**
 * A step's status as a status dot and word. Under a `degraded` verdict every `error` step is a
 * degraded one (a failed step would make the verdict `failed`): it shows as a warning, not as
 * an error, e.g. a cluster hibernated on purpose or failing over.
 */
export function StepStatusIndicator({
  status,
  verdict,
}: {
  status: StepStatus;
  verdict?: Verdict;
}) {
  const label = STEP_LABELS[status];
  if (status === 'error' && verdict === 'degraded') {
    return <StatusWarning>{VERDICT_LABELS.degraded}</StatusWarning>;
  }
  switch (status) {
    case 'ok':
      return <StatusOK>{label}</StatusOK>;
    case 'pending':
      return <StatusPending>{label}</StatusPending>;
    case 'error':
      return <StatusError>{label}</StatusError>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}
