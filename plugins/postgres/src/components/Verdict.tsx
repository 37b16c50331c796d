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

/**
 * Backstage's status components are `aria-hidden` as a whole, their word included: a wrapper
 * labelled with the word makes screen readers say the verdict.
 */
function Labelled({
  label,
  children,
}: {
  label: string;
  children: React.ReactNode;
}) {
  return (
    <span role="img" aria-label={label}>
      {children}
    </span>
  );
}

/** A verdict as a status dot and word. */
export function VerdictStatus({ verdict }: { verdict: Verdict }) {
  const label = VERDICT_LABELS[verdict];
  return (
    <Labelled label={label}>
      <VerdictDot verdict={verdict} label={label} />
    </Labelled>
  );
}

function VerdictDot({ verdict, label }: { verdict: Verdict; label: string }) {
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
  const degraded = status === 'error' && verdict === 'degraded';
  const label = degraded ? VERDICT_LABELS.degraded : STEP_LABELS[status];
  return (
    <Labelled label={label}>
      <StepDot status={degraded ? 'degraded' : status} label={label} />
    </Labelled>
  );
}

function StepDot({
  status,
  label,
}: {
  status: StepStatus | 'degraded';
  label: string;
}) {
  switch (status) {
    case 'degraded':
      return <StatusWarning>{label}</StatusWarning>;
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
